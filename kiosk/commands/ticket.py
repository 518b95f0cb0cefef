"""``python -m kiosk ticket``: render, print and check queue tickets (for technicians).

- ``ticket render --number A012 --service cccd_new --out ticket.png [--paper 58|80]``
- ``ticket print --printer tcp://127.0.0.1:9100 --number A012 --service cccd_new``
- ``ticket status --printer tcp://…``   (DLE EOT status, paper estimate)
- ``ticket paper --reset``              (a new roll was loaded: reset the paper counter)
- ``ticket issue --service CODE [--priority GROUP] [--json]`` (through the centre; offline range
  when it is unreachable)

Without ``--printer`` the printer options come from the configuration
(``devices.printer.*``). Heavy imports (Pillow, python-escpos) happen inside handlers.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ticket", help="render, print or check queue tickets",
                       description="Render a queue ticket to PNG, print one on an ESC/POS "
                       "printer, or query the printer's status.")
    tsub = p.add_subparsers(dest="ticket_command", metavar="ACTION", required=True)

    def job_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--number", default="A012", help="ticket number (default A012)")
        q.add_argument("--service", default="cccd_new", help="service code from services.list")
        q.add_argument("--language", choices=("vi", "en"), default="vi")
        q.add_argument("--priority", action="store_true", help="mark as a priority ticket")
        q.add_argument("--ahead", type=int, help="people waiting ahead")
        q.add_argument("--wait", metavar="MIN-MAX", help="estimated wait in minutes, e.g. 10-20")
        q.add_argument("--counter", default="", help="counter group, e.g. 'Quầy 1–3'")
        q.add_argument("--qr", default="", help="QR payload (default: a tracking code)")
        q.add_argument("--paper", type=int, choices=(58, 80), help="paper width in mm")

    def printer_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--printer", metavar="URL", help="tcp://HOST:9100, usb://VID:PID or "
                       "serial:///dev/ttyUSB0?baud=115200 (default: devices.printer.url)")
        q.add_argument("--profile", choices=("epson", "generic", "basic", "legacy"))

    r = tsub.add_parser("render", help="render a ticket to a PNG file")
    job_args(r)
    r.add_argument("--out", required=True, help="PNG file to write")
    r.add_argument("--native-qr", action="store_true", help="leave the QR out (as the printer "
                   "would draw it)")
    r.set_defaults(func=run_render)

    pr = tsub.add_parser("print", help="print a ticket on an ESC/POS printer")
    job_args(pr)
    printer_args(pr)
    pr.add_argument("--save-bytes", metavar="FILE", help="also write the ESC/POS bytes here")
    pr.set_defaults(func=run_print)

    st = tsub.add_parser("status", help="query the printer's status (DLE EOT)")
    printer_args(st)
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(func=run_status)

    from kiosk.commands.outbox import add_issue_parser
    add_issue_parser(tsub)

    pa = tsub.add_parser("paper", help="show or reset the paper counter")
    pa.add_argument("--reset", action="store_true", help="a new roll was loaded")
    pa.set_defaults(func=run_paper)


def _job(args: argparse.Namespace, cfg: Any) -> Any:
    from datetime import datetime

    from hardware.shared_types import TicketJob

    services = {s["code"]: s for s in cfg["services.list"]}
    if args.service not in services:
        raise SystemExit(f"unknown service {args.service!r} (known: {', '.join(services)})")
    svc = services[args.service]
    wait = None
    if args.wait:
        low, _, high = args.wait.partition("-")
        wait = (int(low), int(high or low))
    return TicketJob(number=args.number, service_code=svc["code"], service_vi=svc["vi"],
                     service_en=svc["en"], language=args.language,
                     centre_name=cfg["kiosk.centre_name"], priority=args.priority,
                     issued_at=datetime.now(), waiting_ahead=args.ahead, wait_minutes=wait,
                     counter_group=args.counter,
                     qr_payload=args.qr or f"KIOSK:{cfg['kiosk.id']}:{args.number}")


def _printer(args: argparse.Namespace, cfg: Any) -> Any:
    from hardware.escpos_printer import EscposPrinter

    opts = {k: v for k, v in cfg.section("devices.printer").items()
            if k in ("url", "profile", "paper_mm", "native_qr", "timeout_s",
                     "status_timeout_s", "paper_roll_mm", "paper_warn_mm", "logo")}
    if getattr(args, "printer", None):
        opts["url"] = args.printer
    if getattr(args, "profile", None):
        opts["profile"] = args.profile
    if getattr(args, "paper", None):
        opts["paper_mm"] = args.paper
    printer = EscposPrinter(data_dir=cfg["kiosk.data_dir"], **opts)
    printer.open()
    return printer


def run_render(args: argparse.Namespace) -> int:
    from hardware.ticket_layout import render_ticket

    cfg = load_config(args.config)
    paper = args.paper or cfg["devices.printer.paper_mm"]
    image = render_ticket(_job(args, cfg), paper, native_qr=args.native_qr,
                          logo=cfg["devices.printer.logo"] or None)
    image.save(args.out)
    print(f"wrote {args.out} ({image.width}x{image.height} dots, {paper} mm)")
    return 0


def run_print(args: argparse.Namespace) -> int:
    from hardware.printer import PrinterError

    cfg = load_config(args.config)
    printer = _printer(args, cfg)
    job = _job(args, cfg)
    if args.save_bytes:
        with open(args.save_bytes, "wb") as f:
            f.write(printer.encode(job).data)
    try:
        printer.print_ticket(job)
    except PrinterError as exc:
        print(f"print failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"printed {job.number} on {printer.url}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    printer = _printer(args, cfg)
    status = printer.status()
    if args.json:
        print(json.dumps({"state": status.state.value, "detail": status.detail,
                          **status.extra}, ensure_ascii=False, indent=2))
    else:
        print(f"{status.state.value}: {status.detail}")
        for key, value in status.extra.items():
            print(f"  {key}: {value}")
    return 0 if status.ok else 1


def run_paper(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hardware.escpos_printer import PaperCounter

    cfg = load_config(args.config)
    counter = PaperCounter(Path(cfg["kiosk.data_dir"]) / "printer_paper.json",
                           cfg["devices.printer.paper_roll_mm"],
                           cfg["devices.printer.paper_warn_mm"])
    if args.reset:
        counter.reset()
        print("paper counter reset (new roll)")
    if not counter.enabled:
        print("no paper estimate: devices.printer.paper_roll_mm is 0")
    else:
        print(f"{counter.tickets} tickets on this roll, ~{counter.remaining_mm:.0f} mm left"
              f"{' (NEAR END)' if counter.near_end else ''}")
    return 0
