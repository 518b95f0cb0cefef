"""EscposPrinter against the fake loopback printer: content, status and every fault.

Content is checked by decoding the recorded bytes with our strict decoder and comparing
the reconstructed paper with ``render_ticket``/``layout_ticket`` pixel for pixel; the QR
payload is read back with zxing-cpp from the reconstructed paper.
"""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
import zxingcpp

from hardware.base import DeviceState
from hardware.escpos_printer import EscposPrinter
from hardware.printer import (CoverOpen, PaperOut, PaperState, PrinterError, PrinterOffline,
                              PrintTimeout, TicketJob)
from hardware.ticket_layout import layout_ticket, qr_image, render_ticket
from tests.fixtures.escpos_decode import decode
from tests.fixtures.fake_printer import FakePrinter

TIMEOUT = 1.0
JOB = TicketJob(number="A012", service_code="cccd_new", service_vi="Cấp mới thẻ căn cước",
                service_en="New identity card", centre_name="Trung tâm Phục vụ hành chính công",
                issued_at=datetime(2025, 6, 3, 14, 5), waiting_ahead=4, wait_minutes=(10, 20),
                counter_group="Quầy 1–3", qr_payload="https://hcc.example.vn/t/A012-0603")


@pytest.fixture
def fake():
    with FakePrinter() as fp:
        yield fp


def make(fake: FakePrinter, tmp_path, **kw) -> EscposPrinter:
    kw.setdefault("profile", "epson")
    p = EscposPrinter(url=fake.url, timeout_s=TIMEOUT, status_timeout_s=0.2,
                      data_dir=str(tmp_path), **kw)
    p.open()
    return p


def same(a, b) -> bool:
    return a.size == b.size and np.array_equal(np.asarray(a.convert("1")), np.asarray(b.convert("1")))


def text_cells(blocks, width: int) -> list[tuple]:
    """(text, x, y, w, h, bold) of each printer-text block, where the layout puts it."""
    cells, y = [], 0
    for b in blocks:
        if b.text is not None:
            t = b.text
            cells.append((t.text, (width - t.width) // 2, y, t.width, t.height, t.bold))
        y += b.height
    return cells


def zxing_texts(img) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img.convert("L"))]


# -- content --------------------------------------------------------------------------
def test_native_qr_ticket_decodes_to_the_layout(fake, tmp_path):
    p = make(fake, tmp_path, profile="epson", paper_mm=80)
    p.print_ticket(JOB)
    job = decode(fake.received(), 576)  # raises on any byte it does not understand
    assert len(fake.received()) < 10_000  # issue 5: < 1 s at 115200 baud
    sections = layout_ticket(JOB, 80, printer_text=False)  # the decoder leaves font cells blank
    assert same(job.image.crop((0, 0, 576, sections.head.height)), sections.head)
    tail_y = sections.head.height + qr_image(sections.qr).height
    assert same(job.image.crop((0, tail_y, 576, tail_y + sections.tail.height)), sections.tail)
    # the number and the time come as printer text, in the cells the preview draws them in
    expected = text_cells(sections.head_blocks, 576)
    assert [(t.text, t.x, t.y, t.width, t.height, t.bold) for t in job.texts] == expected
    assert expected[0][0] == "A012" and job.texts[0].height_mag == 8
    # then a dashed rule, the time, the people ahead and the wait (large), a dashed rule
    lines = [t.text for t in job.texts]
    assert lines[2] == "14:05  03/06/2025"
    assert lines[3].split() == ["4", "10-20"] and job.texts[3].height_mag == 2
    assert job.texts[3].bold and job.texts[3].width == 576  # whole cells: centring moves nothing
    assert set(lines[1]) == set(lines[4]) == {"-"}
    assert [q.payload.decode() for q in job.qr_codes] == [JOB.qr_payload]
    assert job.qr_codes[0].module_dots == sections.qr.module_dots
    assert zxing_texts(job.image) == [JOB.qr_payload]
    assert [c.params["partial"] for c in job.cuts] == [True]
    names = job.names()
    assert names.index("GS V") > names.index("GS ( k") and "GS r" in names
    assert names[0] == "DLE EOT" and names[-1] == "DLE EOT"  # status before and after


@pytest.mark.parametrize("profile,paper_mm,cut", [("basic", 58, False), ("legacy", 80, True),
                                                   ("generic", 58, True)])
def test_image_qr_ticket_matches_render_ticket(fake, tmp_path, profile, paper_mm, cut):
    p = make(fake, tmp_path, profile=profile, paper_mm=paper_mm, native_qr="no")
    p.print_ticket(JOB)
    width = 384 if paper_mm == 58 else 576
    job = decode(fake.received(), width)
    # column-image printers get the whole picture; raster ones get printer text
    expected = render_ticket(JOB, paper_mm, printer_text=profile == "legacy")
    assert same(job.image.crop((0, 0, width, expected.height)), expected)
    assert [t.text for t in job.texts][:1] == ([] if profile == "legacy" else ["A012"])
    assert job.qr_codes == []
    assert zxing_texts(job.image) == [JOB.qr_payload]
    assert bool(job.cuts) is cut


def test_the_comparison_sees_the_ticket_number(fake, tmp_path):
    p = make(fake, tmp_path, profile="basic", paper_mm=58)
    p.print_ticket(replace(JOB, number="A013"))
    decoded = decode(fake.received(), 384)
    assert decoded.texts[0].text == "A013" and decoded.texts[0].bold
    # the QR carries the number too (image QR on this profile): the raster sees it
    printed = decoded.image
    wrong = render_ticket(replace(JOB, qr_payload="https://hcc.example.vn/t/A012-0604"), 58,
                          printer_text=False)
    right = render_ticket(replace(JOB, number="A013"), 58, printer_text=False)
    assert not same(printed.crop((0, 0, 384, wrong.height)), wrong)
    assert same(printed.crop((0, 0, 384, right.height)), right)


def test_reprint_last_is_marked(fake, tmp_path):
    p = make(fake, tmp_path, profile="basic", paper_mm=58)
    p.print_ticket(JOB)
    again = p.reprint_last()
    assert again.reprint and again.number == JOB.number
    expected = render_ticket(again, 58, printer_text=False)
    assert same(decode(fake.received(), 384).image.crop((0, 0, 384, expected.height)), expected)


# -- status ---------------------------------------------------------------------------
def test_status_ok_and_near_end_warning_reaches_listeners(fake, tmp_path):
    p = make(fake, tmp_path)
    seen = []
    p.add_listener(seen.append)
    assert p.printer_status().paper is PaperState.OK
    assert p.status().state is DeviceState.READY
    fake.paper = "near_end"
    p.print_ticket(JOB)  # near end still prints
    assert p.status().state is DeviceState.WARNING
    assert seen[-1].paper is PaperState.NEAR_END and seen[0].paper is PaperState.OK


def test_silent_printer_is_unknown_never_paper_ok(fake, tmp_path):
    fake.silent = True
    p = make(fake, tmp_path, profile="generic")
    st = p.printer_status()
    assert st.paper is PaperState.UNKNOWN and st.online is None and st.cover_open is None
    assert p.status().state is DeviceState.UNKNOWN
    p.print_ticket(JOB)  # a printer without status support still gets its ticket
    assert decode(fake.received(), 576).cuts


def test_paper_counter_warns_persists_and_resets(fake, tmp_path):
    p = make(fake, tmp_path, paper_roll_mm=400, paper_warn_mm=200)
    p.print_ticket(JOB)
    assert p.printer_status().paper is PaperState.OK  # ~160 mm used, 240 left
    p.print_ticket(JOB)
    assert p.printer_status().paper is PaperState.NEAR_END  # sensor says OK: estimate wins
    left = p.counter.remaining_mm
    assert 0 < left < 200
    again = make(fake, tmp_path, paper_roll_mm=400, paper_warn_mm=200)
    assert again.counter.remaining_mm == pytest.approx(left, abs=0.1)
    again.reset_paper_counter()
    assert make(fake, tmp_path, paper_roll_mm=400).counter.remaining_mm == 400


# -- faults ---------------------------------------------------------------------------
@pytest.mark.parametrize("setting,error", [("paper", PaperOut), ("cover_open", CoverOpen),
                                           ("error", PrinterError)])
def test_fault_before_printing_sends_no_ticket(fake, tmp_path, setting, error):
    setattr(fake, setting, "out" if setting == "paper" else True)
    p = make(fake, tmp_path)
    with pytest.raises(error):
        p.print_ticket(JOB)
    assert fake.received() == b""  # only status requests went out
    assert p.status().state is DeviceState.FAULT
    assert p.last_error.startswith(error.__name__)


def test_offline_printer(fake, tmp_path):
    p = make(fake, tmp_path)
    fake.go_offline()
    t0 = time.monotonic()
    with pytest.raises(PrinterOffline):
        p.print_ticket(JOB)
    assert time.monotonic() - t0 < TIMEOUT + 1
    assert p.printer_status().online is False
    assert p.status().state is DeviceState.FAULT
    fake.go_online()
    p.print_ticket(JOB)
    assert p.status().state is DeviceState.READY


def test_stall_mid_job_times_out(fake, tmp_path):
    fake.stall_after = 3000
    p = make(fake, tmp_path)
    t0 = time.monotonic()
    with pytest.raises(PrintTimeout):
        p.print_ticket(JOB)
    assert time.monotonic() - t0 < 2 * TIMEOUT + 1


def test_stall_without_job_ack_is_caught_by_the_status_after(fake, tmp_path):
    fake.stall_after = 3000
    p = make(fake, tmp_path, profile="generic")  # no GS r: only DLE EOT after the job
    with pytest.raises(PrintTimeout):
        p.print_ticket(JOB)


def test_connection_closed_mid_job(fake, tmp_path):
    fake.close_after = 2000
    p = make(fake, tmp_path)
    with pytest.raises(PrintTimeout, match="connection lost"):
        p.print_ticket(JOB)


@pytest.mark.parametrize("profile,error", [("epson", PrintTimeout), ("generic", PaperOut)])
def test_paper_runs_out_during_the_ticket(fake, tmp_path, profile, error):
    fake.paper_out_after = 5000
    p = make(fake, tmp_path, profile=profile)
    with pytest.raises(error):
        p.print_ticket(JOB)
    assert p.printer_status().paper is PaperState.OUT
