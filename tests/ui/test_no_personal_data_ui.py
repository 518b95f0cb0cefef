"""No personal data in logs (issue 12): full sessions with known personal data - chip,
card QR, corrections, status lookups, printer fault, bugs whose messages quote the data,
a crashing thread, Kivy's own log - then nothing of it may be in any file of the data
directory (logs, audit, crash reports, counters, the SQLite stores) or in the
diagnostics output."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from kivy.logger import Logger

from hardware.printer import PaperOut
from kiosk import flow as f
from kiosk.flow import State
from kiosk.identity import make_card_qr_payload
from tests.fixtures.kiosk_logging import kiosk_logging
from tests.ui.stress_harness import log_leaks, personal_strings
from tests.ui.test_kiosk_ui import type_digits

ROOT = Path(__file__).resolve().parents[2]
CORRECTED = "Số 99 Đường Trần Hưng Đạo"


@pytest.fixture
def logged_ui(ui_factory: Any, tmp_path: Path) -> Iterator[Any]:
    with kiosk_logging(tmp_path) as redactor:
        ui = ui_factory(photo__enabled=False)
        ui.app.controller.remember_personal = redactor.remember
        yield ui


def vneid(ui: Any) -> None:
    ui.tap(next(b for b in ui.screen.ids.services.children
                if getattr(b, "service_code", "") == "vneid"))


def test_sessions_leave_no_personal_data_anywhere(logged_ui: Any, tmp_path: Path) -> None:
    ui = logged_ui
    app, ctl = ui.app, ui.app.controller
    reader, scanner = app.kiosk.devices.card_reader, app.kiosk.devices.qr_scanner
    an = reader.profiles["nguyen_van_an"].citizen
    huong = reader.profiles["pham_thi_huong"].citizen

    # 1. card QR + chip, a correction typed by the citizen, a ticket the printer cannot print
    reader.tap("nguyen_van_an")
    scanner.inject(make_card_qr_payload(an))
    assert ui.wait_state(State.CONFIRM, 8)
    ctl.send(f.CorrectionsRequested(("place_of_residence",),
                                    (("place_of_residence", CORRECTED),)))
    assert ui.wait_state(State.SERVICE)
    app.kiosk.devices.printer.fault = PaperOut("no paper")
    vneid(ui)
    assert ui.pump(5, lambda: ctl.flow.session.print_error == "paper_out")
    app.kiosk.devices.printer.fault = None
    ui.tap("btn_done")
    assert ui.wait_state(State.DONE)
    reader.remove()
    ui.tap("btn_finish")
    assert ui.wait_state(State.ATTRACT)

    # 2. a typed ID number that does not open the card, then QR only (no chip)
    ui.tap("btn_identify")
    reader.tap("pham_thi_huong")
    assert ui.pump(2, lambda: ctl.flow.card_present)
    type_digits(ui, an.id_number)  # the wrong person's number
    ui.tap("btn_submit")
    assert ui.pump(5, lambda: ctl.flow.error == "wrong_key")
    reader.remove()
    ui.pump(0.5)
    scanner.inject(make_card_qr_payload(huong))
    assert ui.pump(3, lambda: ctl.flow.session.qr_citizen is not None)
    ctl.send(f.ContinueWithoutChip())
    assert ui.wait_state(State.CONFIRM)
    ctl.send(f.Cancel())
    assert ui.wait_state(State.ATTRACT)

    # 3. status lookups, one of them failing
    ui.tap("btn_status")
    ctl.send(f.StatusQuery("G01.123.456.789"))
    ui.pump(0.5)
    real = ctl.lookup_status
    ctl.lookup_status = lambda code: (_ for _ in ()).throw(OSError(f"no row for {code}"))
    ctl.send(f.StatusQuery("G01.777-240101-0042"))
    assert ui.pump(5, lambda: ctl.flow.error == "status_unavailable")
    ctl.lookup_status = real
    ctl.send(f.Cancel())

    # 4. bugs whose messages quote personal data: a UI-thread callback, a thread, Kivy
    def bug() -> None:
        raise ValueError(f"cannot parse {make_card_qr_payload(an)} for {an.full_name}")

    ctl.dispatcher.post(bug)
    assert ui.wait_state(State.OUT_OF_SERVICE)
    t = threading.Thread(target=lambda: (_ for _ in ()).throw(
        RuntimeError(f"{huong.full_name} {huong.id_number} {huong.place_of_residence}")))
    t.start()
    t.join()
    Logger.warning("Kiosk: %s lives at %s", an.full_name, an.place_of_residence)
    logging.getLogger("kiosk.test").info("citizen %s born %s", huong.full_name,
                                        huong.date_of_birth.strftime("%d/%m/%Y"))
    ui.pump(0.3)

    secrets = personal_strings(reader) + [CORRECTED, "G01.777-240101-0042"]
    log_text = (tmp_path / "logs" / "kiosk.jsonl").read_text(encoding="utf-8")
    assert "ValueError" in log_text and "RuntimeError" in log_text  # the errors were logged
    assert "Kiosk:" in log_text  # Kivy's log came here
    assert log_leaks(tmp_path, secrets) == []

    # 5. the diagnostics a technician runs
    env = dict(os.environ, KIOSK_KIOSK_DATA_DIR=str(tmp_path))
    env.pop("DISPLAY", None)
    out = subprocess.run([sys.executable, "-m", "kiosk", "diagnose", "--json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().startswith("{")
    assert [s for s in secrets if s in out.stdout + out.stderr] == []
