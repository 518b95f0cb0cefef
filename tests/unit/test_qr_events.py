"""QrInterpreter: a scanned payload becomes the right flow event, errors carry their next step."""
from __future__ import annotations

from datetime import date

import pytest

from hardware.shared_types import AccessKey, Citizen
from kiosk import flow as f
from kiosk.config import load_config
from kiosk.flow import Flow, State
from kiosk.identity import make_card_qr_payload, message
from kiosk.messages import error_texts
from kiosk.qr_events import QrInterpreter

AN = Citizen(id_number="001090012345", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12),
             sex="M", place_of_residence="Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
             date_of_issue=date(2021, 4, 1))
GOOD = make_card_qr_payload(AN)


def interpreter(state: State = State.IDENTIFY) -> QrInterpreter:
    return QrInterpreter(load_config(environ={}), lambda: state)


def to_event(payload: str, *, source: str = "camera", state: State = State.IDENTIFY) -> object:
    return interpreter(state).to_event(payload, payload.encode("utf-8"), source)


def test_card_qr_gives_the_access_key_and_the_printed_identity() -> None:
    ev = to_event(GOOD)
    assert isinstance(ev, f.KeyProvided)
    assert ev.source == "qr"
    assert ev.key == AccessKey.from_id(AN.id_number, AN.date_of_birth)
    assert ev.key.can == "012345"
    assert ev.qr_citizen.full_name == "Nguyễn Văn An"
    assert ev.qr_citizen.date_of_birth == AN.date_of_birth


def test_garbage_is_rejected_with_the_default_next_step() -> None:
    ev = to_event("hello world, not a code")
    assert ev == f.QrRejected("qr.unknown", "next.show_card_qr")


def test_empty_payload_asks_to_hold_the_code_still() -> None:
    ev = interpreter().to_event("", b"", "camera")
    assert ev == f.QrRejected("qr.empty", "next.try_again")


def test_broken_card_qr_date_points_to_the_keypad() -> None:
    bad = GOOD.replace("12051990", "32131990")
    ev = to_event(bad)
    assert isinstance(ev, f.QrRejected)
    assert ev.code == "card_qr.date" and ev.next_step == "next.use_keypad"


def test_mangled_text_from_a_keyboard_scanner_says_use_the_camera() -> None:
    mojibake = GOOD.encode("utf-8").decode("cp1252", errors="replace")
    assert to_event(mojibake, source="keyboard") == f.QrRejected("qr.mangled", "next.use_camera")


def test_source_is_passed_on_from_the_camera_the_advice_is_the_keypad() -> None:
    mojibake = GOOD.encode("utf-8").decode("cp1252", errors="replace")
    ev = to_event(mojibake, source="camera")  # the camera is in use: do not send them to it
    assert ev == f.QrRejected("qr.mangled", "next.use_keypad")


def test_dossier_code_queries_status_on_the_status_and_welcome_screens_only() -> None:
    code = "000.00.15.H26-230815-0001"
    assert to_event(code, state=State.STATUS) == f.StatusQuery(code)
    assert to_event(code, state=State.ATTRACT) == f.StatusQuery(code)   # straight at the welcome screen
    assert to_event(code, state=State.IDENTIFY) == f.QrRejected("qr.dossier_here")
    assert to_event(code, state=State.SERVICE) == f.QrRejected("qr.dossier_here")


def test_booking_code_starts_a_check_in() -> None:
    from kiosk.visit_events import BookingScanned
    assert to_event("AB12CD34EF") == BookingScanned("AB12CD34EF")
    assert to_event("AB12CD34EF").code == "AB12CD34EF"


def test_flow_keeps_the_next_step_until_the_state_changes() -> None:
    fl = Flow()
    fl.handle(f.StartIdentify())
    fl.handle(to_event("not a code at all"))
    assert (fl.error, fl.error_next_step) == ("qr.unknown", "next.show_card_qr")
    fl.handle(to_event(GOOD))  # a good code clears the error
    assert (fl.error, fl.error_next_step) == ("", "")
    assert fl.session.qr_citizen is not None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_error_texts_show_the_message_and_the_next_step(lang: str) -> None:
    what, step = error_texts("qr.mangled", lambda s: s, lang, "next.use_camera")
    assert what == message("qr.mangled", lang)
    assert step == message("next.use_camera", lang)
    assert step and step != what


def test_error_texts_keep_a_flow_code_own_step_without_override() -> None:
    what, step = error_texts("wrong_key", lambda s: s, "en")
    assert what == "The number does not match this card."
    assert step.startswith("Check the 12-digit ID number")
