"""The wired kiosk without Kivy: simulated devices, real SQLite, worker threads and the
dispatcher hand-off, driven through a whole visit and through faults."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from hardware.shared_types import AccessKey
from hardware.printer import PaperOut
from kiosk import flow as f
from kiosk.bootstrap import Kiosk, build
from kiosk.config import load_config
from kiosk.dispatch import QueueDispatcher
from kiosk.flow import State
from kiosk.identity import make_card_qr_payload


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[Kiosk, QueueDispatcher]]:
    cfg = load_config(environ={}).with_overrides(kiosk__data_dir=str(tmp_path))
    disp = QueueDispatcher()
    k = build(cfg, disp)
    assert k.open_devices() == {}
    k.controller.start()
    yield k, disp
    k.close()


def pump(disp: QueueDispatcher, until: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        disp.drain(timeout=0.02)
        if until():
            return True
    return until()


def test_whole_visit_by_card_and_keypad(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl, reader, printer = k.controller, k.devices.card_reader, k.devices.printer
    ctl.send(f.StartIdentify())
    reader.tap("nguyen_van_an")
    assert pump(disp, lambda: ctl.flow.card_present)
    citizen = reader.profiles["nguyen_van_an"].citizen
    ctl.send(f.KeyProvided(AccessKey.from_id(citizen.id_number), "keypad"))
    assert ctl.flow.state == State.READING
    assert pump(disp, lambda: ctl.flow.state == State.CONFIRM)
    assert ctl.flow.session.citizen == citizen
    ctl.send(f.Confirmed())
    ctl.send(f.ServiceChosen("vneid"))  # a service without the photo step
    assert pump(disp, lambda: ctl.flow.session.printed)
    assert ctl.flow.session.ticket.number == "C001"
    job = printer.printed[-1].job
    assert job.number == "C001" and job.masked_id == "********2345"
    assert k.ticket_store.last_ticket().print_state == "printed"


def test_card_qr_then_tap(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl = k.controller
    citizen = k.devices.card_reader.profiles["tran_thi_bich_ngoc"].citizen
    k.devices.qr_scanner.inject(make_card_qr_payload(citizen))
    assert pump(disp, lambda: ctl.flow.session.qr_citizen is not None)
    assert ctl.flow.state == State.IDENTIFY
    k.devices.card_reader.tap("tran_thi_bich_ngoc")
    assert pump(disp, lambda: ctl.flow.state == State.CONFIRM)
    assert ctl.flow.session.mismatches == ()


def test_qr_of_another_card_is_flagged_as_a_mismatch(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl, reader = k.controller, k.devices.card_reader
    qr_person = reader.profiles["le_hoang_minh"].citizen
    k.devices.qr_scanner.inject(make_card_qr_payload(qr_person))
    assert pump(disp, lambda: ctl.flow.session.qr_citizen is not None)
    reader.tap("nguyen_van_an")  # someone else's card: the CAN from the QR does not fit
    assert pump(disp, lambda: ctl.flow.error == "wrong_key")
    assert ctl.flow.state == State.IDENTIFY


def test_garbage_qr_is_rejected_with_a_code(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl = k.controller
    ctl.send(f.StartIdentify())
    k.devices.qr_scanner.inject("\U0001F600 hello|world")
    assert pump(disp, lambda: ctl.flow.error != "")
    assert ctl.flow.error.startswith("qr.")
    assert ctl.flow.state == State.IDENTIFY


def test_card_pulled_mid_read_then_next_tap_succeeds(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl, reader = k.controller, k.devices.card_reader
    citizen = reader.profiles["nguyen_van_an"].citizen
    ctl.send(f.KeyProvided(AccessKey.from_id(citizen.id_number), "keypad"))
    reader.tap("nguyen_van_an")
    assert pump(disp, lambda: ctl.flow.state == State.READING)
    reader.remove()
    assert pump(disp, lambda: ctl.flow.error == "card_removed")
    reader.tap("nguyen_van_an")
    assert pump(disp, lambda: ctl.flow.state == State.CONFIRM)


def test_printer_out_of_paper_keeps_the_ticket_and_alerts(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl = k.controller
    k.devices.printer.fault = PaperOut("no paper")
    ctl.send(f.StartWalkIn())
    ctl.send(f.ServiceChosen("vneid"))
    assert pump(disp, lambda: ctl.flow.session.print_error != "")
    assert ctl.flow.session.print_error == "paper_out"
    assert ctl.flow.session.ticket.number == "C001"
    assert ctl.flow.state == State.TICKET
    assert [(a.device, a.code) for a in ctl.alerts] == [("printer", "paper_out")]
    assert k.ticket_store.last_ticket().print_state == "failed:paper_out"


def test_late_read_result_never_reaches_the_next_citizen(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl, reader = k.controller, k.devices.card_reader
    citizen = reader.profiles["nguyen_van_an"].citizen
    ctl.send(f.KeyProvided(AccessKey.from_id(citizen.id_number), "keypad"))
    reader.tap("nguyen_van_an")
    assert pump(disp, lambda: ctl.flow.state == State.READING)
    ctl.send(f.Cancel())  # the citizen walks away while the chip is being read
    time.sleep(0.6)       # the simulated read (0.4 s) completes meanwhile
    pump(disp, lambda: False, timeout=0.3)
    assert ctl.flow.state == State.ATTRACT
    assert ctl.flow.session.citizen is None


def test_service_with_photo_goes_to_the_photo_step(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl = k.controller
    ctl.send(f.StartWalkIn())
    ctl.send(f.ServiceChosen("cccd_new"))
    assert ctl.flow.state == State.PHOTO
    ctl.send(f.Cancel())
    assert ctl.flow.state == State.ATTRACT


def test_status_lookup(kiosk: tuple[Kiosk, QueueDispatcher]) -> None:
    k, disp = kiosk
    ctl = k.controller
    ctl.send(f.StartStatus())
    ctl.send(f.StatusQuery("G01.123.456.789"))
    assert pump(disp, lambda: ctl.flow.session.status_result is not None)
    assert ctl.flow.session.status_result.found


def test_diagnose_command_reports_every_device() -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    res = subprocess.run([sys.executable, "-m", "kiosk", "diagnose", "--json"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    report = json.loads(res.stdout)
    assert set(report["devices"]) == {"card_reader", "qr_scanner", "camera", "printer"}
    assert all(d["passed"] for d in report["devices"].values())
