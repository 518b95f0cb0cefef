"""Corrections with typed values, expiry and mismatch flags that reach the ticket request."""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

from hardware.shared_types import AccessKey, CardReadResult, Citizen
from kiosk import flow as f
from kiosk.flow import Flow, State
from kiosk.session import is_expired

AN = Citizen(id_number="001090012345", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12),
             sex="M", date_of_expiry="12/05/2030")
KEY = AccessKey.from_id(AN.id_number)
TODAY = date(2025, 6, 1)


def to_confirm(chip: Citizen = AN, qr: Citizen | None = None) -> Flow:
    fl = Flow(today=lambda: TODAY)
    fl.handle(f.StartIdentify())
    fl.handle(f.KeyProvided(KEY, "qr" if qr else "keypad", qr))
    fl.handle(f.CardPresent())
    fl.handle(f.CardReadOk(CardReadResult(citizen=chip, access_method="PACE-CAN")))
    assert fl.state == State.CONFIRM
    return fl


def test_typed_values_are_kept_nfc_for_flagged_fields_only() -> None:
    fl = to_confirm()
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Ân")
    fl.handle(f.CorrectionsRequested(
        ("full_name", "place_of_residence"),
        (("full_name", decomposed), ("sex", "Nữ"), ("place_of_residence", "   "))))
    sess = fl.session
    assert fl.state == State.SERVICE
    assert sess.corrections == ("full_name", "place_of_residence")
    assert sess.corrected_values == {"full_name": "Nguyễn Văn Ân"}  # NFC, no unflagged, no blank
    assert unicodedata.is_normalized("NFC", sess.corrected_values["full_name"])


def test_corrections_without_values_still_work() -> None:
    fl = to_confirm()
    fl.handle(f.CorrectionsRequested(("place_of_residence",)))
    assert fl.session.corrections == ("place_of_residence",)
    assert fl.session.corrected_values == {}


def test_typed_values_are_personal_data_and_wiped() -> None:
    fl = to_confirm()
    fl.handle(f.CorrectionsRequested(("full_name",), (("full_name", "Nguyễn Văn Ân"),)))
    assert fl.session.holds_personal_data()
    fl.handle(f.Cancel())
    assert fl.session.corrected_values == {} and not fl.session.holds_personal_data()


def test_ticket_request_carries_flags_without_personal_data() -> None:
    qr = replace(AN, full_name="Nguyễn Văn Ánh")
    expired = replace(AN, date_of_expiry="12/05/2015")
    fl = to_confirm(chip=expired, qr=qr)
    assert fl.session.mismatches == ("full_name",)
    assert fl.session.card_expired
    fl.handle(f.CorrectionsRequested(("full_name",), (("full_name", "Nguyễn Văn Ánh"),)))
    effects = fl.handle(f.ServiceChosen("cccd_renew"))
    assert effects == [f.IssueTicket("cccd_renew", "", ("mismatch.full_name", "corrections",
                                                        "card_expired"))]
    flat = " ".join(effects[0].flags)
    assert "Ánh" not in flat and AN.id_number not in flat


def test_clean_visit_has_no_flags() -> None:
    fl = to_confirm()
    fl.handle(f.Confirmed())
    assert fl.handle(f.ServiceChosen("vneid")) == [f.IssueTicket("vneid", "", ())]


def test_expiry_rule() -> None:
    assert is_expired("31/05/2025", TODAY)
    assert not is_expired("01/06/2025", TODAY)  # valid through its last day
    assert not is_expired("Không thời hạn", TODAY)
    assert not is_expired("", TODAY)
    assert not is_expired("2025-01-01", TODAY)  # unreadable: never claim "expired"


def test_without_chip_the_expiry_rule_applies_to_the_data_shown() -> None:
    fl = Flow(today=lambda: TODAY)
    fl.handle(f.StartIdentify())
    fl.handle(f.KeyProvided(KEY, "qr", replace(AN, date_of_expiry="01/01/2020")))
    fl.handle(f.ContinueWithoutChip())
    assert fl.state == State.CONFIRM and fl.session.identified_by == "qr"
    assert fl.session.card_expired
