"""The citizen flow as a pure state machine: every transition, timeouts, failsafe, wipe."""
from __future__ import annotations

from datetime import date

import pytest

from hardware.shared_types import AccessKey, CardReadResult, Citizen
from kiosk import flow as f
from kiosk.flow import Flow, State, Timeouts

AN = Citizen(id_number="001090012345", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12), sex="M")
KEY = AccessKey.from_id(AN.id_number)
T = Timeouts(idle=60, idle_warning=15, card_removal_grace=20, identify=90, read=30,
             ticket_screen=30, done_screen=8, out_of_service=20)


def make(now: float = 1000.0) -> Flow:
    return Flow(timeouts=T, now=now)


def read_ok(citizen: Citizen = AN) -> f.CardReadOk:
    return f.CardReadOk(CardReadResult(citizen=citizen, access_method="PACE-CAN", portrait_jpeg=b"\xff\xd8jpeg"))


def to_confirm(fl: Flow) -> Flow:
    fl.handle(f.StartIdentify())
    fl.handle(f.KeyProvided(KEY, "keypad"))
    assert fl.handle(f.CardPresent()) == [f.ReadCard(KEY)]
    fl.handle(read_ok())
    assert fl.state == State.CONFIRM
    return fl


def test_starts_in_attract_with_empty_session() -> None:
    fl = make()
    assert fl.state == State.ATTRACT
    assert not fl.session.holds_personal_data()


def test_key_then_card_reads_the_chip_and_confirms() -> None:
    fl = to_confirm(make())
    assert fl.session.citizen is AN
    assert fl.session.identified_by == "chip"
    assert fl.session.portrait_jpeg == b"\xff\xd8jpeg"


def test_card_first_asks_for_key_then_reads() -> None:
    fl = make()
    assert fl.handle(f.CardPresent()) == []
    assert fl.state == State.IDENTIFY and fl.card_present and fl.error == ""
    assert fl.handle(f.KeyProvided(KEY, "keypad")) == [f.ReadCard(KEY)]
    assert fl.state == State.READING


def test_qr_at_attract_goes_to_identify_and_waits_for_the_card() -> None:
    fl = make()
    assert fl.handle(f.KeyProvided(KEY, "qr", AN)) == []
    assert fl.state == State.IDENTIFY
    assert fl.session.qr_citizen is AN
    assert fl.handle(f.CardPresent()) == [f.ReadCard(KEY)]


def test_continue_without_chip_uses_qr_identity() -> None:
    fl = make()
    fl.handle(f.KeyProvided(KEY, "qr", AN))
    fl.handle(f.ContinueWithoutChip())
    assert fl.state == State.CONFIRM
    assert fl.session.identified_by == "qr"


def test_continue_without_chip_needs_a_qr_identity() -> None:
    fl = make()
    fl.handle(f.StartIdentify())
    fl.handle(f.KeyProvided(KEY, "keypad"))
    fl.handle(f.ContinueWithoutChip())
    assert fl.state == State.IDENTIFY


def test_mismatch_between_qr_and_chip_is_recorded() -> None:
    other = Citizen(id_number=AN.id_number, full_name="Nguyễn Văn Ân", date_of_birth=date(1990, 5, 13))
    fl = make()
    fl.handle(f.KeyProvided(KEY, "qr", other))
    fl.handle(f.CardPresent())
    fl.handle(read_ok())
    assert set(fl.session.mismatches) == {"full_name", "date_of_birth"}


@pytest.mark.parametrize("code", ["card_removed", "read_error", "not_supported", "no_reader"])
def test_read_failure_returns_to_identify_with_the_error_and_keeps_the_key(code: str) -> None:
    fl = make()
    fl.handle(f.KeyProvided(KEY, "keypad"))
    fl.handle(f.CardPresent())
    fl.handle(f.CardReadFailed(code))
    assert fl.state == State.IDENTIFY and fl.error == code
    assert fl.session.access_key == KEY
    assert fl.handle(f.CardPresent()) == [f.ReadCard(KEY)]  # the next tap retries


def test_wrong_key_forgets_the_key() -> None:
    fl = make()
    fl.handle(f.KeyProvided(KEY, "keypad"))
    fl.handle(f.CardPresent())
    fl.handle(f.CardReadFailed("wrong_key"))
    assert fl.state == State.IDENTIFY and fl.error == "wrong_key"
    assert fl.session.access_key is None


def test_read_timeout() -> None:
    fl = make(0)
    fl.handle(f.KeyProvided(KEY, "keypad"), now=0)
    fl.handle(f.CardPresent(), now=0)
    fl.tick(29.9)
    assert fl.state == State.READING
    fl.tick(30.0)
    assert fl.state == State.IDENTIFY and fl.error == "read_timeout"


def test_confirm_service_ticket_done_attract() -> None:
    fl = to_confirm(make())
    fl.handle(f.Confirmed())
    assert fl.state == State.SERVICE
    assert fl.handle(f.ServiceChosen("cccd_new", "elderly")) == [f.IssueTicket("cccd_new", "elderly")]
    assert fl.state == State.TICKET
    ticket = object()
    assert fl.handle(f.TicketIssued(ticket)) == [f.PrintTicket(ticket)]
    fl.handle(f.PrintFinished(""))
    assert fl.session.printed and not fl.session.print_error
    fl.handle(f.Finish())
    assert fl.state == State.DONE
    assert fl.handle(f.Finish()) == [f.SessionWiped()]
    assert fl.state == State.ATTRACT
    assert not fl.session.holds_personal_data()


def test_finish_before_the_ticket_exists_is_ignored() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    fl.handle(f.ServiceChosen("cccd_new"))
    fl.handle(f.Finish())
    assert fl.state == State.TICKET


def test_corrections_are_recorded() -> None:
    fl = to_confirm(make())
    fl.handle(f.CorrectionsRequested(("place_of_residence", "full_name")))
    assert fl.state == State.SERVICE
    assert fl.session.corrections == ("place_of_residence", "full_name")


def test_print_failure_keeps_the_ticket_and_shows_the_error() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    fl.handle(f.ServiceChosen("cccd_new"))
    fl.handle(f.TicketIssued("A001"))
    fl.handle(f.PrintFinished("paper_out"))
    assert fl.state == State.TICKET
    assert fl.session.ticket == "A001" and fl.session.print_error == "paper_out"
    assert fl.error == "paper_out"


def test_ticket_issue_failure_goes_out_of_service() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    fl.handle(f.ServiceChosen("cccd_new"))
    fl.handle(f.TicketIssueFailed("StoreError"))
    assert fl.state == State.OUT_OF_SERVICE


def test_walk_in_back_returns_to_attract_but_identified_back_returns_to_confirm() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    fl.handle(f.Back())
    assert fl.state == State.ATTRACT
    fl = to_confirm(make())
    fl.handle(f.Confirmed())
    fl.handle(f.Back())
    assert fl.state == State.CONFIRM


def test_status_query_and_answer() -> None:
    fl = make()
    fl.handle(f.StartStatus())
    assert fl.handle(f.StatusQuery("G01.1")) == [f.LookupStatus("G01.1")]
    fl.handle(f.StatusAnswered("result"))
    assert fl.session.status_result == "result"
    assert fl.handle(f.Back()) == [f.SessionWiped()]
    assert fl.session.status_result is None


def test_a_receipt_qr_at_the_welcome_screen_shows_its_status() -> None:
    fl = make()
    assert fl.state == State.ATTRACT
    assert fl.handle(f.StatusQuery("000.17.22.H56-261203-0001")) == [f.LookupStatus("000.17.22.H56-261203-0001")]
    assert fl.state == State.STATUS and fl.session.status_query == "000.17.22.H56-261203-0001"
    fl.handle(f.StatusAnswered("result"))
    assert fl.session.status_result == "result"


def test_cancel_wipes_from_any_state() -> None:
    fl = to_confirm(make())
    fl.handle(f.SetLanguage("en"))
    assert fl.handle(f.Cancel()) == [f.SessionWiped()]
    assert fl.state == State.ATTRACT
    assert fl.session.language == "vi"  # back to the default language for the next citizen
    assert not fl.session.holds_personal_data()


def test_idle_warning_then_wipe() -> None:
    fl = make(0)
    to_confirm(fl)
    assert fl.tick(59) == [] and fl.idle_warning_until is None
    fl.tick(60)
    assert fl.idle_warning_remaining == 15
    assert fl.state == State.CONFIRM
    assert fl.tick(74.9) == []
    assert fl.tick(75) == [f.SessionWiped()]
    assert fl.state == State.ATTRACT
    assert not fl.session.holds_personal_data()


def test_activity_dismisses_the_idle_warning() -> None:
    fl = make(0)
    to_confirm(fl)
    fl.tick(61)
    fl.handle(f.UserActivity(), now=62)
    assert fl.idle_warning_until is None
    assert fl.tick(100) == []  # 38 s since the touch
    assert fl.state == State.CONFIRM


def test_no_idle_warning_on_attract_or_reading() -> None:
    fl = make(0)
    fl.tick(1000)
    assert fl.idle_warning_until is None
    fl.handle(f.KeyProvided(KEY, "keypad"))
    fl.handle(f.CardPresent())
    fl.tick(1025)
    assert fl.state == State.READING and fl.idle_warning_until is None


def test_identify_times_out() -> None:
    fl = make(0)
    fl.handle(f.StartIdentify(), now=0)
    for t in range(5, 95, 5):  # someone keeps touching: idle never fires, the state timeout does
        fl.handle(f.UserActivity(), now=t)
        fl.tick(t)
    assert fl.state == State.ATTRACT


def test_card_removal_grace_then_wipe() -> None:
    fl = make(0)
    to_confirm(fl)
    fl.handle(f.CardGone(), now=10)
    assert fl.card_removal_remaining == 20
    fl.tick(29)
    assert fl.state == State.CONFIRM
    assert fl.tick(30) == [f.SessionWiped()]
    assert fl.state == State.ATTRACT


def test_card_back_within_grace_keeps_the_session() -> None:
    fl = make(0)
    to_confirm(fl)
    fl.handle(f.CardGone(), now=10)
    assert fl.handle(f.CardPresent(), now=15) == [f.ReadCard(KEY)]  # same card? read it
    assert fl.state == State.READING
    fl.handle(read_ok(), now=16)
    fl.tick(45)
    assert fl.state == State.CONFIRM and fl.card_removed_at is None
    assert fl.session.citizen is AN


def test_card_removal_after_the_ticket_is_harmless() -> None:
    fl = make(0)
    to_confirm(fl)
    fl.handle(f.Confirmed())
    fl.handle(f.ServiceChosen("cccd_new"))
    fl.handle(f.TicketIssued("A001"))
    fl.handle(f.CardGone(), now=5)
    fl.handle(f.PrintFinished(""), now=6)
    fl.tick(40)
    assert fl.state in (State.TICKET, State.DONE)  # ticket screen times out to done, not a wipe


def test_ticket_and_done_screens_time_out() -> None:
    fl = make(0)
    fl.handle(f.StartWalkIn(), now=0)
    fl.handle(f.ServiceChosen("cccd_new"), now=0)
    fl.handle(f.TicketIssued("A001"), now=0)
    fl.handle(f.PrintFinished(""), now=1)
    fl.tick(30)
    assert fl.state == State.DONE
    fl.tick(38)
    assert fl.state == State.ATTRACT


def test_fault_goes_out_of_service_then_back_to_attract() -> None:
    fl = to_confirm(make(0))
    assert fl.handle(f.Fault("camera"), now=1) == [f.SessionWiped()]
    assert fl.state == State.OUT_OF_SERVICE
    assert not fl.session.holds_personal_data()
    fl.tick(20.9)
    assert fl.state == State.OUT_OF_SERVICE
    fl.tick(21)
    assert fl.state == State.ATTRACT


def test_failsafe_catches_a_bug_in_a_transition(monkeypatch: pytest.MonkeyPatch) -> None:
    fl = to_confirm(make(0))

    def boom(_e: object) -> list:
        raise ZeroDivisionError

    monkeypatch.setattr(fl, "_dispatch", boom)
    effects = fl.handle(f.Confirmed(), now=1)
    assert fl.state == State.OUT_OF_SERVICE and fl.fault_reason == "ZeroDivisionError"
    assert effects == [f.SessionWiped()]
    assert not fl.session.holds_personal_data()


def test_on_change_is_called_for_every_event() -> None:
    seen: list[State] = []
    fl = make()
    fl.on_change = lambda fl_: seen.append(fl_.state)
    fl.handle(f.StartIdentify())
    fl.handle(f.Cancel())
    assert seen == [State.IDENTIFY, State.ATTRACT]


def test_language_and_large_text_are_per_session() -> None:
    fl = make()
    fl.handle(f.SetLanguage("en"))
    fl.handle(f.ToggleLargeText())
    assert fl.session.language == "en" and fl.session.large_text
    fl.handle(f.StartIdentify())
    fl.handle(f.Cancel())
    assert fl.session.language == "vi" and not fl.session.large_text


def test_session_repr_hides_personal_data() -> None:
    fl = to_confirm(make())
    text = repr(fl.session) + repr(fl.session.citizen) + repr(fl.session.access_key)
    assert "An" not in text and AN.id_number not in text and KEY.can not in text


@pytest.mark.parametrize("pa, aa, failed", [(True, None, False), (None, None, False),
                                            (False, None, True), (True, False, True)])
def test_chip_authenticity_failure_is_kept_for_the_screen(pa: bool | None, aa: bool | None, failed: bool) -> None:
    fl = make()
    fl.handle(f.KeyProvided(KEY, "keypad"))
    fl.handle(f.CardPresent())
    fl.handle(f.CardReadOk(CardReadResult(citizen=AN, access_method="PACE-CAN",
                                          passive_auth_ok=pa, active_auth_ok=aa)))
    assert fl.state == State.CONFIRM
    assert fl.session.chip_authenticity_failed is failed
