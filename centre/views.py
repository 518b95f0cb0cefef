"""Read-only views of the queue: per-service waiting and estimates, the hall display's
state, a counter's figures for the day, the day's ticket list and a ticket's history."""
from __future__ import annotations

from statistics import median
from typing import Any

from sqlalchemy import Connection, select

from centre.domain import ordering
from centre.domain.tickets import State
from centre.service import Centre
from centre.store import tickets as tq
from centre.store.schema import appointment, rating, ticket


def services_view(centre: Centre, conn: Connection) -> list[dict[str, Any]]:
    now = centre.clock()
    entries = tq.waiting_entries(conn)
    out = []
    for s in centre.settings.services:
        mine = [e for e in entries if e.service == s.code and e.target_counter is None]
        waiting = len(mine)
        # the wait of somebody arriving now: everybody waiting is ahead of a new walk-in
        out.append({"code": s.code, "prefix": s.prefix, "vi": s.vi, "en": s.en, "waiting": waiting,
                    "counters": centre.counters_serving(conn, s.code),
                    "wait": centre.wait_for(conn, s.code, waiting, now)})
    return out


def queue_view(centre: Centre, conn: Connection, services: list[str], counter: int | None) -> list[dict[str, Any]]:
    """Waiting tickets of ``services`` in the order ``counter`` would call them."""
    now = centre.clock()
    entries = tq.waiting_entries(conn, services)
    ranked = ordering.order(entries, counter=counter or -1, services=services, now=now,
                            rule=centre.settings.ordering,
                            walk_ins_since_priority=tq.walk_in_counts(conn))
    out = []
    for pos, e in enumerate(ranked):
        row = tq.get(conn, e.ticket_id)
        out.append({**centre.ticket_view(row), "position": pos,
                    "waiting_s": max(0.0, now - e.issued_at),
                    "appointment_at": centre.iso(e.appointment_at)})
    return out


def appointments_due(centre: Centre, conn: Connection, services: list[str], within_s: float = 3600) -> list[dict[str, Any]]:
    now = centre.clock()
    rows = conn.execute(select(appointment).where(appointment.c.service_code.in_(services),
                                                  appointment.c.slot_at <= now + within_s,
                                                  appointment.c.slot_end >= now - 3600)
                        .order_by(appointment.c.slot_at))
    return [{"code_tail": r.code[-4:], "service": r.service_code, "slot_at": centre.iso(r.slot_at),
             "state": r.state} for r in rows]


def display_view(centre: Centre, conn: Connection, recent: int = 8) -> dict[str, Any]:
    day = centre.day_of(centre.clock())
    active = conn.execute(select(ticket).where(ticket.c.day == day, ticket.c.state.in_(
        [State.CALLED.value, State.SERVING.value])).order_by(ticket.c.called_at.desc()))
    by_counter: dict[int, Any] = {}
    for r in active:
        by_counter.setdefault(r.counter, r)
    last = conn.execute(select(ticket).where(ticket.c.day == day, ticket.c.called_at.is_not(None))
                        .order_by(ticket.c.called_at.desc()).limit(recent))
    return {
        "centre": centre.settings.name,
        "counters": [{"counter": c.number, "name": c.name,
                      "ticket": centre.ticket_view(by_counter[c.number]) if c.number in by_counter else None,
                      "called_at": centre.iso(by_counter[c.number].called_at) if c.number in by_counter else None}
                     for c in centre.settings.counters],
        "recent": [{**centre.ticket_view(r), "called_at": centre.iso(r.called_at)} for r in last],
        "services": services_view(centre, conn),
    }


def counter_stats(centre: Centre, conn: Connection, counter: int) -> dict[str, Any]:
    day = centre.day_of(centre.clock())
    rows = list(conn.execute(select(ticket).where(ticket.c.day == day, ticket.c.counter == counter)))
    done = [r for r in rows if r.state == State.DONE.value and r.serving_at is not None]
    scores = [r.score for r in conn.execute(select(rating.c.score).where(rating.c.counter == counter,
                                                                         rating.c.at >= _day_start(centre)))]
    return {"counter": counter, "served": len(done),
            "median_service_s": median([r.ended_at - r.serving_at for r in done]) if done else None,
            "no_shows": sum(1 for r in rows if r.state == State.NO_SHOW.value),
            "ratings": len(scores), "mean_rating": (sum(scores) / len(scores)) if scores else None}


def _day_start(centre: Centre) -> float:
    from datetime import datetime, time as dtime
    now = centre.clock()
    d = datetime.fromtimestamp(now, centre.settings.tz).date()
    return datetime.combine(d, dtime(0), centre.settings.tz).timestamp()


def tickets_of_day(centre: Centre, conn: Connection, day: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(ticket).where(ticket.c.day == day).order_by(ticket.c.issued_at, ticket.c.id))
    return [centre.ticket_view(r) for r in rows]


def ticket_history(centre: Centre, conn: Connection, ticket_id: int) -> dict[str, Any]:
    row = tq.get(conn, ticket_id)
    return {**centre.ticket_view(row),
            "history": [{"state": h.state, "action": h.action, "at": centre.iso(h.at), "counter": h.counter,
                         "detail": h.detail} for h in tq.history(conn, ticket_id)]}


def current_of(centre: Centre, conn: Connection, counter: int) -> dict[str, Any] | None:
    """The ticket this counter is handling (called, serving or held), if any."""
    row = conn.execute(select(ticket).where(ticket.c.counter == counter, ticket.c.state.in_(
        [State.CALLED.value, State.SERVING.value, State.HELD.value])).order_by(ticket.c.called_at.desc())).first()
    return None if row is None else centre.ticket_view(row)
