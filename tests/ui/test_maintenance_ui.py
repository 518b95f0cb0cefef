"""The staff maintenance screen on the real Kivy window (offscreen): opened by a long press
on the centre name or Ctrl+M, shows a printer fault, reprints the last ticket on the
simulated printer, closes back to the attract screen with no citizen data; PIN."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.label import Label
from PIL import Image

from hardware.printer import PaperOut
from kiosk.flow import State
from screens.maintenance import LONG_PRESS_S, SCREEN_NAME


def maintenance_open(ui: Any) -> bool:
    return ui.app.sm.current == SCREEN_NAME and ui.app.maintenance.is_open


def ctrl_m() -> None:
    Window.dispatch("on_key_down", ord("m"), 0, "m", ["ctrl"])


def all_label_texts(ui: Any) -> str:
    parts = [w.text for s in ui.app.sm.screens for w in s.walk() if isinstance(w, Label)]
    return "\n".join(parts + [w.text for w in ui.app.root.walk() if isinstance(w, Label)])


def test_fault_reprint_and_close(ui: Any, tmp_path: Path) -> None:
    app = ui.app
    printer = app.kiosk.devices.printer
    printer.fault = PaperOut("no paper")
    ui.tap("btn_ticket")  # a walk-in ticket; the printer is out of paper
    assert ui.wait_state(State.SERVICE)
    # a service without the photo step goes straight to the ticket
    ui.tap(next(b for b in ui.screen.ids.services.children
                if getattr(b, "service_code", "") == "vneid"))
    assert ui.pump(5, lambda: app.controller.flow.session.print_error == "paper_out")
    number = app.controller.flow.session.ticket.number

    # long press on the centre name in the header: a short one does nothing
    name = app.root.children[-1].children[-1].children[-1]  # column > header > name label
    assert name.text == app.centre_name
    touch = UnitTestTouch(*name.to_window(*name.center))
    touch.touch_down()
    ui.pump(0.3)
    touch.touch_up()
    ui.pump(0.2)
    assert not maintenance_open(ui)
    touch = UnitTestTouch(*name.to_window(*name.center))
    touch.touch_down()
    assert ui.pump(LONG_PRESS_S + 2, lambda: maintenance_open(ui))
    touch.touch_up()
    assert app.controller.flow.state == State.ATTRACT  # the ticket session ended

    screen = app.maintenance.screen
    tr = app.tr._
    assert ui.pump(5, lambda: tr("Paper out") in screen.ids.alerts.text)
    assert ui.pump(5, lambda: f"{number}" in screen.ids.tickets.text)
    assert "failed:paper_out" in screen.ids.tickets.text

    printer.fault = None  # staff loaded paper
    ui.tap(screen.ids.btn_reprint)
    assert ui.pump(5, lambda: len(printer.printed) == 1)
    job = printer.printed[0].job
    assert job.reprint and job.number == number
    assert ui.pump(5, lambda: number in screen.message)
    assert ui.pump(5, lambda: "printed" in screen.ids.tickets.text
                   and "failed" not in screen.ids.tickets.text)

    shot = np.asarray(Image.open(ui.screenshot(tmp_path / "maintenance.png")).convert("L"))
    assert shot.std() > 20  # not blank
    ui.tap(screen.ids.btn_close)
    assert ui.wait_state(State.ATTRACT)
    assert not maintenance_open(ui) and screen.ids.alerts.text == ""


def test_ctrl_m_ends_a_citizen_session(ui: Any) -> None:
    app = ui.app
    reader = app.kiosk.devices.card_reader
    citizen = reader.profiles["nguyen_van_an"].citizen
    ui.tap("btn_identify")
    assert ui.wait_state(State.IDENTIFY)
    reader.tap("nguyen_van_an")
    assert ui.pump(2, lambda: app.controller.flow.card_present)
    ctrl_m()
    assert ui.pump(2, lambda: maintenance_open(ui))
    assert app.controller.flow.state in (State.ATTRACT, State.IDENTIFY)  # card still on it
    assert app.controller.flow.session.citizen is None
    ui.tap(app.maintenance.screen.ids.btn_close)
    assert ui.wait_state(State.ATTRACT)
    assert citizen.full_name not in all_label_texts(ui)
    assert citizen.id_number not in all_label_texts(ui)


@pytest.fixture
def ui_pin(ui_factory: Any) -> Any:
    return ui_factory(maintenance__pin="2468")


def test_pin_guards_the_findings(ui_pin: Any) -> None:
    ui = ui_pin
    ctrl_m()
    assert ui.pump(2, lambda: maintenance_open(ui))
    screen = ui.app.maintenance.screen
    keys = {b.key: b for b in screen.ids.pin_pad.children[0].children}
    for d in "1111":
        ui.tap(keys[d])
    assert not screen.unlocked and screen.message == ui.app.tr._("Wrong PIN.")
    assert screen.ids.devices.text == ""
    for d in "2468":
        ui.tap(keys[d])
    assert screen.unlocked
    assert ui.pump(5, lambda: ui.app.tr._("Printer") in screen.ids.devices.text)
    ui.tap(screen.ids.btn_close)
    assert ui.wait_state(State.ATTRACT)
    ctrl_m()  # opening again asks for the PIN again
    assert ui.pump(2, lambda: maintenance_open(ui)) and not screen.unlocked
    for _ in range(3):
        for d in "9999":
            ui.tap(keys[d])
    assert ui.wait_state(State.ATTRACT) and not maintenance_open(ui)  # three wrong: closed
