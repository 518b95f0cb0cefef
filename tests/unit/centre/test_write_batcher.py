"""The writer's group commit on a real SQLite file: jobs commit together, in order, and
one failing job changes nothing of the others' outcome."""
from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Connection, event, text

from centre.domain.errors import Conflict
from centre.store.batch import WriteBatcher
from centre.store.db import Database


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    d = Database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    with d.write() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
    yield d
    d.dispose()


def insert(v: str):  # type: ignore[no-untyped-def]
    def job(conn: Connection) -> int:
        return int(conn.execute(text("INSERT INTO t (v) VALUES (:v) RETURNING id"), {"v": v}).scalar_one())
    return job


def rows(db: Database) -> list[str]:
    with db.read() as conn:
        return [r[0] for r in conn.execute(text("SELECT v FROM t ORDER BY id"))]


def test_concurrent_jobs_share_commits_and_each_gets_its_own_answer(db: Database) -> None:
    commits: list[int] = []
    w = WriteBatcher(db, lambda: commits.append(1)).start()
    try:
        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(lambda i: w.call(insert(f"v{i}")), range(400)))
    finally:
        w.stop()
    assert sorted(ids) == list(range(1, 401))          # every job ran once, answers not mixed up
    assert sorted(rows(db)) == sorted(f"v{i}" for i in range(400))
    assert w.jobs == 400
    assert w.batches < 400                             # some commits carried several jobs
    assert len(commits) == w.batches                   # the streams are woken once per commit


def test_a_failing_job_gets_its_error_and_the_others_commit_as_if_run_one_by_one(db: Database) -> None:
    gate = threading.Event()
    w = WriteBatcher(db, lambda: None)
    # hold the writer on a first job so the next five queue up and run as one batch
    w.start()
    first = w.submit(lambda conn: gate.wait(5))
    futures = [w.submit(insert("a")), w.submit(insert("b")), w.submit(insert("a")),   # duplicate: fails
               w.submit(lambda conn: (_ for _ in ()).throw(Conflict("no", code="x"))), w.submit(insert("c"))]
    gate.set()
    try:
        assert first.result(5) is True
        assert futures[0].result(5) == 1 and futures[1].result(5) == 2
        with pytest.raises(Exception) as dup:
            futures[2].result(5)
        assert "IntegrityError" in type(dup.value).__name__
        with pytest.raises(Conflict):
            futures[3].result(5)
        assert futures[4].result(5) == 3
    finally:
        w.stop()
    assert rows(db) == ["a", "b", "c"]


def test_a_job_given_up_before_it_starts_writes_nothing(db: Database) -> None:
    gate = threading.Event()
    w = WriteBatcher(db, lambda: None).start()
    w.submit(lambda conn: gate.wait(5))
    late = w.submit(insert("never"))
    assert late.cancel()
    gate.set()
    w.stop()
    assert rows(db) == []


def test_when_the_database_refuses_the_batch_every_job_hears_it(db: Database, tmp_path: Path) -> None:
    # another process holds SQLite's write lock longer than the writer waits for it
    db.write_engine.dispose()
    event.listen(db.write_engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=50"))
    other = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    w = WriteBatcher(db, lambda: None).start()
    try:
        errors = []
        for f in [w.submit(insert("x")), w.submit(insert("y"))]:
            with pytest.raises(Exception) as e:
                f.result(10)
            errors.append(str(e.value))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert all("database is locked" in e for e in errors)
    assert w.call(insert("z")) == 1       # the writer lives on once the lock is free
    w.stop()
    assert rows(db) == ["z"]


def test_submitting_to_a_stopped_writer_is_refused(db: Database) -> None:
    w = WriteBatcher(db, lambda: None)
    with pytest.raises(RuntimeError):
        w.submit(insert("x"))
