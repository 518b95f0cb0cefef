"""How good is the centre's wait estimate? Simulated days against the waits they produce.

A day at a centre, simulated over the centre's own domain rules (``centre.domain.ordering``
calls the tickets; ``centre.domain.waits`` estimates): 08:00-16:30, arrivals with a
morning rush (08:00-09:30) and a smaller one after lunch, two services with lognormal
service times, 10 % priority tickets (strict policy, they go ahead), 8 % no-shows (the
counter recalls after 60 s and gives up after the second call), counters that open late
and take a lunch turn. When each ticket is issued the estimate is taken exactly as the
centre takes it (people ahead under the ordering, service times of that service ended
in the last 3 h — at most the 30 latest — and the counters serving it now); the ticket's
real wait is its first call minus its issue.

Reported per estimator: the share of tickets with an estimate shown (hidden while too
few samples), the median absolute error of the range's midpoint, the share of citizens
called inside their range, and the mean range width. The baseline is the first estimator
of the centre (quartiles of the service times × people ahead ÷ counters).

    .venv/bin/python bench/wait_estimate.py [--days 30] [--seed 2]
"""
from __future__ import annotations

import argparse
import heapq
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median, quantiles
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from centre.domain.ordering import OrderingRule, QueueEntry, next_entry, people_ahead  # noqa: E402
from centre.domain.waits import WaitRange, estimate_wait  # noqa: E402

H = 3600.0
SERVICES = {"A": (6.5 * 60, 0.45), "B": (4.0 * 60, 0.5)}   # median service time (s), lognormal sigma
SHARE_B = 0.35
NO_SHOW = 0.08
PRIORITY = 0.10
RECALL_S = 60.0
WALK_S = 25.0                 # from the call to the citizen sitting down


def baseline_estimate(people: int, samples: list[float], counters: int) -> WaitRange | None:
    """The centre's first estimator (before this benchmark): quartiles × people ÷ counters."""
    if counters <= 0 or len(samples) < 5:
        return None
    if people <= 0:
        return WaitRange(0, 0)
    q1, _, q3 = quantiles(sorted(samples), n=4, method="inclusive")
    return WaitRange(int(math.floor(people * q1 / counters / 60)),
                     max(int(math.ceil(people * q3 / counters / 60)), 1))


def arrival_rate(t: float) -> float:
    """Arrivals per hour at time ``t`` (seconds after midnight): a morning rush."""
    h = t / H
    if 8.0 <= h < 9.5:
        return 52.0
    if 9.5 <= h < 11.5:
        return 22.0
    if 11.5 <= h < 13.5:
        return 10.0
    if 13.5 <= h < 14.5:
        return 26.0
    if 14.5 <= h < 16.0:
        return 14.0
    return 0.0


@dataclass
class Counter:
    number: int
    services: tuple[str, ...]
    shifts: list[tuple[float, float]]     # open intervals (seconds after midnight)
    busy_until: float = 0.0

    def open_at(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.shifts)


@dataclass
class Ticket:
    id: int
    service: str
    issued: float
    priority: bool
    shows: bool
    called: float | None = None
    estimates: dict[str, WaitRange | None] = field(default_factory=dict)


def counters_of_day(rng: random.Random) -> list[Counter]:
    late = 9.0 * H if rng.random() < 0.5 else 8.0 * H
    return [
        Counter(1, ("A",), [(8 * H, 11.5 * H), (12.5 * H, 16.5 * H)]),
        Counter(2, ("A",), [(8 * H, 12 * H), (13 * H, 16.5 * H)]),
        Counter(3, ("A", "B"), [(late, 16.5 * H)]),
        Counter(4, ("B",), [(8 * H, 11.75 * H), (12.75 * H, 16.5 * H)]),
    ]


def simulate_day(rng: random.Random, estimators: dict[str, Callable[..., WaitRange | None]]) -> list[Ticket]:
    rule = OrderingRule()
    counters = counters_of_day(rng)
    tickets: list[Ticket] = []
    waiting: dict[int, Ticket] = {}
    done: dict[str, list[tuple[float, float]]] = {s: [] for s in SERVICES}   # (ended_at, service_s)
    events: list[tuple[float, int, str, int]] = []   # (time, seq, kind, ref)
    seq = 0

    def push(t: float, kind: str, ref: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, kind, ref))

    # arrivals: thinning of a Poisson process with the day's rate
    t, peak = 7.9 * H, 55.0
    while True:
        t += rng.expovariate(peak / H)
        if t >= 16.0 * H:
            break
        if rng.random() < arrival_rate(t) / peak:
            push(t, "arrive", 0)
    for c in counters:
        for a, b in c.shifts:
            push(a, "free", c.number)
    by_no = {c.number: c for c in counters}

    def entries() -> list[QueueEntry]:
        return [QueueEntry(k.id, k.service, k.issued, k.priority) for k in waiting.values()]

    while events:
        now, _, kind, ref = heapq.heappop(events)
        if kind == "arrive":
            svc = "B" if rng.random() < SHARE_B else "A"
            k = Ticket(len(tickets) + 1, svc, now, rng.random() < PRIORITY, rng.random() >= NO_SHOW)
            tickets.append(k)
            waiting[k.id] = k
            ahead = people_ahead(entries(), k.id, service=svc, now=now, rule=rule)
            recent = [s for end, s in done[svc] if end >= now - 3 * H][-30:]
            serving = sum(1 for c in counters if c.open_at(now) and svc in c.services)
            k.estimates = {name: fn(ahead, recent, serving) for name, fn in estimators.items()}
            for c in counters:    # idle counters call at once
                if c.open_at(now) and c.busy_until <= now:
                    push(now, "free", c.number)
            continue
        c = by_no[ref]
        if not c.open_at(now) or c.busy_until > now:
            continue
        e = next_entry(entries(), counter=c.number, services=c.services, now=now, rule=rule)
        if e is None:
            continue
        k = waiting.pop(e.ticket_id)
        k.called = now
        if k.shows:
            mu, sigma = SERVICES[k.service]
            service = rng.lognormvariate(math.log(mu), sigma)
            if rng.random() < 0.01:      # an officer forgets to press "finish"
                service += 3600.0
            end = now + WALK_S + service
            done[k.service].append((end, service))
            done[k.service].sort()
        else:
            end = now + 2 * RECALL_S
        c.busy_until = end
        push(end, "free", c.number)
    return tickets


def score(tickets: list[Ticket], name: str) -> dict[str, float]:
    errors, inside, widths, shown, called = [], 0, [], 0, 0
    for k in tickets:
        if k.called is None:
            continue
        called += 1
        est = k.estimates.get(name)
        if est is None:
            continue
        shown += 1
        wait_min = (k.called - k.issued) / 60
        errors.append(abs((est.low_min + est.high_min) / 2 - wait_min))
        inside += est.low_min <= wait_min <= est.high_min
        widths.append(est.high_min - est.low_min)
    return {"shown": shown / called if called else 0.0, "mae_min": median(errors) if errors else float("nan"),
            "inside": inside / shown if shown else 0.0, "width_min": sum(widths) / len(widths) if widths else 0.0,
            "tickets": called}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2, help="1 = the days the factors were fitted on")
    args = ap.parse_args(argv)
    estimators = {"centre": estimate_wait, "baseline": baseline_estimate}
    all_tickets: list[Ticket] = []
    waits = []
    for d in range(args.days):
        day = simulate_day(random.Random(args.seed * 1000 + d), estimators)
        all_tickets += day
        waits += [(k.called - k.issued) / 60 for k in day if k.called is not None]
    print(f"{args.days} simulated days, {len(all_tickets)} tickets; real waits: median {median(waits):.1f} min, "
          f"p90 {quantiles(waits, n=10)[-1]:.1f} min")
    print(f"{'estimator':<10} {'shown':>7} {'median |err|':>13} {'inside range':>13} {'mean width':>11}")
    results = {name: score(all_tickets, name) for name in estimators}
    for name, r in results.items():
        print(f"{name:<10} {r['shown']:>7.0%} {r['mae_min']:>10.1f} min {r['inside']:>13.0%} {r['width_min']:>7.1f} min")
    c, b = results["centre"], results["baseline"]
    print(f"centre vs baseline: error x{c['mae_min'] / b['mae_min']:.2f}, inside x{c['inside'] / b['inside']:.2f}, "
          f"width x{c['width_min'] / b['width_min']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
