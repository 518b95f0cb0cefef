"""Which waiting ticket a counter calls next.

The centre's rule, in the order it is applied:

1. Only tickets of the services the counter serves, and not those sent to another
   counter. Tickets sent to *this* counter (transferred here) come first, oldest first.
2. Appointments checked in whose slot has started, by slot time (ahead of walk-ins).
   An appointment checked in early waits like a walk-in who arrived at its slot time.
3. Priority tickets (elderly, disability, …) and walk-ins under the centre's policy:
   ``strict`` — every priority ticket before any walk-in;
   ``interleave`` — one priority ticket after every N walk-ins called for that service
   (a priority ticket is called at once when no walk-in waits).
4. Within a group: by issue time (an offline ticket keeps its original issue time).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping


class Policy(str, Enum):
    STRICT = "strict"
    INTERLEAVE = "interleave"


@dataclass(frozen=True)
class OrderingRule:
    policy: Policy = Policy.STRICT
    priority_every: int = 3   # interleave: one priority ticket after every N walk-ins


@dataclass(frozen=True)
class QueueEntry:
    """A waiting ticket as the ordering sees it."""

    ticket_id: int
    service: str
    issued_at: float
    priority: bool = False
    appointment_at: float | None = None   # slot start of a checked-in appointment
    target_counter: int | None = None     # transferred to this counter


def _group(e: QueueEntry, counter: int, now: float) -> tuple[int, float]:
    if e.target_counter is not None and e.target_counter == counter:
        return (0, e.issued_at)
    if e.appointment_at is not None and e.appointment_at <= now:
        return (1, e.appointment_at)
    return (2, e.issued_at)


def walk_in_time(e: QueueEntry) -> float:
    """Arrival time used among walk-ins (an early appointment counts from its slot)."""
    return max(e.issued_at, e.appointment_at) if e.appointment_at is not None else e.issued_at


def eligible(entries: Iterable[QueueEntry], counter: int, services: Iterable[str]) -> list[QueueEntry]:
    svc = set(services)
    return [e for e in entries if e.service in svc
            and (e.target_counter is None or e.target_counter == counter)]


def order(entries: Iterable[QueueEntry], *, counter: int, services: Iterable[str], now: float,
          rule: OrderingRule, walk_ins_since_priority: Mapping[str, int] | None = None
          ) -> list[QueueEntry]:
    """The eligible entries in the order the counter would call them (first = next)."""
    pool = eligible(entries, counter, services)
    firsts = sorted((e for e in pool if _group(e, counter, now)[0] < 2),
                    key=lambda e: (_group(e, counter, now), e.ticket_id))
    rest = [e for e in pool if _group(e, counter, now)[0] == 2]
    pri = sorted((e for e in rest if e.priority), key=lambda e: (walk_in_time(e), e.ticket_id))
    nor = sorted((e for e in rest if not e.priority), key=lambda e: (walk_in_time(e), e.ticket_id))
    if rule.policy is Policy.STRICT:
        return firsts + pri + nor
    counts = dict(walk_ins_since_priority or {})
    out: list[QueueEntry] = []
    while pri or nor:
        if pri and (not nor or counts.get(pri[0].service, 0) >= rule.priority_every):
            e = pri.pop(0)
            counts[e.service] = 0
        else:
            e = nor.pop(0)
            counts[e.service] = counts.get(e.service, 0) + 1
        out.append(e)
    return firsts + out


def next_entry(entries: Iterable[QueueEntry], *, counter: int, services: Iterable[str], now: float,
               rule: OrderingRule, walk_ins_since_priority: Mapping[str, int] | None = None
               ) -> QueueEntry | None:
    """The ticket the counter calls next, or None when nobody it serves is waiting."""
    ranked = order(entries, counter=counter, services=services, now=now, rule=rule,
                   walk_ins_since_priority=walk_ins_since_priority)
    return ranked[0] if ranked else None


def people_ahead(entries: Iterable[QueueEntry], ticket_id: int, *, service: str, now: float,
                 rule: OrderingRule, walk_ins_since_priority: Mapping[str, int] | None = None) -> int:
    """How many waiting tickets of the same service would be called before ``ticket_id``
    (as seen by a counter serving only that service)."""
    ranked = order([e for e in entries if (e.service == service and e.target_counter is None)
                    or e.ticket_id == ticket_id],
                   counter=-1, services=[service], now=now, rule=rule,
                   walk_ins_since_priority=walk_ins_since_priority)
    for i, e in enumerate(ranked):
        if e.ticket_id == ticket_id:
            return i
    return len(ranked)


@dataclass(frozen=True)
class WaitingCounts:
    """Waiting tickets of one service as counts (what a newly issued ticket queues behind)."""

    first: int = 0       # checked-in appointments whose slot has started
    priority: int = 0    # priority walk-ins
    normal: int = 0      # other walk-ins that arrived before now


def ahead_of_new(counts: WaitingCounts, *, priority: bool, rule: OrderingRule,
                 walk_ins_since_priority: int = 0) -> int:
    """People ahead of a ticket issued now (it is the newest of its group); the same
    answer as :func:`people_ahead` without loading the queue."""
    if rule.policy is Policy.STRICT:
        return counts.first + counts.priority + (0 if priority else counts.normal)
    # walk the interleaved sequence (as :func:`order` builds it) until the new ticket's turn
    pri = counts.priority + (1 if priority else 0)
    nor = counts.normal + (0 if priority else 1)
    since, ahead = walk_ins_since_priority, 0
    while True:
        if pri and (not nor or since >= rule.priority_every):
            pri, since = pri - 1, 0
            if priority and pri == 0:
                return counts.first + ahead
        else:
            nor, since = nor - 1, since + 1
            if not priority and nor == 0:
                return counts.first + ahead
        ahead += 1
