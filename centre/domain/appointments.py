"""Online bookings checking in at the kiosk, and the rule for early and late arrivals.

The rule (``AppointmentRule``, the centre's settings):
- from ``early_min`` minutes before the slot until ``grace_min`` minutes after its start,
  the citizen checks in: the ticket is called from the slot time, ahead of walk-ins;
- earlier than that: not yet — come back from (slot − early_min);
- later than the grace: the booking lapses and the citizen gets a walk-in ticket
  (queued by arrival, like everyone without a booking);
- a booking checks in once; it must be for today.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Arrival(str, Enum):
    EARLY_OK = "early"         # inside the early allowance: called from the slot time
    ON_TIME = "on_time"        # between slot start and the end of the grace
    TOO_EARLY = "too_early"    # come back later
    LATE = "late"              # past the grace: walk-in ticket instead


@dataclass(frozen=True)
class AppointmentRule:
    early_min: float = 30.0
    grace_min: float = 15.0


@dataclass(frozen=True)
class Verdict:
    arrival: Arrival
    come_back_at: float | None = None   # epoch, for TOO_EARLY

    @property
    def checks_in(self) -> bool:
        return self.arrival in (Arrival.EARLY_OK, Arrival.ON_TIME)

    @property
    def issues_ticket(self) -> bool:
        return self.arrival is not Arrival.TOO_EARLY


def judge_arrival(slot_start: float, now: float, rule: AppointmentRule) -> Verdict:
    """Where ``now`` falls against the booking's slot under the centre's rule."""
    opens = slot_start - rule.early_min * 60
    closes = slot_start + rule.grace_min * 60
    if now < opens:
        return Verdict(Arrival.TOO_EARLY, come_back_at=opens)
    if now < slot_start:
        return Verdict(Arrival.EARLY_OK)
    if now <= closes:
        return Verdict(Arrival.ON_TIME)
    return Verdict(Arrival.LATE)


def best_slot(slots: list[float], now: float, rule: AppointmentRule) -> int | None:
    """Which of one person's bookings today a card tap (no code) checks in, by index: one
    whose check-in window holds ``now`` (the earliest), else the next one still to come
    (the citizen is told when to come back), else the last one that lapsed (walk-in rule).
    A booking missed this morning must not hide the one this afternoon."""
    if not slots:
        return None
    order = sorted(range(len(slots)), key=lambda i: slots[i])
    verdicts = {i: judge_arrival(slots[i], now, rule).arrival for i in order}
    for wanted in ((Arrival.EARLY_OK, Arrival.ON_TIME), (Arrival.TOO_EARLY,)):
        found = next((i for i in order if verdicts[i] in wanted), None)
        if found is not None:
            return found
    return order[-1]
