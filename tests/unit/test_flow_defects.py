"""Defects found by the random-input stress run (issue 12), each reproduced on the pure
flow: another person's card, "Done" while printing, a wipe while issuing, a failed or
hung status lookup, a hung print, a required device missing."""
from __future__ import annotations

from datetime import date

from hardware.shared_types import CardReadResult, Citizen
from kiosk import flow as f
from kiosk.flow import Flow, State
from tests.unit.test_flow import KEY, T, read_ok, to_confirm

BINH = Citizen(id_number="079085001234", full_name="Trần Thị Bình",
               date_of_birth=date(1985, 1, 2), sex="F")


def make(now: float = 0.0) -> Flow:
    return Flow(timeouts=T, now=now)


def test_another_card_within_grace_ends_the_session() -> None:
    fl = to_confirm(make())
    fl.handle(f.CardGone(), now=5)
    assert fl.handle(f.CardPresent(), now=6) == [f.ReadCard(KEY)]
    assert fl.state == State.READING  # A's data are off the screen while the card is checked
    effects = fl.handle(f.CardReadOk(CardReadResult(citizen=BINH, access_method="PACE-CAN")), now=7)
    assert f.SessionWiped() in effects
    assert fl.state == State.IDENTIFY  # B starts a session of their own
    assert fl.session.citizen is None and not fl.session.holds_personal_data()


def test_another_card_swapped_directly_on_the_service_screen_ends_the_session() -> None:
    fl = to_confirm(make())
    fl.handle(f.Confirmed())
    assert fl.state == State.SERVICE
    fl.handle(f.CardGone(), now=1)
    fl.handle(f.CardPresent(), now=1.1)
    # B's card does not open with A's key: the read fails, the session ends.
    assert fl.handle(f.CardReadFailed("wrong_key"), now=2) == [f.SessionWiped()]
    assert fl.state == State.IDENTIFY and fl.session.citizen is None


def test_card_check_that_never_answers_ends_the_session() -> None:
    fl = to_confirm(make())
    fl.handle(f.CardGone(), now=1)
    fl.handle(f.CardPresent(), now=2)
    assert fl.tick(2 + T.read) == [f.SessionWiped()]
    assert fl.session.citizen is None


def test_same_card_back_keeps_corrections_and_screen() -> None:
    fl = to_confirm(make())
    fl.handle(f.CorrectionsRequested(("place_of_residence",)))
    assert fl.state == State.SERVICE
    fl.handle(f.CardGone(), now=1)
    fl.handle(f.CardPresent(), now=2)
    fl.handle(read_ok(), now=3)
    assert fl.state == State.SERVICE
    assert fl.session.corrections == ("place_of_residence",)


def walk_in_ticket(fl: Flow) -> None:
    fl.handle(f.StartWalkIn())
    fl.handle(f.ServiceChosen("vneid"))
    fl.handle(f.TicketIssued("C001"))


def test_done_is_refused_while_the_ticket_prints_and_a_late_failure_is_shown() -> None:
    fl = make()
    walk_in_ticket(fl)
    fl.handle(f.Finish())
    assert fl.state == State.TICKET  # still printing: the outcome must be seen
    fl.handle(f.PrintFinished("paper_out"))
    assert fl.state == State.TICKET and fl.session.print_error == "paper_out"
    fl.handle(f.Finish())
    assert fl.state == State.DONE


def test_a_print_that_never_ends_is_shown_as_failed_not_as_done() -> None:
    fl = make()
    walk_in_ticket(fl)
    fl.tick(T.ticket_screen)
    assert fl.state == State.TICKET and fl.session.print_error == "print_timeout"
    fl.handle(f.UserActivity(), now=T.ticket_screen + 1)  # the citizen reads the advice
    fl.tick(2 * T.ticket_screen)
    assert fl.state == State.DONE


def test_cancel_while_the_ticket_is_issued_is_ignored() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    assert fl.handle(f.ServiceChosen("vneid"))[0].service_code == "vneid"
    assert fl.handle(f.Cancel()) == []
    assert fl.state == State.TICKET
    fl.handle(f.TicketIssued("C001"))
    assert fl.session.ticket == "C001"


def test_issuer_that_never_answers_ends_out_of_service() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    fl.handle(f.ServiceChosen("vneid"))
    fl.tick(T.ticket_screen)
    assert fl.state == State.OUT_OF_SERVICE and fl.fault_reason == "ticket:timeout"


def test_failed_status_lookup_says_so() -> None:
    fl = make()
    fl.handle(f.StartStatus())
    fl.handle(f.StatusQuery("G01.1-240101-0001"))
    fl.handle(f.StatusFailed())
    assert fl.error == "status_unavailable" and fl.status_asked_at is None


def test_status_lookup_without_answer_times_out() -> None:
    fl = make()
    fl.handle(f.StartStatus())
    fl.handle(f.StatusQuery("G01.1-240101-0001"), now=1)
    fl.tick(1 + T.read)
    assert fl.error == "status_unavailable"
    fl.handle(f.StatusAnswered("late"), now=40)
    assert fl.session.status_result is None  # a late answer does not replace the sentence


def test_missing_device_between_citizens_goes_out_of_service_and_back() -> None:
    fl = make()
    fl.handle(f.DevicesChanged(("printer",)))
    assert fl.state == State.OUT_OF_SERVICE and fl.fault_reason == "device:printer"
    fl.tick(T.out_of_service + 1)
    assert fl.state == State.OUT_OF_SERVICE  # stays while the printer is missing
    fl.handle(f.DevicesChanged(()))
    assert fl.state == State.ATTRACT


def test_missing_device_lets_the_citizen_being_served_finish() -> None:
    fl = to_confirm(make())
    fl.handle(f.DevicesChanged(("printer",)))
    assert fl.state == State.CONFIRM
    fl.handle(f.Cancel())
    assert fl.state == State.OUT_OF_SERVICE
