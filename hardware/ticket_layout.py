"""Queue-ticket layout: one design, rendered to a 1-bit raster for printers and previews.

Printer code pages for Vietnamese (CP1258, TCVN-3) are unreliable across models, so all
text is drawn with the bundled Roboto font (``assets/fonts``) at the printer's own
resolution (203 dpi: 384 dots for 58 mm paper, 576 dots for 80 mm). The on-screen
preview, the simulated printer and the ESC/POS encoder all call this module, so what the
citizen sees is what the printer prints.

The ticket is built as three sections — everything above the QR code, the QR code, and
everything below it — so that an encoder for a printer with native QR support can send
the two text rasters and put a ``GS ( k`` command between them (~150 bytes instead of
~8 KB of image).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

from PIL import Image, ImageDraw, ImageFont, ImageOps

from hardware.printer import TicketJob

#: Paper width in millimetres -> printable width in dots at 203 dpi.
PAPER_DOTS: dict[int, int] = {58: 384, 80: 576}

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT_REGULAR = "Roboto-Regular.ttf"
FONT_BOLD = "Roboto-Bold.ttf"

#: QR error correction used for both the image and the native command (M: survives a
#: crease or a smudge on thermal paper, still small for a short URL).
QR_EC_LEVEL = "M"

# Anti-aliased grey below this value becomes a printed dot. A little above mid-grey,
# because thermal heads print thin strokes lighter than they look on screen.
_INK_THRESHOLD = 160


class TicketLayoutError(ValueError):
    """The ticket cannot be laid out (unknown paper width, missing font)."""


@dataclass(frozen=True)
class QrSpec:
    """The ticket's QR code: payload, module size in dots and error-correction level."""

    payload: str
    module_dots: int
    ec_level: str = QR_EC_LEVEL


@dataclass(frozen=True)
class TicketSections:
    """A laid-out ticket: text above the QR code, the QR code, text below it.

    ``head`` and ``tail`` are 1-bit images exactly as wide as the paper (in dots);
    ``qr`` is ``None`` when the job has no QR payload.
    """

    head: Image.Image
    qr: QrSpec | None
    tail: Image.Image
    width: int


@dataclass(frozen=True)
class _Scale:
    """Type sizes and spacing for one paper width (in dots)."""

    margin: int
    centre: int
    label: int
    number_max: int
    service: int
    service_en: int
    row: int
    small: int
    gap: int
    qr_module: int


_SCALES: dict[int, _Scale] = {
    80: _Scale(margin=20, centre=26, label=24, number_max=190, service=32, service_en=24,
               row=24, small=19, gap=14, qr_module=7),
    58: _Scale(margin=12, centre=20, label=19, number_max=140, service=24, service_en=19,
               row=19, small=15, gap=10, qr_module=5),
}


@functools.lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    # Cached because loading a TTF costs ~1 ms and a ticket uses ~10 sizes.
    path = FONT_DIR / name
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as exc:
        raise TicketLayoutError(f"ticket font {path} cannot be loaded: {exc}") from exc


class _Canvas:
    """A growing white strip of paper that text blocks are appended to, top to bottom."""

    def __init__(self, width: int, margin: int) -> None:
        self.width = width
        self.margin = margin
        self.blocks: list[Image.Image] = []

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def space(self, height: int) -> None:
        if height > 0:
            self.blocks.append(Image.new("L", (self.width, height), 255))

    def text(self, text: str, font: ImageFont.FreeTypeFont, *, align: str = "center",
             invert: bool = False, line_gap: float = 0.22) -> None:
        """Append ``text`` wrapped to the inner width; ``invert`` draws white on black."""
        ascent, descent = font.getmetrics()
        line_h = ascent + descent
        lines = list(_wrap(text, font, self.inner - (16 if invert else 0)))
        gap = int(line_h * line_gap)
        pad = 6 if invert else 0
        height = len(lines) * line_h + (len(lines) - 1) * gap + 2 * pad
        img = Image.new("L", (self.width, height), 255)
        draw = ImageDraw.Draw(img)
        ink, paper = (255, 0) if invert else (0, 255)
        if invert:
            widest = max(font.getlength(line) for line in lines)
            box_w = int(widest) + 32
            x0 = (self.width - box_w) // 2 if align == "center" else self.margin
            draw.rounded_rectangle((x0, 0, x0 + box_w, height - 1), radius=8, fill=paper)
        y = pad
        for line in lines:
            w = font.getlength(line)
            if align == "center":
                x = (self.width - w) / 2
            elif align == "right":
                x = self.width - self.margin - w
            else:
                x = self.margin
            draw.text((x, y), line, font=font, fill=ink)
            y += line_h + gap
        self.blocks.append(img)

    def row(self, label: str, value: str, font: ImageFont.FreeTypeFont,
            bold: ImageFont.FreeTypeFont) -> None:
        """Append ``label ........ value``; the value drops to its own line if it must."""
        lw, vw = font.getlength(label), bold.getlength(value)
        if lw + vw + 16 <= self.inner:
            ascent, descent = bold.getmetrics()
            img = Image.new("L", (self.width, ascent + descent), 255)
            draw = ImageDraw.Draw(img)
            fa = font.getmetrics()[0]
            draw.text((self.margin, ascent - fa), label, font=font, fill=0)
            draw.text((self.width - self.margin - vw, 0), value, font=bold, fill=0)
            self.blocks.append(img)
        else:
            self.text(label, font, align="left")
            self.text(value, bold, align="right")
        self.space(max(4, font.size // 4))

    def big(self, text: str, font: ImageFont.FreeTypeFont, pad: int) -> None:
        """Append ``text`` centred and cropped to its ink (no accent headroom): the number."""
        left, top, right, bottom = font.getbbox(text)
        img = Image.new("L", (self.width, bottom - top + 2 * pad), 255)
        x = (self.width - (right - left)) // 2 - left
        ImageDraw.Draw(img).text((x, pad - top), text, font=font, fill=0)
        self.blocks.append(img)

    def rule(self, dashed: bool = False, thickness: int = 2) -> None:
        img = Image.new("L", (self.width, thickness), 255)
        draw = ImageDraw.Draw(img)
        if dashed:
            for x in range(self.margin, self.width - self.margin, 12):
                draw.rectangle((x, 0, min(x + 6, self.width - self.margin), thickness - 1), fill=0)
        else:
            draw.rectangle((self.margin, 0, self.width - self.margin - 1, thickness - 1), fill=0)
        self.blocks.append(img)

    def image(self, img: Image.Image) -> None:
        strip = Image.new("L", (self.width, img.height), 255)
        strip.paste(img.convert("L"), ((self.width - img.width) // 2, 0))
        self.blocks.append(strip)

    def to_bitmap(self) -> Image.Image:
        height = sum(b.height for b in self.blocks)
        out = Image.new("L", (self.width, max(height, 1)), 255)
        y = 0
        for block in self.blocks:
            out.paste(block, (0, y))
            y += block.height
        return _to_1bit(out)


def _to_1bit(img: Image.Image) -> Image.Image:
    # A fixed threshold, not dithering: dithered text edges look fuzzy on a thermal head.
    return img.point(lambda v: 255 if v >= _INK_THRESHOLD else 0, mode="1")


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> Iterable[str]:
    """Greedy word wrap by rendered width; a single over-long word is cut by characters."""
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                yield line
            while font.getlength(word) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and font.getlength(word[:cut]) > width:
                    cut -= 1
                yield word[:cut]
                word = word[cut:]
            line = word
        yield line


def _fit_font(text: str, name: str, max_size: int, width: int) -> ImageFont.FreeTypeFont:
    """The largest font (up to ``max_size``) in which ``text`` fits ``width`` dots."""
    size = max_size
    while size > 12 and _font(name, size).getlength(text) > width:
        size = int(size * 0.92)
    return _font(name, size)


def _bilingual(vi: str, en: str, job: TicketJob) -> str:
    return f"{vi} / {en}" if job.language == "en" else vi


def _wait_text(job: TicketJob) -> str | None:
    if job.wait_minutes is None:
        return None
    low, high = job.wait_minutes
    unit = "phút" if job.language != "en" else "min"
    return f"{low}–{high} {unit}" if high > low else f"~{low} {unit}"


def qr_image(spec: QrSpec) -> Image.Image:
    """The QR code as a 1-bit image with a 4-module quiet zone, ``module_dots`` per module."""
    import qrcode  # imported here: only needed when a QR is drawn
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

    ec = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q,
          "H": ERROR_CORRECT_H}[spec.ec_level]
    code = qrcode.QRCode(error_correction=ec, border=4, box_size=1)
    code.add_data(spec.payload.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if cell else 1 for row in matrix for cell in row])
    return small.resize((n * spec.module_dots, n * spec.module_dots), Image.NEAREST)


def layout_ticket(job: TicketJob, paper_mm: int = 80, *,
                  logo: Image.Image | str | Path | None = None) -> TicketSections:
    """Lay out ``job`` for ``paper_mm`` paper as head / QR / tail sections.

    ``logo`` (an image or a path) is scaled to fit and printed above the centre name.
    """
    if paper_mm not in PAPER_DOTS:
        raise TicketLayoutError(f"paper width {paper_mm} mm is not supported (58 or 80)")
    width, s = PAPER_DOTS[paper_mm], _SCALES[paper_mm]
    reg, bold = FONT_REGULAR, FONT_BOLD
    en = job.language == "en"

    head = _Canvas(width, s.margin)
    head.space(s.gap)
    if logo is not None:
        img = Image.open(logo) if isinstance(logo, (str, Path)) else logo
        img = ImageOps.contain(img.convert("L"), (head.inner, width // 4))
        head.image(img)
        head.space(s.gap)
    if job.centre_name:
        head.text(job.centre_name.upper(), _font(bold, s.centre))
        head.space(s.gap)
    head.rule(thickness=3)
    head.space(s.gap)
    if job.reprint:
        head.text(_bilingual("BẢN IN LẠI", "REPRINT", job), _font(bold, s.label), invert=True)
        head.space(s.gap // 2)
    head.text(_bilingual("SỐ THỨ TỰ CỦA BẠN", "YOUR NUMBER", job), _font(reg, s.label))
    number_font = _fit_font(job.number, bold, s.number_max, head.inner)
    head.big(job.number, number_font, pad=s.gap)
    if job.priority:
        head.space(s.gap // 2)
        head.text(_bilingual("ƯU TIÊN", "PRIORITY", job), _font(bold, s.service), invert=True)
    head.space(s.gap)
    head.text(job.service_vi, _font(bold, s.service))
    if en and job.service_en:
        head.text(job.service_en, _font(reg, s.service_en))
    head.space(s.gap)
    head.rule(dashed=True)
    head.space(s.gap)

    row_font, row_bold = _font(reg, s.row), _font(bold, s.row)
    when = job.issued_at if isinstance(job.issued_at, datetime) else datetime.now()
    head.row(_bilingual("Thời gian", "Time", job), when.strftime("%H:%M  %d/%m/%Y"),
             row_font, row_bold)
    if job.waiting_ahead is not None:
        people = f"{job.waiting_ahead} người" if not en else f"{job.waiting_ahead}"
        head.row(_bilingual("Số người chờ trước", "Ahead of you", job), people,
                 row_font, row_bold)
    wait = _wait_text(job)
    if wait:
        head.row(_bilingual("Thời gian chờ dự kiến", "Estimated wait", job), wait,
                 row_font, row_bold)
    if job.counter_group:
        head.row(_bilingual("Quầy phục vụ", "Counter", job), job.counter_group,
                 row_font, row_bold)
    if job.masked_id:
        head.row(_bilingual("Số định danh", "ID", job), job.masked_id, row_font, row_bold)
    head.space(s.gap)
    head.rule(dashed=True)
    head.space(s.gap)

    qr = QrSpec(job.qr_payload, s.qr_module) if job.qr_payload else None

    tail = _Canvas(width, s.margin)
    if qr is not None:
        tail.space(s.gap // 2)
        tail.text("Quét mã để theo dõi lượt của bạn", _font(bold, s.small))
        if en:
            tail.text("Scan to follow your turn", _font(reg, s.small))
        tail.space(s.gap)
    tail.text("Vui lòng giữ phiếu và chú ý màn hình, loa gọi số. "
              "Quá lượt gọi, xin liên hệ quầy hướng dẫn.", _font(reg, s.small))
    if en:
        tail.text("Keep this ticket and watch the display. If you miss your call, "
                  "please ask at the help desk.", _font(reg, s.small))
    tail.space(s.gap // 2)
    tail.text("Phiếu không ghi thông tin cá nhân.", _font(reg, s.small))
    if en:
        tail.text("No personal data on this ticket.", _font(reg, s.small))
    tail.space(s.gap)
    return TicketSections(head.to_bitmap(), qr, tail.to_bitmap(), width)


def stack(images: Iterable[Image.Image], width: int) -> Image.Image:
    """Stack 1-bit images vertically, centred, on white paper ``width`` dots wide."""
    parts = [im.convert("1") for im in images]
    out = Image.new("1", (width, sum(p.height for p in parts) or 1), 1)
    y = 0
    for part in parts:
        out.paste(part, ((width - part.width) // 2, y))
        y += part.height
    return out


def render_ticket(job: TicketJob, paper_mm: int = 80, *, native_qr: bool = False,
                  logo: Image.Image | str | Path | None = None) -> Image.Image:
    """Render ``job`` as a 1-bit image ``PAPER_DOTS[paper_mm]`` dots wide.

    With ``native_qr`` the QR code is left out (head and tail are stacked directly):
    the encoder sends it as a ``GS ( k`` command between the two sections instead.
    """
    sections = layout_ticket(job, paper_mm, logo=logo)
    parts = [sections.head]
    if sections.qr is not None and not native_qr:
        parts.append(qr_image(sections.qr))
    parts.append(sections.tail)
    return stack(parts, sections.width)
