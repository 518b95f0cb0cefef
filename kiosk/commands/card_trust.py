"""``python -m kiosk card trust import|list|remove``: the CSCA trust store of the chip check.

The folder comes from ``--trust-store DIR`` or ``devices.card_reader.trust_store_dir``.
``import`` takes CSCA certificates (PEM/DER), CRLs and ICAO CSCA master lists (the
master list's CMS signature is checked before its certificates are stored).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(cs: argparse._SubParsersAction) -> None:
    """Add ``trust`` under ``card``."""
    t = cs.add_parser("trust", help="manage the CSCA trust store (import, list, remove)",
                      description="CSCA certificates, ICAO master lists and CRLs used to verify "
                      "the document signer of each chip.")
    t.add_argument("--trust-store", metavar="DIR",
                   help="trust store folder (default: devices.card_reader.trust_store_dir)")
    ts = t.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    i = ts.add_parser("import", help="import CSCA certificates, master lists or CRLs")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.set_defaults(func=run_import)
    ls = ts.add_parser("list", help="list the stored CSCAs and CRLs")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=run_list)
    rm = ts.add_parser("remove", help="remove stored objects by fingerprint prefix")
    rm.add_argument("fingerprint", help="at least 8 hex digits of the SHA-256 fingerprint (see list)")
    rm.set_defaults(func=run_remove)


def _folder(args: argparse.Namespace) -> Path | None:
    if args.trust_store:
        return Path(args.trust_store)
    from kiosk.config import load_config

    configured = load_config(args.config).section("devices.card_reader").get("trust_store_dir", "")
    return Path(configured) if configured else None


def _need_folder(args: argparse.Namespace) -> Path:
    folder = _folder(args)
    if folder is None:
        raise SystemExit("no trust store folder: give --trust-store DIR or set devices.card_reader.trust_store_dir")
    return folder


def run_import(args: argparse.Namespace) -> int:
    """Import each file; exit 1 when one of them is refused."""
    from hardware.emrtd.trust_store import TrustStoreError, import_file

    folder = _need_folder(args)
    folder.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in args.files:
        try:
            added, present, note = import_file(folder, name)
        except (TrustStoreError, OSError) as exc:
            print(f"{name}: refused: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {note}: {added} added, {present} already present")
    return status


def run_list(args: argparse.Namespace) -> int:
    """Print the store; exit 1 when it cannot be loaded (the kiosk would refuse it too)."""
    from hardware.emrtd.trust_store import TrustStoreError, list_entries

    folder = _need_folder(args)
    try:
        entries = list_entries(folder)
    except TrustStoreError as exc:
        print(f"trust store cannot be loaded: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([{"kind": e.kind, "fingerprint": e.fingerprint, "subject": e.subject,
                           "country": e.country, "not_before": e.not_before, "not_after": e.not_after}
                          for e in entries], ensure_ascii=False, indent=2))
        return 0
    for e in entries:
        print(f"{e.kind:<5} {e.fingerprint[:16]}  {e.country}  {e.not_before} .. {e.not_after}  {e.subject}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Remove matching objects; exit 1 when nothing matched."""
    from hardware.emrtd.trust_store import TrustStoreError, remove

    try:
        removed = remove(_need_folder(args), args.fingerprint)
    except TrustStoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for fp in removed:
        print(f"removed {fp}")
    if not removed:
        print("nothing matches that fingerprint", file=sys.stderr)
        return 1
    return 0
