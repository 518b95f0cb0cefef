"""``python -m kiosk maintenance ...``: the maintenance PIN, the staff audit log, the
kiosk's recent log lines (for staff at the kiosk PC)."""
from __future__ import annotations

import argparse
import getpass
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("maintenance", help="maintenance PIN, audit log, recent log lines",
                       description="Staff tools for the kiosk's maintenance screen.")
    msub = p.add_subparsers(dest="maintenance_command", metavar="ACTION", required=True)
    pin = msub.add_parser("set-pin", help="hash a new maintenance PIN (scrypt) for the config file",
                          description="Asks for a new PIN twice (or reads one line from stdin "
                          "with --stdin) and prints the maintenance.pin_hash line to put in "
                          "the configuration file. The PIN itself is never stored.")
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(func=set_pin)
    audit = msub.add_parser("audit", help="show the newest staff audit entries")
    audit.add_argument("--last", type=int, default=30, metavar="N")
    audit.set_defaults(func=show_audit)
    logs = msub.add_parser("log", help="show the newest lines of the kiosk's log (masked)")
    logs.add_argument("--lines", type=int, default=40, metavar="N")
    logs.set_defaults(func=show_log)


def _data_dir(args: argparse.Namespace):  # noqa: ANN202 - Path, imported lazily
    from kiosk.bootstrap import resolve_path
    from kiosk.config import load_config

    cfg = load_config(args.config)
    return cfg, resolve_path(cfg["kiosk.data_dir"])


def set_pin(args: argparse.Namespace) -> int:
    from kiosk.audit import AuditLog, cli_actor
    from kiosk.staff_auth import hash_pin

    if args.stdin:
        first = second = sys.stdin.readline().strip()
    else:
        first = getpass.getpass("New maintenance PIN (4-12 digits): ")
        second = getpass.getpass("Again: ")
    if first != second:
        print("the two PINs differ; nothing changed", file=sys.stderr)
        return 1
    try:
        hashed = hash_pin(first)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    cfg, data_dir = _data_dir(args)
    AuditLog.in_data_dir(data_dir, cfg["kiosk.id"]).record(cli_actor(), "set_pin")
    print("# put this under [maintenance] in the configuration file (or set "
          "KIOSK_MAINTENANCE_PIN_HASH), then restart the kiosk:")
    print(f'pin_hash = "{hashed}"')
    return 0


def show_audit(args: argparse.Namespace) -> int:
    from kiosk.audit import AuditLog

    cfg, data_dir = _data_dir(args)
    for e in AuditLog.in_data_dir(data_dir, cfg["kiosk.id"]).entries(args.last):
        extra = " ".join(f"{k}={v}" for k, v in e.items()
                         if k not in ("at", "kiosk", "who", "action", "outcome"))
        print(f"{e['at']}  {e['who']:<26} {e['action']:<18} {e['outcome']} {extra}".rstrip())
    return 0


def show_log(args: argparse.Namespace) -> int:
    from kiosk.logs import recent_lines

    _cfg, data_dir = _data_dir(args)
    for line in recent_lines(data_dir, args.lines):
        print(line)
    return 0
