"""Maintenance service on the wired kiosk (no Kivy): reprint after a restart, paper near
end reaching the alerts before the paper runs out, paper counter reset, self-tests.

Printers are real: the simulated one, and the ESC/POS backend talking to the fake
loopback printer, whose bytes are decoded with the strict test decoder.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from hardware.base import DeviceState
from hardware.escpos_printer import EscposPrinter
from hardware.printer import PaperOut, PaperState
from hardware.sim_printer import SimulatedPrinter
from hardware.ticket_layout import render_ticket
from kiosk.bootstrap import Kiosk, build
from kiosk.config import load_config
from kiosk.dispatch import QueueDispatcher
from kiosk.maintenance import MaintenanceError, MaintenanceService
from tests.fixtures.escpos_decode import decode
from tests.fixtures.fake_printer import FakePrinter


def make_kiosk(data_dir: Path, printer=None) -> tuple[Kiosk, QueueDispatcher]:
    cfg = load_config(environ={}).with_overrides(kiosk__data_dir=str(data_dir))
    disp = QueueDispatcher()
    k = build(cfg, disp, devices={"printer": printer} if printer is not None else None)
    assert k.open_devices() == {}
    k.controller.start()
    return k, disp


def pump(disp: QueueDispatcher, until: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        disp.drain(timeout=0.02)
        if until():
            return True
    return until()


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as fp:
        yield fp


def escpos(fake: FakePrinter, data_dir: Path, **kw) -> EscposPrinter:
    kw.setdefault("profile", "epson")
    return EscposPrinter(url=fake.url, timeout_s=1.0, status_timeout_s=0.2,
                         data_dir=str(data_dir), **kw)


def test_reprint_after_restart_on_the_simulated_printer(tmp_path):
    k, _ = make_kiosk(tmp_path)
    issued = k.controller.issuer.issue("cccd_renew", "elderly")
    k.controller.issuer.issue("cccd_new")
    last = k.controller.issuer.issue("cccd_new")
    k.close()  # restart: nothing of the first run is kept in memory

    k2, _ = make_kiosk(tmp_path)
    try:
        svc = MaintenanceService.from_kiosk(k2)
        snap = svc.snapshot()
        assert snap.tickets_today == 3 and snap.last_ticket.number == last.number == "A002"
        assert snap.last_ticket.print_state == "pending"
        job = svc.reprint_last()
        printed = k2.devices.printer.printed
        assert [p.job for p in printed] == [job]
        assert job.reprint and job.number == "A002" and job.service_code == "cccd_new"
        assert job.qr_payload == last.follow_code  # the same follow link as the original
        assert job.issued_at == last.issued_at and not job.priority and job.masked_id == ""
        # the reprint banner is on paper: the reprint is taller than the original layout
        assert printed[0].image.height > render_ticket(job.__class__(**{
            **job.__dict__, "reprint": False}), 80).height
        assert k2.ticket_store.last_ticket().print_state == "printed"
        assert issued.number == "B001"  # the older ticket is untouched
        svc.close()
    finally:
        k2.close()


def test_reprint_after_restart_on_an_escpos_printer(tmp_path, fake):
    k, _ = make_kiosk(tmp_path, escpos(fake, tmp_path))
    ticket = k.controller.issuer.issue("vneid")
    k.close()

    k2, _ = make_kiosk(tmp_path, escpos(fake, tmp_path))
    try:
        svc = MaintenanceService.from_kiosk(k2)
        assert k2.devices.printer.last_job is None  # the printer's own memory is gone
        svc.reprint_last()
        decoded = decode(fake.received(), 576)
        assert decoded.texts[0].text == ticket.number == "C001"
        assert [q.payload.decode() for q in decoded.qr_codes] == [ticket.follow_code]
        assert len(decoded.cuts) == 1
        svc.close()
    finally:
        k2.close()


def test_reprint_failure_is_recorded_and_nothing_to_reprint(tmp_path):
    k, _ = make_kiosk(tmp_path)
    try:
        svc = MaintenanceService.from_kiosk(k)
        with pytest.raises(MaintenanceError):
            svc.reprint_last()
        k.controller.issuer.issue("cccd_new")
        k.devices.printer.fault = PaperOut("out")
        with pytest.raises(PaperOut):
            svc.reprint_last()
        assert k.ticket_store.last_ticket().print_state == "failed:paper_out"
        svc.close()
    finally:
        k.close()


def test_paper_near_end_sensor_reaches_the_alerts_before_paper_out(tmp_path, fake):
    k, disp = make_kiosk(tmp_path, escpos(fake, tmp_path))
    try:
        svc = MaintenanceService.from_kiosk(k)
        assert svc.snapshot().paper.state is PaperState.OK
        assert not pump(disp, lambda: bool(k.controller.alerts), timeout=0.2)
        fake.paper = "near_end"
        snap = svc.snapshot()  # the status query sees the sensor: an event for the controller
        assert snap.paper.state is PaperState.NEAR_END
        assert snap.devices["printer"].state is DeviceState.WARNING
        assert pump(disp, lambda: [a.code for a in k.controller.alerts] == ["paper_near_end"])
        svc.snapshot()  # the same near end again is not a second alert
        pump(disp, lambda: False, timeout=0.1)
        assert [a.code for a in k.controller.alerts] == ["paper_near_end"]
        assert svc.snapshot().alerts[0].code == "paper_near_end"
        fake.paper = "out"
        svc.snapshot()
        assert pump(disp, lambda: [a.code for a in k.controller.alerts]
                    == ["paper_near_end", "paper_out"])
        svc.close()
    finally:
        k.close()


def test_paper_counter_near_end_without_a_sensor_and_reset(tmp_path, fake):
    fake.silent = True  # a printer that never answers DLE EOT
    printer = escpos(fake, tmp_path, profile="generic", paper_roll_mm=300, paper_warn_mm=200)
    k, disp = make_kiosk(tmp_path, printer)
    try:
        svc = MaintenanceService.from_kiosk(k)
        k.controller.issuer.issue("cccd_new")
        svc.reprint_last()  # ~130 mm of paper: 170 mm left, under the warning line
        assert pump(disp, lambda: [a.code for a in k.controller.alerts] == ["paper_near_end"])
        paper = svc.snapshot().paper
        assert paper.state is PaperState.NEAR_END and paper.tickets_on_roll == 1
        assert 0 < paper.remaining_mm < 200
        assert svc.reset_paper_counter() is True
        paper = svc.snapshot().paper
        assert paper.remaining_mm == 300 and paper.tickets_on_roll == 0
        assert paper.state is PaperState.UNKNOWN  # no sensor: unknown, never "OK"
        svc.close()
    finally:
        k.close()


def test_self_tests_and_run_hands_results_to_the_dispatcher(tmp_path):
    k, disp = make_kiosk(tmp_path)
    try:
        svc = MaintenanceService.from_kiosk(k)
        assert isinstance(k.devices.printer, SimulatedPrinter)
        assert svc.reset_paper_counter() is False  # the simulated printer keeps none
        results: dict[str, object] = {}
        for kind in ("card_reader", "qr_scanner", "camera", "printer"):
            svc.run(svc.self_test, kind, on_done=lambda r, e, kind=kind: results.update({kind: (r, e)}))
        assert pump(disp, lambda: len(results) == 4)
        assert all(e is None and r.passed for r, e in results.values()), results
        k.devices.printer.fault = PaperOut("out")
        svc.run(svc.self_test, "printer", on_done=lambda r, e: results.update(printer=(r, e)))
        assert pump(disp, lambda: results["printer"][0].passed is False)
        svc.run(svc.self_test, "scale", on_done=lambda r, e: results.update(scale=(r, e)))
        assert pump(disp, lambda: "scale" in results)
        assert isinstance(results["scale"][1], MaintenanceError)
        svc.close()
    finally:
        k.close()
