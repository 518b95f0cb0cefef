"""A chaos day: one centre, N kiosk processes each behind a fault-injecting proxy, the
centre and the kiosks killed (SIGKILL) and restarted at random points, then an audit.

The centre keeps its data in SQLite (a file in its folder) unless the plan names a
PostgreSQL ``database_url``; then ``centres`` > 1 runs that many ``centre serve`` processes
on the one database (as a province scales), the kiosks spread over them round-robin (or,
with ``balance``, each kiosk's connections spread over all of them, as behind a load
balancer), each centre killed and restarted on its own.

The plan (which kills and partitions happen, at which share of the day's tickets, the
proxies' fault rolls) follows from the seed; the interleaving of processes does not.
Used by ``scripts/chaos_day.py`` (the full day) and ``tests/integration/centre/test_chaos_day.py``.
"""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.chaos.audit import AuditReport, audit
from tests.chaos.bookings import import_bookings, mid_morning_zone, plan_bookings
from tests.chaos.proxy import FaultRates, ProxyPool
from tests.fixtures.centre_server import ROOT, CentreProcess, centre_env


def _services() -> list[str]:
    """The services a citizen can book: the default catalogue's (the kiosks and the centre use it)."""
    from kiosk.config import load_config
    return [s["code"] for s in load_config(environ={})["services.list"]]


class ChaosError(Exception):
    """The day could not be run to its end (a stall, a process that would not start)."""


@dataclass
class DayPlan:
    tickets: int = 5000
    kiosks: int = 3
    seed: int = 1
    centre_kills: int = 8
    kiosk_kills: int = 15
    partitions: int = 6
    rates: FaultRates = field(default_factory=FaultRates)
    pause_ms: float = 20.0
    timeout_s: float = 1800.0
    bookings: int = 0          # citizens who booked online (tests.chaos.bookings), among the tickets
    seconds_per_ticket: float = 0.12   # to spread the slots over the day (a guess; see bookings)
    database_url: str = ""     # the centre's PostgreSQL database (SQLAlchemy URL); empty: SQLite
    centres: int = 1           # centre processes on that database (more than one needs database_url)
    balance: bool = False      # ... every kiosk's connections to each in turn, not one centre per kiosk


@dataclass
class DayResult:
    report: AuditReport
    centre_restarts: int
    kiosk_kills: int
    partitions: int
    worker_crashes: int
    faults: dict[str, int]
    seconds: float
    crashes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int | float]:
        return {**self.report.counts(), "centre_restarts": self.centre_restarts, "kiosk_kills": self.kiosk_kills,
                "partitions": self.partitions, "worker_crashes": self.worker_crashes,
                **{f"proxy_{k}": v for k, v in sorted(self.faults.items())}, "seconds": round(self.seconds, 1)}


class Worker:
    """One kiosk process (restarted on the same data folder after a kill)."""

    def __init__(self, name: str, folder: Path, url: str, token: str, quota: int, seed: int, pause_ms: float,
                 timezone: str) -> None:
        self.name, self.folder, self.quota = name, folder, quota
        # --token=VALUE: a token may start with "-", which argparse would take for an option
        self.args = ["--dir", str(folder), "--url", url, f"--token={token}", "--kiosk-id", name,
                     "--quota", str(quota), "--seed", str(seed), "--pause-ms", str(pause_ms),
                     "--timezone", timezone]
        if (folder / "bookings.json").exists():
            self.args += ["--bookings", str(folder / "bookings.json")]
        self.proc: subprocess.Popen[bytes] | None = None
        self.done = False
        self._read = 0      # journal bytes counted so far
        self._shown = 0
        folder.mkdir(parents=True, exist_ok=True)

    def start(self, *extra: str) -> None:
        with open(self.folder / "worker.log", "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.chaos.kiosk_worker", *self.args, *extra],
                                         cwd=ROOT, env=centre_env(), stdout=log, stderr=log)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def shown(self) -> int:
        """Tickets shown so far (read incrementally; only whole lines count)."""
        path = self.folder / "journal.jsonl"
        if path.exists():
            with open(path, "rb") as f:
                f.seek(self._read)
                chunk = f.read()
            whole = chunk[:chunk.rfind(b"\n") + 1]
            self._read += len(whole)
            self._shown += whole.count(b'"ev": "shown"')
        return self._shown


def _schedule(plan: DayPlan, rng: random.Random) -> list[tuple[float, str, int, float]]:
    """(share of the day's tickets, event, kiosk index, duration s), in order."""
    # which centre is killed: drawn only when there is a choice, so a one-centre day's plan
    # (and every SQLite day's) is what it was before there could be several
    events = [(rng.uniform(0.05, 0.9), "centre", rng.randrange(plan.centres) if plan.centres > 1 else 0,
               rng.uniform(0.5, 3.0)) for _ in range(plan.centre_kills)]
    events += [(rng.uniform(0.02, 0.95), "kiosk", rng.randrange(plan.kiosks), rng.uniform(0.1, 1.0))
               for _ in range(plan.kiosk_kills)]
    events += [(rng.uniform(0.05, 0.9), "partition", rng.randrange(plan.kiosks), rng.uniform(1.0, 5.0))
               for _ in range(plan.partitions)]
    return sorted(events)


def run_day(workdir: Path, plan: DayPlan, say: Callable[[str], None] = lambda s: None) -> DayResult:
    """Run the day in ``workdir`` (fresh); every process it started is gone when it returns."""
    if plan.centres > 1 and not plan.database_url:
        raise ChaosError("several centres share one PostgreSQL database: give a database_url")
    began = time.monotonic()
    rng = random.Random(plan.seed)
    tz = mid_morning_zone()   # the whole day (and every slot) on the centre's today
    # every centre process on the same folder (its key file) and database
    centres = [CentreProcess(workdir / "centre", plan.database_url, env={"KIOSK_CENTRE_SERVICE_TIMEZONE": tz})
               for _ in range(plan.centres)]
    centre = centres[0]
    centre.data_dir.mkdir(parents=True)
    names = [f"kiosk-{i + 1:02d}" for i in range(plan.kiosks)]
    for name in names:
        centre.add_token("kiosk", name)
    quotas = [plan.tickets // plan.kiosks + (i < plan.tickets % plan.kiosks) for i in range(plan.kiosks)]
    if plan.bookings:
        booked = plan_bookings(plan.bookings, dict(zip(names, quotas)), _services(), random.Random(f"{plan.seed}/bookings"),
                               time.time(), plan.tickets * plan.seconds_per_ticket)
        accepted = import_bookings(booked, centre.data_dir, tz, {n: workdir / n for n in names}, plan.database_url)
        say(f"{accepted} bookings imported")
    for c in centres:
        c.start()
    pool = ProxyPool([c.port for c in centres], plan.kiosks, plan.seed, plan.rates, plan.balance).start()
    workers = [Worker(n, workdir / n, f"http://127.0.0.1:{p.port}", centre.tokens[n], q, plan.seed, plan.pause_ms, tz)
               for n, p, q in zip(names, pool.proxies, quotas)]
    stats = {"centre": 0, "kiosk": 0, "partition": 0, "crash": 0}
    crashes: list[str] = []
    try:
        for w in workers:
            w.start()
        _run_chaos(plan, rng, centres, pool, workers, stats, crashes.append, say)
        say("chaos over: faults off, draining every outbox")
        pool.faults(False)
        for w in workers:
            w.start("--drain")
        for w in workers:
            assert w.proc is not None
            if w.proc.wait(180) != 0:
                raise ChaosError(f"{w.name} could not drain its outbox; see {w.folder / 'worker.log'}")
    finally:
        for w in workers:
            w.kill()
        for c in centres:
            c.stop()
        pool.stop()
    report = audit(plan.database_url or centre.data_dir / "centre.sqlite3", {w.name: w.folder for w in workers})
    return DayResult(report, stats["centre"], stats["kiosk"], stats["partition"], stats["crash"],
                     dict(pool.counts()), time.monotonic() - began, crashes)


def _run_chaos(plan: DayPlan, rng: random.Random, centres: list[CentreProcess], pool: ProxyPool,
               workers: list[Worker], stats: dict[str, int], crashed: Callable[[str], None],
               say: Callable[[str], None]) -> None:
    events = _schedule(plan, rng)
    restart_at: dict[int, float] = {}
    heal_at: dict[int, float] = {}
    deadline = time.monotonic() + plan.timeout_s
    last_report = 0
    while not all(w.done for w in workers):
        if time.monotonic() > deadline:
            raise ChaosError(f"the day did not finish in {plan.timeout_s:.0f} s")
        now = time.monotonic()
        for i, w in enumerate(workers):
            if w.proc is not None and not w.done and i not in restart_at and w.proc.poll() is not None:
                if w.proc.returncode == 0:
                    w.done = True
                else:   # not killed by us: a crash is a finding in itself
                    stats["crash"] += 1
                    crashed(f"{w.name} exited with {w.proc.returncode}; see {w.folder / 'worker.log'}")
                    say(f"{w.name} crashed (exit {w.proc.returncode})")
                    restart_at[i] = now + 0.5
            if restart_at.get(i, now + 1) <= now:
                del restart_at[i]
                w.start()
        for i in [i for i, t in heal_at.items() if t <= now]:
            pool.partition(i, False)
            del heal_at[i]
        shown = sum(w.shown() for w in workers)
        while events and events[0][0] * plan.tickets <= shown:
            _, kind, i, duration = events.pop(0)
            stats[kind] += 1
            if kind == "centre":
                say(f"[{shown}] kill -9 centre{f' {i + 1}' if plan.centres > 1 else ''}, down {duration:.1f} s")
                centres[i].stop(kill=True)
                time.sleep(duration)
                centres[i].start(timeout=60)
            elif kind == "kiosk" and not workers[i].done:
                say(f"[{shown}] kill -9 {workers[i].name}")
                workers[i].kill()
                restart_at[i] = time.monotonic() + duration
            elif kind == "partition":
                say(f"[{shown}] partition {workers[i].name} for {duration:.1f} s")
                pool.partition(i, True)
                heal_at[i] = time.monotonic() + duration
            else:
                stats[kind] -= 1   # that kiosk had finished its day
        if shown - last_report >= max(100, plan.tickets // 10):
            last_report = shown
            say(f"[{shown}/{plan.tickets}] shown")
        time.sleep(0.05)
    for i in list(heal_at):
        pool.partition(i, False)


def print_counts(result: DayResult, out: Callable[[str], None] = print) -> None:
    """The counts, one per line, then the first problems found (if any)."""
    for k, v in result.counts().items():
        out(f"{k:>32}: {v}")
    for p in result.report.problems:
        out(f"  problem: {p}")
    for c in result.crashes:
        out(f"  crash: {c}")
    out("RESULT: " + ("OK" if result.report.ok and not result.worker_crashes else "FAILED"))


def counts_json(result: DayResult) -> str:
    return json.dumps({**result.counts(), "problems": result.report.problems, "ok": result.report.ok})
