"""One kiosk of the chaos day, as its own process (no Kivy): issues tickets in a loop through
the real :class:`CentreTicketIssuer` with its drainer thread running, and journals what a
citizen was shown.

``python -m tests.chaos.kiosk_worker --dir D --url U --token T --kiosk-id K --quota N --seed S``

The journal (``D/journal.jsonl``, one JSON object a line, fsynced) is the test's truth:

- ``start``: a new process on this data folder (the previous one ended by ``exit`` or was killed);
- ``key``: an idempotency key the issuer made (``issue``: at the start of an ``issue()``);
- ``shown``: written *after* ``issue()`` returned, i.e. the number is on the screen;
- ``printed``: after ``record_print()`` returned (the print outcome is in the outbox);
- ``refused``: ``issue()`` raised (no number shown; e.g. no offline numbers left);
- ``exit``: the quota is reached (or the outbox drained, with ``--drain``).

With ``--drain`` the worker makes every outbox item due now (as a technician's "sync now"
after the network is back) and sends until the outbox is empty.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from kiosk.centre_client import Timeouts
from kiosk.centre_link import CentreLink, connect_centre
from kiosk.config import load_config
from kiosk.ticketing import ServiceCatalog, TicketError
from offline_cache.status_cache import StatusCache
from offline_cache.ticket_store import TicketStore

JOURNAL = "journal.jsonl"


class Journal:
    """Append-only JSON lines, each fsynced before the call returns (shared by threads)."""

    def __init__(self, path: Path) -> None:
        self._f: TextIO = open(path, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, **event: Any) -> None:
        line = json.dumps({"t": time.time(), **event}) + "\n"
        with self._lock:
            self._f.write(line)
            self._f.flush()
            os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()


def shown_so_far(path: Path) -> int:
    """How many tickets earlier processes on this folder showed (a torn last line is ignored)."""
    if not path.exists():
        return 0
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            n += json.loads(line).get("ev") == "shown"
        except ValueError:
            pass
    return n


def build_link(args: argparse.Namespace) -> CentreLink:
    config = load_config(environ={"KIOSK_CENTRE_URL": args.url, "KIOSK_CENTRE_TOKEN": args.token,
                                  "KIOSK_KIOSK_ID": args.kiosk_id})
    catalog = ServiceCatalog(config["services.list"], config["services.priority_groups"])
    d = Path(args.dir) / "offline_cache"
    d.mkdir(parents=True, exist_ok=True)
    link = connect_centre(config, catalog, TicketStore(d / "kiosk.sqlite3"), StatusCache(d / "kiosk.sqlite3"),
                          d, start=False)
    # short timeouts and one retry: the proxy's faults then reach the offline path often
    link.issuer.centre.timeouts = Timeouts(connect_s=0.5, read_s=2.5, retries=1, backoff_s=0.1)  # type: ignore[attr-defined]
    link.drainer.heartbeat_s = 0.5   # leases topped up quickly after a centre restart
    return link


def journal_keys(link: CentreLink, journal: Journal) -> dict[str, str]:
    """Journal every idempotency key the issuer makes; returns {'issue': last key of an issue()}."""
    last: dict[str, str] = {}
    make = link.issuer.new_key

    def new_key(kind: str = "") -> str:
        key = make(kind)
        role = "issue" if threading.current_thread() is threading.main_thread() else "lease"
        journal.write(ev="key", key=key, role=role)
        if role == "issue":
            last["issue"] = key
        return key
    link.issuer.new_key = new_key  # type: ignore[method-assign]
    return last


def issue_loop(args: argparse.Namespace, link: CentreLink, journal: Journal, last: dict[str, str]) -> None:
    done = shown_so_far(Path(args.dir) / JOURNAL)
    rng = random.Random(f"{args.seed}/{args.kiosk_id}/{done}")
    services = [s.code for s in link.issuer.catalog.services]
    while done < args.quota:
        service = rng.choice(services)
        try:
            ticket = link.issuer.issue(service)
        except TicketError as exc:   # NoOfflineNumbers, or the centre said no
            journal.write(ev="refused", key=last.get("issue", ""), error=type(exc).__name__)
            time.sleep(0.2)
            continue
        journal.write(ev="shown", key=last["issue"], client_key=ticket.client_key, number=ticket.number,
                      prefix=ticket.service.prefix, day=ticket.issued_at.date().isoformat(),
                      offline=ticket.offline, centre_id=ticket.centre_id)
        done += 1
        link.issuer.record_print(ticket)
        journal.write(ev="printed", client_key=ticket.client_key)
        time.sleep(rng.uniform(0, args.pause_ms / 1000))


def drain(args: argparse.Namespace, link: CentreLink, deadline_s: float) -> None:
    """Send everything now; the faults are off, so anything left is a failure to report."""
    db = sqlite3.connect(Path(args.dir) / "offline_cache" / "outbox.sqlite3", timeout=10)
    end = time.monotonic() + deadline_s
    while link.outbox.stats().backlog and time.monotonic() < end:
        db.execute("UPDATE outbox SET next_at=0")   # a technician's "sync now": no backoff
        db.commit()
        link.drainer.drain()
        time.sleep(0.05)
    db.close()
    if link.outbox.stats().backlog:
        raise SystemExit(f"outbox not empty after {deadline_s:.0f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--kiosk-id", required=True)
    ap.add_argument("--quota", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pause-ms", type=float, default=20.0, help="up to this long between citizens")
    ap.add_argument("--drain", action="store_true", help="only drain the outbox, then exit")
    args = ap.parse_args(argv)
    faulthandler.enable()   # a crash in C code (sqlite3, ssl) leaves a traceback in worker.log
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    journal = Journal(Path(args.dir) / JOURNAL)
    journal.write(ev="start", mode="drain" if args.drain else "issue", pid=os.getpid())
    link = build_link(args)
    last = journal_keys(link, journal)
    try:
        if args.drain:
            drain(args, link, deadline_s=120.0)
        else:
            link.drainer.start()
            issue_loop(args, link, journal, last)
    finally:
        link.close()
    journal.write(ev="exit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
