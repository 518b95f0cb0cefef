"""Centre service benchmark: ticket issue and call-next over HTTP on loopback.

    .venv/bin/python bench/centre.py [--tickets 2000] [--engines sqlite,postgresql]

For each engine (SQLite WAL file, a private PostgreSQL server with fsync on), measured in
the same run:
- the storage's own limit: commits per second of a one-row insert, same engine and
  durability settings, no API, no SQLAlchemy (sqlite3 / psycopg directly);
- the baseline: the same operations through the domain layer in-process (a ``Centre`` and
  one write transaction each, no HTTP);
- over HTTP (``python -m kiosk centre serve`` as a child process, one keep-alive
  connection per client thread): issue with 1 and 8 concurrent clients, then call-next
  (+ start and finish, not timed) with 1 and 8 counters.

The load comes from this process, on the same two cores as the server. By default it is a
plain ``http.client`` connection per thread (about 0.3 ms of CPU per request); with
``--client requests`` it is the kiosk's own HTTP library (about 0.8 ms), which takes that
much CPU away from the server: the figures then say more about the client than the centre.
Prints throughput, p50/p99 latency, and the ratios HTTP / in-process and HTTP / storage.
Targets (issue 9): >= 500 tickets/s and p99 < 50 ms with 8 clients on SQLite.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.centre_server import Api, CentreProcess, open_centre  # noqa: E402
from tests.fixtures.postgres import PostgresServer  # noqa: E402

COUNTERS_ENV = "[" + ", ".join(f'{{ number = {n}, name = "Quầy {n}" }}' for n in range(1, 9)) + "]"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def storage_limit(url: str, n: int) -> float:
    """Commits/s of single-row inserts straight through the driver."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        conn = sqlite3.connect(Path(path).with_name("raw.sqlite3"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
        t0 = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", (f"A{i:03d}",))
            conn.execute("COMMIT")
        return n / (time.perf_counter() - t0)
    import psycopg
    from sqlalchemy.engine import make_url
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS raw_t (id SERIAL PRIMARY KEY, v TEXT)")
        conn.commit()
        t0 = time.perf_counter()
        for i in range(n):
            conn.execute("INSERT INTO raw_t (v) VALUES (%s)", (f"A{i:03d}",))
            conn.commit()
        return n / (time.perf_counter() - t0)


def in_process(data_dir: Path, url: str, n: int) -> tuple[float, float]:
    """(issue/s, call-next/s) through the domain layer, no HTTP."""
    from centre.principals import CounterSession, Principal
    from centre.store.events import lock_centre

    c = open_centre(data_dir, url)
    kiosk = Principal(0, "bench-inproc", "kiosk")
    t0 = time.perf_counter()
    for _ in range(n):
        with c.db.write() as conn:
            lock_centre(conn)
            c.issue(conn, kiosk, "vneid")
    issue_rate = n / (time.perf_counter() - t0)
    session = CounterSession("bench", 1, 0, "bench", ("vneid",), 0)
    from centre.domain.tickets import Action
    t0 = time.perf_counter()
    calls = min(n, 300)
    for _ in range(calls):
        with c.db.write() as conn:
            lock_centre(conn)
            t = c.call_next(conn, session)
            c.act(conn, session, t["id"], Action.CANCEL)
    call_rate = calls / (time.perf_counter() - t0)
    c.db.dispose()
    return issue_rate, call_rate


class LightApi:
    """A keep-alive JSON client on ``http.client`` (the load generator's own cost kept low)."""

    def __init__(self, base: str, token: str = "", session: str = "") -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if session:
            self.headers["X-Counter-Session"] = session

    def post(self, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        self.conn.request("POST", path, json.dumps(body if body is not None else {}),
                          {**self.headers, **headers})
        r = self.conn.getresponse()
        return r.status, json.loads(r.read())


CLIENTS: dict[str, Any] = {"http": LightApi, "requests": Api}
Client = LightApi


def http_issue(url: str, token: str, clients: int, n: int) -> tuple[float, list[float]]:
    lat: list[float] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        api = Client(url, token)
        mine = []
        for j in range(n // clients):
            t0 = time.perf_counter()
            status, _ = api.post("/api/v1/tickets", {"service": "cccd_new"},
                                 **{"Idempotency-Key": f"b{clients}-{i}-{j}"})
            mine.append(time.perf_counter() - t0)
            assert status == 201
        with lock:
            lat.extend(mine)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return len(lat) / (time.perf_counter() - t0), lat


def http_call_next(proc: CentreProcess, counters: int, per_counter: int) -> tuple[float, list[float]]:
    sessions = []
    for n in range(1, counters + 1):
        api = Api(proc.url, proc.tokens["counter"])
        s = api.post("/api/v1/counter/signin", {"counter": n, "services": ["cccd_new"], "officer": f"o{n}",
                                                "pin": "2468"})[1]["session"]
        sessions.append(s)
    lat: list[float] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        api = Client(proc.url, proc.tokens["counter"], sessions[i])
        mine = []
        for _ in range(per_counter):
            t0 = time.perf_counter()
            status, t = api.post("/api/v1/counter/call-next")
            mine.append(time.perf_counter() - t0)
            assert status == 200, t
            api.post(f"/api/v1/counter/tickets/{t['id']}/start")
            api.post(f"/api/v1/counter/tickets/{t['id']}/finish")
        with lock:
            lat.extend(mine)
    with ThreadPoolExecutor(counters) as pool:
        list(pool.map(worker, range(counters)))
    # call-next requests per second of time spent in them, summed over the counters
    # (start and finish, sent between calls, are not counted)
    return len(lat) / sum(lat) * counters if lat else 0.0, lat


def run_engine(engine: str, n: int, root: Path, pg: PostgresServer | None) -> None:
    url = "" if engine == "sqlite" else pg.new_database()  # type: ignore[union-attr]
    data = root / engine
    data.mkdir()
    raw_url = url or f"sqlite:///{data / 'centre.sqlite3'}"
    limit = storage_limit(raw_url, n)
    base_issue, base_call = in_process(root / f"{engine}-inproc", pg.new_database() if pg and url else "", n)
    proc = CentreProcess(data, url, env={"KIOSK_CENTRE_SERVICE_COUNTERS": COUNTERS_ENV})
    proc.tokens["kiosk"] = proc.add_token("kiosk", "kiosk-bench")
    proc.tokens["counter"] = proc.add_token("counter", "counter-bench")
    for i in range(1, 9):
        proc.add_officer(f"o{i}", "2468")
    proc.start()
    try:
        print(f"\n== {engine} ==")
        print(f"storage limit (raw one-row commits): {limit:8.0f} /s")
        print(f"in-process baseline: issue {base_issue:8.0f} /s, call-next {base_call:8.0f} /s")
        for clients in (1, 8):
            cpu0 = cpu_seconds(proc.proc.pid)  # type: ignore[union-attr]
            rate, lat = http_issue(proc.url, proc.tokens["kiosk"], clients, n)
            per = (cpu_seconds(proc.proc.pid) - cpu0) / len(lat) * 1000  # type: ignore[union-attr]
            print(f"HTTP issue     {clients} client(s): {rate:7.0f} /s  p50 {pct(lat, 50):6.1f} ms  "
                  f"p99 {pct(lat, 99):6.1f} ms  = {rate / base_issue:4.2f}x in-process, "
                  f"{rate / limit:4.2f}x storage limit; server CPU {per:.2f} ms/ticket")
        for counters in (1, 8):
            per = max(10, min(n // 4, 400) // counters)
            rate, lat = http_call_next(proc, counters, per)
            print(f"HTTP call-next {counters} counter(s): {rate:7.0f} /s  p50 {pct(lat, 50):6.1f} ms  "
                  f"p99 {pct(lat, 99):6.1f} ms  = {rate / base_call:4.2f}x in-process")
    finally:
        proc.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--client", choices=sorted(CLIENTS), default="http",
                    help="load generator: plain http.client (default) or requests")
    args = ap.parse_args()
    global Client
    Client = CLIENTS[args.client]
    engines = args.engines.split(",")
    root = Path(tempfile.mkdtemp(prefix="bench-centre-"))
    pg = PostgresServer(fsync=True).start() if "postgresql" in engines else None
    try:
        print(f"{os.cpu_count()} cores; {args.tickets} tickets per run; load from {args.client}")
        for engine in engines:
            run_engine(engine, args.tickets, root, pg)
    finally:
        if pg:
            pg.stop()


if __name__ == "__main__":
    main()
