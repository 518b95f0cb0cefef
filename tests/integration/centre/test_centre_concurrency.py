"""Numbering under concurrency: 8 clients at once on each engine, and two centre
processes on one PostgreSQL behaving as one centre (numbers, queue, events)."""
from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.fixtures.centre_server import Api, CentreProcess
from tests.fixtures.postgres import PostgresServer
from tests.integration.centre.conftest import signed_in

T = "/api/v1"
CLIENTS = 8
PER_CLIENT = 40


def issue_many(urls: list[str], token: str) -> list[dict]:
    def worker(i: int) -> list[dict]:
        api = Api(urls[i % len(urls)], token)
        out = []
        for j in range(PER_CLIENT):
            status, t = api.post(f"{T}/tickets", {"service": "cccd_new" if j % 3 else "vneid"},
                                 **{"Idempotency-Key": f"c{i}-{j}"})
            assert status == 201, t
            out.append(t)
        return out
    with ThreadPoolExecutor(CLIENTS) as pool:
        return [t for chunk in pool.map(worker, range(CLIENTS)) for t in chunk]


def assert_dense(tickets: list[dict]) -> None:
    """Per prefix: every number once, 1..N with no gap."""
    by_prefix: dict[str, list[int]] = {}
    for t in tickets:
        by_prefix.setdefault(t["number"][0], []).append(int(t["number"][1:]))
    for prefix, seqs in by_prefix.items():
        dupes = [n for n, c in Counter(seqs).items() if c > 1]
        assert not dupes, f"duplicate {prefix} numbers {dupes}"
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"gap in {prefix}"


def test_eight_clients_issue_at_once(centre_proc: CentreProcess) -> None:
    tickets = issue_many([centre_proc.url], centre_proc.tokens["kiosk-01"])
    assert len(tickets) == CLIENTS * PER_CLIENT
    assert_dense(tickets)
    admin = Api(centre_proc.url, centre_proc.tokens["it"])
    stored = admin.get(f"{T}/tickets")[1]
    assert sorted(t["number"] for t in stored) == sorted(t["number"] for t in tickets)


def test_two_processes_on_one_postgresql_are_one_centre(tmp_path: Path, pg_server: PostgresServer) -> None:
    url = pg_server.new_database()
    a = CentreProcess(tmp_path / "a", url)
    b = CentreProcess(tmp_path / "b", url)
    for p in (a, b):
        p.data_dir.mkdir()
    key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIzNDU="   # both processes share the handover key
    a.env = b.env = {"KIOSK_CENTRE_SERVICE_HANDOVER_KEY": key}
    kiosk = a.add_token("kiosk", "kiosk-01")
    b.tokens = a.tokens
    hall = a.add_token("display", "hall")
    a.add_token("counter", "counter-3")
    a.add_officer("lan", "2468")
    a.start()
    b.start()
    try:
        seen: list[dict] = []
        ready = threading.Event()

        def listen() -> None:   # events on process A …
            with requests.get(f"{a.url}{T}/events?after=0", headers={"Authorization": f"Bearer {hall}"},
                              stream=True, timeout=60) as r:
                ready.set()
                for line in r.iter_lines(decode_unicode=True):
                    if line.startswith("data: ") and '"ticket.' in line:
                        seen.append(json.loads(line[6:]))
                        if len(seen) >= CLIENTS * PER_CLIENT + 1:
                            return
        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        ready.wait(10)
        tickets = issue_many([a.url, b.url], kiosk)     # … from writes on A and B
        assert_dense(tickets)
        assert {t["kiosk"] for t in tickets} == {"kiosk-01"}
        # a counter signed in on B takes the oldest ticket, whoever issued it
        c3 = signed_in(b, 3, ["cccd_new", "vneid"])
        called = c3.post(f"{T}/counter/call-next")[1]
        oldest = min(tickets, key=lambda t: (t["issued_at"], t["id"]))
        assert called["id"] == oldest["id"]
        listener.join(30)
        issued_seen = [e for e in seen if e["kind"] == "ticket.issued"]
        assert len(issued_seen) == CLIENTS * PER_CLIENT
        assert any(e["kind"] == "ticket.call" and e["ticket"]["id"] == called["id"] for e in seen)
    finally:
        a.stop()
        b.stop()
