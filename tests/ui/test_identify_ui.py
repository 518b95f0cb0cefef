"""The identify screen driven with each input kind on the real (offscreen) Kivy window:
card then keypad, card QR then card, unusable QR, keyboard-wedge scanner, and corrections
typed on the Vietnamese keyboard."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from kivy.core.window import Window

from hardware.keyboard_qr_scanner import KeyboardQrScanner
from kiosk.flow import State
from kiosk.identity import make_card_qr_payload, message
from screens.vn_keyboard import SHIFT, tone_key

PROFILE = "nguyen_van_an"


def flow(ui: Any) -> Any:
    return ui.app.controller.flow


def citizen(ui: Any) -> Any:
    return ui.app.kiosk.devices.card_reader.profiles[PROFILE].citizen


def start_identify(ui: Any) -> None:
    ui.tap("btn_identify")
    assert ui.wait_state(State.IDENTIFY)


def test_card_tap_then_keypad(ui: Any) -> None:
    start_identify(ui)
    ui.app.kiosk.devices.card_reader.tap(PROFILE)
    assert ui.pump(2, lambda: flow(ui).card_present)
    ui.pump(0.1)
    assert ui.screen.ids.pictogram.mode == "qr"  # card on the reader: only the QR picture is left
    keys = {b.key: b for b in ui.screen.keypad.children}
    for d in citizen(ui).id_number:
        ui.tap(keys[d])
    ui.tap("btn_submit")
    assert ui.wait_state(State.CONFIRM, 5)
    assert flow(ui).session.key_source == "keypad" and flow(ui).session.identified_by == "chip"


def test_qr_then_card_names_a_mismatch_and_flags_the_ticket(ui: Any) -> None:
    start_identify(ui)
    assert ui.screen.ids.pictogram.mode == "both"
    shown = replace(citizen(ui), full_name="Nguyễn Văn Ân")  # the QR disagrees with the chip
    ui.app.kiosk.devices.qr_scanner.inject(make_card_qr_payload(shown))
    assert ui.pump(2, lambda: flow(ui).session.qr_citizen is not None)
    ui.pump(0.1)
    assert ui.screen.need_card and ui.screen.ids.pictogram.mode == "card"
    assert "Tiếp tục mà không đọc chip" in list(ui.texts())
    ui.app.kiosk.devices.card_reader.tap(PROFILE)
    assert ui.wait_state(State.CONFIRM, 5)
    assert flow(ui).session.key_source == "qr"
    assert flow(ui).session.mismatches == ("full_name",)
    banner = ui.screen.ids.mismatch_banner.text
    assert message("mismatch.full_name", "vi") in banner
    assert message("mismatch.date_of_birth", "vi") not in banner
    ui.tap("btn_ok")
    assert ui.wait_state(State.SERVICE)
    ui.tap(next(b for b in ui.screen.ids.services.children  # a service without the photo step
                if getattr(b, "service_code", "") == "vneid"))
    assert ui.pump(5, lambda: flow(ui).session.printed)
    job = ui.app.kiosk.devices.printer.printed[-1].job
    assert job.flags == ("mismatch.full_name",)  # a flag for the counter, no name in it
    assert ui.app.kiosk.ticket_store.flags_of(job.number) == ("mismatch.full_name",)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_unusable_qr_shows_the_sentence_and_the_next_step(ui: Any, language: str) -> None:
    start_identify(ui)
    ui.tap(ui.find("btn_en" if language == "en" else "btn_vi"))
    ui.app.kiosk.devices.qr_scanner.inject("https://example.com/not-a-code-we-know?x=1")
    assert ui.pump(2, lambda: flow(ui).error == "qr.unknown")
    ui.pump(0.1)
    box = ui.screen.ids.error_banner
    assert box.text == message("qr.unknown", language)
    assert box.step == message("next.show_card_qr", language)
    shown = list(ui.texts())
    assert box.text in shown and box.step in shown
    assert flow(ui).state == State.IDENTIFY  # the citizen can go on with another way


@pytest.fixture
def wedge_ui(ui_factory: Any) -> Any:
    """The kiosk with a keyboard-wedge QR scanner, fed by the app from the window's keys."""
    return ui_factory(devices={"qr_scanner": KeyboardQrScanner()})


def test_keyboard_wedge_scanner_identifies_through_the_window(wedge_ui: Any) -> None:
    ui = wedge_ui
    start_identify(ui)
    payload = make_card_qr_payload(citizen(ui))
    for ch in payload:  # a scanner types a burst, then Enter
        Window.dispatch("on_textinput", ch)
    Window.dispatch("on_key_down", 13, 40, None, [])
    assert ui.pump(3, lambda: flow(ui).session.qr_citizen is not None)
    assert flow(ui).session.qr_citizen.full_name == citizen(ui).full_name
    assert flow(ui).session.key_source == "qr"
    ui.app.kiosk.devices.card_reader.tap(PROFILE)
    assert ui.wait_state(State.CONFIRM, 5)
    assert flow(ui).session.mismatches == ()


def test_keyboard_wedge_mangled_text_says_use_the_camera(wedge_ui: Any) -> None:
    ui = wedge_ui
    start_identify(ui)
    mangled = make_card_qr_payload(citizen(ui)).encode("utf-8").decode("cp1252", "replace")
    for ch in mangled:
        Window.dispatch("on_textinput", ch)
    Window.dispatch("on_key_down", 13, 40, None, [])
    assert ui.pump(3, lambda: flow(ui).error == "qr.mangled")
    ui.pump(0.1)
    assert ui.screen.ids.error_banner.step == message("next.use_camera", "vi")


def test_corrections_typed_on_the_vietnamese_keyboard_reach_the_session(ui: Any) -> None:
    start_identify(ui)
    ui.app.kiosk.devices.card_reader.tap(PROFILE)
    assert ui.pump(2, lambda: flow(ui).card_present)
    keys = {b.key: b for b in ui.screen.keypad.children}
    for d in citizen(ui).id_number:
        ui.tap(keys[d])
    ui.tap("btn_submit")
    assert ui.wait_state(State.CONFIRM, 5)
    ui.tap("btn_wrong")
    rows = {r.field_name: r for r in ui.screen.ids.rows.children}
    ui.tap(rows["place_of_origin"])
    kb = ui.screen.keyboard()
    assert kb.parent is not None and ui.screen.editing == "place_of_origin"
    for key in [SHIFT, *"huê", tone_key("acute")]:  # few taps: each frame of the window is slow
        ui.tap(kb.keys[key])
    assert kb.text == "Huế"
    assert "Thông tin đúng: Huế" in list(ui.texts())
    ui.tap("btn_done_typing")
    assert kb.parent is None  # the keyboard leaves with the editor
    ui.tap("btn_ok")  # "Send to staff"
    assert ui.wait_state(State.SERVICE)
    sess = flow(ui).session
    assert sess.corrections == ("place_of_origin",)
    assert sess.corrected_values == {"place_of_origin": "Huế"}


def test_keyboard_keys_are_large_enough(ui: Any) -> None:
    from screens.vn_keyboard import VnKeyboard

    kb = VnKeyboard()
    ui.app.root.add_widget(kb)
    kb.width = Window.width
    ui.pump(0.1)
    small = [k for k, b in kb.keys.items() if min(b.width, b.height) + 0.5 < ui.app.min_target]
    ui.app.root.remove_widget(kb)
    assert small == []
