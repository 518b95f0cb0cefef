"""Application-status slip: the status the kiosk showed, on the ticket printer.

A :class:`~hardware.shared_types.TicketJob` of ``kind="status"`` carries the slip as text lines
(already in the citizen's language(s), see :func:`kiosk.visit.status_slip_job`);
:func:`hardware.ticket_layout.layout_ticket` hands such jobs here, so every printer
backend (ESC/POS encoder, simulated printer, on-screen preview) prints slips exactly as
it prints tickets: raster text in the bundled font, the time in the printer's font.
"""
from __future__ import annotations

from datetime import datetime

from hardware.shared_types import TicketJob
from hardware.ticket_layout import _SCALES, PAPER_DOTS, TicketSections, _Canvas, _font
from hardware.ticket_raster import FONT_BOLD, FONT_REGULAR, PrinterText, render_blocks

HEADING = "# "   # a line starting with this is printed bold


def layout_status_slip(job: TicketJob, paper_mm: int = 80) -> TicketSections:
    """Lay out a status slip: title, the job's lines, the print time; no QR code."""
    width, s = PAPER_DOTS[paper_mm], _SCALES[paper_mm]
    en = job.language == "en"
    head = _Canvas(width, s.margin)
    head.space(s.gap)
    if job.centre_name:
        head.text(job.centre_name.upper(), _font(FONT_BOLD, s.centre))
        head.space(s.gap)
    head.rule(thickness=2)
    head.space(s.gap)
    head.text("TÌNH TRẠNG HỒ SƠ" + (" / APPLICATION STATUS" if en else ""),
              _font(FONT_BOLD, s.label), invert=True)
    head.space(s.gap)
    reg, bold = _font(FONT_REGULAR, s.row), _font(FONT_BOLD, s.row)
    for line in job.lines:
        if not line:
            head.space(s.gap // 2)
        elif line.startswith(HEADING):
            head.text(line[len(HEADING):], bold, align="left")
        else:
            head.text(line, reg, align="left")
    head.space(s.gap // 2)
    head.dashes()
    when = job.issued_at if isinstance(job.issued_at, datetime) else datetime.now()
    head.printer_text(PrinterText(when.strftime("%H:%M  %d/%m/%Y"), bold=True))
    tail = _Canvas(width, s.margin)
    tail.space(s.gap // 2)
    tail.text("Phiếu này chỉ để tham khảo; kết quả chính thức do cán bộ tiếp nhận trả lời.",
              _font(FONT_REGULAR, s.small))
    if en:
        tail.text("For your information only; the counter staff give the official answer.",
                  _font(FONT_REGULAR, s.small))
    tail.space(s.gap)
    head_blocks, tail_blocks = head.finish(), tail.finish()
    return TicketSections(render_blocks(head_blocks, width), None, render_blocks(tail_blocks, width),
                          width, head_blocks, tail_blocks)
