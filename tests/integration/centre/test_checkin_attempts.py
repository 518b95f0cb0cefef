"""Booking check-ins nobody holds, on SQLite and PostgreSQL: the kiosk checked a booking in,
the centre made the ticket and marked the booking checked in, and the kiosk never showed
the answer (it was lost on the way back, or the kiosk was killed). The kiosk voids the
attempt (at once when the answer is lost, at restart after a kill); the centre cancels the
ticket and opens the booking again, so the citizen's next check-in works. A void that comes
first makes the late check-in refused without touching the booking; a ticket a counter
already called is left, its booking checked in.

The faults are real: the chaos day's fault proxy resets the connection instead of answering,
a proxy that swallows answers holds a real kiosk process that the test kills (SIGKILL)."""
from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from centre import records, replaced
from centre.access import authenticate
from centre.api.deps import idempotent
from centre.store.events import events_after
from centre.store.schema import appointment
from kiosk.centre_link import CentreLink
from kiosk.visit import CheckInError, CheckInOutcome, check_in
from offline_cache.outbox import VOID_KIND
from tests.chaos.proxy import FaultRates, ProxyPool
from tests.fixtures.centre_server import Api, CentreProcess, open_centre
from tests.integration.centre.conftest import signed_in
from tests.integration.centre.test_abandoned_attempts import kill_once_the_centre_has_a_ticket, restart
from tests.integration.centre.test_ghost_tickets import cancel_events, centre_tickets, detail
from tests.integration.centre.test_kiosk_on_centre import make_link

T = "/api/v1"
ABANDONED = "attempt_abandoned"
CITIZEN = "001090012345"        # the booking's (test) ID number
LOSE_ANSWER = FaultRates(refuse=0, drop_request=0, drop_response=1.0, delay=0)


def book(proc: CentreProcess, code: str) -> None:
    """A booking of ``CITIZEN`` for cccd_new with its slot starting now (an on-time arrival)."""
    c = open_centre(proc.data_dir, proc.database_url)
    try:
        now = time.time()
        with c.db.write() as conn:
            records.upsert_appointment(c, conn, code=code, service_code="cccd_new", slot_at=now,
                                       slot_end=now + 1800, id_number=CITIZEN, source="test")
    finally:
        c.db.dispose()


def booking(proc: CentreProcess, code: str) -> dict[str, Any]:
    """The booking as the centre stores it: id, state, ticket_id, checked_in_at."""
    c = open_centre(proc.data_dir, proc.database_url)
    try:
        with c.db.read() as conn:
            row = conn.execute(select(appointment).where(appointment.c.code == code)).one()
            events = events_after(conn, 0, limit=10_000)
    finally:
        c.db.dispose()
    return {"id": row.id, "state": row.state, "ticket_id": row.ticket_id, "checked_in_at": row.checked_in_at,
            "reopened": [e["data"] for e in events if e["kind"] == "booking.reopened"
                         and e["data"]["booking"] == row.id]}


@pytest.fixture
def restart_kiosk(centre_proc: CentreProcess, tmp_path: Path) -> Iterator[Callable[[], CentreLink]]:
    """Starts ``kiosk-01`` (again) on its data folder, talking to the centre directly."""
    opened: list[CentreLink] = []
    yield lambda: restart(centre_proc, tmp_path / "kiosk-01", opened)
    for link in opened:
        link.close()


@pytest.fixture
def lossy(centre_proc: CentreProcess, tmp_path: Path) -> Iterator[tuple[ProxyPool, CentreLink]]:
    """``kiosk-01`` behind the fault proxy (faults off until the test turns them on)."""
    pool = ProxyPool(centre_proc.port, 1, seed=1, rates=LOSE_ANSWER).start()
    pool.faults(False)
    via = SimpleNamespace(url=f"http://127.0.0.1:{pool.proxies[0].port}", tokens=centre_proc.tokens)
    link = make_link(via, tmp_path, "kiosk-01")  # type: ignore[arg-type]
    yield pool, link
    link.close()
    pool.stop()


def checked_in(link: CentreLink, code: str) -> CheckInOutcome:
    return check_in(link.issuer, code, CITIZEN, "", ())


def check_in_losing_answer(pool: ProxyPool, link: CentreLink, code: str) -> str:
    """The citizen checks in while the answers are lost: told it failed, with the void of the
    attempt already queued (and its record forgotten). Returns the attempt's key."""
    pool.faults(True)
    with pytest.raises(CheckInError) as failed:
        checked_in(link, code)
    pool.faults(False)
    assert failed.value.code == "checkin_offline"
    assert link.outbox.open_attempts() == []
    [item] = link.outbox.due()
    key = item.payload["replaces"]
    assert (item.kind, item.key, item.payload) == (VOID_KIND, f"{key}/void", {"replaces": key})
    return str(key)


def made_for_nobody(proc: CentreProcess, code: str) -> dict[str, Any]:
    """The hole being closed: a waiting check-in ticket nobody holds, its booking used up."""
    [made] = centre_tickets(proc)
    assert made["state"] == "waiting" and made["appointment"] and not made["offline"]
    assert booking(proc, code)["state"] == "checked_in" and booking(proc, code)["ticket_id"] == made["id"]
    return made


def voided_then_checked_in_again(proc: CentreProcess, link: CentreLink, code: str, key: str,
                                 made: dict[str, Any]) -> None:
    """Deliver the void: the ticket is cancelled, the booking open again; the citizen's next
    check-in gets a new ticket, the one a counter calls."""
    assert link.drainer.drain() == 1
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    now = detail(proc, made["id"])
    assert now["state"] == "cancelled" and now["history"][-1]["detail"] == ABANDONED
    assert len(cancel_events(proc, made["id"])) == 1
    reopened = booking(proc, code)
    assert (reopened["state"], reopened["ticket_id"], reopened["checked_in_at"]) == ("booked", None, None)
    assert reopened["reopened"] == [{"booking": reopened["id"], "ticket_id": made["id"]}]
    again = checked_in(link, code)
    assert again.checked_in and again.arrival == "on_time" and again.ticket is not None
    assert again.ticket.centre_id != made["id"] and again.ticket.appointment == "on_time"
    assert booking(proc, code)["state"] == "checked_in" and booking(proc, code)["ticket_id"] == again.ticket.centre_id
    assert link.outbox.open_attempts() == [] and link.outbox.due() == []
    c3 = signed_in(proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == again.ticket.centre_id
    assert c3.get(f"{T}/counter/queue")[1]["waiting"] == []    # the cancelled one is not queued


def lost_check_in(proc: CentreProcess, lossy: tuple[ProxyPool, CentreLink], code: str
                  ) -> tuple[CentreLink, str, dict[str, Any]]:
    """A booking checked in while the answers are lost: (the kiosk, the attempt's key, the
    ticket the centre made for nobody)."""
    pool, link = lossy
    book(proc, code)
    key = check_in_losing_answer(pool, link, code)
    return link, key, made_for_nobody(proc, code)


def test_a_lost_check_in_answer_is_voided_and_the_citizen_checks_in_again(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, CentreLink]) -> None:
    link, key, made = lost_check_in(centre_proc, lossy, "BK-LOST")
    voided_then_checked_in_again(centre_proc, link, "BK-LOST", key, made)


def test_a_kiosk_killed_mid_check_in_voids_it_when_it_restarts(
        centre_proc: CentreProcess, tmp_path: Path, restart_kiosk: Callable[[], CentreLink]) -> None:
    book(centre_proc, "BK-KILL")
    folder = tmp_path / "kiosk-01"
    kill_once_the_centre_has_a_ticket(centre_proc, folder, "tests.integration.centre.checkin_kiosk",
                                      ["--code", "BK-KILL"], {"CHECKIN_ID_NUMBER": CITIZEN})
    assert not (folder / "answered").exists()                    # nobody saw an answer
    db = sqlite3.connect(folder / "offline_cache" / "outbox.sqlite3")
    try:
        [(key,)] = db.execute("SELECT key FROM attempt").fetchall()   # the kill left the record
    finally:
        db.close()
    made = made_for_nobody(centre_proc, "BK-KILL")
    link = restart_kiosk()
    assert link.outbox.open_attempts() == []
    [item] = link.outbox.due()
    assert (item.kind, item.payload) == (VOID_KIND, {"replaces": key})
    voided_then_checked_in_again(centre_proc, link, "BK-KILL", key, made)


def test_a_void_before_the_check_in_arrives_refuses_it_and_leaves_the_booking_open(
        centre_proc: CentreProcess, restart_kiosk: Callable[[], CentreLink]) -> None:
    book(centre_proc, "BK-SLOW")
    link = restart_kiosk()
    key = "kiosk-01/slow-check-in"
    assert link.issuer.centre.void_attempt(key, f"{key}/void") == {"outcome": "tombstoned"}
    # the original check-in, held by the network, arrives at last: through the kiosk's code ...
    link.issuer.new_key = lambda *_: key  # type: ignore[method-assign]
    with pytest.raises(CheckInError) as refused:
        checked_in(link, "BK-SLOW")
    assert refused.value.code == "checkin_error"
    assert link.outbox.open_attempts() == [] and link.outbox.due() == []   # a refusal: nothing to void
    # ... and retried raw
    k1 = Api(centre_proc.url, centre_proc.tokens["kiosk-01"])
    status, body = k1.post(f"{T}/appointments/checkin", {"code": "BK-SLOW", "id_number": CITIZEN},
                           **{"Idempotency-Key": key})
    assert (status, body["error"]) == (409, ABANDONED), body
    assert centre_tickets(centre_proc) == []
    still = booking(centre_proc, "BK-SLOW")
    assert (still["state"], still["ticket_id"], still["checked_in_at"], still["reopened"]) == ("booked", None, None, [])
    del link.issuer.new_key    # the citizen tries again: a new attempt, checked in
    again = checked_in(link, "BK-SLOW")
    assert again.checked_in and again.ticket is not None
    assert booking(centre_proc, "BK-SLOW")["ticket_id"] == again.ticket.centre_id


def test_a_called_check_in_ticket_is_left_and_its_booking_stays_checked_in(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, CentreLink]) -> None:
    link, key, made = lost_check_in(centre_proc, lossy, "BK-CALLED")
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == made["id"]     # before the void arrives
    assert link.drainer.drain() == 1
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "left_called"}
    now = detail(centre_proc, made["id"])
    assert now["state"] == "called" and all(h["detail"] != ABANDONED for h in now["history"])
    left = booking(centre_proc, "BK-CALLED")
    assert (left["state"], left["ticket_id"], left["reopened"]) == ("checked_in", made["id"], [])
    log = (centre_proc.data_dir.parent / f"centre-{centre_proc.port}.log").read_text()
    assert f"ghost ticket {made['number']} (id {made['id']}) is called" in log
    assert "BK-CALLED" not in log and CITIZEN not in log      # no booking code or ID in the log


def test_a_late_check_in_voided_reopens_its_lapsed_booking_and_other_answers_are_not_taken_for_one(
        centre_proc: CentreProcess) -> None:
    """In-process on the same database with the clock at 10:00 at the centre: a late arrival
    (its booking lapsed, a walk-in ticket) is voided like an on-time one; a too-early check-in
    made no ticket, and a print outcome's answer (200 with a ticket's id) is not a check-in."""
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    ten = datetime.now(tz).replace(hour=10, minute=0, second=0, microsecond=0).timestamp()
    c = open_centre(centre_proc.data_dir, centre_proc.database_url, clock=lambda: ten)
    try:
        with c.db.write() as conn:
            kiosk = authenticate(conn, centre_proc.tokens["kiosk-01"])
            for code, slot in (("BK-LATE", ten - 3600), ("BK-EARLY", ten + 3 * 3600)):
                records.upsert_appointment(c, conn, code=code, service_code="cccd_new", slot_at=slot,
                                           slot_end=slot + 1800, id_number=CITIZEN, source="test")

        def answer(key: str, fn: Callable[[Any], Any]) -> Any:   # stored under the key as the routes do
            return json.loads(idempotent(c, kiosk, key, {"k": key}, fn).body)

        def void(key: str) -> str:
            with c.db.write() as conn:
                return replaced.settle_replaced(conn, c, kiosk, key, ten, replaced.ABANDONED).value

        late = answer("late", lambda conn: records.check_in(c, conn, kiosk, "BK-LATE", CITIZEN))
        assert late["rule"]["arrival"] == "late" and not late["checked_in"] and late["ticket"]
        assert booking(centre_proc, "BK-LATE")["state"] == "lapsed"
        assert void("late") == "cancelled"
        assert (booking(centre_proc, "BK-LATE")["state"], booking(centre_proc, "BK-LATE")["ticket_id"]) == (
            "booked", None)
        early = answer("early", lambda conn: records.check_in(c, conn, kiosk, "BK-EARLY", CITIZEN))
        assert early["rule"]["arrival"] == "too_early" and early["ticket"] is None
        assert void("early") == "no_ticket"
        walk_in = answer("walk-in", lambda conn: c.issue(conn, kiosk, "cccd_new"))
        answer("print", lambda conn: c.record_print(conn, kiosk, walk_in["id"], True, ""))
        assert void("print") == "no_ticket"
        assert detail(centre_proc, walk_in["id"])["state"] == "waiting"
    finally:
        c.db.dispose()
