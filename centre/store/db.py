"""Engines for SQLite (WAL, the default) and PostgreSQL, and migrations at start.

SQLite: one writer at a time, so writes take a process-wide lock and ``BEGIN
IMMEDIATE`` (no busy-waiting, no lock upgrade deadlock); reads use their own pooled
connections and see the last committed state (WAL). PostgreSQL: a connection pool;
writers serialise on the ``centre_state`` row (see :mod:`centre.store.schema`).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text

from centre.store.events import PENDING_NOTIFY, notify_pending
from centre.store.schema import centre_state

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_ID = 0x43454E54  # pg_advisory_lock key: several processes may start at once


class Database:
    """The two engines (write, read) and the write lock of one centre process."""

    def __init__(self, url: str, *, synchronous: str = "FULL") -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = threading.Lock()
        if self.is_sqlite:
            path = url.split("///", 1)[1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.write_engine = create_engine(url, pool_size=1, max_overflow=0,
                                              connect_args={"check_same_thread": False})
            self.read_engine = create_engine(url, pool_size=8, max_overflow=8,
                                             connect_args={"check_same_thread": False})
            for eng, immediate in ((self.write_engine, True), (self.read_engine, False)):
                _sqlite_setup(eng, immediate=immediate, synchronous=synchronous)
        else:
            self.write_engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
            self.read_engine = self.write_engine

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (commits on success, rolls back on any exception)."""
        if self.is_sqlite:
            with self._write_lock, self.write_engine.begin() as conn:
                yield conn
        else:
            with self.write_engine.begin() as conn:
                conn.info.pop(PENDING_NOTIFY, None)   # (the info dict outlives a transaction)
                yield conn
                notify_pending(conn)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.read_engine.connect() as conn:
            yield conn

    def migrate(self) -> None:
        """Bring the schema to the newest revision (safe when several processes start)."""
        with self.write() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
            cfg = AlembicConfig()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            if conn.execute(select(centre_state.c.id)).first() is None:
                conn.execute(insert(centre_state).values(id=1, last_event=0))

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def _sqlite_setup(engine: Engine, *, immediate: bool, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
