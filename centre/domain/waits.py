"""Waiting-time estimate per service: people ahead × a robust recent service time ÷ the
counters serving it now, shown as a range, hidden while there are too few samples.

The model. With ``c`` counters serving the service and ``k`` people ahead (under the
ordering policy), a newcomer is called after about ``k + ½`` services have ended across
those counters (the ½: the services under way are half done on average), so

    centre = (k + ½) · S / c

where ``S`` is a trimmed mean of the recent service times: a wait is a *sum* of service
times, so the mean (not the median) is what adds up, and trimming the longest tenth
keeps one forgotten "finish" (a two-hour service) from moving the whole hall. The range
around it widens with the spread of service times (a sum of ``n`` of them spreads like
``√n``, robust scale from the quartiles) and with a share of the centre itself for what
the model does not see (counters opening and closing, no-shows, priority tickets that
arrive later and go ahead) — reaching further up than down, since what the model misses
mostly makes waits longer. Each person ahead also costs a call overhead (walking to the
counter, recalls, no-shows) that service times do not contain. The factors were fitted
on simulated days (``bench/wait_estimate.py --seed 1``) and checked on other days
(``--seed 2``, ``--seed 3``): about two citizens in three are called inside their range.

Hidden (``None``): fewer than ``min_samples`` recent service times, or no counter
serving the service.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import quantiles
from typing import Sequence

MIN_SAMPLES = 5       # below this the estimate is hidden (see bench/wait_estimate.py)
TRIM = 0.1            # share cut from each end before averaging
SPREAD_Z = 1.0        # × the √n spread of a sum of service times
MODEL_SHARE = 0.25    # ± this share of the centre for what the model does not see
CALL_OVERHEAD_S = 40.0  # per person: walking to the counter, recalls and no-shows (not in service times)
UPPER_SKEW = 1.5      # the range reaches further up than down: late priority arrivals, closures


@dataclass(frozen=True)
class WaitRange:
    low_min: int
    high_min: int


def trimmed_mean(values: Sequence[float], trim: float = TRIM) -> float:
    """The mean after dropping ``trim`` of the values at each end (at least one value kept)."""
    s = sorted(values)
    cut = int(len(s) * trim)
    kept = s[cut:len(s) - cut] or s
    return sum(kept) / len(kept)


def robust_sd(values: Sequence[float]) -> float:
    """Standard deviation from the interquartile range (normal-consistent; outliers ignored)."""
    if len(values) < 4:
        return 0.0
    q1, _, q3 = quantiles(values, n=4, method="inclusive")
    return (q3 - q1) / 1.349


def estimate_seconds(people_ahead: int, service_times_s: Sequence[float], counters: int
                     ) -> tuple[float, float, float]:
    """(low, centre, high) of the wait in seconds, without rounding or hiding."""
    mean = trimmed_mean(service_times_s) + CALL_OVERHEAD_S
    sd = robust_sd(service_times_s)
    n = people_ahead + 0.5
    centre = n * mean / counters
    half = SPREAD_Z * math.sqrt(n) * sd / counters + MODEL_SHARE * centre
    return max(0.0, centre - half), centre, centre + UPPER_SKEW * half


def estimate_wait(people_ahead: int, service_times_s: Sequence[float], counters: int,
                  *, min_samples: int = MIN_SAMPLES) -> WaitRange | None:
    """A range of whole minutes, or None (too few samples, or no counter serving the service).
    Nobody ahead gives (0, 0): the next free counter calls this ticket."""
    if counters <= 0 or len(service_times_s) < min_samples:
        return None
    if people_ahead <= 0:
        return WaitRange(0, 0)
    low, _, high = estimate_seconds(people_ahead, service_times_s, counters)
    lo_min = int(math.floor(low / 60))
    hi_min = max(int(math.ceil(high / 60)), lo_min + 1)
    return WaitRange(lo_min, hi_min)
