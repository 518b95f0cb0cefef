"""Maintenance behind a hashed PIN with lockout and an audit trail; the staff actions
(test print, card test, camera preview, recent log, sync slot, exit kiosk mode)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from kivy.core.window import Window

from kiosk.audit import AuditLog
from kiosk.flow import State
from kiosk.staff_auth import hash_pin
from screens.maintenance import SCREEN_NAME

PIN = "40719"


def ctrl_m(ui: Any) -> Any:
    Window.dispatch("on_key_down", ord("m"), 0, "m", ["ctrl"])
    assert ui.pump(2, lambda: ui.app.sm.current == SCREEN_NAME)
    return ui.app.maintenance.screen


def type_pin(ui: Any, screen: Any, pin: str) -> None:
    keys = {b.key: b for b in screen.ids.pin_pad.children[0].children}
    for d in pin:
        ui.tap(keys[d])
    ui.tap(screen.ids.btn_pin_ok)


def audit(ui: Any) -> list[dict[str, Any]]:
    return AuditLog.in_data_dir(ui.app.kiosk.data_dir).entries(200)


@pytest.fixture
def ui_hash(ui_factory: Any) -> Any:
    return ui_factory(maintenance__pin_hash=hash_pin(PIN), maintenance__max_pin_tries=2,
                      maintenance__lockout_s=60.0)


def test_hashed_pin_unlocks_and_is_audited(ui_hash: Any) -> None:
    ui = ui_hash
    screen = ctrl_m(ui)
    type_pin(ui, screen, "1234")
    assert not screen.unlocked and screen.message == ui.app.tr._("Wrong PIN.")
    type_pin(ui, screen, PIN)
    assert screen.unlocked
    ui.tap(screen.ids.btn_close)
    assert ui.wait_state(State.ATTRACT)
    actions = [(e["action"], e["outcome"]) for e in audit(ui)]
    assert actions == [("open", "ok"), ("unlock", "wrong PIN"), ("unlock", "ok"), ("close", "ok")]
    assert all(PIN not in json.dumps(e) for e in audit(ui))


def test_lockout_refuses_even_the_right_pin(ui_hash: Any) -> None:
    ui = ui_hash
    screen = ctrl_m(ui)
    type_pin(ui, screen, "1111")
    type_pin(ui, screen, "2222")  # second wrong PIN: locked, screen closed
    assert ui.wait_state(State.ATTRACT)
    screen = ctrl_m(ui)
    assert "Locked" in screen.message or screen.message != ui.app.tr._("Enter the maintenance PIN.")
    type_pin(ui, screen, PIN)
    assert not screen.unlocked
    assert audit(ui)[-1]["outcome"] == "refused: locked"
    ui.app.maintenance.gate.locked_until = 0  # the lockout time passed
    type_pin(ui, screen, PIN)
    assert screen.unlocked


def test_staff_actions_run_and_are_audited(ui_hash: Any, monkeypatch: Any) -> None:
    ui = ui_hash
    app = ui.app
    screen = ctrl_m(ui)
    type_pin(ui, screen, PIN)
    printer = app.kiosk.devices.printer

    ui.tap(screen.ids.btn_test_print)
    assert ui.pump(5, lambda: any(p.job.number == "TEST" for p in printer.printed))
    assert app.kiosk.ticket_store.last_ticket() is None  # a test print is not a ticket

    assert ui.pump(5, lambda: not screen.busy)
    ui.tap(screen.ids.btn_card_test)
    assert ui.pump(5, lambda: "card on the reader: no" in screen.ids.tests.text)

    assert ui.pump(5, lambda: not screen.busy)
    ui.tap(screen.ids.btn_sync)  # no centre client plugged in yet
    assert ui.pump(5, lambda: "not available" in screen.message)
    app.maintenance.service.hooks["sync_now"] = lambda: "3 sent"
    assert ui.pump(5, lambda: not screen.busy)
    ui.tap(screen.ids.btn_sync)
    assert ui.pump(5, lambda: screen.message == "3 sent")

    ui.tap(screen.ids.btn_camera)
    assert ui.pump(5, lambda: screen.ids.preview.texture is not None)
    ui.tap(screen.ids.btn_camera)
    assert screen.ids.preview.texture is None

    stopped: list[bool] = []
    monkeypatch.setattr(type(app), "stop", lambda self, *a: stopped.append(True))
    assert ui.pump(5, lambda: not screen.busy)
    ui.tap(screen.ids.btn_exit)
    assert stopped and app.allow_exit
    done = [e["action"] for e in audit(ui) if e["outcome"] == "ok"]
    for action in ("test_print", "card_test", "sync_now", "camera_preview", "exit_kiosk_mode"):
        assert action in done
