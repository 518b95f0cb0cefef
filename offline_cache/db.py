"""Opening the kiosk's SQLite database with settings that survive power cuts."""
from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """The local store cannot be written (disk full, read-only, corrupt)."""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating folders as needed) with WAL and full sync; one connection per thread."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open local store {path}: {exc}") from exc
    return conn
