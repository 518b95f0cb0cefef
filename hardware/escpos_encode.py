"""Encode a queue ticket as ESC/POS bytes, and read ESC/POS real-time status bytes.

This is the core of the ESC/POS backend and does no I/O: :func:`encode_ticket` drives
python-escpos's ``Dummy`` printer (which only records bytes) and transports move the
result. Printer differences live in a :class:`PrinterProfile`: paper width in dots,
whether the printer has a native QR command, a cutter, status replies, and which image
command it understands.
"""
from __future__ import annotations

import copy
import enum
import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from PIL import Image

from hardware.printer import PaperState, PrinterStatus
from hardware.shared_types import TicketJob
from hardware.ticket_layout import PAPER_DOTS, layout_ticket, render_ticket
from hardware.ticket_raster import (Block, PrinterText, centred_crop, ink_columns,
                                    place_centred, qr_height, qr_image, stack)

# Real-time and in-order status requests (Epson ESC/POS, implemented by most clones).
DLE_EOT = b"\x10\x04"
STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER = 1, 2, 3, 4
#: ``GS r 1``: paper-sensor status, answered only after everything sent before it has
#: been processed — so its answer says "the job went through the printer".
GS_R_PAPER = b"\x1dr\x01"

DOTS_PER_MM = 8  # 203 dpi heads
ESC_ALIGN = (b"\x1ba\x00", b"\x1ba\x01", b"\x1ba\x02")  # left, centre, right


class ProfileError(ValueError):
    """An unknown printer profile or an impossible profile setting."""


class ImageCommand(str, enum.Enum):
    """How raster data is sent. ``GS v 0`` suits almost every printer made since ~2005."""

    RASTER = "bitImageRaster"  # GS v 0
    COLUMN = "bitImageColumn"  # ESC *  (old printers without GS v 0)
    GRAPHICS = "graphics"  # GS ( L


@dataclass(frozen=True)
class PrinterProfile:
    """What a printer model can do. Build one with :func:`make_profile`."""

    name: str
    paper_mm: int
    width_dots: int
    native_qr: bool
    cutter: bool
    status: bool  # answers DLE EOT (where the transport can read)
    job_ack: bool  # answers GS r 1 after processing the job (confirms it printed)
    image_command: ImageCommand = ImageCommand.RASTER
    band_rows: int = 256  # rows per image command: cheap printers choke on huge blocks
    feed_before_cut_lines: int = 5  # head-to-cutter distance, in lines


#: Built-in profiles; ``paper_mm`` and ``native_qr`` can be overridden from config.
PROFILES: dict[str, PrinterProfile] = {
    # Epson TM-T20/T82/T88 and the many clones that copy them faithfully.
    "epson": PrinterProfile("epson", 80, 576, native_qr=True, cutter=True, status=True,
                            job_ack=True),
    # Generic Chinese 80 mm kiosk/POS printers (Xprinter, Rongta, HPRT…): native QR and
    # DLE EOT, but GS r support varies, so completion is not confirmed.
    "generic": PrinterProfile("generic", 80, 576, native_qr=True, cutter=True, status=True,
                              job_ack=False),
    # Bare 58 mm printers (tear bar, no QR command, no sensors that answer).
    "basic": PrinterProfile("basic", 58, 384, native_qr=False, cutter=False, status=False,
                            job_ack=False),
    # Old printers that only know column images (ESC *).
    "legacy": PrinterProfile("legacy", 80, 576, native_qr=False, cutter=True, status=True,
                             job_ack=False, image_command=ImageCommand.COLUMN),
}


def make_profile(name: str = "generic", paper_mm: int | None = None,
                 native_qr: str | bool = "auto") -> PrinterProfile:
    """Profile ``name`` with the paper width and native-QR choice from configuration.

    ``native_qr`` is ``"auto"`` (the profile decides), ``"yes"``/``True`` or ``"no"``/``False``.
    """
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ProfileError(f"unknown printer profile {name!r} "
                           f"(known: {', '.join(sorted(PROFILES))})") from None
    if paper_mm is not None:
        if paper_mm not in PAPER_DOTS:
            raise ProfileError(f"paper width {paper_mm} mm is not supported (58 or 80)")
        profile = replace(profile, paper_mm=paper_mm, width_dots=PAPER_DOTS[paper_mm])
    if native_qr in ("yes", True):
        profile = replace(profile, native_qr=True)
    elif native_qr in ("no", False):
        profile = replace(profile, native_qr=False)
    elif native_qr != "auto":
        raise ProfileError(f"native_qr must be 'auto', 'yes' or 'no', not {native_qr!r}")
    return profile


@dataclass(frozen=True)
class EncodedTicket:
    """ESC/POS bytes of one ticket and the paper it will use."""

    data: bytes
    paper_mm: float  # printed length including the feed to the cutter


@functools.lru_cache(maxsize=8)
def _escpos_profile(width_dots: int) -> Any:
    """python-escpos's default capabilities with our paper width (it prints a warning to
    stdout when the width is unknown). A copy: the library shares profile data."""
    from escpos.capabilities import Profile, get_profile_class

    data = copy.deepcopy(get_profile_class("default").profile_data)
    data["media"] = {"dpi": 203, "width": {"mm": width_dots // DOTS_PER_MM,
                                           "pixels": width_dots}}
    cls = type(f"KioskProfile{width_dots}", (Profile,), {"profile_data": data})
    return cls(features=dict(data["features"]))  # Profile() would drop the features


def _printer(width_dots: int) -> Any:
    # Imported here: python-escpos loads (and caches) its capabilities database on import,
    # which costs ~0.5 s and creates a temp directory — not something to do at import.
    from escpos.printer import Dummy

    return Dummy(profile=_escpos_profile(width_dots))


def _ink_runs(image: Image.Image, min_gap: int) -> list[tuple[int, int]]:
    """Row ranges ``[y0, y1)`` holding ink, merged across white gaps shorter than
    ``min_gap`` (a feed command costs 3 bytes, a white raster row 48-72)."""
    import numpy as np

    white = np.asarray(image.convert("1"), dtype=bool)
    rows = np.flatnonzero(~white.all(axis=1))
    if rows.size == 0:
        return []
    runs: list[tuple[int, int]] = []
    start = prev = int(rows[0])
    for y in rows[1:]:
        y = int(y)
        if y - prev > min_gap:
            runs.append((start, prev + 1))
            start = y
        prev = y
    runs.append((start, prev + 1))
    return runs


def _send_raster(p: Any, image: Image.Image, profile: PrinterProfile, *, centred: bool,
                 feed: int) -> int:
    """Send one raster block; returns the white rows still to feed after it.

    White stretches become ``ESC J`` paper feeds (``feed`` carries the white left over
    from the blocks before). A centred block is cropped to its byte-aligned ink columns
    and centred by the printer (``ESC a 1``); others go from the left edge, trimmed after
    their last inked byte. Lossless either way: the paper looks the same, the line
    carries far less.
    """
    import numpy as np

    ink = ink_columns(image)
    if ink is None:
        return feed + image.height
    x0, x1 = centred_crop(image.width, ink) if centred else (0, -(-ink[1] // 8) * 8)
    p._raw(ESC_ALIGN[1 if centred else 0])
    y = 0
    for y0, y1 in _ink_runs(image, min_gap=4):
        p._raw(feed_dots(feed + y0 - y))
        feed = 0
        for top in range(y0, y1, profile.band_rows):
            band = image.crop((x0, top, x1, min(y1, top + profile.band_rows)))
            if not centred:  # trim each band after its own last inked byte
                cols = np.flatnonzero(~np.asarray(band, dtype=bool).all(axis=0))
                band = band.crop((0, 0, (int(cols[-1]) // 8 + 1) * 8, band.height))
            p.image(band, impl=profile.image_command.value, fragment_height=profile.band_rows)
        y = y1
    return image.height - y


def _send_text(p: Any, text: PrinterText) -> None:
    """One centred line in the printer's font: size, emphasis, exact line height."""
    p._raw(ESC_ALIGN[1] + b"\x1bE" + bytes((int(text.bold),))
           + b"\x1d!" + bytes(((text.width_mag - 1) << 4 | (text.height_mag - 1),))
           + b"\x1b3" + bytes((text.height,))  # feed exactly the cell height
           + text.text.encode("ascii") + b"\n"
           + b"\x1b2\x1d!\x00\x1bE\x00")


def _send_blocks(p: Any, blocks: Iterable[Block], profile: PrinterProfile, feed: int = 0) -> int:
    """Send a section's blocks; returns the white rows still to feed at its end."""
    for block in blocks:
        if block.text is not None:
            p._raw(feed_dots(feed))
            feed = 0
            _send_text(p, block.text)
        else:
            feed = _send_raster(p, block.image, profile, centred=block.centred, feed=feed)
    return feed


def _send_column_image(p: Any, image: Image.Image, profile: PrinterProfile) -> None:
    # Column images print in 24-dot lines, so fragments must be multiples of 24.
    p.image(image, impl=profile.image_command.value,
            fragment_height=max(24, profile.band_rows // 24 * 24))


def feed_dots(dots: int) -> bytes:
    """``ESC J n``: feed paper by exactly ``dots`` (split into steps of at most 255)."""
    out = bytearray()
    while dots > 0:
        step = min(dots, 255)
        out += b"\x1bJ" + bytes((step,))
        dots -= step
    return bytes(out)


def encode_ticket(job: TicketJob, profile: PrinterProfile, *,
                  logo: Image.Image | str | Path | None = None) -> EncodedTicket:
    """Encode ``job`` for ``profile``: init, ticket raster (with a native QR between the
    text sections when the profile has one), feed, cut (when it has a cutter), and the
    in-order completion request when the profile answers it.
    """
    from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q

    # Old column-image printers get the whole ticket as one picture (their ESC * lines
    # do not mix well with font size changes); raster printers get printer text.
    text_ok = profile.image_command is not ImageCommand.COLUMN
    sections = layout_ticket(job, profile.paper_mm, logo=logo)
    p = _printer(profile.width_dots)
    p.hw("INIT")
    rows = sections.head.height + sections.tail.height
    if sections.qr is not None and profile.native_qr and text_ok:
        qz = 4 * sections.qr.module_dots  # the quiet zone the printer does not print
        feed = _send_blocks(p, sections.head_blocks, profile)
        p._raw(feed_dots(feed + qz))  # Dummy has no public "feed n dots" call
        p._raw(ESC_ALIGN[1])
        ec = {"L": QR_ECLEVEL_L, "M": QR_ECLEVEL_M, "Q": QR_ECLEVEL_Q,
              "H": QR_ECLEVEL_H}[sections.qr.ec_level]
        p.qr(sections.qr.payload, ec=ec, size=sections.qr.module_dots, native=True)
        p._raw(feed_dots(_send_blocks(p, sections.tail_blocks, profile, feed=qz)))
        rows += qr_height(sections.qr)  # quiet zones + symbol: for the paper counter
    elif text_ok:
        feed = _send_blocks(p, sections.head_blocks, profile)
        if sections.qr is not None:
            qr = qr_image(sections.qr)
            feed = _send_raster(p, place_centred(stack([qr], sections.width)), profile,
                                centred=True, feed=feed)
            rows += qr.height
        p._raw(feed_dots(_send_blocks(p, sections.tail_blocks, profile, feed=feed)))
    else:
        image = render_ticket(job, profile.paper_mm, logo=logo)
        _send_column_image(p, image, profile)
        rows = image.height
    p._raw(ESC_ALIGN[0])
    if profile.cutter:
        p.cut(mode="PART")  # ESC d 6 + GS V 1: a partial cut leaves no loose tickets
        feed_lines = 6
    else:
        p.print_and_feed(profile.feed_before_cut_lines)  # past the tear bar
        feed_lines = profile.feed_before_cut_lines
    if profile.job_ack:
        p._raw(GS_R_PAPER)
    used_mm = rows / DOTS_PER_MM + feed_lines * 30 / DOTS_PER_MM + 5
    return EncodedTicket(p.output, round(used_mm, 1))


# -- status ------------------------------------------------------------------------
def _valid(byte: int) -> bool:
    # Every DLE EOT reply has bit 1 and bit 4 set and bits 0 and 7 clear.
    return byte & 0x93 == 0x12


def parse_status(replies: dict[int, int | None]) -> PrinterStatus:
    """Turn DLE EOT replies (``{n: byte or None}``) into a :class:`PrinterStatus`.

    A missing or malformed reply leaves its fields unknown — never "paper OK".
    """
    r = {n: (b if b is not None and _valid(b) else None) for n, b in replies.items()}
    printer, offline, error, paper = (r.get(n) for n in (1, 2, 3, 4))
    online = None if printer is None else not bool(printer & 0x08)
    cover = None if offline is None else bool(offline & 0x04)
    err: bool | None = None
    if error is not None:
        # bit 2 autocutter, bit 3 unrecoverable, bit 5 auto-recoverable (head hot)
        err = bool(error & 0x2C)
    if offline is not None and offline & 0x40:
        err = True
    if paper is not None:
        if paper & 0x60 == 0x60:
            paper_state = PaperState.OUT
        elif paper & 0x0C == 0x0C:
            paper_state = PaperState.NEAR_END
        else:
            paper_state = PaperState.OK
    elif offline is not None and offline & 0x20:
        paper_state = PaperState.OUT  # "printing stopped by paper end"
    else:
        paper_state = PaperState.UNKNOWN
    return PrinterStatus(online=online, paper=paper_state, cover_open=cover, error=err)
