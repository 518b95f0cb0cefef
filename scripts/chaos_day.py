#!/usr/bin/env python3
"""A chaos day against the real centre: N kiosk processes behind fault-injecting proxies,
the centre and kiosks killed (SIGKILL) and restarted at random points; then every ticket a
citizen was shown is checked on the centre (exactly once, in issue-time order, every gap
explained), and so is every booking a citizen checked in (tied to exactly the ticket its
citizen holds, checked in once), and the counts are printed.

    .venv/bin/python scripts/chaos_day.py --tickets 5000 --kiosks 3 --seed 1

Exit status 0 when the audit finds nothing wrong. ``--keep DIR`` keeps the centre's
database, the kiosks' journals, stores and logs there for a post-mortem.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from tests.chaos.day import DayPlan, counts_json, print_counts, run_day
    from tests.chaos.proxy import FaultRates

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=5000)
    ap.add_argument("--kiosks", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--centre-kills", type=int, default=8)
    ap.add_argument("--kiosk-kills", type=int, default=15)
    ap.add_argument("--partitions", type=int, default=6, help="a kiosk cut off from the centre for 1-5 s")
    ap.add_argument("--fault-rate", type=float, default=0.01,
                    help="chance per request chunk of each of: reset before, reset after forwarding")
    ap.add_argument("--pause-ms", type=float, default=20.0, help="up to this long between citizens")
    ap.add_argument("--bookings", type=int, help="citizens among the tickets who booked online and check in "
                    "(default: a tenth of the tickets; 0: walk-ins only)")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--keep", type=Path, help="run in this (new) folder and keep it")
    ap.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    ap.add_argument("-v", "--verbose", action="store_true", help="say each kill and partition")
    args = ap.parse_args(argv)
    plan = DayPlan(tickets=args.tickets, kiosks=args.kiosks, seed=args.seed, centre_kills=args.centre_kills,
                   kiosk_kills=args.kiosk_kills, partitions=args.partitions, pause_ms=args.pause_ms,
                   timeout_s=args.timeout, bookings=args.tickets // 10 if args.bookings is None else args.bookings,
                   rates=FaultRates(refuse=2 * args.fault_rate, drop_request=args.fault_rate,
                                    drop_response=args.fault_rate, delay=3 * args.fault_rate))
    started = time.monotonic()

    def say(text: str) -> None:
        if args.verbose:
            print(f"{time.monotonic() - started:7.1f}s {text}", flush=True)

    if args.keep:
        args.keep.mkdir(parents=True)
        result = run_day(args.keep, plan, say)
    else:
        with tempfile.TemporaryDirectory(prefix="chaos-day-") as tmp:
            result = run_day(Path(tmp), plan, say)
    if args.json:
        print(counts_json(result))
    else:
        print_counts(result)
    return 0 if result.report.ok and not result.worker_crashes else 1


if __name__ == "__main__":
    raise SystemExit(main())
