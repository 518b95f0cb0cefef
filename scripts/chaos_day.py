#!/usr/bin/env python3
"""A chaos day against the real centre: N kiosk processes behind fault-injecting proxies,
the centre and kiosks killed (SIGKILL) and restarted at random points; then every ticket a
citizen was shown is checked on the centre (exactly once, in issue-time order, every gap
explained), and so is every booking a citizen checked in (tied to exactly the ticket its
citizen holds, checked in once), and the counts are printed.

    .venv/bin/python scripts/chaos_day.py --tickets 5000 --kiosks 3 --seed 1

The centre keeps its data in SQLite unless given a PostgreSQL database: ``--database-url
postgresql+psycopg://user@host:port/db`` (an empty database of its own: the day fills it),
or ``--postgres`` to start a private throw-away cluster (``initdb`` + ``pg_ctl`` from
Debian's postgresql package, as the tests do) for the day. With PostgreSQL, ``--centres 2``
runs two ``centre serve`` processes on the one database, the kiosks spread over them:

    .venv/bin/python scripts/chaos_day.py --tickets 5000 --kiosks 3 --seed 1 --postgres --centres 2

Exit status 0 when the audit finds nothing wrong. ``--keep DIR`` keeps the centre's
database, the kiosks' journals, stores and logs there for a post-mortem.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
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
    ap.add_argument("--database-url", default="", help="the centre's PostgreSQL database (SQLAlchemy URL, "
                    "an empty database); default: SQLite in the centre's folder")
    ap.add_argument("--postgres", action="store_true",
                    help="start a private PostgreSQL cluster for the day (in a temporary folder, removed "
                    "afterwards even with --keep) and use it")
    ap.add_argument("--centres", type=int, default=1, help="centre processes on the one PostgreSQL database")
    ap.add_argument("--balance", action="store_true", help="with --centres: every kiosk's connections go to "
                    "each centre in turn (a load balancer), not each kiosk to one centre")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--keep", type=Path, help="run in this (new) folder and keep it")
    ap.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    ap.add_argument("-v", "--verbose", action="store_true", help="say each kill and partition")
    args = ap.parse_args(argv)
    if args.database_url and args.postgres:
        ap.error("--database-url or --postgres, not both")
    if args.centres > 1 and not (args.database_url or args.postgres):
        ap.error("--centres above 1 needs PostgreSQL (--database-url or --postgres)")
    plan = DayPlan(tickets=args.tickets, kiosks=args.kiosks, seed=args.seed, centre_kills=args.centre_kills,
                   kiosk_kills=args.kiosk_kills, partitions=args.partitions, pause_ms=args.pause_ms,
                   timeout_s=args.timeout, bookings=args.tickets // 10 if args.bookings is None else args.bookings,
                   rates=FaultRates(refuse=2 * args.fault_rate, drop_request=args.fault_rate,
                                    drop_response=args.fault_rate, delay=3 * args.fault_rate),
                   database_url=args.database_url, centres=args.centres, balance=args.balance)
    started = time.monotonic()

    def say(text: str) -> None:
        if args.verbose:
            print(f"{time.monotonic() - started:7.1f}s {text}", flush=True)

    server = None
    if args.postgres:
        from tests.fixtures.postgres import PostgresServer

        server = PostgresServer().start()
        plan = replace(plan, database_url=server.new_database())
        say(f"private PostgreSQL on port {server.port}")
    try:
        if args.keep:
            args.keep.mkdir(parents=True)
            result = run_day(args.keep, plan, say)
        else:
            with tempfile.TemporaryDirectory(prefix="chaos-day-") as tmp:
                result = run_day(Path(tmp), plan, say)
    finally:
        if server is not None:
            server.stop()
    if args.json:
        print(counts_json(result))
    else:
        print_counts(result)
    return 0 if result.report.ok and not result.worker_crashes else 1


if __name__ == "__main__":
    raise SystemExit(main())
