"""Queue-ticket layout: one design, rendered to a 1-bit raster for printers and previews.

Printer code pages for Vietnamese (CP1258, TCVN-3) are unreliable across models, so all
text is drawn with the bundled Roboto font (``assets/fonts``) at the printer's own
resolution (203 dpi: 384 dots for 58 mm paper, 576 dots for 80 mm). The on-screen
preview, the simulated printer and the ESC/POS encoder all call this module, so what the
citizen sees is what the printer prints.

The ticket is built as three sections — everything above the QR code, the QR code, and
everything below it — so that an encoder for a printer with native QR support can send
the two text sections and put a ``GS ( k`` command between them (~150 bytes instead of
~8 KB of image). Each text section is a list of blocks (:class:`Block`): raster strips, and
lines of ASCII (the ticket number, the time) that the printer draws with its own font
(``GS !`` magnification) — a few bytes instead of kilobytes of raster. The preview draws
those lines with the bundled font in the cell the printer would use, and centred raster
blocks are placed exactly where the printer's own centring (``ESC a 1``) of a byte-wide
crop puts them, so preview and paper agree dot for dot outside the printer-font cells.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

from PIL import Image, ImageDraw, ImageFont, ImageOps

from hardware.shared_types import TicketJob
from hardware.ticket_raster import (CELL_W, FONT_BOLD, FONT_DIR, FONT_REGULAR,  # noqa: F401
                                    Block, PrinterText, QrSpec, TicketLayoutError, place_centred,
                                    qr_image, render_blocks, stack, to_1bit)
from hardware.ticket_raster import load_font as _font

#: Paper width in millimetres -> printable width in dots at 203 dpi.
PAPER_DOTS: dict[int, int] = {58: 384, 80: 576}


@dataclass(frozen=True)
class TicketSections:
    """A laid-out ticket: text above the QR code, the QR code, text below it.

    ``head`` and ``tail`` are 1-bit previews exactly as wide as the paper (in dots),
    ``head_blocks``/``tail_blocks`` what the encoder sends for them; ``qr`` is ``None``
    when the job has no QR payload.
    """

    head: Image.Image
    qr: QrSpec | None
    tail: Image.Image
    width: int
    head_blocks: tuple[Block, ...] = ()
    tail_blocks: tuple[Block, ...] = ()


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
    number_mag: int  # GS ! height magnification of the ticket number
    value_mag: int  # GS ! magnification of the people-ahead and wait numbers


_SCALES: dict[int, _Scale] = {
    # 80 mm: the centre name, the labels and the footer are a size or two smaller than
    # the service (32) and the big printed numbers: they are what the bytes went on.
    80: _Scale(margin=20, centre=24, label=22, number_max=190, service=32, service_en=24,
               row=22, small=18, gap=14, qr_module=7, number_mag=8, value_mag=2),
    58: _Scale(margin=12, centre=20, label=19, number_max=140, service=24, service_en=19,
               row=19, small=15, gap=10, qr_module=5, number_mag=6, value_mag=2),
}


class _Canvas:
    """A growing strip of paper that blocks are appended to, top to bottom."""

    def __init__(self, width: int, margin: int) -> None:
        self.width = width
        self.margin = margin
        self.blocks: list[tuple[Image.Image, bool] | PrinterText] = []

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def _add(self, img: Image.Image, centred: bool) -> None:
        self.blocks.append((img, centred))

    def space(self, height: int) -> None:
        if height > 0:
            self._add(Image.new("L", (self.width, height), 255), False)

    def text(self, text: str, font: ImageFont.FreeTypeFont, *, align: str = "center",
             invert: bool = False, line_gap: float = 0.22) -> None:
        """Append ``text`` wrapped to the inner width; ``invert`` draws white on black.

        Each line is its own block, so a centred line is cropped to its own ink."""
        ascent, descent = font.getmetrics()
        line_h = ascent + descent
        width = self.inner - (16 if invert else 0)
        lines = list(_wrap(text, font, width))
        gap = int(line_h * line_gap)
        if invert:
            pad = 6
            height = len(lines) * line_h + (len(lines) - 1) * gap + 2 * pad
            img = Image.new("L", (self.width, height), 255)
            draw = ImageDraw.Draw(img)
            widest = max(font.getlength(line) for line in lines)
            box_w = int(widest) + 32
            x0 = (self.width - box_w) // 2 if align == "center" else self.margin
            draw.rounded_rectangle((x0, 0, x0 + box_w, height - 1), radius=8, fill=0)
            y = pad
            for line in lines:
                draw.text(((self.width - font.getlength(line)) / 2, y), line, font=font, fill=255)
                y += line_h + gap
            self._add(img, align == "center")
            return
        for i, line in enumerate(lines):
            if i:
                self.space(gap)
            img = Image.new("L", (self.width, line_h), 255)
            w = font.getlength(line)
            if align == "center":
                x = (self.width - w) / 2
            elif align == "right":
                x = self.width - self.margin - w
            else:
                x = self.margin
            ImageDraw.Draw(img).text((x, 0), line, font=font, fill=0)
            self._add(img, align == "center")

    def pair(self, label: str, value: str, font: ImageFont.FreeTypeFont,
             bold: ImageFont.FreeTypeFont) -> None:
        """Append ``label: value`` (value in bold) as one centred line, cropped to its ink
        by the encoder; label and value get a line each if they do not fit together."""
        head = f"{label}: "
        lw, vw = font.getlength(head), bold.getlength(value)
        if lw + vw > self.inner:
            self.text(label, font)
            self.text(value, bold)
        else:
            ascent, descent = bold.getmetrics()
            img = Image.new("L", (self.width, ascent + descent), 255)
            draw = ImageDraw.Draw(img)
            x = (self.width - lw - vw) / 2
            draw.text((x, ascent - font.getmetrics()[0]), head, font=font, fill=0)
            draw.text((x + lw, 0), value, font=bold, fill=0)
            self._add(img, True)
        self.space(max(4, font.size // 4))

    def columns(self, cells: list[tuple[str, str]], font: ImageFont.FreeTypeFont,
                mag: int) -> bool:
        """Append side-by-side cells: each label (raster) centred over its ASCII value,
        and the values as one line of bold printer text magnified ``mag`` times — large
        digits for a few bytes. The value line is as wide as the paper's whole cells, so
        the printer's centring of it moves nothing. ``False`` (nothing appended) if a
        value does not fit its column."""
        cw = CELL_W * mag
        per_line = self.width // cw
        col = per_line // len(cells)
        if any(len(value) >= col for _, value in cells):
            return False
        lead = (per_line - col * len(cells)) // 2
        x_line = (self.width - per_line * cw) // 2
        chars, centres = [" "] * per_line, []
        for i, (_, value) in enumerate(cells):
            start = lead + i * col + (col - len(value)) // 2
            chars[start:start + len(value)] = value
            centres.append(x_line + (start + len(value) / 2) * cw)
        ascent, descent = font.getmetrics()
        line_h = ascent + descent
        wrapped = [list(_wrap(label, font, col * cw - 12)) for label, _ in cells]
        img = Image.new("L", (self.width, line_h * max(map(len, wrapped))), 255)
        draw = ImageDraw.Draw(img)
        for centre, lines in zip(centres, wrapped):
            top = (img.height - len(lines) * line_h) // 2  # a one-line label beside a two-line one
            for k, line in enumerate(lines):
                lw = font.getlength(line)  # centred over the value, kept off the margins
                x = min(max(centre - lw / 2, self.margin), self.width - self.margin - lw)
                draw.text((x, top + k * line_h), line, font=font, fill=0)
        # Not centred by the printer: its centring would move the labels off their values.
        self._add(img, False)
        self.printer_text(PrinterText("".join(chars), mag, mag, bold=True))
        return True

    def printer_text(self, text: PrinterText) -> None:
        """Append a centred line the printer draws with its own font."""
        self.blocks.append(text)

    def rule(self, thickness: int = 3) -> None:
        """A solid rule across the inner width."""
        img = Image.new("L", (self.width, thickness), 255)
        ImageDraw.Draw(img).rectangle((self.margin, 0, self.width - self.margin - 1,
                                       thickness - 1), fill=0)
        self._add(img, True)

    def dashes(self) -> None:
        """A dashed rule in the printer's font: a line of ``-`` (~50 bytes; as raster
        it costs a paper-wide row per dot of thickness)."""
        self.printer_text(PrinterText("-" * (self.inner // CELL_W)))

    def image(self, img: Image.Image) -> None:
        strip = Image.new("L", (self.width, img.height), 255)
        strip.paste(img.convert("L"), ((self.width - img.width) // 2, 0))
        self._add(strip, True)

    def finish(self) -> tuple[Block, ...]:
        """The blocks as the printer gets them: 1-bit, centred ink placed like the printer."""
        out: list[Block] = []
        for item in self.blocks:
            if isinstance(item, PrinterText):
                out.append(Block(text=item))
                continue
            img, centred = item
            bits = to_1bit(img)
            out.append(Block(place_centred(bits) if centred else bits, centred))
        return tuple(out)


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


def _wait_value(job: TicketJob) -> str | None:
    """The estimated wait in minutes as printable ASCII (``15-25`` or ``~15``)."""
    if job.wait_minutes is None:
        return None
    low, high = job.wait_minutes
    return f"{low}-{high}" if high > low else f"~{low}"


def layout_ticket(job: TicketJob, paper_mm: int = 80, *,
                  logo: Image.Image | str | Path | None = None,
                  printer_text: bool = True) -> TicketSections:
    """Lay out ``job`` for ``paper_mm`` paper as head / QR / tail sections.

    ``logo`` (an image or a path) is scaled to fit and printed above the centre name.
    With ``printer_text=False`` the previews leave the printer-font cells blank.
    """
    if paper_mm not in PAPER_DOTS:
        raise TicketLayoutError(f"paper width {paper_mm} mm is not supported (58 or 80)")
    if job.kind == "status":
        from hardware.status_slip import layout_status_slip
        return layout_status_slip(job, paper_mm)
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
    head.rule(thickness=2)
    head.space(s.gap)
    if job.reprint:
        head.text(_bilingual("BẢN IN LẠI", "REPRINT", job), _font(bold, s.label), invert=True)
        head.space(s.gap // 2)
    head.text(_bilingual("SỐ THỨ TỰ CỦA BẠN", "YOUR NUMBER", job), _font(reg, s.label))
    number = _number_text(job.number, s.number_mag, head.inner)
    if number is not None:
        head.printer_text(number)  # a dozen bytes instead of ~8 KB of raster
    else:  # not ASCII or too long for the printer's font: draw it
        head.text(job.number, _fit_font(job.number, bold, s.number_max, head.inner))
    if job.priority:
        head.space(s.gap // 2)
        head.text(_bilingual("ƯU TIÊN", "PRIORITY", job), _font(bold, s.service), invert=True)
    head.space(s.gap)
    head.text(job.service_vi, _font(bold, s.service))
    if en and job.service_en:
        head.text(job.service_en, _font(reg, s.service_en))
    head.space(s.gap // 2)
    head.dashes()
    head.space(s.gap // 2)

    row_font, row_bold = _font(reg, s.row), _font(bold, s.row)
    when = job.issued_at if isinstance(job.issued_at, datetime) else datetime.now()
    # Digits only: the printer's font, centred, instead of a paper-wide raster row.
    head.printer_text(PrinterText(when.strftime("%H:%M  %d/%m/%Y"), bold=True))
    head.space(s.gap)
    for note in job.notes:  # appointment, offline: already in the ticket's language(s)
        head.text(note, row_font)
    if job.notes:
        head.space(s.gap)
    # People ahead and the wait: the unit in the label, the number large in the
    # printer's font (easier to read than a raster row, and ~40 bytes instead of ~3 KB).
    cells = []
    if job.waiting_ahead is not None:
        cells.append((_bilingual("Số người chờ trước", "Ahead of you", job),
                      str(job.waiting_ahead)))
    wait = _wait_value(job)
    if wait:
        cells.append((_bilingual("Chờ dự kiến (phút)", "Est. wait (min)", job), wait))
    if cells and head.columns(cells, row_font, s.value_mag):
        head.space(s.gap)
    elif cells:  # a value too long for its column (never for real counts)
        for label, value in cells:
            head.pair(label, value, row_font, row_bold)
    if job.counter_group:
        head.pair(_bilingual("Quầy phục vụ", "Counter", job), job.counter_group,
                  row_font, row_bold)
    if job.masked_id:
        head.pair(_bilingual("Số định danh", "ID", job), job.masked_id, row_font, row_bold)
    head.dashes()
    head.space(s.gap // 2)

    qr = QrSpec(job.qr_payload, s.qr_module) if job.qr_payload else None

    tail = _Canvas(width, s.margin)
    if qr is not None:
        tail.space(s.gap // 2)
        tail.text("Quét mã để theo dõi lượt của bạn", _font(bold, s.small))
        if en:
            tail.text("Scan to follow your turn", _font(reg, s.small))
        tail.space(s.gap)
    # One sentence a line where it fits: no orphaned half-sentence on a line of its own.
    tail.text("Vui lòng giữ phiếu và chú ý màn hình, loa gọi số.", _font(reg, s.small))
    tail.text("Quá lượt gọi, xin liên hệ quầy hướng dẫn.", _font(reg, s.small))
    if en:
        tail.text("Keep this ticket and watch the display. If you miss your call, "
                  "please ask at the help desk.", _font(reg, s.small))
    tail.space(s.gap // 2)
    tail.text("Phiếu không ghi thông tin cá nhân.", _font(reg, s.small))
    if en:
        tail.text("No personal data on this ticket.", _font(reg, s.small))
    tail.space(s.gap)
    head_blocks, tail_blocks = head.finish(), tail.finish()
    return TicketSections(render_blocks(head_blocks, width, printer_text=printer_text), qr,
                          render_blocks(tail_blocks, width, printer_text=printer_text), width,
                          head_blocks, tail_blocks)


def _number_text(number: str, mag: int, inner: int) -> PrinterText | None:
    """The ticket number in the printer's font at height ``mag``, as wide as fits."""
    if not number or not all(0x20 <= ord(c) < 0x7F for c in number):
        return None
    width_mag = min(mag, inner // (len(number) * CELL_W))
    if width_mag < 2:
        return None
    return PrinterText(number, width_mag, mag, bold=True)


def render_ticket(job: TicketJob, paper_mm: int = 80, *, native_qr: bool = False,
                  logo: Image.Image | str | Path | None = None,
                  printer_text: bool = True) -> Image.Image:
    """Render ``job`` as a 1-bit image ``PAPER_DOTS[paper_mm]`` dots wide.

    With ``native_qr`` the QR code is left out (head and tail are stacked directly):
    the encoder sends it as a ``GS ( k`` command between the two sections instead.
    ``printer_text=False`` leaves the printer-font cells (number, time) blank.
    """
    sections = layout_ticket(job, paper_mm, logo=logo, printer_text=printer_text)
    parts = [sections.head]
    if sections.qr is not None and not native_qr:
        # placed as the printer centres it (byte-wide crop), like every centred block
        parts.append(place_centred(stack([qr_image(sections.qr)], sections.width)))
    parts.append(sections.tail)
    return stack(parts, sections.width)
