"""The centre's ordering policy: strict and interleaved priority, appointments, transfers."""
from __future__ import annotations

from hypothesis import given, strategies as st

from centre.domain.ordering import (OrderingRule, Policy, QueueEntry, WaitingCounts, ahead_of_new, next_entry,
                                    order, people_ahead)

STRICT = OrderingRule(Policy.STRICT)
EVERY2 = OrderingRule(Policy.INTERLEAVE, priority_every=2)


def walk(i: int, t: float, svc: str = "a", **kw) -> QueueEntry:  # type: ignore[no-untyped-def]
    return QueueEntry(ticket_id=i, service=svc, issued_at=t, **kw)


def ids(entries: list[QueueEntry]) -> list[int]:
    return [e.ticket_id for e in entries]


def test_strict_calls_every_priority_ticket_first_then_by_arrival() -> None:
    q = [walk(1, 10), walk(2, 20, priority=True), walk(3, 30), walk(4, 40, priority=True)]
    assert ids(order(q, counter=1, services=["a"], now=100, rule=STRICT)) == [2, 4, 1, 3]


def test_interleave_calls_one_priority_after_every_n_walk_ins() -> None:
    q = [walk(i, i) for i in range(1, 6)] + [walk(10, 0.5, priority=True), walk(11, 0.6, priority=True)]
    # nobody called yet today: two walk-ins, then a priority ticket, two more, the next priority
    assert ids(order(q, counter=1, services=["a"], now=100, rule=EVERY2)) == [1, 2, 10, 3, 4, 11, 5]
    # two walk-ins were already called since the last priority ticket: the priority goes now
    assert next_entry(q, counter=1, services=["a"], now=100, rule=EVERY2,
                      walk_ins_since_priority={"a": 2}).ticket_id == 10


def test_interleave_calls_a_priority_ticket_at_once_when_no_walk_in_waits() -> None:
    q = [walk(10, 5, priority=True)]
    assert next_entry(q, counter=1, services=["a"], now=100, rule=EVERY2).ticket_id == 10


def test_checked_in_appointment_goes_ahead_of_walk_ins_once_its_slot_starts() -> None:
    q = [walk(1, 10), walk(2, 20, priority=True), walk(3, 50, appointment_at=60)]
    assert ids(order(q, counter=1, services=["a"], now=61, rule=STRICT)) == [3, 2, 1]
    # before its slot, an early booking waits like a walk-in arriving at the slot time
    q2 = [walk(1, 10), walk(3, 5, appointment_at=60), walk(4, 40)]
    assert ids(order(q2, counter=1, services=["a"], now=30, rule=STRICT)) == [1, 4, 3]


def test_ticket_transferred_to_this_counter_comes_first_and_is_hidden_from_others() -> None:
    q = [walk(1, 10), walk(2, 20, target_counter=4), walk(3, 5, priority=True)]
    assert ids(order(q, counter=4, services=["a"], now=100, rule=STRICT)) == [2, 3, 1]
    assert ids(order(q, counter=3, services=["a"], now=100, rule=STRICT)) == [3, 1]


def test_only_the_services_the_counter_serves() -> None:
    q = [walk(1, 10, "a"), walk(2, 5, "b"), walk(3, 1, "c")]
    assert ids(order(q, counter=1, services=["a", "b"], now=100, rule=STRICT)) == [2, 1]
    assert next_entry(q, counter=1, services=["d"], now=100, rule=STRICT) is None


def test_offline_ticket_is_placed_at_its_original_issue_time() -> None:
    q = [walk(1, 100), walk(2, 200), walk(99, 150)]   # 99 arrived later over the outbox
    assert ids(order(q, counter=1, services=["a"], now=300, rule=STRICT)) == [1, 99, 2]


def test_people_ahead_follows_the_policy() -> None:
    q = [walk(1, 10), walk(2, 20), walk(3, 30, priority=True), walk(4, 40)]
    assert people_ahead(q, 4, service="a", now=100, rule=STRICT) == 3
    assert people_ahead(q, 3, service="a", now=100, rule=STRICT) == 0
    assert people_ahead(q, 3, service="a", now=100, rule=EVERY2) == 2


@given(st.integers(0, 6), st.integers(0, 12), st.integers(0, 3), st.booleans(),
       st.sampled_from([STRICT, EVERY2, OrderingRule(Policy.INTERLEAVE, 3)]), st.integers(0, 4))
def test_counts_shortcut_agrees_with_the_full_ordering(n_pri: int, n_nor: int, n_appt: int, priority: bool,
                                                       rule: OrderingRule, since: int) -> None:
    q = ([walk(100 + i, 1 + i, priority=True) for i in range(n_pri)]
         + [walk(200 + i, 1 + i) for i in range(n_nor)]
         + [walk(300 + i, 1 + i, appointment_at=5) for i in range(n_appt)]
         + [walk(999, 50, priority=priority)])
    full = people_ahead(q, 999, service="a", now=60, rule=rule, walk_ins_since_priority={"a": since})
    fast = ahead_of_new(WaitingCounts(first=n_appt, priority=n_pri, normal=n_nor), priority=priority,
                        rule=rule, walk_ins_since_priority=since)
    assert fast == full
