"""A kiosk killed (SIGKILL) after the centre answered a check-in and before the kiosk settled
the attempt, on SQLite and PostgreSQL: nobody saw the ticket, the restarted kiosk voids the
attempt and the centre cancels it and opens the booking again. The visit's handover (the
citizen's personal data for the counter) must not go to the centre for that ticket: it is
queued only once the attempt is settled, as for an ordinary ticket. (Found by the chaos day
with bookings, 5,000 tickets, seed 1: the handover of such a check-in, sent after its void,
was refused ``ticket_ended``; in order it would have been stored for a ticket nobody holds.)"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.centre_server import ROOT, CentreProcess, centre_env
from tests.integration.centre.checkin_kiosk_stalled import SETTLING
from tests.integration.centre.test_abandoned_attempts import kiosk_args, restart, restarted  # noqa: F401
from tests.integration.centre.test_checkin_attempts import CITIZEN, book, booking
from tests.integration.centre.test_checkin_pending_void import cancelled_for_nobody
from tests.integration.centre.test_ghost_tickets import centre_tickets


def kill_while_settling(proc: CentreProcess, folder: Path, code: str) -> str:
    """Run the stalling kiosk and kill it once it has the answer; returns the attempt's key."""
    args = kiosk_args(proc, folder)
    cmd = [sys.executable, "-m", "tests.integration.centre.checkin_kiosk_stalled", "--dir", args.dir,
           "--url", args.url, f"--token={args.token}", "--kiosk-id", args.kiosk_id, "--code", code]
    kiosk = subprocess.Popen(cmd, cwd=ROOT, env=centre_env({"CHECKIN_ID_NUMBER": CITIZEN}),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (folder / SETTLING).exists():
            assert kiosk.poll() is None and time.monotonic() < deadline, "the kiosk never had the answer"
            time.sleep(0.02)
        kiosk.send_signal(signal.SIGKILL)
        assert kiosk.wait(10) == -signal.SIGKILL
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
    return (folder / SETTLING).read_text(encoding="utf-8")


def test_a_check_in_killed_before_it_was_settled_sends_no_handover(
        centre_proc: CentreProcess, tmp_path: Path, restarted: list) -> None:  # noqa: F811
    book(centre_proc, "BK-HANDOVER")
    folder = tmp_path / "kiosk-01"
    key = kill_while_settling(centre_proc, folder, "BK-HANDOVER")
    [made] = centre_tickets(centre_proc)
    link = restart(centre_proc, folder, restarted)         # voids the attempt the kill cut short
    link.outbox.retry_now()
    link.drainer.drain()
    assert link.outbox.stats().backlog == 0
    sent = [(kind, outcome) for kind, _, outcome, _ in link.outbox.log()]
    assert sent == [("void_attempt", "delivered")]        # the void only: no handover, none refused
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    cancelled_for_nobody(centre_proc, made)
    kept = booking(centre_proc, "BK-HANDOVER")
    assert (kept["state"], kept["ticket_id"]) == ("booked", None) and len(kept["reopened"]) == 1
