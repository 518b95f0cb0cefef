"""Local ticket numbering: per service prefix, reset each day, persisted in SQLite.

A ticket is recorded before anything is printed, so a printer fault never loses it.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from offline_cache.db import StoreError, connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ticket (
    id             INTEGER PRIMARY KEY,
    day            TEXT NOT NULL,
    prefix         TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    number         TEXT NOT NULL,
    service_code   TEXT NOT NULL,
    priority_group TEXT NOT NULL DEFAULT '',
    issued_at      TEXT NOT NULL,
    print_state    TEXT NOT NULL DEFAULT 'pending',  -- pending / printed / failed:<code>
    flags          TEXT NOT NULL DEFAULT '',          -- space-separated, for counter staff
    UNIQUE (day, prefix, seq)
);
"""


@dataclass(frozen=True)
class StoredTicket:
    """A ticket as recorded locally."""

    number: str
    service_code: str
    prefix: str
    seq: int
    priority_group: str
    issued_at: datetime
    print_state: str = "pending"


class TicketStore:
    """SQLite-backed daily counters and the ticket log. Thread-safe."""

    def __init__(self, path: Path, today: Callable[[], date] = date.today,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.path = path
        self._today = today
        self._now = now
        self._lock = threading.Lock()
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(ticket)")}
        if "flags" not in columns:  # a store made before ticket flags existed
            self._conn.execute("ALTER TABLE ticket ADD COLUMN flags TEXT NOT NULL DEFAULT ''")
        if "source" not in columns:  # a store made before the centre service
            self._conn.execute("ALTER TABLE ticket ADD COLUMN source TEXT NOT NULL DEFAULT 'local'")
            self._conn.execute("ALTER TABLE ticket ADD COLUMN client_key TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self._conn.close()

    def next_ticket(self, prefix: str, service_code: str, priority_group: str = "",
                    flags: tuple[str, ...] = ()) -> StoredTicket:
        """Allocate and record the next number for ``prefix`` today (e.g. ``A012``)."""
        day = self._today().isoformat()
        issued = self._now()
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                row = self._conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM ticket WHERE day=? AND prefix=?",
                    (day, prefix)).fetchone()
                seq = int(row[0]) + 1
                number = f"{prefix}{seq:03d}"
                self._conn.execute(
                    "INSERT INTO ticket (day, prefix, seq, number, service_code, priority_group,"
                    " issued_at, flags) VALUES (?,?,?,?,?,?,?,?)",
                    (day, prefix, seq, number, service_code, priority_group, issued.isoformat(),
                     " ".join(flags)))
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"cannot record ticket: {exc}") from exc
        return StoredTicket(number, service_code, prefix, seq, priority_group, issued)

    def record(self, *, number: str, prefix: str, seq: int, service_code: str, priority_group: str,
               issued_at: datetime, flags: tuple[str, ...], source: str, client_key: str) -> None:
        """Log a ticket numbered elsewhere (``source`` "centre", or "offline" from this
        kiosk's leased range); recording the same number twice keeps the first row."""
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT OR IGNORE INTO ticket (day, prefix, seq, number, service_code, priority_group,"
                    " issued_at, flags, source, client_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (issued_at.date().isoformat(), prefix, seq, number, service_code, priority_group,
                     issued_at.isoformat(), " ".join(flags), source, client_key))
            except sqlite3.Error as exc:
                raise StoreError(f"cannot record ticket: {exc}") from exc

    def tickets_of(self, day: date) -> list[dict[str, str]]:
        """The day's ticket log (number, service, source, print state), in issue order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT number, service_code, source, print_state, issued_at, client_key FROM ticket"
                " WHERE day=? ORDER BY id", (day.isoformat(),)).fetchall()
        return [{"number": r[0], "service": r[1], "source": r[2], "print_state": r[3], "issued_at": r[4],
                 "client_key": r[5]} for r in rows]

    def flags_of(self, number: str) -> tuple[str, ...]:
        """The counter-staff flags recorded with today's ticket ``number``."""
        with self._lock:
            row = self._conn.execute("SELECT flags FROM ticket WHERE day=? AND number=?",
                                     (self._today().isoformat(), number)).fetchone()
        return tuple(row[0].split()) if row and row[0] else ()

    def mark_printed(self, number: str, error: str = "") -> None:
        """Record the print outcome of today's ticket ``number``."""
        state = "printed" if not error else f"failed:{error}"
        with self._lock:
            try:
                self._conn.execute("UPDATE ticket SET print_state=? WHERE day=? AND number=?",
                                   (state, self._today().isoformat(), number))
            except sqlite3.Error as exc:
                raise StoreError(f"cannot update ticket: {exc}") from exc

    def last_ticket(self) -> StoredTicket | None:
        """The most recently issued ticket (for a reprint from the maintenance screen)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT number, service_code, prefix, seq, priority_group, issued_at, print_state"
                " FROM ticket ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        return StoredTicket(row[0], row[1], row[2], row[3], row[4],
                            datetime.fromisoformat(row[5]), row[6])

    def count_today(self, prefix: str | None = None) -> int:
        day = self._today().isoformat()
        with self._lock:
            if prefix is None:
                row = self._conn.execute("SELECT COUNT(*) FROM ticket WHERE day=?", (day,)).fetchone()
            else:
                row = self._conn.execute("SELECT COUNT(*) FROM ticket WHERE day=? AND prefix=?",
                                         (day, prefix)).fetchone()
        return int(row[0])
