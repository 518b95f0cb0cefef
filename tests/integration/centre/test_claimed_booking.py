"""A booking whose check-in could not reach the centre goes with the ticket the kiosk then
issues, on SQLite and PostgreSQL: offline (in the encrypted outbox, with the offline ticket)
or online once the centre answers again. The centre judges it at the ticket's issue time:
taken, the ticket is the appointment's (called ahead of walk-ins from the slot on) and the
booking checked in with it; late, the booking lapses and the ticket stays a walk-in; not
taken (unknown, used, another day, another service, another person's card), the ticket
stays a walk-in and its flags tell the counter why. Nothing is lost either way: the
citizen keeps the number they were shown."""
from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from centre import records
from centre.web.panels import FLAG_NOTES
from kiosk.centre_link import CentreLink
from kiosk.centre_tickets import BOOKING_WAITING
from kiosk.visit import CheckInError, check_in, issue_with_handover
from tests.chaos.proxy import FaultRates, ProxyPool
from tests.fixtures.centre_server import Api, CentreProcess, mid_morning_zone, open_centre
from tests.integration.centre.conftest import signed_in
from tests.integration.centre.test_checkin_attempts import booking, lost_check_in
from tests.integration.centre.test_checkin_pending_void import cut
from tests.integration.centre.test_ghost_tickets import centre_tickets, detail
from tests.integration.centre.test_kiosk_on_centre import make_link

T = "/api/v1"
CENTRE_ENV = {"KIOSK_CENTRE_SERVICE_TIMEZONE": mid_morning_zone()}   # slots ± 3 h stay on today
CITIZEN = "001090012345"
OTHER = "079190000001"
CLEAN = FaultRates(refuse=0, drop_request=0, drop_response=0, delay=0)


def book(proc: CentreProcess, code: str, slot_at: float, service: str = "cccd_new") -> None:
    c = open_centre(proc.data_dir, proc.database_url)
    try:
        with c.db.write() as conn:
            records.upsert_appointment(c, conn, code=code, service_code=service, slot_at=slot_at,
                                       slot_end=slot_at + 1800, id_number=CITIZEN, source="test")
    finally:
        c.db.dispose()


class Kiosk:
    """``kiosk-01`` handing in offline tickets from its lease, straight through the API."""

    def __init__(self, proc: CentreProcess) -> None:
        self.api = Api(proc.url, proc.tokens["kiosk-01"])
        status, leases = self.api.post(f"{T}/leases", {"prefixes": ["A", "B"]})
        assert status == 200, leases
        self.next = {lease["prefix"]: lease["lo"] for lease in leases}

    def offline(self, at: float, booking: dict[str, str] | None = None, service: str = "cccd_new",
                key: str = "") -> tuple[int, dict[str, Any]]:
        prefix = "A" if service == "cccd_new" else "B"
        seq = self.next[prefix]
        self.next[prefix] += 1
        body: dict[str, Any] = {"service": service, "seq": seq, "client_ref": f"kiosk-01/{prefix}{seq}",
                                "issued_at": datetime.fromtimestamp(at).astimezone().isoformat()}
        if booking is not None:
            body["booking"] = booking
        return self.api.post(f"{T}/tickets/offline", body, **({"Idempotency-Key": key} if key else {}))


def events(proc: CentreProcess) -> list[dict[str, Any]]:
    from centre.store.events import events_after
    c = open_centre(proc.data_dir, proc.database_url)
    try:
        with c.db.read() as conn:
            return events_after(conn, 0, limit=10_000)
    finally:
        c.db.dispose()


def claim_flags(ticket: dict[str, Any]) -> list[str]:
    return [f for f in ticket["flags"] if f.startswith("appointment.claim.")]


def test_an_offline_ticket_checks_its_booking_in_at_its_issue_time(centre_proc: CentreProcess) -> None:
    now = time.time()
    k = Kiosk(centre_proc)
    book(centre_proc, "BK-ON", now - 600)            # the slot began 10 min ago
    s, walk_in = k.offline(now - 300)                 # a walk-in, 5 min ago
    s, mine = k.offline(now - 120, {"code": "BK-ON", "id_number": CITIZEN}, key="claim-1")
    assert s == 201, mine
    assert mine["appointment"] and claim_flags(mine) == ["appointment.claim.checked_in"]
    kept = booking(centre_proc, "BK-ON")
    assert (kept["state"], kept["ticket_id"]) == ("checked_in", mine["id"])
    assert kept["checked_in_at"] == pytest.approx(now - 120, abs=1)     # when the citizen was there
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == mine["id"]    # ahead of the earlier walk-in
    c4 = signed_in(centre_proc, 4, ["cccd_new"], token="counter-4", officer="minh", pin="1357")
    assert c4.post(f"{T}/counter/call-next")[1]["id"] == walk_in["id"]


def test_a_replayed_claim_answers_the_same_and_checks_in_once(centre_proc: CentreProcess) -> None:
    now = time.time()
    k = Kiosk(centre_proc)
    book(centre_proc, "BK-TWICE", now)
    body = {"service": "cccd_new", "seq": k.next["A"], "client_ref": "kiosk-01/x",
            "issued_at": datetime.fromtimestamp(now).astimezone().isoformat(),
            "booking": {"code": "BK-TWICE", "id_number": CITIZEN}}
    first = k.api.post(f"{T}/tickets/offline", body, **{"Idempotency-Key": "twice"})
    second = k.api.post(f"{T}/tickets/offline", body, **{"Idempotency-Key": "twice"})
    assert first == second and first[0] == 201
    assert claim_flags(first[1]) == ["appointment.claim.checked_in"]
    third = k.api.post(f"{T}/tickets/offline", body, **{"Idempotency-Key": "twice-again"})   # another key
    assert third[0] == 201 and third[1]["id"] == first[1]["id"]           # the same ticket, exactly once
    assert booking(centre_proc, "BK-TWICE")["ticket_id"] == first[1]["id"]
    other = {**body["booking"], "id_number": OTHER}                       # the same key, another body
    status, refused = k.api.post(f"{T}/tickets/offline", {**body, "booking": other}, **{"Idempotency-Key": "twice"})
    assert (status, refused["error"]) == (409, "idempotency_key_reused")


def test_claims_the_centre_does_not_take_leave_a_flagged_walk_in(centre_proc: CentreProcess) -> None:
    now = time.time()
    k = Kiosk(centre_proc)
    book(centre_proc, "BK-MINE", now)
    book(centre_proc, "BK-VNEID", now, service="vneid")
    book(centre_proc, "BK-LATE", now - 3600)         # began an hour before the ticket
    book(centre_proc, "BK-USED", now)
    assert k.offline(now - 60, {"code": "BK-USED", "id_number": CITIZEN})[0] == 201
    cases = {
        "identity_mismatch": {"code": "BK-MINE", "id_number": OTHER},
        "no_booking": {"code": "BK-NOPE", "id_number": CITIZEN},
        "booking_other_service": {"code": "BK-VNEID", "id_number": CITIZEN},
        "booking_used": {"code": "BK-USED", "id_number": CITIZEN},
        "late": {"code": "BK-LATE", "id_number": CITIZEN},
    }
    for why, claim in cases.items():
        status, ticket = k.offline(now - 30, claim)
        assert status == 201, (why, ticket)                     # the citizen's number is kept
        assert not ticket["appointment"] and claim_flags(ticket) == [f"appointment.claim.{why}"], why
        assert f"appointment.claim.{why}" in FLAG_NOTES              # the counter console explains it
    assert booking(centre_proc, "BK-MINE")["state"] == "booked"          # still the booker's
    assert booking(centre_proc, "BK-VNEID")["state"] == "booked"
    assert booking(centre_proc, "BK-LATE")["state"] == "lapsed"          # as a late check-in online
    mismatches = [e["data"] for e in events(centre_proc) if e["kind"] == "booking.identity_mismatch"]
    assert mismatches == [{"booking": booking(centre_proc, "BK-MINE")["id"]}]   # staff are told, row ids only
    s, odd = k.api.post(f"{T}/tickets/offline", {"service": "cccd_new", "seq": k.next["A"], "client_ref": "r",
                                                 "issued_at": datetime.now().astimezone().isoformat(),
                                                 "booking": {"code": "", "id_number": ""}})
    assert s == 422 and "booking" in str(odd)


def test_a_card_tap_claim_finds_the_booking_and_an_early_one_waits_for_its_slot(centre_proc: CentreProcess) -> None:
    now = time.time()
    k = Kiosk(centre_proc)
    book(centre_proc, "BK-LATER", now + 2 * 3600)    # two hours early: online it would be "come back"
    s, early = k.offline(now - 60, {"code": "", "id_number": CITIZEN})   # the card only
    assert s == 201 and early["appointment"] and claim_flags(early) == ["appointment.claim.checked_in"]
    assert booking(centre_proc, "BK-LATER")["ticket_id"] == early["id"]
    s, walk_in = k.offline(now - 30)
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == walk_in["id"]   # its slot has not come yet


def test_an_online_ticket_can_carry_the_claim(centre_proc: CentreProcess) -> None:
    book(centre_proc, "BK-BACK", time.time())
    k = Api(centre_proc.url, centre_proc.tokens["kiosk-01"])
    s, ticket = k.post(f"{T}/tickets", {"service": "cccd_new", "booking": {"code": "BK-BACK", "id_number": CITIZEN}})
    assert s == 201 and ticket["appointment"] and claim_flags(ticket) == ["appointment.claim.checked_in"]
    assert booking(centre_proc, "BK-BACK")["ticket_id"] == ticket["id"]
    s, plain = k.post(f"{T}/tickets", {"service": "cccd_new"})
    assert s == 201 and not plain["appointment"] and claim_flags(plain) == []


# -- through the kiosk ---------------------------------------------------------------------
@pytest.fixture
def kiosk_link(centre_proc: CentreProcess, tmp_path: Path) -> Iterator[tuple[ProxyPool, CentreLink]]:
    """``kiosk-01`` behind a proxy that can cut the link (the centre unreachable)."""
    pool = ProxyPool(centre_proc.port, 1, seed=1, rates=CLEAN).start()
    pool.faults(False)
    via = SimpleNamespace(url=f"http://127.0.0.1:{pool.proxies[0].port}", tokens=centre_proc.tokens,
                          env=centre_proc.env)
    link = make_link(via, tmp_path, "kiosk-01")  # type: ignore[arg-type]
    link.drainer.refresh_leases()
    yield pool, link
    link.close()
    pool.stop()


def test_the_kiosk_keeps_the_booking_with_its_offline_ticket(
        centre_proc: CentreProcess, kiosk_link: tuple[ProxyPool, CentreLink], tmp_path: Path) -> None:
    pool, link = kiosk_link
    book(centre_proc, "BK-DOWN", time.time() - 300)
    cut(pool, True)                                    # the centre cannot be reached
    with pytest.raises(CheckInError) as failed:
        check_in(link.issuer, "BK-DOWN", CITIZEN, "", ())
    assert failed.value.code == "checkin_offline"
    claim = {"code": "BK-DOWN", "id_number": CITIZEN}
    ticket = issue_with_handover(link.issuer, "cccd_new", "", ("appointment.not_checked_in",), None, claim)
    assert ticket.offline and ticket.appointment == BOOKING_WAITING
    # the claim waits encrypted: the ID number is nowhere in the kiosk's files
    for f in (tmp_path / "kiosk-01" / "offline_cache").rglob("*"):
        if f.is_file():
            assert CITIZEN.encode() not in f.read_bytes() and b"BK-DOWN" not in f.read_bytes(), f
    with sqlite3.connect(tmp_path / "kiosk-01" / "offline_cache" / "kiosk.sqlite3") as db:
        assert CITIZEN not in repr(db.execute("SELECT * FROM ticket").fetchall())
    assert booking(centre_proc, "BK-DOWN")["state"] == "booked"
    cut(pool, False)                                   # back: the outbox drains
    assert link.drainer.drain() >= 1
    [made] = [t for t in centre_tickets(centre_proc) if t["offline"]]
    assert made["number"] == ticket.number and made["appointment"]
    assert "appointment.claim.checked_in" in made["flags"]
    assert booking(centre_proc, "BK-DOWN")["ticket_id"] == made["id"]


def test_a_lost_check_in_is_voided_before_the_online_ticket_claims_its_booking(
        centre_proc: CentreProcess, tmp_path: Path) -> None:
    from tests.integration.centre.test_checkin_attempts import LOSE_ANSWER

    pool = ProxyPool(centre_proc.port, 1, seed=1, rates=LOSE_ANSWER).start()
    pool.faults(False)
    via = SimpleNamespace(url=f"http://127.0.0.1:{pool.proxies[0].port}", tokens=centre_proc.tokens,
                          env=centre_proc.env)
    link = make_link(via, tmp_path, "kiosk-01")  # type: ignore[arg-type]
    try:
        _, key, ghost = lost_check_in(centre_proc, (pool, link), "BK-LOST")   # the answer never came
        ticket = link.issuer.issue("cccd_new", "", (), booking={"code": "BK-LOST", "id_number": CITIZEN})
        assert not ticket.offline and ticket.appointment == "checked_in"
        assert detail(centre_proc, ghost["id"])["state"] == "cancelled"      # the lost one went first
        kept = booking(centre_proc, "BK-LOST")
        assert (kept["state"], kept["ticket_id"]) == ("checked_in", ticket.centre_id)
        assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    finally:
        link.close()
        pool.stop()


def test_an_offline_ticket_replacing_a_lost_claim_takes_the_booking_over(centre_proc: CentreProcess) -> None:
    """The online ticket with the claim was made but its answer lost; the offline ticket the
    citizen was shown names that attempt: the ghost is cancelled, its booking goes to the
    offline ticket (in the same transaction)."""
    now = time.time()
    k = Kiosk(centre_proc)
    book(centre_proc, "BK-GHOST", now)
    claim = {"code": "BK-GHOST", "id_number": CITIZEN}
    s, ghost = k.api.post(f"{T}/tickets", {"service": "cccd_new", "booking": claim}, **{"Idempotency-Key": "lost-1"})
    assert s == 201 and booking(centre_proc, "BK-GHOST")["ticket_id"] == ghost["id"]   # ... never seen
    body = {"service": "cccd_new", "seq": k.next["A"], "client_ref": "kiosk-01/lost-1/offline", "replaces": "lost-1",
            "issued_at": datetime.fromtimestamp(now + 1).astimezone().isoformat(), "booking": claim}
    s, shown = k.api.post(f"{T}/tickets/offline", body, **{"Idempotency-Key": "lost-1/offline"})
    assert s == 201 and shown["appointment"] and claim_flags(shown) == ["appointment.claim.checked_in"]
    assert detail(centre_proc, ghost["id"])["state"] == "cancelled"
    kept = booking(centre_proc, "BK-GHOST")
    assert (kept["state"], kept["ticket_id"]) == ("checked_in", shown["id"])
