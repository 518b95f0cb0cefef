"""Ghost tickets, on SQLite and PostgreSQL: the centre made an online ticket but the kiosk
never heard the answer and showed the citizen an offline number instead. The kiosk's
offline ticket names the attempt it replaces; the centre cancels the ghost (or refuses the
attempt when it arrives late), and leaves one a counter already called.

The lost answers are real: the kiosk talks to the real centre through the chaos day's
fault-injecting proxy, which forwards the request and then resets the connection instead
of answering (or resets it before the request reaches the centre)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import pytest

from kiosk.centre_link import CentreLink
from tests.chaos.proxy import FaultRates, ProxyPool
from tests.fixtures.centre_server import Api, CentreProcess, open_centre
from tests.integration.centre.conftest import signed_in
from tests.integration.centre.test_kiosk_on_centre import make_link

T = "/api/v1"
REASON = "replaced_by_offline"
LOSE_ANSWER = FaultRates(refuse=0, drop_request=0, drop_response=1.0, delay=0)
LOSE_REQUEST = FaultRates(refuse=0, drop_request=1.0, drop_response=0, delay=0)

Lossy = Callable[[FaultRates], tuple[ProxyPool, CentreLink]]


@pytest.fixture
def lossy(centre_proc: CentreProcess, tmp_path: Path) -> Iterator[Lossy]:
    """A kiosk (``kiosk-01``) behind a proxy with the given faults; faults start off, and
    the kiosk holds its offline lease."""
    made: list[tuple[ProxyPool, CentreLink]] = []

    def make(rates: FaultRates) -> tuple[ProxyPool, CentreLink]:
        pool = ProxyPool(centre_proc.port, 1, seed=1, rates=rates).start()
        pool.faults(False)
        via = SimpleNamespace(url=f"http://127.0.0.1:{pool.proxies[0].port}", tokens=centre_proc.tokens)
        link = make_link(via, tmp_path, "kiosk-01")  # type: ignore[arg-type]
        made.append((pool, link))
        link.drainer.refresh_leases()
        assert link.leases.remaining(link.issuer.local_now().date().isoformat(), "A") > 0
        return pool, link
    yield make
    for pool, link in made:
        link.close()
        pool.stop()


def issue_while_losing(pool: ProxyPool, link: CentreLink) -> Any:
    """The kiosk issues a ticket while the proxy misbehaves: it shows an offline number."""
    pool.faults(True)
    ticket = link.issuer.issue("cccd_new")
    pool.faults(False)
    assert ticket.offline and ticket.client_key.endswith("/offline")
    return ticket


def centre_tickets(proc: CentreProcess) -> list[dict[str, Any]]:
    return Api(proc.url, proc.tokens["it"]).get(f"{T}/tickets")[1]


def detail(proc: CentreProcess, tid: int) -> dict[str, Any]:
    status, body = Api(proc.url, proc.tokens["kiosk-01"]).get(f"{T}/tickets/{tid}")
    assert status == 200, body
    return body


def cancel_events(proc: CentreProcess, tid: int) -> list[dict[str, Any]]:
    from centre.store.events import events_after
    c = open_centre(proc.data_dir, proc.database_url)
    try:
        with c.db.read() as conn:
            events = events_after(conn, 0, limit=10_000)
    finally:
        c.db.dispose()
    return [e for e in events if e["kind"] == "ticket.cancel" and e["data"]["ticket"]["id"] == tid]


def test_the_ghost_of_a_lost_answer_is_cancelled(centre_proc: CentreProcess, lossy: Lossy) -> None:
    pool, link = lossy(LOSE_ANSWER)
    shown = issue_while_losing(pool, link)
    [ghost] = centre_tickets(centre_proc)           # the centre did make the online ticket
    assert not ghost["offline"] and ghost["state"] == "waiting" and ghost["number"] != shown.number
    assert link.drainer.drain() == 1
    ghost_now = detail(centre_proc, ghost["id"])
    assert ghost_now["state"] == "cancelled"
    assert ghost_now["history"][-1] | {"at": None} == {"state": "cancelled", "action": "cancel", "at": None,
                                                       "counter": None, "detail": REASON}
    [held] = [t for t in centre_tickets(centre_proc) if t["offline"]]
    assert held["number"] == shown.number and held["state"] == "waiting"
    # displays and counters hear of it; the counter's queue and its next call skip the ghost
    assert [e["data"]["ticket"]["state"] for e in cancel_events(centre_proc, ghost["id"])] == ["cancelled"]
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert [t["id"] for t in c3.get(f"{T}/counter/queue")[1]["waiting"]] == [held["id"]]
    assert c3.post(f"{T}/counter/call-next")[1]["number"] == shown.number


def test_a_late_original_request_is_refused_and_makes_no_ticket(centre_proc: CentreProcess,
                                                                lossy: Lossy) -> None:
    pool, link = lossy(LOSE_REQUEST)
    shown = issue_while_losing(pool, link)
    assert centre_tickets(centre_proc) == []        # the request never got there
    assert link.drainer.drain() == 1
    # ... and now it does (a slow proxy let it go at last), under its key K
    k = Api(centre_proc.url, centre_proc.tokens["kiosk-01"])
    key = shown.client_key.removesuffix("/offline")
    for _ in range(2):
        status, body = k.post(f"{T}/tickets", {"service": "cccd_new", "priority_group": "", "flags": []},
                              **{"Idempotency-Key": key})
        assert status == 409 and body["error"] == REASON, body
    assert [(t["number"], t["offline"], t["state"]) for t in centre_tickets(centre_proc)] == [
        (shown.number, True, "waiting")]
    # the tombstone is this kiosk's alone: another kiosk's request under the same key is its own
    other = Api(centre_proc.url, centre_proc.tokens["kiosk-02"])
    assert other.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": key})[0] == 201


def test_a_ghost_a_counter_already_called_is_left_as_it_is(centre_proc: CentreProcess, lossy: Lossy) -> None:
    pool, link = lossy(LOSE_ANSWER)
    shown = issue_while_losing(pool, link)
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    ghost = c3.post(f"{T}/counter/call-next")[1]    # before the offline ticket arrives
    assert ghost["state"] == "called" and not ghost["offline"]
    assert link.drainer.drain() == 1
    ghost_now = detail(centre_proc, ghost["id"])
    assert ghost_now["state"] == "called" and ghost_now["calls"] == 1
    assert all(h["detail"] != REASON for h in ghost_now["history"])
    assert cancel_events(centre_proc, ghost["id"]) == []
    [held] = [t for t in centre_tickets(centre_proc) if t["offline"]]
    assert held["number"] == shown.number and held["state"] == "waiting"
    log = (centre_proc.data_dir.parent / f"centre-{centre_proc.port}.log").read_text()
    assert f"ghost ticket {ghost['number']} (id {ghost['id']}) is called" in log


def test_a_retried_offline_delivery_is_still_exactly_once(centre_proc: CentreProcess, lossy: Lossy) -> None:
    pool, link = lossy(LOSE_ANSWER)
    shown = issue_while_losing(pool, link)
    [ghost] = centre_tickets(centre_proc)
    pool.faults(True)                               # the offline ticket's answer is lost too
    assert link.drainer.drain() == 0 and link.outbox.stats().backlog == 1
    pool.faults(False)
    link.outbox.retry_now()
    assert link.drainer.drain() == 1 and link.outbox.stats().backlog == 0
    tickets = centre_tickets(centre_proc)
    assert [(t["number"], t["offline"], t["state"]) for t in tickets] == [
        (ghost["number"], False, "cancelled"), (shown.number, True, "waiting")]
    assert link.outbox.result_of(shown.client_key)["id"] == tickets[1]["id"]    # type: ignore[index]
    history = detail(centre_proc, ghost["id"])["history"]
    assert [h["detail"] for h in history if h["state"] == "cancelled"] == [REASON]
    assert len(cancel_events(centre_proc, ghost["id"])) == 1


def test_an_offline_ticket_without_replaces_still_delivers(centre_proc: CentreProcess, lossy: Lossy) -> None:
    """An outbox item written before kiosks named the replaced attempt (upgrade day)."""
    pool, link = lossy(LOSE_ANSWER)
    day = link.issuer.local_now()
    seq = link.leases.take(day.date().isoformat(), "A")
    link.outbox.put("offline_ticket", "kiosk-01/old/offline", {
        "service": "cccd_new", "priority_group": "", "flags": ["offline"], "seq": seq,
        "issued_at": day.isoformat(), "client_ref": "kiosk-01/old/offline"})
    assert link.drainer.drain() == 1
    assert [(t["number"], t["state"]) for t in centre_tickets(centre_proc)] == [(f"A{seq:03d}", "waiting")]
