"""A kiosk process that checks one booking in with a visit handover through the real
:func:`kiosk.visit.check_in`, and stops dead at the moment the kiosk settles the attempt
(``Outbox.end_attempt``), so the test can kill it (SIGKILL) after the centre's answer arrived
and before the attempt was settled - the moment a power cut may come.

``python -m tests.integration.centre.checkin_kiosk_stalled DIR URL CODE`` as ``kiosk-01``
(its token in ``$CHECKIN_TOKEN``, the citizen's ID number in ``$CHECKIN_ID_NUMBER``: never
on a command line).

It writes ``D/settling`` when it reaches that moment, then waits to be killed.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from hardware.shared_types import Citizen, VisitHandover
from kiosk.visit import check_in
from tests.chaos.kiosk_worker import build_link

SETTLING = "settling"


def main(argv: list[str] | None = None) -> int:
    folder_name, url, code = argv if argv is not None else sys.argv[1:]
    folder = Path(folder_name)
    folder.mkdir(parents=True, exist_ok=True)
    link = build_link(SimpleNamespace(dir=folder_name, url=url, token=os.environ["CHECKIN_TOKEN"],  # type: ignore[arg-type]
                                      kiosk_id="kiosk-01"))
    id_number = os.environ.get("CHECKIN_ID_NUMBER", "")

    def stalled(key: str) -> None:
        (folder / SETTLING).write_text(key, encoding="utf-8")
        time.sleep(600)        # the test kills the process here
    link.outbox.end_attempt = stalled  # type: ignore[method-assign]
    handover = VisitHandover(citizen=Citizen(id_number=id_number, full_name="Nguyễn Văn An",
                                             date_of_birth=date(1990, 5, 12)), source="qr")
    check_in(link.issuer, code, id_number, "", (), handover)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
