"""Attempts a kill cut short, on SQLite and PostgreSQL: a kiosk asked the centre for a ticket,
the centre made it, and the kiosk was killed (SIGKILL) before it showed the number. The
kiosk had recorded the attempt before sending it; when it starts again it queues a
``void_attempt`` and the centre cancels the ticket (``attempt_abandoned``), refuses the
request if it arrives later, or leaves a ticket a counter already called.

The kill is real: the kiosk is the chaos day's worker process, talking to the centre through
a proxy that forwards its requests and swallows the answers, and the test kills it once the
centre has made the ticket."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from kiosk.centre_link import CentreLink
from tests.chaos.kiosk_worker import build_link
from tests.chaos.proxy import FaultRates, ProxyPool
from tests.fixtures.centre_server import ROOT, Api, CentreProcess, centre_env
from tests.integration.centre.conftest import signed_in
from tests.integration.centre.test_ghost_tickets import cancel_events, centre_tickets, detail

T = "/api/v1"
ABANDONED = "attempt_abandoned"


class SwallowingProxy:
    """Forwards every request to the centre and throws the answers away, keeping the kiosk's
    connection open: the kiosk waits for an answer that never comes."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return   # closed
            up = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._open += [client, up]
            threading.Thread(target=self._pump, args=(client, up), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, None), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket | None) -> None:
        try:
            while data := src.recv(65536):
                if dst is not None:
                    dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()
        for s in self._open:
            s.close()


def kiosk_args(proc: CentreProcess, folder: Path, url: str = "") -> SimpleNamespace:
    return SimpleNamespace(url=url or proc.url, token=proc.tokens["kiosk-01"], kiosk_id="kiosk-01", dir=str(folder))


@pytest.fixture
def restarted() -> Iterator[list[CentreLink]]:
    """Links opened by the test (closed at the end)."""
    links: list[CentreLink] = []
    yield links
    for link in links:
        link.close()


def restart(proc: CentreProcess, folder: Path, links: list[CentreLink]) -> CentreLink:
    """The kiosk starting again on its data folder (as after a kill), talking to the centre directly."""
    link = build_link(kiosk_args(proc, folder))  # type: ignore[arg-type]
    links.append(link)
    return link


def kill_once_the_centre_has_a_ticket(proc: CentreProcess, folder: Path, module: str, extra: list[str],
                                      env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Run the kiosk process ``python -m module`` behind a proxy that swallows every answer
    and kill it (SIGKILL) as soon as the centre has made a ticket; returns the centre's tickets."""
    proxy = SwallowingProxy(proc.port)
    args = kiosk_args(proc, folder, f"http://127.0.0.1:{proxy.port}")
    cmd = [sys.executable, "-m", module, "--dir", args.dir, "--url", args.url,
           f"--token={args.token}", "--kiosk-id", args.kiosk_id, *extra]
    worker = subprocess.Popen(cmd, cwd=ROOT, env=centre_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (made := centre_tickets(proc)):
            assert worker.poll() is None and time.monotonic() < deadline, "the kiosk never reached the centre"
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        proxy.close()
    return made


def kill_while_waiting(proc: CentreProcess, folder: Path) -> tuple[str, dict[str, Any]]:
    """A kiosk process asks for one ticket through a proxy that swallows the answers, and is
    killed (SIGKILL) as soon as the centre has made the ticket. Returns the attempt's key and the ticket."""
    [ticket] = kill_once_the_centre_has_a_ticket(proc, folder, "tests.chaos.kiosk_worker", ["--quota", "1"])
    journal = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    assert not any(e["ev"] == "shown" for e in journal)      # nobody saw a number
    [key] = [e["key"] for e in journal if e["ev"] == "key" and e["role"] == "issue"]
    return key, ticket


def test_a_kiosk_killed_before_showing_its_number_voids_the_ticket_when_it_restarts(
        centre_proc: CentreProcess, tmp_path: Path, restarted: list[CentreLink]) -> None:
    key, ticket = kill_while_waiting(centre_proc, tmp_path / "kiosk-01")
    assert ticket["state"] == "waiting" and not ticket["offline"]
    link = restart(centre_proc, tmp_path / "kiosk-01", restarted)
    assert link.outbox.open_attempts() == []                  # turned into the void item at start-up
    [item] = link.outbox.due()
    assert (item.kind, item.key, item.payload) == ("void_attempt", f"{key}/void", {"replaces": key})
    assert link.drainer.drain() == 1
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    now = detail(centre_proc, ticket["id"])
    assert now["state"] == "cancelled"
    assert now["history"][-1] | {"at": None} == {"state": "cancelled", "action": "cancel", "at": None,
                                                 "counter": None, "detail": ABANDONED}
    assert [e["data"]["ticket"]["state"] for e in cancel_events(centre_proc, ticket["id"])] == ["cancelled"]
    # the counter's queue skips it
    c3 = signed_in(centre_proc, 3, [ticket["service"]])
    assert c3.get(f"{T}/counter/queue")[1]["waiting"] == []
    # a further start voids nothing again
    assert restart(centre_proc, tmp_path / "kiosk-01", restarted).outbox.due() == []


def test_a_void_that_arrives_before_the_original_request_makes_it_refused(
        centre_proc: CentreProcess, tmp_path: Path, restarted: list[CentreLink]) -> None:
    link = restart(centre_proc, tmp_path / "kiosk-01", restarted)
    key = "kiosk-01/slow-attempt"
    assert link.issuer.centre.void_attempt(key, f"{key}/void") == {"outcome": "tombstoned"}
    k1 = Api(centre_proc.url, centre_proc.tokens["kiosk-01"])
    for _ in range(2):   # the original, held by the network, arrives at last (and is retried)
        status, body = k1.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": key})
        assert (status, body["error"]) == (409, ABANDONED), body
    assert centre_tickets(centre_proc) == []
    # the tombstone is kiosk-01's alone: kiosk-02's request under the same key is its own
    k2 = Api(centre_proc.url, centre_proc.tokens["kiosk-02"])
    assert k2.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": key})[0] == 201


def test_a_normal_issue_leaves_no_attempt_and_a_restart_voids_nothing(
        centre_proc: CentreProcess, tmp_path: Path, restarted: list[CentreLink]) -> None:
    link = restart(centre_proc, tmp_path / "kiosk-01", restarted)
    shown = link.issuer.issue("cccd_new")
    assert not shown.offline and link.outbox.open_attempts() == []
    link.close()
    restarted.remove(link)
    again = restart(centre_proc, tmp_path / "kiosk-01", restarted)
    assert again.outbox.due() == [] and again.drainer.drain() == 0
    assert [(t["number"], t["state"]) for t in centre_tickets(centre_proc)] == [(shown.number, "waiting")]


def test_a_void_is_exactly_once_when_retried(centre_proc: CentreProcess, tmp_path: Path) -> None:
    """Its answer lost on the way back (the fault proxy resets the connection), the drainer
    sends it again under the same key: one cancel, one event, the first answer replayed."""
    k1 = Api(centre_proc.url, centre_proc.tokens["kiosk-01"])
    key = "kiosk-01/killed-attempt"
    status, made = k1.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": key})
    assert status == 201
    pool = ProxyPool(centre_proc.port, 1, seed=1, rates=FaultRates(0, 0, drop_response=1.0, delay=0)).start()
    link = build_link(kiosk_args(centre_proc, tmp_path / "kiosk-01",  # type: ignore[arg-type]
                                 f"http://127.0.0.1:{pool.proxies[0].port}"))
    try:
        link.outbox.void_attempt(key)
        assert link.drainer.drain() == 0 and link.outbox.stats().backlog == 1    # answer lost
        pool.faults(False)
        link.outbox.retry_now()
        assert link.drainer.drain() == 1 and link.outbox.stats().backlog == 0
        assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}   # the first answer
    finally:
        link.close()
        pool.stop()
    history = detail(centre_proc, made["id"])["history"]
    assert [h["detail"] for h in history if h["state"] == "cancelled"] == [ABANDONED]
    assert len(cancel_events(centre_proc, made["id"])) == 1
    r = k1.http.post(centre_proc.url + f"{T}/tickets/void", json={"replaces": key},
                     headers={"Idempotency-Key": f"{key}/void"}, timeout=10)
    assert (r.status_code, r.json(), r.headers.get("Idempotent-Replay")) == (200, {"outcome": "cancelled"}, "true")
    # a second void under another key changes nothing either
    assert k1.post(f"{T}/tickets/void", {"replaces": key}, **{"Idempotency-Key": "other"}) == (
        200, {"outcome": "already_ended"})


def test_a_called_ticket_is_left_and_a_void_is_only_the_kiosks_own(centre_proc: CentreProcess) -> None:
    k1 = Api(centre_proc.url, centre_proc.tokens["kiosk-01"])
    key = "kiosk-01/attempt"
    status, made = k1.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": key})
    assert status == 201
    # another kiosk cannot void it (its keys are its own): it only fences its own key
    k2 = Api(centre_proc.url, centre_proc.tokens["kiosk-02"])
    assert k2.post(f"{T}/tickets/void", {"replaces": key}, **{"Idempotency-Key": "k2/void"}) == (
        200, {"outcome": "tombstoned"})
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == made["id"]      # still waiting: called
    assert k1.post(f"{T}/tickets/void", {"replaces": key}, **{"Idempotency-Key": f"{key}/void"}) == (
        200, {"outcome": "left_called"})
    now = detail(centre_proc, made["id"])
    assert now["state"] == "called" and all(h["detail"] != ABANDONED for h in now["history"])
    log = (centre_proc.data_dir.parent / f"centre-{centre_proc.port}.log").read_text()
    assert f"ghost ticket {made['number']} (id {made['id']}) is called" in log
    # refused: a void naming its own key, one without a kiosk token, one with an empty key
    status, body = k1.post(f"{T}/tickets/void", {"replaces": "x"}, **{"Idempotency-Key": "x"})
    assert (status, body["error"]) == (400, "void_names_itself")
    assert c3.post(f"{T}/tickets/void", {"replaces": key}, **{"Idempotency-Key": "c3"})[0] == 403
    assert k1.post(f"{T}/tickets/void", {"replaces": ""}, **{"Idempotency-Key": "y"})[0] == 422
