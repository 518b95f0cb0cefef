"""SQL for tickets: numbering, rows, history and the waiting queue (inside a write or
read transaction given by the caller)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Float, String, and_, bindparam, case, func, insert, literal, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from centre.domain import numbering
from centre.domain.errors import Conflict, NotFound
from centre.domain.ordering import QueueEntry, WaitingCounts
from centre.domain.tickets import Action, State, format_number
from centre.store.schema import day_counter, offline_lease, service, ticket, ticket_history
from centre.store.schema import waiting_count as walk_in_count


# The issue path runs these statements for every ticket: they are built once (with bind
# parameters) so each call only binds values; building a Core statement costs about three
# times as much as executing a built one.
_BUMP_ONLINE = (update(day_counter)
                .where(day_counter.c.day == bindparam("b_day"), day_counter.c.prefix == bindparam("b_prefix"))
                .values(next_online=day_counter.c.next_online + 1)
                .returning(day_counter.c.next_online, day_counter.c.next_offline))
_COUNTER = select(day_counter.c.next_online, day_counter.c.next_offline).where(
    day_counter.c.day == bindparam("b_day"), day_counter.c.prefix == bindparam("b_prefix"))
_SAVE_COUNTER = (update(day_counter)
                 .where(day_counter.c.day == bindparam("b_day"), day_counter.c.prefix == bindparam("b_prefix"))
                 .values(next_online=bindparam("b_online"), next_offline=bindparam("b_offline")))
_INSERT_TICKET = insert(ticket).returning(ticket.c.id)
_INSERT_HISTORY = insert(ticket_history)
_NEW_COLUMNS = ("day", "prefix", "seq", "number", "service_code", "priority_group", "state", "issued_at", "kiosk",
                "offline", "client_ref", "flags", "calls", "print_state", "appointment_id", "appointment_at")
_HISTORY_COLUMNS = ["ticket_id", "state", "action", "at", "counter", "detail"]
# PostgreSQL: the ticket and its two history rows (created, then queued) in one statement,
# one round trip instead of two. The queued row is made from the created row's RETURNING,
# so it is inserted after it (history is read in id order).
_NEW_TICKET = insert(ticket).values({c: bindparam(c, type_=ticket.c[c].type) for c in _NEW_COLUMNS}) \
    .returning(ticket.c.id).cte("new_ticket")
_CREATED = insert(ticket_history).from_select(_HISTORY_COLUMNS, select(
    _NEW_TICKET.c.id, literal(State.CREATED.value, String), null(), bindparam("h_issued_at", type_=Float), null(),
    bindparam("h_detail", type_=String))).returning(ticket_history.c.ticket_id).cte("created")
_CREATE_PG = insert(ticket_history).from_select(_HISTORY_COLUMNS, select(
    _CREATED.c.ticket_id, literal(State.WAITING.value, String), literal(Action.QUEUE.value, String),
    bindparam("h_now", type_=Float), null(), literal("", String))).returning(ticket_history.c.ticket_id)
_GET = select(ticket).where(ticket.c.id == bindparam("b_id"))


def _ensure_counter(conn: Connection, day: str, prefix: str, offline_base: int) -> None:
    ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(day_counter)
    conn.execute(ins.values(day=day, prefix=prefix, next_online=1, next_offline=offline_base)
                 .on_conflict_do_nothing(index_elements=["day", "prefix"]))


def _upsert_counter(conn: Connection, day: str, prefix: str, offline_base: int) -> numbering.Cursors:
    _ensure_counter(conn, day, prefix, offline_base)
    row = conn.execute(_COUNTER, {"b_day": day, "b_prefix": prefix}).one()
    return numbering.Cursors(row.next_online, row.next_offline)


def _save_counter(conn: Connection, day: str, prefix: str, c: numbering.Cursors) -> None:
    conn.execute(_SAVE_COUNTER, {"b_day": day, "b_prefix": prefix, "b_online": c.next_online,
                                 "b_offline": c.next_offline})


def leases(conn: Connection, day: str, prefix: str, kiosk: str | None = None) -> list[Any]:
    q = select(offline_lease).where(offline_lease.c.day == day, offline_lease.c.prefix == prefix)
    if kiosk is not None:
        q = q.where(offline_lease.c.kiosk == kiosk)
    return list(conn.execute(q.order_by(offline_lease.c.lo)))


def next_online_seq(conn: Connection, day: str, prefix: str, offline_base: int) -> int:
    """The next online number of (day, prefix). One UPDATE … RETURNING in the common case;
    the leased blocks are read only when the cursor is where a block may be."""
    args = {"b_day": day, "b_prefix": prefix}
    row = conn.execute(_BUMP_ONLINE, args).first()
    if row is None:   # the day's first ticket of this prefix
        _ensure_counter(conn, day, prefix, offline_base)
        row = conn.execute(_BUMP_ONLINE, args).one()
    before = numbering.Cursors(row.next_online - 1, row.next_offline)
    if not numbering.may_hit_block(before, offline_base):
        return before.next_online
    blocks = [numbering.Block(r.lo, r.hi) for r in leases(conn, day, prefix)]
    seq, cursors = numbering.allocate_online(before, blocks)
    if cursors.next_online != row.next_online:
        _save_counter(conn, day, prefix, cursors)
    return seq


def lease_block(conn: Connection, day: str, prefix: str, kiosk: str, size: int, offline_base: int,
                at: float) -> numbering.Block:
    cursors = _upsert_counter(conn, day, prefix, offline_base)
    block, cursors = numbering.allocate_block(cursors, size)
    _save_counter(conn, day, prefix, cursors)
    conn.execute(insert(offline_lease).values(day=day, prefix=prefix, kiosk=kiosk, lo=block.lo,
                                              hi=block.hi, leased_at=at))
    return block


def add_history(conn: Connection, ticket_id: int, state: State, at: float, action: Action | None = None,
                counter: int | None = None, detail: str = "") -> None:
    conn.execute(insert(ticket_history).values(
        ticket_id=ticket_id, state=state.value, action=action.value if action else None, at=at,
        counter=counter, detail=detail))


def create(conn: Connection, *, day: str, prefix: str, seq: int, service_code: str, priority_group: str,
           issued_at: float, kiosk: str, offline: bool, client_ref: str, flags: str, now: float,
           appointment_id: int | None = None, appointment_at: float | None = None) -> TicketRow:
    """Insert a ticket as created and queue it (waiting); returns the row as stored."""
    values = dict(day=day, prefix=prefix, seq=seq, number=format_number(prefix, seq), service_code=service_code,
                  priority_group=priority_group, state=State.WAITING.value, issued_at=issued_at, kiosk=kiosk,
                  offline=offline, client_ref=client_ref, flags=flags, calls=0, print_state="pending",
                  appointment_id=appointment_id, appointment_at=appointment_at)
    if conn.dialect.name == "postgresql":
        tid = int(conn.execute(_CREATE_PG, {**values, "h_issued_at": issued_at, "h_now": now,
                                            "h_detail": "offline" if offline else ""}).scalar_one())
        return TicketRow(id=tid, counter=None, target_counter=None, **values)
    tid = int(conn.execute(_INSERT_TICKET, values).scalar_one())
    conn.execute(_INSERT_HISTORY, [
        {"ticket_id": tid, "state": State.CREATED.value, "action": None, "at": issued_at, "counter": None,
         "detail": "offline" if offline else ""},
        {"ticket_id": tid, "state": State.WAITING.value, "action": Action.QUEUE.value, "at": now,
         "counter": None, "detail": ""}])
    return TicketRow(id=tid, counter=None, target_counter=None, **values)


class TicketRow(SimpleNamespace):
    """A ticket row built from the values just inserted (no read back)."""


def get(conn: Connection, ticket_id: int) -> Any:
    row = conn.execute(_GET, {"b_id": ticket_id}).first()
    if row is None:
        raise NotFound(f"no ticket {ticket_id}")
    return row


def find_by_number(conn: Connection, day: str, number: str) -> Any:
    return conn.execute(select(ticket).where(ticket.c.day == day, ticket.c.number == number)).first()


def find_seq(conn: Connection, day: str, prefix: str, seq: int) -> Any:
    return conn.execute(select(ticket).where(ticket.c.day == day, ticket.c.prefix == prefix,
                                             ticket.c.seq == seq)).first()


def set_fields(conn: Connection, ticket_id: int, **values: Any) -> None:
    conn.execute(update(ticket).where(ticket.c.id == ticket_id).values(**values))


def waiting_entries(conn: Connection, services: list[str] | None = None) -> list[QueueEntry]:
    q = select(ticket.c.id, ticket.c.service_code, ticket.c.issued_at, ticket.c.priority_group,
               ticket.c.appointment_at, ticket.c.target_counter).where(ticket.c.state == State.WAITING.value)
    if services is not None:
        q = q.where(ticket.c.service_code.in_(services))
    return [QueueEntry(r.id, r.service_code, r.issued_at, bool(r.priority_group), r.appointment_at,
                       r.target_counter) for r in conn.execute(q)]


_ENTRY_COLUMNS = (ticket.c.id, ticket.c.service_code, ticket.c.issued_at, ticket.c.priority_group,
                  ticket.c.appointment_at, ticket.c.target_counter)
_OLDEST_WALK_IN = {
    flag: select(*_ENTRY_COLUMNS).where(
        ticket.c.service_code == bindparam("b_service"), ticket.c.state == State.WAITING.value,
        ticket.c.target_counter.is_(None), ticket.c.appointment_at.is_(None),
        (ticket.c.priority_group != "") if flag else (ticket.c.priority_group == ""),
    ).order_by(ticket.c.issued_at, ticket.c.id).limit(1)
    for flag in (True, False)}
_SPECIAL = select(*_ENTRY_COLUMNS).where(
    ticket.c.state == State.WAITING.value, ticket.c.service_code.in_(bindparam("b_services", expanding=True)),
    ((ticket.c.target_counter == bindparam("b_counter")) | ticket.c.appointment_at.is_not(None)))


def _entry(r: Any) -> QueueEntry:
    return QueueEntry(r.id, r.service_code, r.issued_at, bool(r.priority_group), r.appointment_at,
                      r.target_counter)


def call_candidates(conn: Connection, services: list[str], counter: int) -> list[QueueEntry]:
    """The waiting tickets that can be next at ``counter``: every ticket sent to it and
    every booking (few), and the oldest priority and oldest ordinary walk-in of each
    service. :func:`centre.domain.ordering.next_entry` over these picks the same ticket as
    over the whole queue (each group is called oldest first), without loading the queue."""
    out = [_entry(r) for r in conn.execute(_SPECIAL, {"b_services": list(services), "b_counter": counter})]
    counts = {(r.service_code, bool(r.priority)): r.n for r in conn.execute(
        select(walk_in_count.c.service_code, walk_in_count.c.priority, walk_in_count.c.n)
        .where(walk_in_count.c.service_code.in_(list(services))))}
    for code in services:
        for flag in (True, False):
            if counts.get((code, flag), 0) > 0:    # none waiting: no scan for one
                out += [_entry(r) for r in conn.execute(_OLDEST_WALK_IN[flag], {"b_service": code})]
    return out


def walk_in_counts(conn: Connection) -> dict[str, int]:
    return {r.code: r.walk_ins_since_priority
            for r in conn.execute(select(service.c.code, service.c.walk_ins_since_priority))}


def bump_walk_ins(conn: Connection, service_code: str, priority: bool) -> None:
    value = 0 if priority else service.c.walk_ins_since_priority + 1
    conn.execute(update(service).where(service.c.code == service_code)
                 .values(walk_ins_since_priority=value))


def recent_service_times(conn: Connection, service_code: str, since: float, limit: int = 30) -> list[float]:
    rows = conn.execute(
        select(ticket.c.ended_at - ticket.c.serving_at)
        .where(ticket.c.service_code == service_code, ticket.c.state == State.DONE.value,
               ticket.c.ended_at >= since, ticket.c.serving_at.is_not(None))
        .order_by(ticket.c.ended_at.desc()).limit(limit))
    return [float(r[0]) for r in rows if r[0] is not None and r[0] >= 0]



def history(conn: Connection, ticket_id: int) -> list[Any]:
    return list(conn.execute(select(ticket_history).where(ticket_history.c.ticket_id == ticket_id)
                             .order_by(ticket_history.c.id)))


def ensure_unique_free(conn: Connection, day: str, prefix: str, seq: int) -> None:
    if find_seq(conn, day, prefix, seq) is not None:
        raise Conflict(f"number {format_number(prefix, seq)} of {day} is already taken", code="number_taken")


_DUE_BOOKINGS = select(func.count()).select_from(ticket).where(
    ticket.c.service_code == bindparam("b_service"), ticket.c.state == State.WAITING.value,
    ticket.c.appointment_at <= bindparam("b_now"), ticket.c.target_counter.is_(None)).scalar_subquery()


def _walk_ins(priority: bool) -> Any:
    return func.coalesce(select(walk_in_count.c.n).where(
        walk_in_count.c.service_code == bindparam("b_service"),
        walk_in_count.c.priority.is_(priority)).scalar_subquery(), 0)


# the three numbers in one statement (one round trip)
_WAITING_COUNTS = select(_DUE_BOOKINGS, _walk_ins(True), _walk_ins(False))


def waiting_counts(conn: Connection, service_code: str, now: float) -> WaitingCounts:
    """What a ticket issued now queues behind: bookings whose slot has come (counted through
    their index; early bookings, whose turn comes at their slot, are behind it) and the
    walk-ins waiting, from the counts the triggers keep (no scan of the queue)."""
    due, priority, normal = conn.execute(_WAITING_COUNTS, {"b_service": service_code, "b_now": now}).one()
    return WaitingCounts(int(due), int(priority), int(normal))


def waiting_counts_scanned(conn: Connection, service_code: str, now: float) -> WaitingCounts:
    """The same counts by a scan of the queue: the check of what the triggers keep."""
    appt = ticket.c.appointment_at
    row = conn.execute(select(
        func.coalesce(func.sum(case((and_(appt.is_not(None), appt <= now), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(appt.is_(None), ticket.c.priority_group != ""), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(appt.is_(None), ticket.c.priority_group == ""), 1), else_=0)), 0),
    ).where(ticket.c.state == State.WAITING.value, ticket.c.service_code == service_code,
            ticket.c.target_counter.is_(None))).one()
    return WaitingCounts(int(row[0]), int(row[1]), int(row[2]))
