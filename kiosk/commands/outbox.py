"""``python -m kiosk outbox [--sync] [--json]`` and ``python -m kiosk ticket issue``: the
kiosk's link to the centre from a shell (maintenance staff, tests and checks).

Both use the same files as the running kiosk (``<data_dir>/offline_cache``), so a ticket
issued here while the centre is unreachable comes from the kiosk's leased range and
waits in its outbox like any other.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("outbox", help="show this kiosk's outbox backlog, or send it now",
                       description="The writes waiting for the centre (offline tickets, print outcomes, "
                       "handovers): how many, the oldest; --sync sends them now.")
    p.add_argument("--sync", action="store_true", help="deliver what is waiting now (and refresh the leases)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_outbox)


def add_issue_parser(tsub: argparse._SubParsersAction) -> None:
    """``ticket issue`` (registered by :mod:`kiosk.commands.ticket`)."""
    q = tsub.add_parser("issue", help="issue a ticket through the configured centre (offline range when "
                        "it is unreachable) and print it")
    q.add_argument("--service", required=True, metavar="CODE", help="service code from services.list")
    q.add_argument("--priority", default="", metavar="GROUP", help="priority group code")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=run_ticket_issue)


def open_link(cfg: Any) -> Any:
    """The kiosk's centre link on its own files, without the drainer thread."""
    if not cfg["centre.url"] or not cfg["centre.token"]:
        raise SystemExit("no centre configured: set centre.url and centre.token "
                         "(KIOSK_CENTRE_URL / KIOSK_CENTRE_TOKEN)")
    from kiosk.bootstrap import resolve_path
    from kiosk.centre_link import connect_centre
    from kiosk.ticketing import ServiceCatalog
    from offline_cache.status_cache import StatusCache
    from offline_cache.ticket_store import TicketStore

    store_dir = resolve_path(cfg["kiosk.data_dir"]) / "offline_cache"
    db = store_dir / ("kiosk-demo.sqlite3" if cfg["kiosk.mode"] == "demo" else "kiosk.sqlite3")
    catalog = ServiceCatalog(cfg["services.list"], cfg["services.priority_groups"])
    return connect_centre(cfg, catalog, TicketStore(db), StatusCache(db), store_dir, start=False)


def _stats(link: Any) -> dict[str, Any]:
    st = link.outbox.stats().as_dict()
    if st["oldest_at"]:
        st["oldest"] = datetime.fromtimestamp(st["oldest_at"]).isoformat(timespec="seconds")
    return st


def run_outbox(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    link = open_link(cfg)
    try:
        sent = 0
        if args.sync:
            link.outbox.retry_now()
            link.drainer.refresh_leases()
            sent = link.drainer.drain()
        st = _stats(link)
        if args.json:
            print(json.dumps({**st, "sent": sent, "online": link.issuer.online}, indent=2))
        else:
            if args.sync:
                print(f"sent {sent}; centre {'reachable' if link.issuer.online is not False else 'unreachable'}")
            print(f"outbox: {st['backlog']} waiting" + (f", oldest {st['oldest']}" if st["backlog"] else "")
                  + (f", {st['failing']} failing" if st["failing"] else ""))
        return 0 if st["backlog"] == 0 or not args.sync else 1
    finally:
        link.outbox.close()
        link.leases.close()


def run_ticket_issue(args: argparse.Namespace) -> int:
    from kiosk.ticketing import TicketError

    cfg = load_config(args.config)
    link = open_link(cfg)
    try:
        link.drainer.refresh_leases()    # top up the offline range while the centre answers
        try:
            t = link.issuer.issue(args.service, args.priority)
        except TicketError as exc:
            print(f"ticket: {exc}", file=sys.stderr)
            return 1
        data = {"number": t.number, "service": t.service.code, "priority_group": t.priority_group,
                "issued_at": t.issued_at.isoformat(timespec="seconds"), "offline": t.offline,
                "people_ahead": t.waiting_ahead,
                "wait_minutes": list(t.wait_minutes) if t.wait_minutes else None, "centre_id": t.centre_id}
        if args.json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            extra = " (offline: kept at this kiosk, sent to the centre later)" if t.offline else (
                f", {t.waiting_ahead} ahead" if t.waiting_ahead is not None else "")
            print(f"{t.number}  {t.service.vi}{extra}")
        return 0
    finally:
        link.outbox.close()
        link.leases.close()
