"""The centre's operations: thin functions over the domain, each one transaction.

Every write takes the centre's write lock first (see :mod:`centre.store.events`), runs
the domain rules, records the change with its history and an event, and commits; the
notifier then wakes the event streams of this process (PostgreSQL's NOTIFY wakes the
others). Times come from an injectable clock.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Connection, select, update

from centre.domain import ordering
from centre.domain.errors import Conflict, Forbidden, Invalid, NotFound
from centre.domain.numbering import local_day
from centre.domain.tickets import OPEN_STATES, Action, State, apply, check_no_show
from centre.domain.waits import estimate_wait
from centre.principals import CounterSession, Principal
from centre.security import Sealer, load_key
from centre.settings import CentreSettings
from centre.store import tickets as tq
from centre.store.batch import WriteBatcher
from centre.store.db import Database
from centre.store.events import emit, lock_centre
from centre.store.schema import counter_session, handover, idempotency, rating, service, ticket

WAIT_INPUTS_TTL_S = 5.0


class Centre:
    """The centre service (storage, rules, events) independent of HTTP."""

    def __init__(self, settings: CentreSettings, db: Database | None = None, *,
                 clock: Callable[[], float] = time.time,
                 on_commit: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.db_url)
        self.clock = clock
        self.sealer = Sealer(load_key(settings.handover_key, settings.data_dir))
        self._on_commit = on_commit or (lambda: None)
        self._wait_inputs: dict[str, tuple[float, list[float], int]] = {}
        # set by the HTTP app while it runs: the API's writes go through it (group commit)
        self.batcher: WriteBatcher | None = None

    # -- set-up ---------------------------------------------------------------
    def start(self) -> None:
        """Migrate the schema and sync the configured services."""
        self.db.migrate()
        with self.db.write() as conn:
            lock_centre(conn)
            have = {r.code for r in conn.execute(select(service.c.code))}
            for s in self.settings.services:
                if s.code in have:
                    conn.execute(update(service).where(service.c.code == s.code)
                                 .values(prefix=s.prefix, vi=s.vi, en=s.en))
                else:
                    conn.execute(service.insert().values(code=s.code, prefix=s.prefix, vi=s.vi, en=s.en,
                                                         walk_ins_since_priority=0))

    def notify(self) -> None:
        self._on_commit()

    def set_notifier(self, fn: Callable[[], None]) -> None:
        self._on_commit = fn

    def day_of(self, at: float) -> str:
        return local_day(at, self.settings.tz).isoformat()

    def iso(self, at: float | None) -> str | None:
        return None if at is None else datetime.fromtimestamp(at, self.settings.tz).isoformat(timespec="seconds")

    # -- ticket views ---------------------------------------------------------
    def ticket_view(self, row: Any) -> dict[str, Any]:
        """A ticket as the API and the event log show it (no personal data)."""
        return {
            "id": row.id, "number": row.number, "service": row.service_code, "day": row.day,
            "priority_group": row.priority_group, "priority": bool(row.priority_group),
            "appointment": row.appointment_id is not None, "state": row.state,
            "issued_at": self.iso(row.issued_at), "kiosk": row.kiosk, "offline": bool(row.offline),
            "counter": row.counter, "target_counter": row.target_counter, "calls": row.calls,
            "print_state": row.print_state, "flags": [f for f in row.flags.split(" ") if f],
        }

    def _emit_ticket(self, conn: Connection, kind: str, tid: int | Any, now: float) -> dict[str, Any]:
        """Emit a ticket event; ``tid`` is the ticket's id (read back) or the row itself."""
        view = self.ticket_view(tq.get(conn, tid) if isinstance(tid, int) else tid)
        emit(conn, kind, {"ticket": view}, now)
        return view

    def wait_for(self, conn: Connection, service_code: str, ahead: int, now: float) -> dict[str, int] | None:
        # the samples and open counters change slowly: read them at most every few seconds
        cached = self._wait_inputs.get(service_code)
        if cached is None or now - cached[0] > WAIT_INPUTS_TTL_S or now < cached[0]:
            cached = (now, tq.recent_service_times(conn, service_code, since=now - 3 * 3600),
                      self.counters_serving(conn, service_code))
            self._wait_inputs[service_code] = cached
        _, samples, counters = cached
        est = estimate_wait(ahead, samples, counters)
        return None if est is None else {"low_min": est.low_min, "high_min": est.high_min}

    def counters_serving(self, conn: Connection, service_code: str) -> int:
        rows = conn.execute(select(counter_session.c.services).where(counter_session.c.ended_at.is_(None)))
        return sum(1 for r in rows if service_code in r.services.split(" "))

    def _with_position(self, conn: Connection, view: dict[str, Any], now: float, *,
                       newest: bool = False) -> dict[str, Any]:
        since = tq.walk_in_counts(conn) if self.settings.ordering.policy is ordering.Policy.INTERLEAVE else {}
        if newest:   # a walk-in issued just now: counts are enough (no need to load the queue)
            counts = tq.waiting_counts(conn, view["service"], now)
            mine = 1 if not view["priority"] else 0
            counts = ordering.WaitingCounts(counts.first, counts.priority - (1 - mine),
                                            counts.normal - mine)
            ahead = ordering.ahead_of_new(counts, priority=view["priority"], rule=self.settings.ordering,
                                          walk_ins_since_priority=since.get(view["service"], 0))
        else:
            entries = tq.waiting_entries(conn, [view["service"]])
            ahead = ordering.people_ahead(entries, view["id"], service=view["service"], now=now,
                                          rule=self.settings.ordering, walk_ins_since_priority=since)
        return {**view, "people_ahead": ahead, "wait": self.wait_for(conn, view["service"], ahead, now)}

    # -- issuing --------------------------------------------------------------
    def _service(self, code: str) -> Any:
        svc = self.settings.service(code)
        if svc is None:
            raise Invalid(f"unknown service {code!r}", code="unknown_service")
        return svc

    def _priority(self, group: str) -> str:
        if group and group not in self.settings.priority_groups:
            raise Invalid(f"unknown priority group {group!r}", code="unknown_priority_group")
        return group

    def issue(self, conn: Connection, kiosk: Principal, service_code: str, priority_group: str = "",
              flags: list[str] | None = None, *, appointment_id: int | None = None,
              appointment_at: float | None = None) -> dict[str, Any]:
        """A new ticket numbered by the centre (call inside a write transaction)."""
        svc = self._service(service_code)
        group = self._priority(priority_group)
        now = self.clock()
        day = self.day_of(now)
        seq = tq.next_online_seq(conn, day, svc.prefix, self.settings.offline_base)
        row = tq.create(conn, day=day, prefix=svc.prefix, seq=seq, service_code=svc.code,
                        priority_group=group, issued_at=now, kiosk=kiosk.name, offline=False,
                        client_ref="", flags=_flags(flags), now=now, appointment_id=appointment_id,
                        appointment_at=appointment_at)
        view = self._emit_ticket(conn, "ticket.issued", row, now)
        return self._with_position(conn, view, now, newest=appointment_id is None)

    def issue_offline(self, conn: Connection, kiosk: Principal, service_code: str, seq: int,
                      issued_at: float, priority_group: str = "", flags: list[str] | None = None,
                      client_ref: str = "", *, appointment_id: int | None = None,
                      appointment_at: float | None = None) -> tuple[dict[str, Any], bool]:
        """A ticket the kiosk numbered from its lease while offline; accepted exactly once
        and queued at its original issue time (an appointment's from its slot on). Returns
        (ticket, created)."""
        svc = self._service(service_code)
        group = self._priority(priority_group)
        now = self.clock()
        if issued_at > now + 300:
            raise Invalid("issued_at is in the future", code="issued_in_future")
        day = self.day_of(issued_at)
        mine = [r for r in tq.leases(conn, day, svc.prefix, kiosk.name) if r.lo <= seq <= r.hi]
        if not mine:
            raise Conflict(f"number {svc.prefix}{seq:03d} of {day} is not in a range leased to this kiosk",
                           code="not_leased")
        existing = tq.find_seq(conn, day, svc.prefix, seq)
        if existing is not None:
            if existing.kiosk == kiosk.name and existing.client_ref == client_ref:
                return self._with_position(conn, self.ticket_view(existing), now), False
            raise Conflict(f"number {existing.number} of {day} was already used", code="number_taken")
        row = tq.create(conn, day=day, prefix=svc.prefix, seq=seq, service_code=svc.code,
                        priority_group=group, issued_at=issued_at, kiosk=kiosk.name, offline=True,
                        client_ref=client_ref, flags=_flags(flags), now=now, appointment_id=appointment_id,
                        appointment_at=appointment_at)
        view = self._emit_ticket(conn, "ticket.issued", row, now)
        return self._with_position(conn, view, now), True

    def lease(self, conn: Connection, kiosk: Principal, day: str, prefixes: list[str], *,
              extra: bool = False) -> list[dict[str, Any]]:
        """The kiosk's offline blocks for ``day``: a new block per prefix when it has none
        yet (or when ``extra``: it has used up what it has)."""
        known = {s.prefix for s in self.settings.services}
        bad = [p for p in prefixes if p not in known]
        if bad:
            raise Invalid(f"unknown prefix(es) {', '.join(bad)}", code="unknown_prefix")
        now = self.clock()
        out = []
        for prefix in prefixes or sorted(known):
            have = tq.leases(conn, day, prefix, kiosk.name)
            if not have or extra:
                tq.lease_block(conn, day, prefix, kiosk.name, self.settings.offline_block,
                               self.settings.offline_base, now)
                emit(conn, "lease.granted", {"kiosk": kiosk.name, "day": day, "prefix": prefix}, now)
            out += [{"day": day, "prefix": prefix, "lo": r.lo, "hi": r.hi}
                    for r in tq.leases(conn, day, prefix, kiosk.name)]
        return out

    def record_print(self, conn: Connection, kiosk: Principal, ticket_id: int, ok: bool, error: str) -> dict[str, Any]:
        row = tq.get(conn, ticket_id)
        if row.kiosk != kiosk.name:
            raise Forbidden("only the kiosk that issued a ticket records its print outcome")
        tq.set_fields(conn, ticket_id, print_state="printed" if ok else f"failed:{error or 'unknown'}"[:40])
        return self.ticket_view(tq.get(conn, ticket_id))

    # -- counter actions --------------------------------------------------------
    def _bound(self, row: Any, session: CounterSession) -> None:
        if row.counter != session.counter:
            raise Forbidden(f"ticket {row.number} is handled by another counter", code="other_counter")

    def _change(self, conn: Connection, session: CounterSession, tid: int, action: Action,
                **fields: Any) -> dict[str, Any]:
        now = self.clock()
        detail = str(fields.pop("_detail", ""))
        row = tq.get(conn, tid)
        target = apply(State(row.state), action)
        values: dict[str, Any] = {"state": target.value, **fields}
        if action in (Action.CALL, Action.RECALL, Action.RESUME):
            values.update(counter=session.counter, calls=row.calls + 1, called_at=now,
                          target_counter=None)
            if row.first_called_at is None:
                values["first_called_at"] = now
        if action is Action.START:
            values["serving_at"] = now
        if target in (State.DONE, State.NO_SHOW, State.CANCELLED):
            values["ended_at"] = now
            conn.execute(update(handover).where(handover.c.ticket_id == tid)
                         .values(purge_after=now + self.settings.handover_retention_s))
        tq.set_fields(conn, tid, **values)
        tq.add_history(conn, tid, target, now, action, session.counter, detail)
        return self._emit_ticket(conn, f"ticket.{action.value}", tid, now)

    def call_next(self, conn: Connection, session: CounterSession) -> dict[str, Any]:
        self._no_open_call(conn, session)
        entries = tq.call_candidates(conn, list(session.services), session.counter)
        entry = ordering.next_entry(entries, counter=session.counter, services=session.services,
                                    now=self.clock(), rule=self.settings.ordering,
                                    walk_ins_since_priority=tq.walk_in_counts(conn))
        if entry is None:
            raise NotFound("nobody is waiting for the services of this counter", code="queue_empty")
        tq.bump_walk_ins(conn, entry.service, entry.priority)
        return self._change(conn, session, entry.ticket_id, Action.CALL)

    def _no_open_call(self, conn: Connection, session: CounterSession) -> None:
        busy = conn.execute(select(ticket.c.number).where(
            ticket.c.counter == session.counter,
            ticket.c.state.in_([State.CALLED.value, State.SERVING.value]))).first()
        if busy is not None:
            raise Conflict(f"this counter is still handling {busy.number}: finish, hold or transfer it first",
                           code="counter_busy")

    def call_ticket(self, conn: Connection, session: CounterSession, tid: int) -> dict[str, Any]:
        row = tq.get(conn, tid)
        if row.service_code not in session.services:
            raise Forbidden(f"this counter does not serve {row.service_code}", code="service_not_served")
        self._no_open_call(conn, session)
        if row.state == State.WAITING.value:
            tq.bump_walk_ins(conn, row.service_code, bool(row.priority_group))
        return self._change(conn, session, tid, Action.CALL)

    def act(self, conn: Connection, session: CounterSession, tid: int, action: Action) -> dict[str, Any]:
        """Recall, start, hold, resume, no-show, finish or cancel a ticket of this counter."""
        row = tq.get(conn, tid)
        self._bound(row, session)
        if action is Action.NO_SHOW:
            apply(State(row.state), action)
            check_no_show(row.calls, self.settings.no_show_after_calls)
        if action is Action.RESUME:
            self._no_open_call(conn, session)
        return self._change(conn, session, tid, action)

    def transfer(self, conn: Connection, session: CounterSession, tid: int, *,
                 to_service: str | None, to_counter: int | None) -> dict[str, Any]:
        row = tq.get(conn, tid)
        if row.state != State.WAITING.value:
            self._bound(row, session)
        if to_service is None and to_counter is None:
            raise Invalid("say which service or counter to transfer to", code="no_target")
        svc = self._service(to_service or row.service_code)
        if to_counter is not None and not any(c.number == to_counter for c in self.settings.counters):
            raise Invalid(f"no counter {to_counter}", code="unknown_counter")
        now = self.clock()
        detail = f"to {svc.code}" + (f" counter {to_counter}" if to_counter is not None else "")
        self._change(conn, session, tid, Action.TRANSFER, _detail=detail)
        tq.set_fields(conn, tid, service_code=svc.code, target_counter=to_counter,
                      state=State.WAITING.value, counter=None)
        tq.add_history(conn, tid, State.WAITING, now, Action.QUEUE, session.counter, detail)
        return self._emit_ticket(conn, "ticket.queued", tid, now)

    def rate(self, conn: Connection, session: CounterSession, tid: int, score: int, reasons: list[str]) -> None:
        row = tq.get(conn, tid)
        self._bound(row, session)
        if row.state not in (State.SERVING.value, State.DONE.value):
            raise Conflict("a rating follows service", code="not_served")
        if conn.execute(select(rating.c.ticket_id).where(rating.c.ticket_id == tid)).first():
            raise Conflict(f"ticket {row.number} is already rated", code="already_rated")
        conn.execute(rating.insert().values(ticket_id=tid, score=score, reasons=" ".join(reasons),
                                            counter=session.counter, at=self.clock()))
        emit(conn, "ticket.rated", {"ticket": {"id": tid, "number": row.number}, "score": score}, self.clock())

    # -- handover -------------------------------------------------------------
    def put_handover(self, conn: Connection, kiosk: Principal, tid: int, payload: bytes) -> None:
        row = tq.get(conn, tid)
        if row.kiosk != kiosk.name:
            raise Forbidden("only the kiosk that issued a ticket attaches its handover")
        if row.state not in {s.value for s in OPEN_STATES}:
            raise Conflict(f"ticket {row.number} has ended", code="ticket_ended")
        blob = self.sealer.seal(payload, tid)
        now = self.clock()
        if conn.execute(select(handover.c.ticket_id).where(handover.c.ticket_id == tid)).first():
            conn.execute(update(handover).where(handover.c.ticket_id == tid).values(blob=blob, stored_at=now))
        else:
            conn.execute(handover.insert().values(ticket_id=tid, blob=blob, stored_at=now, purge_after=None))
        emit(conn, "handover.attached", {"ticket": {"id": tid, "number": row.number}}, now)

    def get_handover(self, conn: Connection, session: CounterSession, tid: int) -> bytes:
        row = tq.get(conn, tid)
        if row.counter != session.counter or row.state not in (
                State.CALLED.value, State.SERVING.value, State.HELD.value):
            raise Forbidden("the handover is shown only to the counter that has called this ticket",
                            code="not_called_here")
        found = conn.execute(select(handover.c.blob).where(handover.c.ticket_id == tid)).first()
        if found is None:
            raise NotFound(f"no handover for ticket {row.number}", code="no_handover")
        return self.sealer.open(found.blob, tid)

    def purge_handovers(self) -> int:
        """Delete handovers whose ticket ended more than the retention ago; returns how many."""
        now = self.clock()
        with self.db.write() as conn:
            n = conn.execute(handover.delete().where(handover.c.purge_after.is_not(None),
                                                     handover.c.purge_after <= now)).rowcount
        return int(n or 0)

    def purge_answers(self) -> int:
        """Forget the stored first answers (and tombstones) of writes older than
        ``idempotency_retention_s``: no kiosk retries that late. Returns how many."""
        cutoff = self.clock() - self.settings.idempotency_retention_s
        with self.db.write() as conn:
            n = conn.execute(idempotency.delete().where(idempotency.c.created_at < cutoff)).rowcount
        return int(n or 0)


def _flags(flags: list[str] | None) -> str:
    out = " ".join(f for f in (flags or []) if f)
    if len(out) > 400:
        raise Invalid("too many ticket flags", code="flags_too_long")
    return out
