"""One kiosk of the chaos day, as its own process (no Kivy): issues tickets in a loop through
the real :class:`CentreTicketIssuer` with its drainer thread running (citizens with a booking
through the kiosk's controller), and journals what a citizen was shown.

``python -m tests.chaos.kiosk_worker --dir D --url U --token T --kiosk-id K --quota N --seed S``

The journal (``D/journal.jsonl``, one JSON object a line, fsynced) is the test's truth:

- ``start``: a new process on this data folder (the previous one ended by ``exit`` or was killed);
- ``key``: an idempotency key the issuer made (``issue``: at the start of an ``issue()``);
- ``shown``: written *after* ``issue()`` returned, i.e. the number is on the screen;
- ``printed``: after ``record_print()`` returned (the print outcome is in the outbox);
- ``refused``: ``issue()`` raised (no number shown; e.g. no offline numbers left);
- ``booking``: a citizen with a booking starts at the kiosk (``--bookings``; see
  :mod:`tests.chaos.booking_visit`); ``checkin``: one of their check-ins ended without a
  ticket on the screen (``outcome``, and the ``keys`` it made); their ``shown`` line
  says how they got the ticket (``via`` checkin / claim / walk_in);
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
from tests.chaos.booking_visit import BookingCitizen, BookingKiosk, VisitResult, load_bookings

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
    environ = {"KIOSK_CENTRE_URL": args.url, "KIOSK_CENTRE_TOKEN": args.token, "KIOSK_KIOSK_ID": args.kiosk_id}
    if getattr(args, "timezone", ""):   # the centre's: the kiosk's day and offline issue times follow it
        environ["KIOSK_CENTRE_SERVICE_TIMEZONE"] = args.timezone
    config = load_config(environ=environ)
    catalog = ServiceCatalog(config["services.list"], config["services.priority_groups"])
    d = Path(args.dir) / "offline_cache"
    d.mkdir(parents=True, exist_ok=True)
    link = connect_centre(config, catalog, TicketStore(d / "kiosk.sqlite3"), StatusCache(d / "kiosk.sqlite3"),
                          d, start=False)
    # short timeouts and one retry: the proxy's faults then reach the offline path often
    link.issuer.centre.timeouts = Timeouts(connect_s=0.5, read_s=2.5, retries=1, backoff_s=0.1)  # type: ignore[attr-defined]
    link.drainer.heartbeat_s = 0.5   # leases topped up quickly after a centre restart
    return link


def journal_keys(link: CentreLink, journal: Journal) -> dict[str, Any]:
    """Journal every idempotency key the issuer makes. Returns ``{'issue': last key of an
    issue() or check-in, 'all': every such key in order}``; the drainer's lease keys are
    journalled as ``lease`` (the citizen's keys come from the main or the kiosk's worker threads)."""
    last: dict[str, Any] = {"all": []}
    make = link.issuer.new_key

    def new_key(kind: str = "") -> str:
        key = make(kind)
        role = "lease" if threading.current_thread().name == "outbox-drainer" else "issue"
        journal.write(ev="key", key=key, role=role)
        if role == "issue":
            last["issue"] = key
            last["all"].append(key)
        return key
    link.issuer.new_key = new_key  # type: ignore[method-assign]
    return last


def issue_loop(args: argparse.Namespace, link: CentreLink, journal: Journal, last: dict[str, Any]) -> None:
    done = shown_so_far(Path(args.dir) / JOURNAL)
    bookings = load_bookings(args.bookings) if args.bookings else {}
    kiosk = BookingKiosk(link.issuer, journal, lambda: last["all"]) if bookings else None
    try:
        while done < args.quota:
            rng = random.Random(f"{args.seed}/{args.kiosk_id}/{done}")   # the same citizen after a restart
            booked = bookings.get(done)
            if booked is not None and kiosk is not None:
                shown = booking_citizen(kiosk, booked, rng, journal, last)
            else:
                shown = walk_in(link, rng.choice([s.code for s in link.issuer.catalog.services]), journal, last)
            if not shown:
                time.sleep(0.2)
                continue
            done += 1
            time.sleep(rng.uniform(0, args.pause_ms / 1000))
    finally:
        if kiosk is not None:
            kiosk.close()


def _shown(journal: Journal, key: str, ticket: Any, **extra: Any) -> None:
    journal.write(ev="shown", key=key, client_key=ticket.client_key, number=ticket.number,
                  prefix=ticket.service.prefix, day=ticket.issued_at.date().isoformat(),
                  offline=ticket.offline, centre_id=ticket.centre_id, **extra)


def walk_in(link: CentreLink, service: str, journal: Journal, last: dict[str, Any]) -> bool:
    """A citizen without a booking, through the issuer (as ``python -m kiosk ticket issue``)."""
    try:
        ticket = link.issuer.issue(service)
    except TicketError as exc:   # NoOfflineNumbers, or the centre said no
        journal.write(ev="refused", key=last.get("issue", ""), error=type(exc).__name__)
        return False
    _shown(journal, last["issue"], ticket)
    link.issuer.record_print(ticket)
    journal.write(ev="printed", client_key=ticket.client_key)
    return True


def booking_citizen(kiosk: BookingKiosk, b: BookingCitizen, rng: random.Random, journal: Journal,
                    last: dict[str, Any]) -> bool:
    """A citizen with a booking, through the kiosk's controller (see :mod:`tests.chaos.booking_visit`)."""
    journal.write(ev="booking", code=b.code, mode=b.mode)

    def shown(r: VisitResult) -> None:
        _shown(journal, last["issue"], r.ticket, booking=b.code, via=r.via, after=r.after,
               appointment=r.ticket.appointment, checkins=r.checkins, checkin_keys=list(r.keys))

    result = kiosk.visit(b, rng, shown)
    if result.ticket is None:    # the kiosk went out of service (e.g. no offline numbers left)
        journal.write(ev="refused", key=last.get("issue", ""), error="TicketIssueFailed", booking=b.code)
        return False
    if kiosk.ctl.flow.session.printed:
        journal.write(ev="printed", client_key=result.ticket.client_key)
    return True


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
    ap.add_argument("--bookings", default="", help="JSON file: this kiosk's citizens who booked (by index)")
    ap.add_argument("--timezone", default="", help="the centre's time zone (centre_service.timezone)")
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
