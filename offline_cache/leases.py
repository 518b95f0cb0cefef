"""This kiosk's offline number ranges, leased from the centre per service prefix and day.

While the centre cannot be reached, ticket numbers come from here: no other kiosk and not
the centre can hand them out, so nothing collides when the outbox delivers them later."""
from __future__ import annotations

import threading
from pathlib import Path

from offline_cache.db import StoreError, connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lease (
    day    TEXT NOT NULL,
    prefix TEXT NOT NULL,
    lo     INTEGER NOT NULL,
    hi     INTEGER NOT NULL,
    next   INTEGER NOT NULL,
    PRIMARY KEY (day, prefix, lo)
);
"""


class LeaseStore:
    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def add(self, day: str, prefix: str, lo: int, hi: int) -> None:
        """Remember a block (a block already known keeps how far it was used)."""
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO lease VALUES (?,?,?,?,?)", (day, prefix, lo, hi, lo))

    def take(self, day: str, prefix: str) -> int | None:
        """The next unused number of the day's blocks for ``prefix`` (durably), or None."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                row = self._conn.execute(
                    "SELECT lo, next FROM lease WHERE day=? AND prefix=? AND next<=hi ORDER BY lo LIMIT 1",
                    (day, prefix)).fetchone()
                if row is None:
                    self._conn.execute("ROLLBACK")
                    return None
                self._conn.execute("UPDATE lease SET next=next+1 WHERE day=? AND prefix=? AND lo=?",
                                   (day, prefix, row[0]))
                self._conn.execute("COMMIT")
            except Exception as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"cannot take an offline number: {type(exc).__name__}") from exc
        return int(row[1])

    def remaining(self, day: str, prefix: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT COALESCE(SUM(hi - next + 1), 0) FROM lease WHERE day=? AND prefix=?",
                                     (day, prefix)).fetchone()
        return int(row[0])

    def purge_before(self, day: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM lease WHERE day < ?", (day,))
