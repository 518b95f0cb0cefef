"""The kiosk's record of online ticket attempts (offline_cache.outbox + kiosk.centre_tickets),
on real SQLite files: the key is committed before the request leaves, survives a
``kill -9``, is forgotten when the citizen has a number, and an attempt whose process is
gone becomes a ``void_attempt`` outbox item (never one of a process still running).

The centre here is a stand-in that only answers ``issue`` (or fails it): what matters is
what the store holds *at the moment of the call*, seen through a second connection."""
from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from kiosk.centre_client import CentreRejected, CentreUnreachable
from kiosk.centre_tickets import CentreTicketIssuer, NoOfflineNumbers
from kiosk.config import DEFAULT_PRIORITY_GROUPS, DEFAULT_SERVICES
from kiosk.ticketing import ServiceCatalog, TicketError
from offline_cache.leases import LeaseStore
from offline_cache.outbox import VOID_KIND, Outbox
from offline_cache.process_id import is_running, this_process
from offline_cache.sealed import StoreSealer
from offline_cache.ticket_store import TicketStore

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.urlsafe_b64encode(bytes(range(32)))   # the store's Fernet key


def committed_attempts(db: Path) -> list[str]:
    """The attempt keys another connection (another process) sees: committed ones only."""
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT key FROM attempt")]
    finally:
        conn.close()


class StandIn:
    """Answers ``issue`` with ``answer(key)``; records what was committed when it was called."""

    def __init__(self, db: Path, answer: Callable[[str], dict[str, Any]]) -> None:
        self.db = db
        self.answer = answer
        self.seen_at_call: list[str] = []

    def issue(self, service: str, priority_group: str, flags: list[str], key: str,
              booking: dict[str, str] | None = None) -> dict[str, Any]:
        self.seen_at_call = committed_attempts(self.db)
        return self.answer(key)


def centre_ticket(key: str) -> dict[str, Any]:
    return {"id": 7, "number": "A012", "service": "cccd_new", "priority_group": "",
            "issued_at": "2026-12-05T09:00:00+07:00", "people_ahead": 3, "wait": None}


def raise_(exc: Exception) -> Callable[[str], dict[str, Any]]:
    def answer(key: str) -> dict[str, Any]:
        raise exc
    return answer


def make_issuer(tmp_path: Path, answer: Callable[[str], dict[str, Any]],
                leased: bool = True) -> tuple[CentreTicketIssuer, StandIn]:
    db = tmp_path / "outbox.sqlite3"
    outbox = Outbox(db, StoreSealer(KEY))
    leases = LeaseStore(db)
    centre = StandIn(db, answer)
    issuer = CentreTicketIssuer(ServiceCatalog(DEFAULT_SERVICES, DEFAULT_PRIORITY_GROUPS), centre,  # type: ignore[arg-type]
                                TicketStore(tmp_path / "kiosk.sqlite3"), leases, outbox, "kiosk-01")
    if leased:
        leases.add(issuer.local_now().date().isoformat(), "A", 900, 909)
    return issuer, centre


def test_the_attempt_is_committed_before_the_call_and_forgotten_with_the_ticket(tmp_path: Path) -> None:
    issuer, centre = make_issuer(tmp_path, centre_ticket)
    ticket = issuer.issue("cccd_new")
    assert ticket.number == "A012" and not ticket.offline
    assert centre.seen_at_call == [ticket.client_key]      # visible to another process during the call
    assert committed_attempts(centre.db) == [] and issuer.outbox.stats().backlog == 0


def test_a_refusal_forgets_the_attempt_without_a_void(tmp_path: Path) -> None:
    issuer, centre = make_issuer(tmp_path, raise_(CentreRejected(400, "unknown_service", "")))
    with pytest.raises(TicketError):
        issuer.issue("cccd_new")
    assert len(centre.seen_at_call) == 1
    assert committed_attempts(centre.db) == [] and issuer.outbox.stats().backlog == 0


def test_the_offline_ticket_settles_the_attempt_in_its_own_transaction(tmp_path: Path) -> None:
    issuer, centre = make_issuer(tmp_path, raise_(CentreUnreachable("timeout")))
    ticket = issuer.issue("cccd_new")
    [attempt] = centre.seen_at_call
    assert ticket.offline and ticket.client_key == f"{attempt}/offline"
    assert committed_attempts(centre.db) == []
    [item] = issuer.outbox.due()
    assert (item.kind, item.payload["replaces"]) == ("offline_ticket", attempt)   # no void besides it


def test_no_offline_number_left_voids_the_attempt_at_once(tmp_path: Path) -> None:
    """The centre may have made the ticket and lost the answer; the citizen got nothing."""
    issuer, centre = make_issuer(tmp_path, raise_(CentreUnreachable("timeout")), leased=False)
    with pytest.raises(NoOfflineNumbers):
        issuer.issue("cccd_new")
    [attempt] = centre.seen_at_call
    assert committed_attempts(centre.db) == []
    [item] = issuer.outbox.due()
    assert (item.kind, item.key, item.payload) == (VOID_KIND, f"{attempt}/void", {"replaces": attempt})


KILLED_MID_CALL = """
import base64, os, signal, sys
from pathlib import Path
from offline_cache.outbox import Outbox
from offline_cache.sealed import StoreSealer
outbox = Outbox(Path(sys.argv[1]), StoreSealer(base64.urlsafe_b64encode(bytes(range(32)))))
outbox.begin_attempt(sys.argv[2])
os.kill(os.getpid(), signal.SIGKILL)   # as if killed while waiting for the centre
"""


def attempt_of_a_killed_process(db: Path, key: str) -> None:
    r = subprocess.run([sys.executable, "-c", KILLED_MID_CALL, str(db), key], cwd=ROOT, capture_output=True)
    assert r.returncode == -9, r.stderr


def test_a_killed_process_leaves_its_attempt_and_the_next_start_voids_it(tmp_path: Path) -> None:
    db = tmp_path / "outbox.sqlite3"
    attempt_of_a_killed_process(db, "kiosk-01/dead")
    assert committed_attempts(db) == ["kiosk-01/dead"]     # the kill lost nothing
    outbox = Outbox(db, StoreSealer(KEY))                  # the kiosk restarts
    outbox.begin_attempt("kiosk-01/in-flight")             # ... and this process is busy with one
    assert outbox.void_abandoned() == ["kiosk-01/dead"]
    assert outbox.open_attempts() == ["kiosk-01/in-flight"]    # a running process's: left alone
    [item] = outbox.due()
    assert (item.kind, item.key, item.payload) == (VOID_KIND, "kiosk-01/dead/void", {"replaces": "kiosk-01/dead"})
    # a second start (or the technician's CLI beside the kiosk) voids nothing again
    again = Outbox(db, StoreSealer(KEY))
    assert again.void_abandoned() == [] and len(again.due()) == 1


def test_a_reused_pid_is_not_taken_for_the_process_that_made_the_attempt(tmp_path: Path) -> None:
    db = tmp_path / "outbox.sqlite3"
    outbox = Outbox(db, StoreSealer(KEY))
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO attempt VALUES (?,?,?)", ("kiosk-01/before-reboot", f"{os.getpid()}:1", 0.0))
    conn.commit()
    conn.close()
    assert outbox.void_abandoned() == ["kiosk-01/before-reboot"]


def test_process_identity() -> None:
    me = this_process()
    assert is_running(me)
    pid, _, started = me.partition(":")
    assert started.isdigit()                            # Linux: the start time is recorded
    assert not is_running(f"{pid}:{int(started) + 1}")  # same PID, another process
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert not is_running(f"{gone.stdout.strip()}:1") and not is_running("garbage")
