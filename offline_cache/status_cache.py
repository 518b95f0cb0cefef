"""Cached application statuses, so "check my application" answers even when offline."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from offline_cache.db import StoreError, connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS application_status (
    code        TEXT PRIMARY KEY,
    status_vi   TEXT NOT NULL,
    status_en   TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- the centre's answers, kept to answer offline: keyed by a keyed hash of the code (a code
-- or ID number ties the row to a person), the answer itself encrypted
CREATE TABLE IF NOT EXISTS status_snapshot (
    key_hash    TEXT PRIMARY KEY,
    blob        BLOB NOT NULL,
    stored_at   REAL NOT NULL
);
"""


@dataclass(frozen=True)
class StatusResult:
    """Answer to a status query; ``found`` False when the code is unknown."""

    code: str
    found: bool
    status_vi: str = ""
    status_en: str = ""
    updated_at: datetime | None = None
    source: str = "cache"  # "cache" (this kiosk's copy) or "centre"
    timeline: tuple[tuple[str, str, str], ...] = ()   # (vi, en, "dd/mm/yyyy HH:MM") oldest first
    next_step_vi: str = ""
    next_step_en: str = ""
    due_on: str = ""           # dd/mm/yyyy
    received_on: str = ""      # dd/mm/yyyy
    overdue: bool = False      # past the due date while still with the office
    collect_vi: str = ""
    collect_en: str = ""
    as_of: datetime | None = None   # offline: when the centre last gave this answer

    def next_step(self, language: str) -> str:
        return self.next_step_en if language == "en" else self.next_step_vi

    def collect(self, language: str) -> str:
        return self.collect_en if language == "en" else self.collect_vi

    def text(self, language: str) -> str:
        return self.status_en if language == "en" else self.status_vi


class StatusCache:
    """SQLite table of application statuses keyed by dossier / receipt code."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def put(self, code: str, status_vi: str, status_en: str, updated_at: datetime) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO application_status VALUES (?,?,?,?) ON CONFLICT(code) DO UPDATE"
                " SET status_vi=excluded.status_vi, status_en=excluded.status_en,"
                " updated_at=excluded.updated_at",
                (code.upper(), status_vi, status_en, updated_at.isoformat()))

    def seed_from_json(self, path: Path) -> int:
        """Load demo/test statuses from a JSON list; returns how many were loaded."""
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read status seed {path}: {exc}") from exc
        for r in rows:
            self.put(r["code"], r["status_vi"], r["status_en"], datetime.fromisoformat(r["updated_at"]))
        return len(rows)

    def lookup(self, code: str) -> StatusResult:
        code = code.strip().upper()
        with self._lock:
            row = self._conn.execute(
                "SELECT status_vi, status_en, updated_at FROM application_status WHERE code=?",
                (code,)).fetchone()
        if row is None:
            return StatusResult(code, False)
        return StatusResult(code, True, row[0], row[1], datetime.fromisoformat(row[2]))

    # -- snapshots of the centre's answers (encrypted) --------------------------------
    def put_snapshot(self, key_hash: str, blob: bytes, stored_at: float) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO status_snapshot VALUES (?,?,?)",
                               (key_hash, blob, stored_at))

    def snapshot(self, key_hash: str) -> tuple[bytes, float] | None:
        with self._lock:
            row = self._conn.execute("SELECT blob, stored_at FROM status_snapshot WHERE key_hash=?",
                                     (key_hash,)).fetchone()
        return (bytes(row[0]), float(row[1])) if row else None

    def purge_snapshots(self, older_than: float) -> int:
        with self._lock:
            return self._conn.execute("DELETE FROM status_snapshot WHERE stored_at < ?", (older_than,)).rowcount
