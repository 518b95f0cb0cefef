"""``python -m kiosk centre``: run and administer the centre service.

- ``centre serve [--host H] [--port P] [--data-dir D] [--database-url URL]``
- ``centre token add --role kiosk|counter|display|admin --name N`` (prints the token once),
  ``centre token revoke NAME``, ``centre token list``
- ``centre officer add --name N`` (PIN from ``--pin`` or the ``CENTRE_OFFICER_PIN``
  environment variable, else asked for)
- ``centre import appointments|applications FILE [--json]``
- ``centre status CODE [--json]`` — an application's timeline
- ``centre tickets [--date YYYY-MM-DD] [--json]`` — the day's tickets
- ``centre kiosks [--json]`` — kiosks and their last heartbeat
- ``centre report --date YYYY-MM-DD --out DIR`` — the day's figures as CSV and a PNG chart

Every command works on the database the settings name (``centre_service.*`` or the
``--data-dir`` / ``--database-url`` given), so staff can look at the centre from a shell.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("centre", help="run and administer the centre service",
                       description="The centre service: one queue for every kiosk, counter and display.")
    csub = p.add_subparsers(dest="centre_command", metavar="ACTION", required=True)

    def db_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--data-dir", metavar="D", help="folder of the SQLite database and key file "
                       "(default: centre_service.data_dir)")
        q.add_argument("--database-url", metavar="URL", help="PostgreSQL URL, "
                       "e.g. postgresql+psycopg://user:pass@host/db (default: SQLite in the data folder)")

    s = csub.add_parser("serve", help="start the HTTP API")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8700, help="port (default 8700)")
    db_args(s)
    s.set_defaults(func=run_serve)

    t = csub.add_parser("token", help="add, revoke or list device tokens")
    tsub = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    ta = tsub.add_parser("add", help="create a token and print it (shown once)")
    ta.add_argument("--role", required=True, choices=("kiosk", "counter", "display", "admin"))
    ta.add_argument("--name", required=True, help="the device's name, e.g. kiosk-01, counter-3")
    db_args(ta)
    ta.set_defaults(func=run_token_add)
    tr = tsub.add_parser("revoke", help="revoke a token by name")
    tr.add_argument("name")
    db_args(tr)
    tr.set_defaults(func=run_token_revoke)
    tl = tsub.add_parser("list", help="list tokens (names and roles, never the secrets)")
    tl.add_argument("--json", action="store_true")
    db_args(tl)
    tl.set_defaults(func=run_token_list)

    o = csub.add_parser("officer", help="counter staff who sign in with a PIN")
    osub = o.add_subparsers(dest="officer_command", metavar="ACTION", required=True)
    oa = osub.add_parser("add", help="add an officer or set a new PIN")
    oa.add_argument("--name", required=True)
    oa.add_argument("--pin", help="4-12 digits (default: CENTRE_OFFICER_PIN, else asked)")
    db_args(oa)
    oa.set_defaults(func=run_officer_add)

    i = csub.add_parser("import", help="import appointments or application statuses (CSV or JSON)")
    i.add_argument("kind", choices=("appointments", "applications"))
    i.add_argument("file", type=Path)
    i.add_argument("--json", action="store_true", help="print the report as JSON")
    db_args(i)
    i.set_defaults(func=run_import)

    st = csub.add_parser("status", help="an application's status timeline")
    st.add_argument("code", help="dossier code (MaHoSo) or receipt number (SoBienNhan)")
    st.add_argument("--json", action="store_true")
    db_args(st)
    st.set_defaults(func=run_status)

    tk = csub.add_parser("tickets", help="the day's tickets")
    tk.add_argument("--date", help="YYYY-MM-DD (default: today at the centre)")
    tk.add_argument("--json", action="store_true")
    db_args(tk)
    tk.set_defaults(func=run_tickets)

    k = csub.add_parser("kiosks", help="kiosks and their last heartbeat (silent ones flagged)")
    k.add_argument("--json", action="store_true")
    db_args(k)
    k.set_defaults(func=run_kiosks)

    rp = csub.add_parser("report", help="the day's figures (per service, per counter, satisfaction) as CSV + PNG")
    rp.add_argument("--date", help="YYYY-MM-DD (default: today at the centre)")
    rp.add_argument("--out", type=Path, required=True, help="folder for the CSV files and the chart")
    db_args(rp)
    rp.set_defaults(func=run_report)


def open_centre(args: argparse.Namespace) -> Any:
    """The configured centre, migrated and ready (no HTTP)."""
    from centre.service import Centre
    from centre.settings import CentreSettings

    settings = CentreSettings.from_config(load_config(args.config), data_dir=args.data_dir,
                                          database_url=args.database_url)
    centre = Centre(settings)
    centre.start()
    return centre


def _fail(msg: str, code: int = 1) -> int:
    print(msg, file=sys.stderr)
    return code


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from centre.api.app import create_app

    centre = open_centre(args)
    print(f"centre: serving on http://{args.host}:{args.port} ({centre.db.dialect}); "
          f"counter console /counter, hall display /display, API /openapi.json", flush=True)
    uvicorn.run(create_app(centre), host=args.host, port=args.port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=3)
    return 0


def run_token_add(args: argparse.Namespace) -> int:
    from centre import access
    from centre.domain.errors import CentreError

    centre = open_centre(args)
    try:
        with centre.db.write() as conn:
            token = access.add_token(conn, args.role, args.name, centre.clock())
    except CentreError as exc:
        return _fail(f"token: {exc}")
    print(token)
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    from centre import access
    from centre.domain.errors import CentreError

    centre = open_centre(args)
    try:
        with centre.db.write() as conn:
            access.revoke_token(conn, args.name, centre.clock())
    except CentreError as exc:
        return _fail(f"token: {exc}")
    print(f"revoked {args.name}")
    return 0


def run_token_list(args: argparse.Namespace) -> int:
    from centre import access

    centre = open_centre(args)
    with centre.db.read() as conn:
        rows = access.list_tokens(conn)
    if args.json:
        print(json.dumps(rows, indent=2))
    for r in rows if not args.json else []:
        print(f"{r['name']:<30} {r['role']:<8} {'revoked' if r['revoked'] else 'active'}")
    return 0


def run_officer_add(args: argparse.Namespace) -> int:
    from centre import access
    from centre.domain.errors import CentreError

    pin = args.pin or os.environ.get("CENTRE_OFFICER_PIN") or (
        getpass.getpass("PIN: ") if sys.stdin.isatty() else "")
    if not pin:
        return _fail("officer: give a PIN (--pin, CENTRE_OFFICER_PIN, or type it at the prompt)", 2)
    centre = open_centre(args)
    try:
        with centre.db.write() as conn:
            access.add_officer(conn, args.name, pin, centre.clock())
    except CentreError as exc:
        return _fail(f"officer: {exc}", 2)
    print(f"officer {args.name}: PIN set")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from centre import importers
    from centre.domain.errors import CentreError

    if not args.file.is_file():
        return _fail(f"import: {args.file} does not exist", 2)
    centre = open_centre(args)
    as_json = args.file.suffix.lower() == ".json" or args.file.read_bytes().lstrip()[:1] in (b"[", b"{")
    fn = importers.import_applications if args.kind == "applications" else importers.import_appointments
    try:
        report = fn(centre, args.file, as_json)
    except CentreError as exc:
        return _fail(f"import: {exc}", 2)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"{args.kind}: {report.accepted} accepted ({report.created} new, {report.updated} updated, "
              f"{report.unchanged} unchanged), {len(report.rejected)} rejected")
        for r in report.rejected:
            print(f"  row {r['row']}: {r['reason']}")
    return 0 if not report.rejected else 1


def run_status(args: argparse.Namespace) -> int:
    from centre import records
    from centre.domain.errors import NotFound

    centre = open_centre(args)
    try:
        with centre.db.read() as conn:
            view = records.find_application(centre, conn, args.code)
    except NotFound:
        return _fail("status: no application with this code")
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=2))
        return 0
    print(f"{view['code']}  {view['status_vi']} ({view['status_en']})")
    if view["received_on"]:
        print(f"  received / tiếp nhận: {view['received_on']}")
    if view["due_on"]:
        print(f"  due / hẹn trả: {view['due_on']}" + ("  OVERDUE / quá hạn" if view["overdue"] else ""))
    for e in view["timeline"]:
        print(f"  {e['at']}  {e['status']:>2} {e['vi']}")
    print(f"  next / tiếp theo: {view['next_step_vi']}")
    return 0


def run_tickets(args: argparse.Namespace) -> int:
    from centre import views

    centre = open_centre(args)
    day = args.date or centre.day_of(centre.clock())
    with centre.db.read() as conn:
        rows = views.tickets_of_day(centre, conn, day)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{day}: {len(rows)} ticket(s)")
    for r in rows:
        print(f"  {r['number']:<6} {r['service']:<12} {r['state']:<10} {r['kiosk']:<14} "
              f"{'offline' if r['offline'] else 'online ':<8} {r['issued_at']}")
    return 0


def run_kiosks(args: argparse.Namespace) -> int:
    from centre import records

    centre = open_centre(args)
    with centre.db.read() as conn:
        rows = records.kiosks(centre, conn)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['kiosk']:<20} {r['state']:<12} last seen {r['last_seen']}{'  SILENT' if r['silent'] else ''}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the day's report (CSV + PNG) and print where, with the day's totals."""
    from datetime import date

    from centre import reports

    if args.date:
        try:
            date.fromisoformat(args.date)
        except ValueError:
            return _fail("report: --date must be YYYY-MM-DD", 2)
    centre = open_centre(args)
    day = args.date or centre.day_of(centre.clock())
    with centre.db.read() as conn:
        rep = reports.build(conn, day, {sv.code: sv.vi for sv in centre.settings.services}, centre.settings.tz)
    files = reports.write_csv(rep, args.out) + [reports.write_chart(rep, args.out)]
    served = sum(g.outcomes["done"] for g in rep.services.values())
    no_shows = sum(g.outcomes["no_show"] for g in rep.services.values())
    print(f"{day}: {rep.total} ticket(s), {served} served, {no_shows} no-show(s), "
          f"{sum(rep.scores.values())} rating(s)")
    for f in files:
        print(f"  {f}")
    return 0
