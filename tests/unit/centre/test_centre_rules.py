"""Booking arrival rule and the working-day due date."""
from __future__ import annotations

from datetime import date

from centre.domain.applications import add_working_days
from centre.domain.appointments import AppointmentRule, Arrival, best_slot, judge_arrival
from centre.domain.waits import estimate_wait

RULE = AppointmentRule(early_min=30, grace_min=15)
SLOT = 10_000.0


def test_arrival_windows() -> None:
    v = judge_arrival(SLOT, SLOT - 31 * 60, RULE)
    assert v.arrival is Arrival.TOO_EARLY and v.come_back_at == SLOT - 30 * 60 and not v.issues_ticket
    assert judge_arrival(SLOT, SLOT - 30 * 60, RULE).arrival is Arrival.EARLY_OK
    assert judge_arrival(SLOT, SLOT - 1, RULE).checks_in
    assert judge_arrival(SLOT, SLOT, RULE).arrival is Arrival.ON_TIME
    assert judge_arrival(SLOT, SLOT + 15 * 60, RULE).arrival is Arrival.ON_TIME
    late = judge_arrival(SLOT, SLOT + 15 * 60 + 1, RULE)
    assert late.arrival is Arrival.LATE and late.issues_ticket and not late.checks_in


def test_a_card_tap_checks_in_the_booking_whose_window_is_open() -> None:
    h = 3600.0
    morning, afternoon, evening = SLOT, SLOT + 5 * h, SLOT + 7 * h
    slots = [evening, morning, afternoon]            # in no particular order
    # the morning one missed: at 14:50 the afternoon one (15:00) is meant, not the lapsed one
    assert best_slot(slots, afternoon - 10 * 60, RULE) == 2
    assert best_slot(slots, afternoon + 10 * 60, RULE) == 2      # inside the grace
    assert best_slot(slots, morning - 10 * 60, RULE) == 1        # early for the first
    # between windows: the next one to come (told when to come back), not a lapsed one
    assert best_slot(slots, morning + 2 * h, RULE) == 2
    # all lapsed: the last one (the walk-in rule applies to it)
    assert best_slot(slots, evening + 2 * h, RULE) == 0
    # two windows open at once: the earlier slot
    assert best_slot([SLOT + 20 * 60, SLOT], SLOT + 5 * 60, RULE) == 1
    assert best_slot([], SLOT, RULE) is None


def test_card_due_seven_working_days_later() -> None:
    # Thursday 4 Dec 2025 + 7 working days = Monday 15 Dec (two weekends skipped)
    assert add_working_days(date(2025, 12, 4), 7) == date(2025, 12, 15)
    # a holiday on Friday 5 Dec pushes it one more day
    assert add_working_days(date(2025, 12, 4), 7, [date(2025, 12, 5)]) == date(2025, 12, 16)
    # received on a Saturday: counting starts Monday
    assert add_working_days(date(2025, 12, 6), 1) == date(2025, 12, 8)


def test_wait_hidden_with_too_few_samples_and_scaled_by_counters() -> None:
    assert estimate_wait(5, [300.0] * 3, 1) is None
    assert estimate_wait(5, [300.0] * 10, 0) is None
    one = estimate_wait(6, [240.0, 300.0, 360.0, 300.0, 300.0], 1)
    two = estimate_wait(6, [240.0, 300.0, 360.0, 300.0, 300.0], 2)
    assert one is not None and two is not None
    assert one.low_min <= 30 <= one.high_min
    assert two.high_min < one.high_min
