"""The failsafe on every path into the UI thread, lockdown keys, and the defects of
issue 12 on the real Kivy window (offscreen): each test injects the fault and checks the
kiosk goes out of service and comes back by itself, or shows the right thing."""
from __future__ import annotations

import gc
import threading
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.settings import Settings

from hardware.printer import PaperOut
from kiosk import flow as f
from kiosk.flow import State
from tests.ui.test_kiosk_ui import _all_texts, go_to_confirm


def back_by_itself(ui: Any, clock: Any) -> None:
    """Out of service now, and the attract screen after the out-of-service time."""
    assert ui.wait_state(State.OUT_OF_SERVICE)
    clock.advance(ui.app.kiosk.config["session.out_of_service_s"] + 1)
    assert ui.wait_state(State.ATTRACT)


def test_error_in_a_dispatcher_callback(ui: Any, clock: Any) -> None:
    ui.app.controller.send(f.SetLanguage("en"))   # the citizen read English; the fault wipes that
    ui.app.controller.dispatcher.post(lambda: 1 / 0)
    assert ui.wait_state(State.OUT_OF_SERVICE)
    ui.pump(0.1)
    texts = " ".join(w.text for w in ui.screen.walk() if hasattr(w, "text"))
    assert "Tạm ngừng phục vụ" in texts and "Please go to the reception counter" in texts   # both languages
    back_by_itself(ui, clock)
    assert ui.app.failsafe.last_where == "dispatcher"


def test_error_in_the_flow_clock_keeps_the_clock_running(ui: Any, clock: Any) -> None:
    ctl = ui.app.controller
    real_tick, calls = ctl.tick, []

    def tick_once_broken() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("injected")
        real_tick()

    ctl.tick = tick_once_broken
    back_by_itself(ui, clock)  # needs later ticks: the repeating callback was not cancelled
    assert len(calls) >= 2


def test_error_in_a_widget_callback(ui: Any, clock: Any) -> None:
    def boom(*_a: Any) -> None:
        raise RuntimeError("injected")

    ui.find("btn_identify").bind(on_release=boom)
    ui.tap("btn_identify")
    back_by_itself(ui, clock)
    assert ui.app.failsafe.last_where == "kivy"  # through Kivy's ExceptionManager


def test_error_in_a_plain_clock_callback_goes_through_kivys_hook(ui: Any, clock: Any) -> None:
    Clock.schedule_once(lambda _dt: [][1], 0)
    back_by_itself(ui, clock)


def test_error_in_a_device_observer(ui: Any, clock: Any) -> None:
    def boom(_event: object) -> None:
        raise RuntimeError("injected")

    ui.app.controller._card_event = boom
    reader = ui.app.kiosk.devices.card_reader
    t = threading.Thread(target=reader.tap, args=("nguyen_van_an",))
    t.start()
    t.join(5)
    back_by_itself(ui, clock)
    assert ui.app.failsafe.last_where.startswith("observer")


def test_error_in_a_screen_update(ui: Any, clock: Any, monkeypatch: Any) -> None:
    ui.tap("btn_status")
    assert ui.wait_state(State.STATUS)
    monkeypatch.setattr(type(ui.screen), "update", lambda *_a: 1 / 0)
    ui.app.controller.send(f.UserActivity())
    ui.app.controller.send(f.SetLanguage("en"))
    assert ui.wait_state(State.OUT_OF_SERVICE)


def test_language_switch_after_confirm_rows_were_collected(ui: Any) -> None:
    go_to_confirm(ui)
    ui.tap("btn_cancel") if "btn_cancel" in ui.screen.ids else ui.app.cancel()
    assert ui.wait_state(State.ATTRACT)
    for _ in range(3):  # the rows of several visits: created, dropped, collected
        go_to_confirm(ui)
        ui.app.cancel()
        assert ui.wait_state(State.ATTRACT)
        ui.app.kiosk.devices.card_reader.remove()
        gc.collect()
    for lang in ("en", "vi", "en"):
        ui.app.set_language(lang)
        ui.pump(0.1)
    assert ui.app.failsafe.count == 0  # no ReferenceError anywhere
    assert ui.app.controller.flow.state == State.ATTRACT


def test_f1_never_opens_kivys_settings(ui: Any) -> None:
    for key in (282,):
        Window.dispatch("on_key_down", key, 0, None, [])
        Window.dispatch("on_keyboard", key, 0, None, [])
    ui.pump(0.1)
    assert not any(isinstance(w, Settings) for w in Window.children)
    assert ui.app._app_settings is None


def test_escape_and_close_request_are_swallowed(ui: Any) -> None:
    ui.pump(0.2)
    assert Window.dispatch("on_key_down", 27, 0, None, []) is True
    assert Window.dispatch("on_key_down", 285, 0, None, ["alt"]) is True  # Alt+F4
    assert ui.app._on_request_close() is True
    ui.app.allow_exit = True  # maintenance "exit kiosk mode"
    assert ui.app._on_request_close() is False


def test_done_waits_for_the_print_and_a_late_failure_is_shown(ui: Any) -> None:
    printer = ui.app.kiosk.devices.printer
    gate = threading.Event()
    real = printer.print_ticket

    def slow(job: Any) -> None:
        gate.wait(5)
        real(job)

    printer.print_ticket = slow
    ui.tap("btn_ticket")
    assert ui.wait_state(State.SERVICE)
    ui.tap(next(b for b in ui.screen.ids.services.children
                if getattr(b, "service_code", "") == "vneid"))
    assert ui.pump(5, lambda: ui.screen.number == "C001")
    assert ui.find("btn_done").disabled  # still printing
    ui.tap("btn_done")
    assert ui.app.controller.flow.state == State.TICKET
    printer.fault = PaperOut("no paper")
    gate.set()
    assert ui.pump(5, lambda: ui.app.controller.flow.session.print_error == "paper_out")
    ui.pump(0.1)
    assert not ui.find("btn_done").disabled
    assert ui.screen.show_qr and ui.screen.ids.fault_banner.text


def test_failed_status_lookup_shows_a_sentence(ui: Any) -> None:
    def broken(_code: str) -> Any:
        raise OSError("database is locked")

    ui.app.controller.lookup_status = broken
    ui.tap("btn_status")
    assert ui.wait_state(State.STATUS)
    ui.app.controller.send(f.StatusQuery("G01.123.456.789"))
    assert ui.pump(5, lambda: ui.app.controller.flow.error == "status_unavailable")
    ui.pump(0.1)
    assert ui.screen.ids.result_title.text != ui.app.tr._("Looking up…")
    assert ui.screen.ids.result_title.text


def test_another_card_within_grace_never_shows_the_first_citizen(ui: Any) -> None:
    citizen = go_to_confirm(ui)
    reader = ui.app.kiosk.devices.card_reader
    reader.remove()
    assert ui.pump(2, lambda: ui.app.controller.flow.card_removed_at is not None)
    reader.tap("pham_thi_huong")  # B's card, A's key: it will not open
    assert ui.wait_state(State.IDENTIFY, 5)
    assert citizen.full_name not in _all_texts(ui)
    assert ui.app.controller.flow.session.citizen is None


def test_missing_printer_goes_out_of_service_and_back(ui: Any) -> None:
    printer = ui.app.kiosk.devices.printer
    printer.close()
    ui.app._check()
    assert ui.wait_state(State.OUT_OF_SERVICE, 5)
    printer.open()
    ui.app._check()
    assert ui.wait_state(State.ATTRACT, 5)
