"""Durable store-and-forward of the kiosk's writes to the centre.

Every write (an offline ticket, a print outcome, a handover, an offline check-in) is
committed here first, with its idempotency key, then sent in order by the drainer.
An item leaves the outbox only when the centre has acknowledged it; a crash between
"sent" and "deleted" re-sends it, and the idempotency key makes the centre answer the
same without writing twice. Payloads are encrypted (they can hold personal data) and
purged after the retention even if never delivered (then counted as expired).

An online ticket request (or booking check-in) is not an outbox item (the citizen waits for
its answer), but its key is recorded here before it is sent and forgotten when the citizen
has the answer (a check-in whose answer is lost is voided at once: see kiosk.visit): a
record that outlives its process means a ``kill -9`` cut the attempt short, and the next
process queues a ``void_attempt`` item for it, so a ticket the centre made for nobody is
cancelled (see :meth:`Outbox.void_abandoned`).
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from offline_cache.db import StoreError, connect
from offline_cache.process_id import is_running, this_process
from offline_cache.sealed import StoreSealer

VOID_KIND = "void_attempt"     # the outbox item that tells the centre an attempt was abandoned

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL UNIQUE,
    payload      BLOB NOT NULL,
    created_at   REAL NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      REAL NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    depends_on   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS outbox_log (
    kind TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT NOT NULL, at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS delivered (
    key TEXT PRIMARY KEY, result TEXT NOT NULL, at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS attempt (   -- online ticket requests in flight; no personal data
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, started_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    created_at: float
    attempts: int
    depends_on: str = ""


@dataclass(frozen=True)
class OutboxStats:
    backlog: int
    oldest_at: float | None
    failing: int          # items that failed at least once
    delivered: int

    def as_dict(self) -> dict[str, Any]:
        return {"backlog": self.backlog, "oldest_at": self.oldest_at, "failing": self.failing,
                "delivered": self.delivered}


class Outbox:
    """SQLite outbox; thread-safe; several processes may share the file."""

    def __init__(self, path: Path, sealer: StoreSealer, clock: Callable[[], float] = time.time) -> None:
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._sealer = sealer
        self._clock = clock
        self._owner = this_process()
        self.wake = threading.Event()   # set on every enqueue: the drainer sends at once

    def close(self) -> None:
        self._conn.close()

    def put(self, kind: str, key: str, payload: dict[str, Any], depends_on: str = "",
            ends_attempt: str = "") -> None:
        """Commit one write (durably) before anything about it is shown or printed.
        ``depends_on``: the key of an item that must be delivered first (a handover waits
        for its offline ticket). ``ends_attempt``: forget that attempt's record in the same
        transaction (the item settles it, e.g. an offline ticket that ``replaces`` it)."""
        blob = self._sealer.seal(json.dumps(payload, ensure_ascii=False).encode())
        now = self._clock()
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.execute(
                    "INSERT OR IGNORE INTO outbox (kind, key, payload, created_at, next_at, depends_on)"
                    " VALUES (?,?,?,?,?,?)", (kind, key, blob, now, now, depends_on))
                if ends_attempt:
                    self._conn.execute("DELETE FROM attempt WHERE key=?", (ends_attempt,))
                self._conn.execute("COMMIT")
            except Exception as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"outbox not writable: {type(exc).__name__}") from exc
        self.wake.set()

    def begin_attempt(self, key: str) -> None:
        """Record, durably and before the request leaves, that this process asks the centre
        for a ticket under ``key`` (raises :class:`StoreError`: then send nothing)."""
        with self._lock:
            try:
                self._conn.execute("INSERT OR REPLACE INTO attempt VALUES (?,?,?)",
                                   (key, self._owner, self._clock()))
            except Exception as exc:
                raise StoreError(f"outbox not writable: {type(exc).__name__}") from exc

    def end_attempt(self, key: str) -> None:
        """The attempt is settled: the citizen has its number, or the centre refused it."""
        with self._lock:
            self._conn.execute("DELETE FROM attempt WHERE key=?", (key,))

    def void_attempt(self, key: str) -> None:
        """Nobody will hold what the attempt ``key`` made: queue a ``void_attempt`` item (the
        centre cancels a waiting ticket made under the key, or refuses the request if it
        arrives later) and forget the record, in one transaction."""
        self.put(VOID_KIND, f"{key}/void", {"replaces": key}, ends_attempt=key)

    def open_attempts(self) -> list[str]:
        """Keys of the attempts recorded and not yet settled (any process)."""
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT key FROM attempt ORDER BY started_at")]

    def void_abandoned(self) -> list[str]:
        """Void the attempts of processes that are gone (cut short by a crash or ``kill -9``
        before the citizen saw a number); a running process's attempts are left alone.
        Returns the keys voided."""
        with self._lock:
            rows = self._conn.execute("SELECT key, owner FROM attempt ORDER BY started_at").fetchall()
        gone = [key for key, owner in rows if not is_running(owner)]
        for key in gone:
            self.void_attempt(key)
        return gone

    def due(self, limit: int = 50) -> list[OutboxItem]:
        """Items in order of creation whose retry time has come."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, kind, key, payload, created_at, attempts, depends_on, next_at FROM outbox"
                " ORDER BY id LIMIT ?", (limit,)).fetchall()
        now = self._clock()
        out = []
        for r in rows:
            if r[7] > now:
                break   # keep order: nothing later goes before a waiting item
            out.append(OutboxItem(r[0], r[1], r[2], json.loads(self._sealer.open(r[3])), r[4], r[5], r[6]))
        return out

    def pending(self, kind: str) -> list[OutboxItem]:
        """Undelivered items of ``kind`` in order of creation, due or waiting for a retry."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, kind, key, payload, created_at, attempts, depends_on FROM outbox"
                " WHERE kind=? ORDER BY id", (kind,)).fetchall()
        return [OutboxItem(r[0], r[1], r[2], json.loads(self._sealer.open(r[3])), r[4], r[5], r[6])
                for r in rows]

    def retry_now(self) -> None:
        """Make every waiting item due at once (staff pressed "sync now")."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET next_at=0")
        self.wake.set()

    def delivered(self, item: OutboxItem, result: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM outbox WHERE id=?", (item.id,))
            self._conn.execute("INSERT OR REPLACE INTO delivered VALUES (?,?,?)",
                               (item.key, json.dumps(result or {}), self._clock()))
            self._conn.execute("INSERT INTO outbox_log VALUES (?,?,?,?)",
                               (item.kind, item.key, "delivered", self._clock()))
            self._conn.execute("COMMIT")

    def result_of(self, key: str) -> dict[str, Any] | None:
        """What the centre answered for a delivered item (e.g. the offline ticket's id)."""
        with self._lock:
            row = self._conn.execute("SELECT result FROM delivered WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def failed(self, item: OutboxItem, error: str, backoff_s: float) -> None:
        with self._lock:
            self._conn.execute("UPDATE outbox SET attempts=attempts+1, next_at=?, last_error=? WHERE id=?",
                               (self._clock() + backoff_s, error[:80], item.id))

    def dead(self, item: OutboxItem, error: str) -> None:
        """The centre refused the item for good (4xx): logged, not retried forever."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM outbox WHERE id=?", (item.id,))
            self._conn.execute("INSERT INTO outbox_log VALUES (?,?,?,?)",
                               (item.kind, item.key, f"refused:{error[:60]}", self._clock()))
            self._conn.execute("COMMIT")

    def purge(self, retention_s: float) -> int:
        """Drop undelivered items older than the retention (their personal data with them)."""
        cutoff = self._clock() - retention_s
        with self._lock:
            rows = self._conn.execute("SELECT kind, key FROM outbox WHERE created_at < ?", (cutoff,)).fetchall()
            self._conn.execute("DELETE FROM outbox WHERE created_at < ?", (cutoff,))
            self._conn.execute("DELETE FROM delivered WHERE at < ?", (cutoff,))
            for kind, key in rows:
                self._conn.execute("INSERT INTO outbox_log VALUES (?,?,?,?)", (kind, key, "expired", self._clock()))
        return len(rows)

    def stats(self) -> OutboxStats:
        with self._lock:
            backlog, oldest, failing = self._conn.execute(
                "SELECT COUNT(*), MIN(created_at), SUM(attempts > 0) FROM outbox").fetchone()
            delivered = self._conn.execute("SELECT COUNT(*) FROM outbox_log WHERE outcome='delivered'").fetchone()[0]
        return OutboxStats(int(backlog), oldest, int(failing or 0), int(delivered))

    def log(self) -> list[tuple[str, str, str, float]]:
        with self._lock:
            return list(self._conn.execute("SELECT kind, key, outcome, at FROM outbox_log ORDER BY rowid"))
