"""Ticket render + encode benchmark: time per ticket and bytes per ticket.

    .venv/bin/python bench/ticket.py [--n 100]

For 58 and 80 mm paper, with the QR as a native ``GS ( k`` command and as an image:
median wall time of ``render`` (layout to a 1-bit image) and ``render + encode`` (ESC/POS
bytes via python-escpos ``Dummy``), and the bytes sent. Baselines measured in the same
run: a bare Pillow render of the same text lines (no layout), and python-escpos's own
``image()`` path for the whole ticket raster (no blank-row feeds, no trimming, number
and time as raster). Our encoder sends the number, the time, the people-ahead and wait
numbers and the dashed rules in the printer's font (``GS !``), centred rasters cropped to
their ink (``ESC a 1``), blank rows as feeds.
Targets from issue 5: < 50 ms per ticket, < 10 KB with native QR.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from hardware.escpos_encode import encode_ticket, make_profile  # noqa: E402
from hardware.shared_types import TicketJob  # noqa: E402
from hardware.ticket_layout import FONT_BOLD, FONT_DIR, FONT_REGULAR, render_ticket  # noqa: E402

JOB = TicketJob(number="A012", service_code="cccd_new", service_vi="Cấp mới thẻ căn cước",
                centre_name="Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
                issued_at=datetime(2025, 6, 3, 14, 5), waiting_ahead=7, wait_minutes=(15, 25),
                counter_group="Quầy 1–4", qr_payload="https://hcc.example.gov.vn/q/A012-0603")


def median_ms(fn, n: int) -> float:
    fn()  # warm caches (fonts, python-escpos import)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def bare_pillow(width: int) -> Image.Image:
    """Baseline: the same lines drawn one under another, no layout, no QR."""
    reg = ImageFont.truetype(str(FONT_DIR / FONT_REGULAR), 24)
    big = ImageFont.truetype(str(FONT_DIR / FONT_BOLD), 150)
    img = Image.new("L", (width, 900), 255)
    d = ImageDraw.Draw(img)
    lines = [JOB.centre_name, "SỐ THỨ TỰ CỦA BẠN", JOB.service_vi, "Thời gian 14:05 03/06/2025",
             "Số người chờ trước 7", "Thời gian chờ dự kiến 15–25 phút", "Quầy phục vụ Quầy 1–4",
             "Vui lòng giữ phiếu và chú ý màn hình", "Phiếu không ghi thông tin cá nhân."]
    d.text((10, 10), JOB.number, font=big, fill=0)
    for i, line in enumerate(lines):
        d.text((10, 200 + 32 * i), line, font=reg, fill=0)
    return img.convert("1")


def escpos_image_path(paper_mm: int) -> bytes:
    """Baseline: python-escpos's own image() + qr() for the same ticket."""
    from escpos.printer import Dummy

    from hardware.escpos_encode import _escpos_profile

    p = Dummy(profile=_escpos_profile(576 if paper_mm == 80 else 384))
    p.image(render_ticket(JOB, paper_mm))
    p.cut()
    return p.output


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="runs per measurement (median)")
    args = ap.parse_args()
    n = args.n
    print(f"median of {n} runs per cell; 115200 baud serial = 11.5 KB/s\n")
    print(f"{'paper':>5} {'QR':>6} | {'render ms':>9} {'+encode ms':>10} {'bytes':>7} "
          f"{'serial s':>8} | {'bare Pillow ms':>14} {'ratio':>5} | "
          f"{'escpos image() bytes':>20} {'ratio':>5}")
    for paper in (58, 80):
        width = 384 if paper == 58 else 576
        bare = median_ms(lambda: bare_pillow(width), n)
        base_bytes = len(escpos_image_path(paper))
        for native in (True, False):
            profile = make_profile("epson", paper, "yes" if native else "no")
            render = median_ms(lambda: render_ticket(JOB, paper, native_qr=native), n)
            total = median_ms(lambda: encode_ticket(JOB, profile), n)
            size = len(encode_ticket(JOB, profile).data)
            print(f"{paper:>5} {'native' if native else 'image':>6} | {render:9.1f} {total:10.1f} "
                  f"{size:7d} {size / 11520:8.2f} | {bare:14.1f} {total / bare:5.1f} | "
                  f"{base_bytes:20d} {size / base_bytes:5.2f}")
    print("\nratio = ours / baseline (time: render+encode vs bare Pillow text; bytes: ours vs "
          "python-escpos image() of the full raster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
