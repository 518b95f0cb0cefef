"""Waiting-time estimate per service: people ahead × a robust recent service time ÷ the
counters serving it now, shown as a range, hidden while there are too few samples."""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import quantiles
from typing import Sequence


@dataclass(frozen=True)
class WaitRange:
    low_min: int
    high_min: int


def estimate_wait(people_ahead: int, service_times_s: Sequence[float], counters: int,
                  *, min_samples: int = 5) -> WaitRange | None:
    """A range of minutes, or None (too few samples, or no counter serving the service)."""
    if counters <= 0 or len(service_times_s) < min_samples:
        return None
    if people_ahead <= 0:
        return WaitRange(0, 0)
    q1, _, q3 = quantiles(sorted(service_times_s), n=4, method="inclusive")
    low = people_ahead * q1 / counters / 60
    high = people_ahead * q3 / counters / 60
    return WaitRange(int(math.floor(low)), max(int(math.ceil(high)), 1))
