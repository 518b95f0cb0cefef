"""A kiosk killed (SIGKILL) after the centre answered a check-in and before the kiosk settled
the attempt, on SQLite and PostgreSQL: nobody saw the ticket, the restarted kiosk voids the
attempt and the centre cancels it and opens the booking again. The visit's handover (the
citizen's personal data for the counter) must not go to the centre for that ticket: it is
queued only once the attempt is settled, as for an ordinary ticket. (Found by the chaos day
with bookings, 5,000 tickets, seed 1: the handover of such a check-in, sent after its void,
was refused ``ticket_ended``; in order it would have been stored for a ticket nobody holds.)"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.centre_server import ROOT, CentreProcess, centre_env
from tests.integration.centre.checkin_kiosk_stalled import SETTLING
from tests.integration.centre.test_abandoned_attempts import restart, restarted  # noqa: F401
from tests.integration.centre.test_checkin_attempts import CITIZEN, book, booking
from tests.integration.centre.test_checkin_pending_void import cancelled_for_nobody
from tests.integration.centre.test_ghost_tickets import centre_tickets


def kill_while_settling(proc: CentreProcess, folder: Path, code: str) -> str:
    """Run the stalling kiosk and kill it once it has the answer; returns the attempt's key."""
    cmd = [sys.executable, "-m", "tests.integration.centre.checkin_kiosk_stalled", str(folder), proc.url, code]
    env = centre_env({"CHECKIN_ID_NUMBER": CITIZEN, "CHECKIN_TOKEN": proc.tokens["kiosk-01"]})
    kiosk = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    settling = folder / SETTLING
    try:
        for _ in range(1500):    # up to 30 s
            if settling.exists() or kiosk.poll() is not None:
                break
            time.sleep(0.02)
        assert settling.exists(), "the kiosk never had the answer"
    finally:
        kiosk.kill()             # SIGKILL, at the moment it settles the attempt
        kiosk.wait(10)
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
