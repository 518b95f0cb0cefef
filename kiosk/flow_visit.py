"""The flow's transitions for a visit on the centre: appointment check-in and the status
extras. A part of :class:`kiosk.flow.Flow` kept in its own module (the functions take the
flow and use its private helpers), like :mod:`kiosk.flow_timers`.

Check-in::

    attract/identify/service --BookingScanned--> checkin
      identified already (service): CheckIn at once, with the ID number
      not identified: the screen asks for the ID card; a card or card QR leads through
      identify -> reading -> confirm, then back to checkin with the ID number
      (or CheckInWithoutCard: staff check the identity at the counter)
    checkin --CheckInAnswered(ticket)--> ticket (printed, shows the appointment)
    checkin --CheckInAnswered(too early) / CheckInFailed--> stays, says why;
      WalkInInstead --> service (an ordinary ticket; when the centre could not be reached,
      the booking goes with it and the centre checks it in: Session.booking_claim)

On the service screen an identified citizen may also say "I have an appointment"
(``CheckInByCard``): the centre checks in today's booking of that ID number.

Status: a card QR scanned on the status screen looks up that ID; a card put on the
reader there is read (identify) and its ID looked up; ``StatusForMe`` on the service
screen looks up the identified citizen's ID; ``PrintStatus`` prints a slip.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.flow_events import (Back, Cancel, CardPresent, Effect, KeyProvided, PrintTicket, State,
                               StatusQuery)
from kiosk.visit_events import (BookingScanned, CheckIn, CheckInAnswered, CheckInByCard, CheckInFailed,
                                CheckInWithoutCard, PrintStatus, PrintStatusSlip, StatusForMe,
                                StatusPrinted, WalkInInstead)

if TYPE_CHECKING:
    from kiosk.flow import Flow

#: Where a scanned booking code starts a check-in.
BOOKING_STATES = {State.ATTRACT, State.IDENTIFY, State.SERVICE, State.STATUS, State.CHECKIN}


def dispatch(flow: "Flow", event: object) -> list[Effect] | None:
    """The visit's transitions for ``event``; ``None`` when the flow's own table applies."""
    s, sess = flow.state, flow.session
    if isinstance(event, BookingScanned):
        if s not in BOOKING_STATES or sess.checkin_pending or sess.ticket is not None:
            return None
        sess.booking_code = event.code
        sess.checkin = None
        if sess.citizen is not None:
            return _start(flow)
        sess.after_identify = "checkin"
        flow._go(State.CHECKIN)   # the screen asks for the ID card
        return []
    if s == State.CHECKIN:
        return _checkin_state(flow, event)
    if s == State.STATUS:
        return _status_state(flow, event)
    if s == State.SERVICE and isinstance(event, CheckInByCard) and sess.citizen is not None:
        sess.booking_code = ""    # the centre finds today's booking of this ID
        sess.checkin = None
        return _start(flow)
    if s == State.SERVICE and isinstance(event, StatusForMe) and sess.citizen is not None:
        flow._go(State.STATUS)
        return flow._dispatch(StatusQuery(sess.citizen.id_number))
    return None


def _start(flow: "Flow") -> list[Effect]:
    sess = flow.session
    sess.after_identify = ""
    sess.checkin_pending = True
    flow._go(State.CHECKIN)
    flow.status_asked_at = flow.now   # the pending answer's clock (see timer)
    id_number = sess.citizen.id_number if sess.citizen is not None else ""
    return [CheckIn(sess.booking_code, id_number, sess.priority_group, sess.ticket_flags())]


def _checkin_state(flow: "Flow", event: object) -> list[Effect] | None:
    sess = flow.session
    waiting_for_card = not sess.checkin_pending and sess.checkin is None and not flow.error
    if isinstance(event, Cancel) and sess.checkin_pending:
        return []   # the centre may be numbering a ticket right now: it must be shown
    if isinstance(event, CardPresent) and waiting_for_card:
        flow.card_present = True
        flow.card_removed_at = None
        flow._go(State.IDENTIFY)   # asks for the ID number or the card's QR
        return flow._read() if sess.access_key is not None else []
    if isinstance(event, KeyProvided) and waiting_for_card:
        flow._go(State.IDENTIFY)
        return flow._key_provided(event)
    if isinstance(event, CheckInWithoutCard) and waiting_for_card:
        return _start(flow)
    if isinstance(event, CheckInAnswered) and sess.checkin is None:
        # a late answer (after the timer said "no answer") still shows its ticket
        sess.checkin_pending = False
        flow.status_asked_at = None
        sess.checkin = event.outcome
        flow.error = ""
        ticket = event.outcome.ticket
        if ticket is not None:
            sess.ticket = ticket
            flow._go(State.TICKET)
            return [PrintTicket(ticket)]
        return []
    if isinstance(event, CheckInFailed) and sess.checkin_pending:
        sess.checkin_pending = False
        flow.status_asked_at = None
        flow.error = event.code
        sess.booking_waiting = event.code == "checkin_offline"   # it goes with the ticket
        return []
    if isinstance(event, WalkInInstead) and not sess.checkin_pending \
            and flow.error != "identity_mismatch":
        flow._go(State.SERVICE)    # an ordinary ticket; the flags say a booking was not checked in
        return []
    if isinstance(event, Back) and not sess.checkin_pending:
        return flow._wipe()
    return None


def _status_state(flow: "Flow", event: object) -> list[Effect] | None:
    sess = flow.session
    if isinstance(event, KeyProvided) and event.qr_citizen is not None:
        return flow._dispatch(StatusQuery(event.qr_citizen.id_number))   # the card's QR
    if isinstance(event, CardPresent) and flow.status_asked_at is None:
        flow.card_present = True
        sess.after_identify = "status"
        flow._go(State.IDENTIFY)
        return flow._read() if sess.access_key is not None else []
    if isinstance(event, StatusQuery):
        sess.status_printed = ""
        return None
    if isinstance(event, PrintStatus) and sess.status_result is not None \
            and sess.status_result.found and sess.status_printed != "printing":
        sess.status_printed = "printing"
        return [PrintStatusSlip(sess.status_result, sess.language)]
    if isinstance(event, StatusPrinted) and sess.status_printed == "printing":
        sess.status_printed = event.error or "printed"
        return []
    return None


def after(flow: "Flow") -> list[Effect]:
    """After every event: identifying for a check-in or a status ends here, not at the
    service choice (a check-in after the confirmation; a status right after the read)."""
    sess = flow.session
    if sess.after_identify == "checkin" and flow.state == State.SERVICE and sess.citizen is not None:
        return _start(flow)
    if sess.after_identify == "status" and flow.state == State.CONFIRM and sess.citizen is not None:
        sess.after_identify = ""
        flow._go(State.STATUS)
        return flow._dispatch(StatusQuery(sess.citizen.id_number))
    return []


def timer(flow: "Flow") -> list[Effect]:
    """A check-in the centre does not answer within the read timeout: say so (a late
    answer is then ignored; its ticket, if any, is logged as not shown)."""
    sess = flow.session
    if sess.checkin_pending and flow.status_asked_at is not None \
            and flow.now - flow.status_asked_at >= flow.timeouts.read:
        sess.checkin_pending = False
        flow.status_asked_at = None
        flow.error = "checkin_offline"
        sess.booking_waiting = True
        flow._changed()
    return []
