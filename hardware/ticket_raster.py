"""Raster primitives the ticket printer and the preview agree on.

The bundled font, 1-bit thresholding, the printer's own font cells (``GS !``), blocks
(raster strips and printer-text lines), where the printer's centring (``ESC a 1``) puts
a byte-wide crop, and the QR code as an image. :mod:`hardware.ticket_layout` builds the
ticket design from these; :mod:`hardware.escpos_encode` sends them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT_REGULAR = "Roboto-Regular.ttf"
FONT_BOLD = "Roboto-Bold.ttf"

#: QR error correction used for both the image and the native command (M: survives a
#: crease or a smudge on thermal paper, still small for a short URL).
QR_EC_LEVEL = "M"

#: The printer's own font (ESC/POS Font A): a character cell is 12 x 24 dots, and
#: ``GS !`` magnifies it 1-8 times in each direction.
CELL_W, CELL_H = 12, 24
MAX_MAG = 8

# Anti-aliased grey below this value becomes a printed dot. A little above mid-grey,
# because thermal heads print thin strokes lighter than they look on screen.
_INK_THRESHOLD = 160
_LUT_1BIT = [255 if v >= _INK_THRESHOLD else 0 for v in range(256)]


class TicketLayoutError(ValueError):
    """The ticket cannot be laid out (unknown paper width, missing font)."""


@dataclass(frozen=True)
class QrSpec:
    """The ticket's QR code: payload, module size in dots and error-correction level."""

    payload: str
    module_dots: int
    ec_level: str = QR_EC_LEVEL


@dataclass(frozen=True)
class PrinterText:
    """A centred line of printable ASCII drawn by the printer's font (Font A, ``GS !``)."""

    text: str
    width_mag: int = 1
    height_mag: int = 1
    bold: bool = False

    def __post_init__(self) -> None:
        if not all(0x20 <= ord(c) < 0x7F for c in self.text):
            raise TicketLayoutError("printer text must be printable ASCII (Vietnamese is raster)")
        if not (1 <= self.width_mag <= MAX_MAG and 1 <= self.height_mag <= MAX_MAG):
            raise TicketLayoutError(f"GS ! magnification must be 1..{MAX_MAG}")

    @property
    def width(self) -> int:
        return len(self.text) * CELL_W * self.width_mag

    @property
    def height(self) -> int:
        return CELL_H * self.height_mag


@dataclass(frozen=True)
class Block:
    """One step of a section, top to bottom: a raster strip or a line of printer text.

    ``image`` is a 1-bit strip as wide as the paper. In a ``centred`` strip the ink sits
    where the printer puts a byte-wide crop of it under ``ESC a 1``; other strips are
    sent from the left edge, trimmed after their last inked byte.
    """

    image: Image.Image | None = None
    centred: bool = False
    text: PrinterText | None = None

    @property
    def height(self) -> int:
        return self.text.height if self.text is not None else self.image.height


@functools.lru_cache(maxsize=64)
def load_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    # Cached because loading a TTF costs ~1 ms and a ticket uses ~10 sizes.
    path = FONT_DIR / name
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as exc:
        raise TicketLayoutError(f"ticket font {path} cannot be loaded: {exc}") from exc


def ink_columns(img: Image.Image) -> tuple[int, int] | None:
    """``[x0, x1)`` of the inked columns of a 1-bit image, or ``None`` if it is blank."""
    import numpy as np

    cols = np.flatnonzero(~np.asarray(img, dtype=bool).all(axis=0))
    return (int(cols[0]), int(cols[-1]) + 1) if cols.size else None


def centred_crop(width: int, ink: tuple[int, int]) -> tuple[int, int]:
    """Where a printer centring (``ESC a 1``) an image ``ink`` wide, padded to whole
    bytes, puts it on paper ``width`` dots wide: ``[x0, x0 + bytes * 8)``."""
    w8 = -(-(ink[1] - ink[0]) // 8) * 8
    x0 = (width - w8) // 2
    return x0, x0 + w8


def place_centred(img: Image.Image) -> Image.Image:
    """``img`` (1-bit, paper-wide) with its ink moved where the printer centres it."""
    ink = ink_columns(img)
    if ink is None:
        return img
    x0, _ = centred_crop(img.width, ink)
    out = Image.new("1", img.size, 1)
    out.paste(img.crop((ink[0], 0, ink[1], img.height)), (x0, 0))
    return out


@functools.lru_cache(maxsize=32)
def draw_printer_text(text: PrinterText) -> Image.Image:
    """Preview of a printer-font line: the bundled bold/regular font on one baseline,
    each run of non-blank characters centred in the cells the printer fills for it
    (``12 * w`` by ``24 * h`` dots per character), so spaced-out columns land where the
    printer puts them. A run of one repeated character (a ``----`` rule) is drawn a
    character per cell, as the monospaced printer font spreads it. Cached (the rules,
    the values and the number repeat from ticket to ticket): callers must not modify it."""
    w, h = text.width, text.height
    cw = CELL_W * text.width_mag
    runs = [(m.start(), m.group()) for m in re.finditer(r"\S+", text.text)]
    name = FONT_BOLD if text.bold else FONT_REGULAR
    # Font A capitals and digits are ~17 of the cell's 24 dots tall and ~10 of 12 wide;
    # one size for the whole line, the largest at which every run fits its cells.
    size = max(8, int(h * 0.98))
    font = load_font(name, size)
    while size > 8 and any(font.getlength(run) > len(run) * cw * 0.92 for _, run in runs):
        size = int(size * 0.95)
        font = load_font(name, size)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    _, top, _, bottom = font.getbbox(text.text.strip() or " ")  # one baseline for all runs
    y = (h - (bottom - top)) / 2 - top
    for start, run in runs:
        if len(run) > 1 and len(set(run)) == 1:  # one glyph drawn once, pasted per cell
            cell = Image.new("L", (cw, h), 255)
            ImageDraw.Draw(cell).text(((cw - font.getlength(run[0])) / 2, y), run[0],
                                      font=font, fill=0)
            for i in range(len(run)):
                img.paste(cell, ((start + i) * cw, 0))
            continue
        x = start * cw + (len(run) * cw - font.getlength(run)) / 2
        draw.text((x, y), run, font=font, fill=0)
    return to_1bit(img)


def render_blocks(blocks: Iterable[Block], width: int, *, printer_text: bool = True) -> Image.Image:
    """Stack ``blocks`` into the section's picture; printer text is drawn with the bundled
    font (or left blank with ``printer_text=False``, as the test decoder sees it)."""
    blocks = list(blocks)
    out = Image.new("1", (width, max(sum(b.height for b in blocks), 1)), 1)
    y = 0
    for b in blocks:
        if b.text is not None:
            if printer_text:
                out.paste(draw_printer_text(b.text), ((width - b.text.width) // 2, y))
        else:
            out.paste(b.image, (0, y))
        y += b.height
    return out


def to_1bit(img: Image.Image) -> Image.Image:
    # A fixed threshold, not dithering: dithered text edges look fuzzy on a thermal head.
    return img.point(_LUT_1BIT, mode="1")


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


def qr_height(spec: QrSpec) -> int:
    """Height in dots of :func:`qr_image` (quiet zones included), without drawing it."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

    ec = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q,
          "H": ERROR_CORRECT_H}[spec.ec_level]
    code = qrcode.QRCode(error_correction=ec, border=4, box_size=1)
    code.add_data(spec.payload.encode("utf-8"))
    version = code.best_fit()  # no mask search: only the size is needed
    return (17 + 4 * version + 8) * spec.module_dots


def stack(images: Iterable[Image.Image], width: int) -> Image.Image:
    """Stack 1-bit images vertically, centred, on white paper ``width`` dots wide."""
    parts = [im.convert("1") for im in images]
    out = Image.new("1", (width, sum(p.height for p in parts) or 1), 1)
    y = 0
    for part in parts:
        out.paste(part, ((width - part.width) // 2, y))
        y += part.height
    return out


