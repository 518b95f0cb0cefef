"""A kiosk process that checks one booking in through the real :func:`kiosk.visit.check_in`
(no Kivy), for the test that kills it while it waits for the centre's answer.

``python -m tests.integration.centre.checkin_kiosk --dir D --url U --token T --kiosk-id K --code C``
(the citizen's ID number, if any, in ``$CHECKIN_ID_NUMBER``: never on a command line).

When ``check_in`` returns (the citizen would see the answer) it writes ``D/answered``.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk.centre_client import Timeouts
from kiosk.visit import check_in
from tests.chaos.kiosk_worker import build_link

ANSWERED = "answered"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("--dir", "--url", "--token", "--kiosk-id", "--code"):
        ap.add_argument(name, required=True)
    args = ap.parse_args(argv)
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    link = build_link(args)
    # long enough that the test's kill comes first (the proxy never answers)
    link.issuer.centre.timeouts = Timeouts(connect_s=2.0, read_s=60.0, retries=0)  # type: ignore[attr-defined]
    try:
        outcome = check_in(link.issuer, args.code, os.environ.get("CHECKIN_ID_NUMBER", ""), "", ())
        (Path(args.dir) / ANSWERED).write_text(outcome.arrival, encoding="utf-8")
    finally:
        link.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
