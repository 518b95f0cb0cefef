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
