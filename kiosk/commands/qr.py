"""``python -m kiosk qr``: decode QR images and parse payloads, as the kiosk would.

For technicians: check what a scanner or camera delivers and what the kiosk makes of
it. Output is JSON on stdout (never logs); the ID number is masked unless ``--show-id``.
Exit codes: 0 every input understood, 1 some input rejected (typed error printed) or
not decodable, 2 configuration error. OpenCV and zxing are imported inside the handlers.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qr", help="decode QR images and parse QR payloads",
                       description="Decode QR codes in image files, or parse a payload, and "
                       "print the typed result (card QR, booking code, dossier code) or the "
                       "typed error as JSON.")
    qs = p.add_subparsers(dest="qr_command", metavar="SUBCOMMAND", required=True)

    d = qs.add_parser("decode", help="decode the QR codes in image files and parse them")
    d.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG …)")
    d.add_argument("--backend", choices=("auto", "zxing", "opencv"), default="auto",
                   help="decoder (default: zxing-cpp, OpenCV only without it)")
    d.add_argument("--raw", action="store_true", help="print the decoded text, do not parse it")
    d.add_argument("--show-id", action="store_true", help="print full ID numbers")
    d.set_defaults(func=run_decode)

    s = qs.add_parser("parse", help="parse one payload given as an argument")
    s.add_argument("payload", help="the payload text (quote it: it contains '|')")
    s.add_argument("--source", choices=("camera", "keyboard", "simulated"), default="camera",
                   help="where the payload came from (changes the advice for mangled text)")
    s.add_argument("--show-id", action="store_true", help="print full ID numbers")
    s.set_defaults(func=run_parse)


def _parse(text: str, config: Any, source: str, show_id: bool) -> tuple[bool, dict[str, Any]]:
    from kiosk.identity import IdentifyError, parse_payload

    try:
        result = parse_payload(text, config, source=source)
    except IdentifyError as exc:
        return False, exc.to_dict()
    return True, result.to_dict(show_id=show_id)


def run_parse(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    ok, out = _parse(args.payload, config, args.source, args.show_id)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0 if ok else 1


def run_decode(args: argparse.Namespace) -> int:
    import cv2

    from hardware.base import BackendUnavailable
    from hardware.qr_decode import QrDecoder

    config = load_config(args.config)
    try:
        decoder = QrDecoder(backend=args.backend)
    except BackendUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    all_ok = True
    reports = []
    for path in args.images:
        image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if image is None:
            reports.append({"image": path, "error": "not a readable image"})
            all_ok = False
            continue
        if image.dtype != "uint8":  # 16-bit PNGs: scale to 8 bits
            image = (image / 257).astype("uint8")
        codes = decoder.decode(image)
        if not codes:
            all_ok = False
        entries = []
        for code in codes:
            entry: dict[str, Any] = {"method": code.method,
                                     "corners": [[round(x, 1), round(y, 1)] for x, y in code.corners]}
            if args.raw:
                entry["text"] = code.text
            else:
                ok, entry["result"] = _parse(code.text, config, "camera", args.show_id)
                all_ok &= ok
            entries.append(entry)
        reports.append({"image": path, "decoder": decoder.backend, "codes": entries})
    print(json.dumps(reports if len(reports) > 1 else reports[0], ensure_ascii=False, indent=2))
    return 0 if all_ok else 1
