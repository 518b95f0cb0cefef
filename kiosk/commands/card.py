"""``python -m kiosk card``: read the chip ID card, parse DG13, make and serve virtual cards.

For technicians and the demo. Output goes to the terminal only (never to logs); the ID
number is masked unless ``--show-id``. pyscard and cryptography are imported inside
the handlers, so building the CLI parser stays light.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("card", help="chip ID card tools (read, parse DG13, virtual cards)",
                       description="Read the CCCD chip on a PC/SC reader, parse a DG13 file, "
                       "and make or serve virtual cards for the vpcd test reader.")
    cs = p.add_subparsers(dest="card_command", metavar="SUBCOMMAND", required=True)

    r = cs.add_parser("read", help="read the card on the first PC/SC reader",
                      description="Authenticate (PACE-CAN, PACE-MRZ or BAC), run chip authentication and "
                      "read the card; the chip check is verified, signature_only or failed. Exit code 0 "
                      "when read and not failed, 1 for a card or reader error, 3 when the chip check failed "
                      "(altered data, bad signature or chain, possibly cloned chip).")
    key = r.add_mutually_exclusive_group(required=True)
    key.add_argument("--can", help="6-digit card access number (last 6 digits of the ID)")
    key.add_argument("--id", dest="id_number", metavar="ID",
                     help="12-digit ID number (CAN = last 6; with --dob also BAC data)")
    key.add_argument("--mrz", help="MRZ information: 24 characters (docnum+cd, DOB+cd, expiry+cd) "
                     "or DOCNUM,YYMMDD,YYMMDD")
    r.add_argument("--dob", help="date of birth YYYY-MM-DD (with --id: allows BAC)")
    r.add_argument("--json", action="store_true", help="machine-readable output (contains personal data)")
    r.add_argument("--photo", metavar="OUT.jpg", help="write the portrait (JPEG) to this file")
    r.add_argument("--show-id", action="store_true", help="print the full ID number")
    r.add_argument("--reader", metavar="TEXT", help="only readers whose name contains TEXT")
    r.add_argument("--trust-store", metavar="DIR", help="CSCA trust store folder (see `card trust`)")
    r.add_argument("--no-chip-auth", action="store_true", help="skip chip authentication")
    r.add_argument("--block-size", type=int, help="bytes per READ BINARY (default from config)")
    r.add_argument("--wait", type=float, default=10.0, metavar="S",
                   help="seconds to wait for a card (default 10)")
    r.set_defaults(func=run_read)

    d = cs.add_parser("parse-dg13", help="parse a DG13 file (binary or hex) and print it")
    d.add_argument("file", help="DG13 bytes (raw, or hex text)")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--show-id", action="store_true", help="print full ID numbers")
    d.set_defaults(func=run_parse_dg13)

    m = cs.add_parser("make-virtual", help="generate a virtual card profile from a citizen record",
                      description="Write a card profile directory (files, keys, test PKI) that "
                      "`card serve-virtual` and the e2e tests load.")
    m.add_argument("out", help="profile directory to create")
    m.add_argument("--citizen", metavar="JSON", help="citizen record (JSON file); default: a demo citizen")
    m.add_argument("--seed", default="kiosk-demo", help="seed of the deterministic test keys")
    m.add_argument("--no-pace", action="store_true", help="card without PACE (BAC only)")
    m.add_argument("--portrait", metavar="IMAGE", help="portrait image file (default: bundled demo)")
    m.set_defaults(func=run_make_virtual)

    s = cs.add_parser("serve-virtual", help="serve a virtual card to the vpcd reader",
                      description="Connect a virtual card to vpcd (pcscd's virtual reader) and "
                      "answer APDUs until interrupted. With --with-pcscd, start a private "
                      "pcscd first and print the PCSCLITE_CSOCK_NAME its clients need.")
    s.add_argument("--profile", required=True, metavar="DIR", help="card profile directory")
    s.add_argument("--port", type=int, default=None, help="vpcd TCP port (default 35963)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--with-pcscd", metavar="WORKDIR", help="run a private pcscd in WORKDIR")
    s.set_defaults(func=run_serve_virtual)

    from kiosk.commands.card_trust import register as register_trust

    register_trust(cs)


# -- read ---------------------------------------------------------------------------
def _access_key(args: argparse.Namespace) -> Any:
    import datetime as dt

    from hardware.shared_types import AccessKey

    if args.can:
        if not (len(args.can) == 6 and args.can.isdigit()):
            raise SystemExit("--can must be 6 digits")
        return AccessKey.from_can(args.can)
    if args.id_number:
        id12 = args.id_number.strip()
        if not (len(id12) == 12 and id12.isdigit()):
            raise SystemExit("--id must be 12 digits")
        if not args.dob:
            return AccessKey.from_id(id12)
        try:
            dob = dt.date.fromisoformat(args.dob)
        except ValueError:
            raise SystemExit("--dob must be YYYY-MM-DD") from None
        return AccessKey.from_id(id12, dob)  # expiry candidates by the CCCD age rule
    mrz = args.mrz.strip().upper()
    if "," in mrz:
        parts = [x.strip() for x in mrz.split(",")]
        if len(parts) != 3:
            raise SystemExit("--mrz DOCNUM,YYMMDD,YYMMDD")
        doc, dob, exp = parts
    elif len(mrz) == 24:
        doc, dob, exp = mrz[0:9], mrz[10:16], mrz[17:23]
    else:
        raise SystemExit("--mrz needs 24 characters or DOCNUM,YYMMDD,YYMMDD")
    return AccessKey.from_mrz(doc, dob, exp)


def _citizen_dict(citizen: Any, show_id: bool) -> dict[str, Any]:
    from dataclasses import asdict

    out = asdict(citizen)
    for k, v in out.items():
        if hasattr(v, "isoformat"):
            out[k] = v.isoformat()
    if not show_id:
        from hardware.shared_types import mask_id

        out["id_number"] = mask_id(citizen.id_number)
        if out.get("old_id_number"):
            out["old_id_number"] = mask_id(citizen.old_id_number)
    return out


def run_read(args: argparse.Namespace) -> int:
    import time

    from hardware.base import BackendUnavailable
    from hardware.card_reader import CardError, NoCardPresent
    from hardware.pcsc_card_reader import PcscCardReader
    from kiosk.config import load_config

    opts = load_config(args.config).section("devices.card_reader")
    dev = PcscCardReader(
        reader_filter=args.reader if args.reader is not None else opts.get("reader_filter", ""),
        block_size=args.block_size or opts.get("block_size", 0xDF),
        trust_store_dir=args.trust_store if args.trust_store is not None else opts.get("trust_store_dir", ""),
        read_timeout_s=opts.get("read_timeout_s", 20.0), chip_auth=not args.no_chip_auth)
    key = _access_key(args)
    try:
        dev.open()
    except BackendUnavailable as exc:
        print(f"card reader cannot start: {exc}", file=sys.stderr)
        return 1
    if dev.trust_store_error:
        print(f"warning: {dev.trust_store_error}", file=sys.stderr)
    try:
        deadline = time.monotonic() + args.wait
        announced = False
        while True:
            try:
                result = dev.read_card(key)
                break
            except NoCardPresent:
                if time.monotonic() >= deadline:
                    raise
                if not announced and not args.json:
                    print("Place the card on the reader…", file=sys.stderr)
                    announced = True
                time.sleep(0.2)
    except CardError as exc:
        if args.json:
            print(json.dumps({"ok": False, "error": type(exc).__name__, "detail": str(exc)}))
        else:
            print(f"card read failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        dev.close()
    if args.photo and result.portrait_jpeg:
        Path(args.photo).write_bytes(result.portrait_jpeg)
    citizen = _citizen_dict(result.citizen, args.show_id)
    verdict = result.verdict
    code = 3 if verdict is not None and verdict.failed else 0
    if args.json:
        print(json.dumps({
            "ok": True, "citizen": citizen, "access_method": result.access_method,
            "verdict": verdict.to_dict() if verdict is not None else None,
            "passive_auth_ok": result.passive_auth_ok,
            "passive_auth": result.passive_auth_summary,
            "active_auth_ok": result.active_auth_ok, "apdu_count": result.apdu_count,
            "duration_s": round(result.duration_s, 4), "warnings": list(result.warnings),
            "portrait_bytes": len(result.portrait_jpeg or b""),
        }, ensure_ascii=False, indent=2))
        return code
    width = max(len(k) for k in citizen)
    for k, v in citizen.items():
        if v not in ("", None):
            print(f"{k:<{width}}  {v}")
    print(f"\naccess method   {result.access_method}")
    if verdict is not None:
        print(f"chip check      {verdict.code.upper()} ({verdict.reason}): {verdict.explanation()}")
        if verdict.possibly_cloned:
            print("                POSSIBLY CLONED CHIP")
        if verdict.chip_auth is not None:
            print(f"chip auth       {'OK' if verdict.chip_auth else 'FAILED'}")
    print(f"passive auth    {result.passive_auth_summary}")
    if result.active_auth_ok is not None:
        print(f"active auth     {'OK' if result.active_auth_ok else 'FAILED'}")
    print(f"read            {result.duration_s * 1000:.0f} ms, {result.apdu_count} APDUs")
    if result.portrait_jpeg:
        print(f"portrait        {len(result.portrait_jpeg)} bytes JPEG"
              + (f" -> {args.photo}" if args.photo else ""))
    for w in result.warnings:
        print(f"warning         {w}")
    return code


# -- parse-dg13 ---------------------------------------------------------------------
def _read_bytes(path: str) -> bytes:
    raw = Path(path).read_bytes()
    text = raw.strip()
    try:
        if text and all(c in b"0123456789abcdefABCDEF \n\r\t" for c in text):
            return bytes.fromhex(text.decode())
    except ValueError:
        pass
    return raw


def run_parse_dg13(args: argparse.Namespace) -> int:
    from hardware.emrtd.dg13 import parse_dg13
    from hardware.emrtd.errors import ParseError
    from hardware.shared_types import mask_id, nfc

    try:
        dg13 = parse_dg13(_read_bytes(args.file))
    except (ParseError, OSError) as exc:
        print(f"cannot parse DG13: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    named = {k: (nfc(v) if v is not None else None) for k, v in dg13.as_dict().items()}
    if not args.show_id:
        for k in ("id_number", "old_id_number"):
            if named.get(k):
                named[k] = mask_id(named[k])
    if args.json:
        print(json.dumps({"fields": named, "field_numbers": sorted(dg13.fields)},
                         ensure_ascii=False, indent=2))
        return 0
    width = max(len(k) for k in named)
    for k, v in named.items():
        print(f"{k:<{width}}  {v if v is not None else '-'}")
    return 0


# -- virtual cards ------------------------------------------------------------------
def run_make_virtual(args: argparse.Namespace) -> int:
    from hardware.virtual_card.profiles import make_profile_dir

    from hardware.virtual_card.profiles import read_record

    out = make_profile_dir(Path(args.out), read_record(args.citizen), seed=args.seed,
                           pace=not args.no_pace,
                           portrait=Path(args.portrait) if args.portrait else None)
    print(f"virtual card profile written to {out}\n"
          f"trust store for a fully verified read: {out / 'trust'}")
    return 0


def run_serve_virtual(args: argparse.Namespace) -> int:
    from hardware.virtual_card.__main__ import serve

    return serve(args.profile, host=args.host, port=args.port, pcscd_workdir=args.with_pcscd)

