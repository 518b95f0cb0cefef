"""Print and lookup outcomes reach the citizen and the ticket log truthfully (issue 12):
a paper-counter disk error after a good print, a wipe while a ticket is issued, a failed
status lookup, device observers that raise, device traces after a wipe."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

from hardware.card_reader import CardInserted
from hardware.escpos_printer import EscposPrinter
from hardware.qr_scanner import QrScanned
from kiosk import flow as f
from kiosk.bootstrap import Kiosk, build
from kiosk.config import load_config
from kiosk.dispatch import QueueDispatcher
from kiosk.flow import State
from tests.fixtures.fake_printer import FakePrinter
from tests.integration.test_controller import pump


@pytest.fixture
def wire(tmp_path: Path) -> Iterator[Callable[..., tuple[Kiosk, QueueDispatcher]]]:
    made: list[Kiosk] = []

    def make(devices: dict | None = None, **overrides) -> tuple[Kiosk, QueueDispatcher]:
        cfg = load_config(environ={}).with_overrides(kiosk__data_dir=str(tmp_path), **overrides)
        disp = QueueDispatcher()
        k = build(cfg, disp, devices=devices)
        assert k.open_devices() == {}
        k.controller.start()
        made.append(k)
        return k, disp

    yield make
    for k in made:
        k.close()


def test_paper_counter_disk_error_after_a_good_print_is_still_printed(wire, tmp_path: Path) -> None:
    with FakePrinter() as fake:
        printer = EscposPrinter(url=fake.url, profile="epson", timeout_s=1.0,
                                status_timeout_s=0.2, data_dir=str(tmp_path), paper_roll_mm=50000)
        (tmp_path / "printer_paper.tmp").mkdir()  # the counter's atomic write now fails
        k, disp = wire({"printer": printer})
        ctl = k.controller
        ctl.send(f.StartWalkIn())
        ctl.send(f.ServiceChosen("vneid"))
        assert pump(disp, lambda: ctl.flow.session.printed or bool(ctl.flow.session.print_error))
        assert ctl.flow.session.printed and ctl.flow.session.print_error == ""
        assert k.ticket_store.last_ticket().print_state == "printed"
        assert printer.counter.tickets == 1  # the estimate is kept in memory


def test_ticket_issued_for_a_wiped_session_is_recorded_as_not_shown(wire) -> None:
    k, disp = wire()
    ctl = k.controller
    gate = threading.Event()
    issue = ctl.issuer.issue

    def slow_issue(*a, **kw):
        gate.wait(5)
        return issue(*a, **kw)

    ctl.issuer.issue = slow_issue  # the issuer answers after the session is gone
    ctl.send(f.StartWalkIn())
    ctl.send(f.ServiceChosen("vneid"))
    ctl.send(f.Fault("test"))  # anything that wipes while the number is being issued
    gate.set()
    assert pump(disp, lambda: k.ticket_store.last_ticket() is not None
                and k.ticket_store.last_ticket().print_state != "pending")
    last = k.ticket_store.last_ticket()
    assert last.number == "C001" and last.print_state != "printed"
    assert k.devices.printer.printed == []


def test_failed_status_lookup_ends_in_a_sentence(wire) -> None:
    k, disp = wire()
    ctl = k.controller

    def broken(_code: str):
        raise OSError("database is locked")

    ctl.lookup_status = broken
    ctl.send(f.StartStatus())
    ctl.send(f.StatusQuery("G01.123.456.789"))
    assert pump(disp, lambda: ctl.flow.error == "status_unavailable")


@pytest.mark.parametrize("device,handler,event", [
    ("card_reader", "_card_event", CardInserted("sim")),
    ("qr_scanner", "_qr_event", QrScanned("x", b"x", "camera")),
    ("printer", "_printer_event", object())])
def test_an_observer_that_raises_reaches_the_failsafe(wire, device: str, handler: str,
                                                      event: object) -> None:
    k, disp = wire()
    ctl = k.controller
    faults: list[str] = []
    ctl.on_error = lambda where, exc: faults.append(where)

    def boom(*_a: object) -> None:
        raise RuntimeError("injected")

    setattr(ctl, handler, boom)
    errors: list[BaseException] = []
    t = threading.Thread(target=lambda: _emit(getattr(k.devices, device), event, errors))
    t.start()
    t.join(5)
    assert errors == []  # the device thread survived
    assert pump(disp, lambda: bool(faults))
    assert faults == ["observer:" + device.split("_")[0]]


def _emit(dev: object, event: object, errors: list[BaseException]) -> None:
    try:
        dev._emit(event)  # type: ignore[attr-defined]
    except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
        errors.append(exc)


def test_wipe_clears_the_qr_scanner_and_camera_traces(wire) -> None:
    from hardware.camera_qr_scanner import CameraQrScanner
    from hardware.sim_camera import SimulatedCamera
    import numpy as np

    cam = SimulatedCamera(frames=[np.full((120, 160, 3), 200, np.uint8)], fps=30)
    scanner = CameraQrScanner(camera=cam)
    k, disp = wire({"camera": cam, "qr_scanner": scanner})
    with scanner._seen_lock:
        scanner._seen.frame([b"001090012345|Nguyen Van An"], 1.0)
    assert pump(disp, lambda: cam.latest_frame() is not None)
    cam.close()  # a stopped camera keeps its last frame until told to forget it
    k.controller.send(f.StartIdentify())
    k.controller.send(f.Cancel())
    assert k.controller.flow.state == State.ATTRACT
    assert cam.latest_frame() is None
    assert scanner._seen._last_seen == {}
