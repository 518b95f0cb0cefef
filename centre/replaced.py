"""Ghost tickets: an online attempt that a kiosk replaced with an offline ticket.

A kiosk sends an online issue under idempotency key K. When the centre makes the ticket
but the answer is lost, the kiosk shows the citizen a number from its offline lease and
later hands that ticket in, naming K as the attempt it ``replaces``. The ticket made under
K is then a *ghost*: a counter would call a number nobody holds, and it counts in
everybody's "people ahead". When the offline ticket is accepted (same transaction):

- the ghost still waits (never called): it is cancelled, with ``replaced_by_offline`` in
  its history and the usual ``ticket.cancel`` event (displays and counters update);
- a counter already called it: it is left as it is, and the log says so;
- the centre has no answer under K yet (the original request is still on its way, e.g.
  held by a slow proxy): a *tombstone* answer is stored under K, so the late request
  gets ``409 replaced_by_offline`` and creates nothing.

The same settling serves an attempt a kiosk *abandoned*: it was killed (``kill -9``, power
cut) before showing the number, and on restart it sends ``POST /api/v1/tickets/void`` naming
the attempt (reason ``attempt_abandoned``; the tombstone answers ``409 attempt_abandoned``).

A booking check-in (``POST /api/v1/appointments/checkin``) is such an attempt too: it makes a
ticket and marks the booking checked in (or lapsed). When the kiosk lost its answer (the
citizen was told the check-in failed) or was killed before showing it, the kiosk voids it;
settling it cancels the waiting ticket as above *and* opens the booking again (``booked``,
no ticket, no check-in time; ``booking.reopened`` event) if it still points at that ticket,
so the citizen can check in again. A called check-in ticket is left, its booking checked in.

Everything here runs inside the caller's write transaction (the centre's write lock is
held), so the look-up of K and the original request cannot interleave.
"""
from __future__ import annotations

import json
import logging
from enum import Enum
from typing import Any

from sqlalchemy import Connection, select, update

from centre.domain.tickets import Action, State, apply
from centre.principals import Principal
from centre.service import Centre
from centre.store import tickets as tq
from centre.store.events import emit
from centre.store.schema import appointment, handover, idempotency, ticket

log = logging.getLogger(__name__)

REASON = "replaced_by_offline"       # an offline ticket stands in for the attempt
ABANDONED = "attempt_abandoned"      # the kiosk died before showing the attempt's number
# Stored as the tombstone's request hash whatever the reason (the body says which): never
# equal to a SHA-256 hex digest, so it is never taken for a real request's; the idempotency
# helper (centre.api.deps) answers every request under its key with the stored 409.
TOMBSTONE_HASH = "tombstone:" + REASON
TOMBSTONE_DETAIL = {
    REASON: "this ticket request was replaced by a ticket the kiosk issued offline; no ticket was made",
    ABANDONED: "the kiosk abandoned this request (it restarted or lost the answer before showing "
               "a number); no ticket was made and no booking was checked in",
}


class Outcome(str, Enum):
    """What :func:`settle_replaced` did about the replaced attempt."""

    CANCELLED = "cancelled"            # the ghost was waiting: cancelled now
    TOMBSTONED = "tombstoned"          # nothing under the key yet: a late arrival creates nothing
    LEFT_CALLED = "left_called"        # a counter got there first: left as it is
    ALREADY_ENDED = "already_ended"    # cancelled before (a replay) or otherwise ended
    NO_TICKET = "no_ticket"            # the attempt made no ticket (refused, or already a tombstone)


def settle_replaced(conn: Connection, centre: Centre, kiosk: Principal, key: str, now: float,
                    reason: str = REASON) -> Outcome:
    """Deal with the online attempt ``key`` of ``kiosk`` that nobody holds: an offline ticket
    replaces it (``reason`` :data:`REASON`; call inside the write transaction that accepts the
    offline ticket) or the kiosk abandoned it (:data:`ABANDONED`). ``reason`` goes into the
    cancelled ghost's history and the tombstone's answer."""
    if reason not in TOMBSTONE_DETAIL:
        raise ValueError(f"unknown reason {reason!r}")
    row = conn.execute(select(idempotency.c.status, idempotency.c.body, idempotency.c.request_hash).where(
        idempotency.c.token_id == kiosk.token_id, idempotency.c.key == key)).first()
    if row is None:
        conn.execute(idempotency.insert().values(
            token_id=kiosk.token_id, key=key, request_hash=TOMBSTONE_HASH, status=409,
            body=json.dumps({"error": reason, "detail": TOMBSTONE_DETAIL[reason]}), created_at=now))
        log.info("an attempt the centre has not seen is settled (%s): tombstone stored", reason)
        return Outcome.TOMBSTONED
    ghost = _ticket_made_by(conn, kiosk, row)
    if ghost is None:
        return Outcome.NO_TICKET
    if ghost.state in (State.CREATED.value, State.WAITING.value) and ghost.calls == 0:
        _cancel(conn, centre, ghost.id, now, reason)
        log.info("ghost ticket %s (id %d) cancelled: %s", ghost.number, ghost.id, reason)
        _reopen_booking(conn, ghost.id, now)
        return Outcome.CANCELLED
    if ghost.state == State.CANCELLED.value:
        if ghost.calls == 0:   # cancelled before anybody called it (a replay, or a counter's cancel)
            _reopen_booking(conn, ghost.id, now)
        return Outcome.ALREADY_ENDED
    log.warning("ghost ticket %s (id %d) is %s (called %d time(s)): left as it is (%s); nobody holds "
                "its number", ghost.number, ghost.id, ghost.state, ghost.calls, reason)
    return Outcome.ALREADY_ENDED if ghost.ended_at is not None else Outcome.LEFT_CALLED


def _ticket_made_by(conn: Connection, kiosk: Principal, record: Any) -> Any:
    """The online ticket an issue answer (201 with a ticket) or a check-in answer (200 with
    the arrival ``rule`` and a nested ``ticket``) names, if it is this kiosk's."""
    if record.request_hash == TOMBSTONE_HASH or record.status not in (200, 201):
        return None   # refused or a tombstone
    body = json.loads(record.body)
    if not isinstance(body, dict):
        return None
    if record.status == 200:   # other 200 answers (print outcome, handover, void) made no ticket
        if "rule" not in body or not isinstance(body.get("ticket"), dict):
            return None        # not a check-in, or one too early for a ticket
        body = body["ticket"]
    if not isinstance(body.get("id"), int):
        return None
    found = conn.execute(select(ticket).where(ticket.c.id == body["id"])).first()
    if found is None or found.kiosk != kiosk.name or found.offline:
        return None   # only an online ticket this kiosk made can be its replaced attempt
    return found


def _reopen_booking(conn: Connection, tid: int, now: float) -> None:
    """A booking checked in (or lapsed) with the cancelled ticket ``tid`` is ``booked`` again:
    the citizen never saw that ticket and checks in anew. A booking that moved on (checked in
    again with another ticket) does not point at ``tid`` and is left alone."""
    found = conn.execute(select(appointment.c.id).where(
        appointment.c.ticket_id == tid, appointment.c.state.in_(("checked_in", "lapsed")))).first()
    if found is None:
        return   # a walk-in ticket, or the booking moved on
    conn.execute(update(appointment).where(appointment.c.id == found.id).values(
        state="booked", ticket_id=None, checked_in_at=None))
    # the booking's row id only: its code and the citizen's ID stay out of events and logs
    emit(conn, "booking.reopened", {"booking": found.id, "ticket_id": tid}, now)
    log.info("booking (id %d) of cancelled ticket id %d is open again", found.id, tid)


def _cancel(conn: Connection, centre: Centre, tid: int, now: float, reason: str) -> None:
    """Cancel by the domain's transition rules, with the reason in the history and the
    event a counter's cancel emits (no counter: the system did it)."""
    current = tq.get(conn, tid)
    target = apply(State(current.state), Action.CANCEL)
    tq.set_fields(conn, tid, state=target.value, ended_at=now)
    conn.execute(update(handover).where(handover.c.ticket_id == tid)
                 .values(purge_after=now + centre.settings.handover_retention_s))
    tq.add_history(conn, tid, target, now, Action.CANCEL, None, reason)
    emit(conn, f"ticket.{Action.CANCEL.value}", {"ticket": centre.ticket_view(tq.get(conn, tid))}, now)
