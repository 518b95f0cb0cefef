"""Kiosk-side work of a visit on the centre: the handover for the counter, the
appointment check-in, and the application-status slip.

The controller calls these: :func:`build_handover` on the UI thread (it reads the
session), the others on a worker thread (they block on the centre or the printer).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hardware.shared_types import TicketJob, VisitHandover
from kiosk.centre_client import CentreRejected, CentreUnreachable
from kiosk.centre_tickets import CHECKIN_MARK
from kiosk.session import Session
from kiosk.ticketing import Ticket
from kiosk.visit_texts import status_lines
from offline_cache.status_cache import StatusResult

log = logging.getLogger(__name__)

SOURCES = {"chip": "card", "qr": "qr"}   # Session.identified_by -> HandoverIn.source


def build_handover(sess: Session) -> VisitHandover | None:
    """What the counter needs so the officer re-types nothing (see :class:`VisitHandover`),
    read from the session; ``None`` for a walk-in who gave nothing."""
    citizen = sess.citizen
    photo = sess.photo
    if citizen is None and photo is None and not sess.corrections and not sess.priority_group:
        return None
    return VisitHandover(
        citizen=citizen, verdict=sess.chip_verdict, passive_auth_summary=sess.passive_auth_summary,
        qr_chip_mismatch=tuple(sess.mismatches), flagged=tuple(sess.corrections),
        corrections=dict(sess.corrected_values),
        portrait_jpeg=bytes(photo.jpeg) if photo is not None and photo.jpeg else b"",
        priority_reason=sess.priority_group, source=SOURCES.get(sess.identified_by, "walk_in"))


def issue_with_handover(issuer: Any, service_code: str, priority_group: str, flags: tuple[str, ...],
                        handover: VisitHandover | None, booking: dict[str, str] | None = None) -> Ticket:
    """Issue a ticket, then queue the handover for it (worker thread). The handover is
    dropped here after it is queued (encrypted in the outbox until the centre has it).
    ``booking``: a booking whose check-in could not reach the centre, sent with the ticket."""
    if booking and hasattr(issuer, "from_centre"):
        ticket = issuer.issue(service_code, priority_group, flags, booking=booking)
    else:
        ticket = issuer.issue(service_code, priority_group, flags)
    attach(issuer, ticket, handover)
    return ticket


def attach(issuer: Any, ticket: Ticket, handover: VisitHandover | None) -> None:
    """Queue ``handover`` for ``ticket`` when the issuer can (the local one cannot); a
    failure to queue never takes the citizen's number away."""
    send = getattr(issuer, "attach_handover", None)
    if handover is None or send is None:
        return
    try:
        send(ticket, handover.to_dict())   # the centre's HandoverIn body
    except Exception as exc:  # the number is issued; the counter asks again instead
        log.error("could not queue the handover: %s", type(exc).__name__)


# -- appointment check-in --------------------------------------------------------------
class CheckInError(Exception):
    """The check-in could not be done; ``code`` is a :mod:`kiosk.messages` key."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


#: The centre's refusal codes the kiosk explains; anything else is "checkin_error".
REFUSALS = ("identity_mismatch", "no_booking", "booking_used", "booking_other_day")
#: Refusals this kiosk's own lost check-in (its void not delivered yet) would also cause.
HELD_BY_A_LOST_CHECK_IN = ("booking_used", "no_booking_today")


@dataclass(frozen=True)
class CheckInOutcome:
    """The centre's answer: ``arrival`` early / on_time / too_early / late; ``ticket``
    None when the citizen is too early (come back from ``come_back_at``)."""

    arrival: str
    checked_in: bool
    slot_at: datetime | None = None
    come_back_at: datetime | None = None
    ticket: Ticket | None = None
    identity_checked: bool = False


def check_in(issuer: Any, code: str, id_number: str, priority_group: str, flags: tuple[str, ...],
             handover: VisitHandover | None = None) -> CheckInOutcome:
    """Check the booking ``code`` in through the centre (worker thread). ``id_number``
    ("" when the citizen did not identify) lets the centre check the identity.

    A ``booking_used`` refusal while this kiosk still holds an undelivered void of a check-in
    may be the citizen's own earlier attempt whose answer was lost (the void waits for the
    drainer's backoff): the voids are delivered at once and the check-in is tried once more under a
    new key; when they cannot be delivered now the citizen is told ``checkin_pending``
    (try again in a minute), not that the booking was used. By card (no code) the same lost
    attempt shows as ``no_booking_today`` (the centre looks for an open booking) and is
    treated alike. Whether such a void is pending is asked before the attempt as well: the
    drainer may deliver it (and the booking open again) between the centre's refusal and the
    question, and the citizen would be told the booking was used when it is free."""
    void_before = hasattr(issuer, "void_pending_for") and issuer.void_pending_for(CHECKIN_MARK)  # local: none
    try:
        return _check_in_once(issuer, code, id_number, priority_group, flags, handover)
    except CheckInError as exc:
        if exc.code not in HELD_BY_A_LOST_CHECK_IN or not (void_before or issuer.void_pending_for(CHECKIN_MARK)):
            raise
    if not issuer.void_pending_now():
        raise CheckInError("checkin_pending")
    return _check_in_once(issuer, code, id_number, priority_group, flags, handover)


def _check_in_once(issuer: Any, code: str, id_number: str, priority_group: str, flags: tuple[str, ...],
                   handover: VisitHandover | None) -> CheckInOutcome:
    """One check-in attempt under a new key.

    Like a ticket issue, the attempt's key is recorded in the outbox store before the request
    leaves (a ``kill -9`` before the answer is shown leaves it, and the next start voids it).
    When the answer is lost the citizen is told the check-in failed, so nobody holds the
    ticket the centre may have made and the booking may be marked used: a ``void_attempt``
    is queued at once, and the centre cancels that ticket and opens the booking again."""
    centre = getattr(issuer, "centre", None)
    if centre is None or not hasattr(issuer, "from_centre"):
        raise CheckInError("checkin_unavailable")   # local numbering: no bookings here
    key = issuer.new_key(CHECKIN_MARK)
    outbox = issuer.outbox
    # Without an ID card the centre cannot check the identity: the counter must.
    sent = tuple(flags) + (() if id_number else ("appointment.identity_unchecked",))
    outbox.begin_attempt(key)   # committed before the request leaves (StoreError: nothing sent)
    try:
        data = centre.check_in(code, id_number, priority_group, list(sent), key)
    except CentreUnreachable:
        issuer.online = False
        outbox.void_attempt(key)   # queued and the record forgotten, in one transaction
        raise CheckInError("checkin_offline") from None
    except CentreRejected as exc:
        outbox.end_attempt(key)    # a refusal: the centre made nothing under the key
        log.info("check-in refused: %s", exc.code)  # the code only, never the booking
        if exc.code == "no_booking" and not code:
            raise CheckInError("no_booking_today") from None   # by card: no booking today
        raise CheckInError(exc.code if exc.code in REFUSALS else "checkin_error") from None
    except Exception:
        outbox.void_attempt(key)   # no telling what the centre made: nobody will hold it
        raise
    issuer.online = True
    try:
        outcome = _answered(issuer, data, key, sent)
    except Exception:
        outbox.void_attempt(key)   # the answer could not be shown (e.g. the local store failed)
        raise
    outbox.end_attempt(key)        # the citizen has the answer (and the number, if any)
    if outcome.ticket is not None:
        # only now: an attempt cut short before this line is voided, and its ticket must not
        # get the citizen's personal data (as for an ordinary ticket, issue_with_handover)
        attach(issuer, outcome.ticket, handover)
    return outcome


def _answered(issuer: Any, data: dict[str, Any], key: str, sent: tuple[str, ...]) -> CheckInOutcome:
    """The centre's check-in answer as the citizen sees it (the ticket logged locally)."""
    rule = data.get("rule") or {}

    def local(iso: str | None) -> datetime | None:
        return datetime.fromisoformat(iso).astimezone(issuer.tz).replace(tzinfo=None) if iso else None

    slot = local(rule.get("slot_at"))
    arrival = str(rule.get("arrival", ""))
    ticket = None
    if data.get("ticket"):
        ticket = issuer.from_centre(data["ticket"], key, sent, appointment=arrival)
        ticket = _with_slot(ticket, slot)
    return CheckInOutcome(arrival, bool(data.get("checked_in")), slot, local(rule.get("come_back_at")),
                          ticket, bool(data.get("identity_checked")))


def _with_slot(ticket: Ticket, slot: datetime | None) -> Ticket:
    from dataclasses import replace
    return replace(ticket, appointment_at=slot)


# -- status slip -------------------------------------------------------------------------
def status_slip_job(result: StatusResult, *, language: str, centre_name: str,
                    now: datetime | None = None) -> TicketJob:
    """The printer job of an application-status slip (see :mod:`hardware.status_slip`).
    ``number`` stays generic: the printer backends name files and logs after it."""
    return TicketJob(number="STATUS", service_code="status", service_vi="Tình trạng hồ sơ",
                     service_en="Application status", language=language, centre_name=centre_name,
                     issued_at=now or datetime.now(), kind="status",
                     lines=status_lines(result, language))


# -- the controller's side (kiosk.controller.KioskController._run) ----------------------
def check_in_event(issuer: Any, code: str, id_number: str, priority_group: str, flags: tuple[str, ...],
                   handover: VisitHandover | None) -> object:
    """:func:`check_in` as the flow event it ends in (a refusal is an answer, not a fault)."""
    from kiosk.visit_events import CheckInAnswered, CheckInFailed
    try:
        return CheckInAnswered(check_in(issuer, code, id_number, priority_group, flags, handover))
    except CheckInError as exc:
        return CheckInFailed(exc.code)


def run_visit_effect(ctl: Any, eff: object) -> bool:
    """Carry out the visit's effects for the controller ``ctl`` (UI thread): issue with the
    handover, check in, print a status slip. ``False``: not one of them."""
    from kiosk import flow_events as fe
    from kiosk.controller import PRINTER_ERROR_CODES, error_code
    from kiosk.visit_events import CheckIn, CheckInFailed, PrintStatusSlip, StatusPrinted

    if isinstance(eff, fe.IssueTicket):
        handover = build_handover(ctl.flow.session)   # read on the UI thread, sent by the worker
        ctl._submit(issue_with_handover, ctl.issuer, eff.service_code, eff.priority_group, eff.flags,
                    handover, ctl.flow.session.booking_claim(), ok=fe.TicketIssued, fail=lambda e: fe.TicketIssueFailed(type(e).__name__))
    elif isinstance(eff, CheckIn):
        handover = build_handover(ctl.flow.session)

        def answered(event: object) -> object:
            if isinstance(event, CheckInFailed) and event.code == "identity_mismatch":
                ctl.dispatcher.post(lambda: ctl.raise_alert("checkin", "identity_mismatch"))
            return event

        ctl._submit(check_in_event, ctl.issuer, eff.code, eff.id_number, eff.priority_group, eff.flags,
                    handover, ok=answered, fail=lambda e: CheckInFailed("checkin_error"))
    elif isinstance(eff, PrintStatusSlip):
        job = status_slip_job(eff.result, language=eff.language, centre_name=ctl.centre_name)
        ctl._submit(ctl.printer.print_ticket, job, ok=lambda _: StatusPrinted(""),
                    fail=lambda e: StatusPrinted(error_code(e, PRINTER_ERROR_CODES, "printer_error")))
    else:
        return False
    return True


def shown_ticket(event: object) -> Ticket | None:
    """The ticket an event would have shown (a late one for a wiped session is logged)."""
    from kiosk.visit_events import CheckInAnswered
    if isinstance(event, CheckInAnswered):
        return event.outcome.ticket
    return getattr(event, "ticket", None) if type(event).__name__ == "TicketIssued" else None
