"""UI tests on the real Kivy window (offscreen): touches, screens reached, ticket printed,
privacy wipe, rendering quality (not blank, no overflow, touch target size)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from kivy.uix.button import Button
from kivy.uix.label import Label

from kiosk.flow import State
from screens.screenshots import walk_screens


def type_digits(ui: Any, digits: str) -> None:
    keypad = ui.screen.keypad
    keys = {b.key: b for b in keypad.children}
    for d in digits:
        ui.tap(keys[d])


def go_to_confirm(ui: Any, profile: str = "nguyen_van_an") -> Any:
    reader = ui.app.kiosk.devices.card_reader
    citizen = reader.profiles[profile].citizen
    ui.tap("btn_identify")
    assert ui.wait_state(State.IDENTIFY)
    reader.tap(profile)
    assert ui.pump(2, lambda: ui.app.controller.flow.card_present)
    type_digits(ui, citizen.id_number)
    ui.tap("btn_submit")
    assert ui.wait_state(State.CONFIRM, 5)
    return citizen


def test_full_visit_by_touch(ui: Any) -> None:
    citizen = go_to_confirm(ui)
    shown = list(ui.texts())
    assert citizen.full_name in shown
    assert citizen.id_number not in " ".join(shown)  # masked until the citizen asks
    assert citizen.masked_id in shown
    ui.tap("btn_show_id")
    assert citizen.id_number in list(ui.texts())
    ui.tap("btn_ok")
    assert ui.wait_state(State.SERVICE)
    vneid = next(b for b in ui.screen.ids.services.children if b.service_code == "vneid")
    ui.tap(vneid)  # VNeID needs no photo: straight to the ticket
    assert ui.wait_state(State.TICKET)
    assert ui.pump(5, lambda: ui.app.controller.flow.session.printed)
    printed = ui.app.kiosk.devices.printer.printed
    assert len(printed) == 1 and printed[0].job.number == "C001"
    assert printed[0].job.masked_id == citizen.masked_id
    ui.pump(0.1)
    assert ui.screen.ids.number.text == "C001"
    assert ui.screen.ids.preview.texture is not None
    ui.tap("btn_done")
    assert ui.wait_state(State.DONE)
    ui.tap("btn_finish")
    assert ui.wait_state(State.ATTRACT)


def test_corrections_are_sent_for_the_tapped_fields(ui: Any) -> None:
    go_to_confirm(ui)
    ui.tap("btn_wrong")
    rows = {r.field_name: r for r in ui.screen.ids.rows.children}
    ui.tap(rows["place_of_residence"])
    assert rows["place_of_residence"].flagged
    ui.tap("btn_ok")
    assert ui.wait_state(State.SERVICE)
    assert ui.app.controller.flow.session.corrections == ("place_of_residence",)


def _all_texts(ui: Any) -> str:
    """Text of every label in every screen (shown or not) and the overlays."""
    parts = []
    for screen in ui.app.sm.screens:
        parts += [w.text for w in screen.walk() if isinstance(w, Label)]
    parts += [w.text for w in ui.app.root.walk() if isinstance(w, Label)]
    parts += [w.text for w in ui.app.overlay.walk() if isinstance(w, Label)]
    return "\n".join(parts)


def test_idle_timeout_wipes_every_widget(ui: Any, clock: Any) -> None:
    citizen = go_to_confirm(ui)
    ui.tap("btn_show_id")
    assert citizen.full_name in _all_texts(ui)
    clock.advance(ui.app.kiosk.config["session.idle_timeout_s"] + 1)
    assert ui.pump(2, lambda: ui.app.overlay.parent is not None)
    assert "Bạn cần thêm thời gian?" in list(ui.texts())
    clock.advance(ui.app.kiosk.config["session.idle_warning_s"] + 1)
    assert ui.wait_state(State.ATTRACT, 3)
    ui.pump(0.2)
    text = _all_texts(ui)
    for secret in (citizen.full_name, citizen.id_number, citizen.masked_id, citizen.id_number[-6:],
                   citizen.place_of_residence, citizen.date_of_birth.strftime("%d/%m/%Y")):
        assert secret not in text
    assert ui.app.overlay.parent is None
    confirm = ui.app.screens[State.CONFIRM]
    assert confirm.ids.portrait.texture is None and not confirm.ids.rows.children
    assert not ui.app.controller.flow.session.holds_personal_data()


def test_idle_warning_continue_keeps_the_session(ui: Any, clock: Any) -> None:
    citizen = go_to_confirm(ui)
    clock.advance(ui.app.kiosk.config["session.idle_timeout_s"] + 1)
    assert ui.pump(2, lambda: ui.app.overlay.parent is not None)
    ui.tap(ui.app.overlay.ids.btn_continue)
    assert ui.pump(1, lambda: ui.app.overlay.parent is None)
    assert ui.app.controller.flow.state == State.CONFIRM
    assert citizen.full_name in list(ui.texts())


def test_card_removal_banner_then_wipe(ui: Any, clock: Any) -> None:
    go_to_confirm(ui)
    ui.app.kiosk.devices.card_reader.remove()
    assert ui.pump(2, lambda: bool(ui.app.banner.text))
    assert "giây" in ui.app.banner.text
    clock.advance(ui.app.kiosk.config["session.card_removal_grace_s"] + 1)
    assert ui.wait_state(State.ATTRACT, 3)


def test_language_switch_and_large_text(ui: Any) -> None:
    assert "Xin chào" in list(ui.texts())
    ui.tap(ui.find("btn_en"))
    assert ui.pump(1, lambda: "Welcome" in list(ui.texts()))
    size_before = ui.screen.ids.btn_ticket.font_size
    header_before = [ui.find(b).font_size for b in ("btn_vi", "btn_en", "btn_large")]
    ui.tap(ui.find("btn_large"))
    ui.pump(0.1)
    assert ui.screen.ids.btn_ticket.font_size > size_before * 1.2
    # the header's fixed-width buttons keep their size (they broke "Englis/h" before) ...
    assert [ui.find(b).font_size for b in ("btn_vi", "btn_en", "btn_large")] == header_before
    ui.tap(ui.find("btn_large"))
    ui.pump(0.1)
    # ... and are back to it, not larger, when large text is turned off again
    assert [ui.find(b).font_size for b in ("btn_vi", "btn_en", "btn_large")] == header_before
    assert ui.screen.ids.btn_ticket.font_size == size_before


def test_wrong_id_number_shows_a_plain_error_and_retry_works(ui: Any) -> None:
    reader = ui.app.kiosk.devices.card_reader
    ui.tap("btn_identify")
    reader.tap("nguyen_van_an")
    assert ui.pump(2, lambda: ui.app.controller.flow.card_present)
    type_digits(ui, "079195001234")  # a valid number, but of another card
    ui.tap("btn_submit")
    assert ui.pump(5, lambda: ui.app.controller.flow.error == "wrong_key")
    ui.pump(0.1)
    assert "Số vừa nhập không khớp với thẻ này." in ui.screen.ids.error_banner.text
    type_digits(ui, reader.profiles["nguyen_van_an"].citizen.id_number)
    ui.tap("btn_submit")
    assert ui.wait_state(State.CONFIRM, 5)


# -- rendering checks -----------------------------------------------------------------
def _overflows(root: Any, window_h: float) -> list[str]:
    bad = []
    for w in root.walk():
        if not isinstance(w, Label) or not w.text or w.opacity == 0 or w.height <= 0 or w.width <= 0:
            continue
        if any(p.opacity == 0 for p in _parents(w)):
            continue
        tw, th = w.texture_size
        if tw > w.width + 2 or th > w.height + 2:
            bad.append(f"text overflows {type(w).__name__} {w.text[:40]!r}: {tw}x{th} in {w.width:.0f}x{w.height:.0f}")
        x, y = w.to_window(w.x, w.y)
        lo, hi = _area_of(w, window_h)
        if y < lo - 1 or y + w.height > hi + 1:
            bad.append(f"outside its area {type(w).__name__} {w.text[:40]!r}: y={y:.0f} h={w.height:.0f}"
                       f" not in {lo:.0f}..{hi:.0f}")
    return bad


def _area_of(w: Any, window_h: float) -> tuple[float, float]:
    """Vertical window span a label must stay in: its screen's (under the header, above the
    developer panel) when it belongs to a screen, else the window."""
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.screenmanager import Screen

    for p in _parents(w):
        if isinstance(p, ScrollView):  # scrolled content may extend beyond the view
            return -1e9, 1e9
        if isinstance(p, Screen) and p.manager is not None:
            _x, y0 = p.manager.to_window(p.manager.x, p.manager.y)
            return y0, y0 + p.manager.height
    return 0.0, window_h


def _parents(w: Any) -> list[Any]:
    out = []
    p = w.parent
    while p is not None and p is not p.parent:
        out.append(p)
        p = p.parent
    return out


def _small_targets(root: Any, min_px: float) -> list[str]:
    bad = []
    for w in root.walk():
        if isinstance(w, Button) and w.opacity > 0 and not w.disabled and w.height > 0:
            if min(w.width, w.height) + 0.5 < min_px:
                bad.append(f"{w.text[:30]!r}: {w.width:.0f}x{w.height:.0f} < {min_px:.0f}")
    return bad


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large"])
def test_every_screen_renders_without_overflow(ui: Any, language: str, large_text: bool) -> None:
    from kivy.core.window import Window

    seen = []
    for name, ready in walk_screens(ui, language, large_text):
        assert ready, name
        if name != "out_of_service":   # a fault ends the session: its screen is in the default
            assert (ui.app.language, ui.app.large_text) == (language, large_text), name
        ui.pump(0.05)
        img = ui.app.root.export_as_image()
        px = np.frombuffer(img.texture.pixels, np.uint8).reshape(-1, 4)[:, :3]
        assert px.std() > 20, f"{name} looks blank"
        assert len(np.unique(px[::97], axis=0)) > 8, f"{name} has almost no content"
        assert _overflows(ui.app.root, Window.height) == [], name
        assert _small_targets(ui.app.root, ui.app.min_target) == [], name
        seen.append(name)
    assert len(seen) == 17
