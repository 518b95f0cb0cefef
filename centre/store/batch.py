"""Group commit: one writer thread runs the API's writes in batches, one transaction each.

Every write of the centre is serialised anyway (SQLite has one writer; on PostgreSQL all
queue writes queue on the ``centre_state`` row). Run one at a time, each write pays its
own ``BEGIN``, lock and durable commit (an fsync), and while one request holds the lock
the other request threads fight it for the GIL. Here the requests that arrive while a
batch commits wait together and go in the next transaction: one lock, one commit, one
wake-up of the event streams for all of them.

Each job runs in the order it arrived and sees the writes of the jobs before it, exactly
as if the jobs had run one after another. When a job raises, the transaction is rolled
back, that job gets its error and the others run again without it — the outcome is the
same as running them one by one, where the failed one would have changed nothing. A
failure outside the jobs (the database refuses to begin or to commit: disk full, locked
for too long) is given to every job of the batch: none of them was committed.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection

from centre.store.db import Database
from centre.store.events import lock_centre

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 64


@dataclass
class _Job:
    fn: Callable[[Connection], Any]
    future: Future = field(default_factory=Future)


class _JobFailed(Exception):
    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(type(error).__name__)
        self.index = index
        self.error = error


class WriteBatcher:
    """The writer thread of one centre process."""

    def __init__(self, db: Database, on_commit: Callable[[], None], *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.on_commit = on_commit
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0           # for the benchmark: jobs / batches is the mean batch size
        self.jobs = 0

    def start(self) -> "WriteBatcher":
        self._thread = threading.Thread(target=self._run, name="centre-writer", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what was submitted, then end the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def submit(self, fn: Callable[[Connection], T]) -> "Future[T]":
        """Queue ``fn(conn)`` for the next batch; its result or error comes in the future."""
        if not self.running:
            raise RuntimeError("the centre's writer is not running")
        job = _Job(fn)
        self._queue.put(job)
        return job.future

    def call(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a batch and wait for it (from a worker thread)."""
        return self.submit(fn).result()

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a batch without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(fn))

    # -- the writer thread -------------------------------------------------------
    def _run(self) -> None:
        stopping = False
        while not stopping:
            job = self._queue.get()
            if job is None:
                break
            batch = [job]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            # a job whose caller gave up before it started is dropped (nothing was written)
            self._commit([j for j in batch if j.future.set_running_or_notify_cancel()])

    def _commit(self, batch: list[_Job]) -> None:
        while batch:
            try:
                results = self._transaction(batch)
            except _JobFailed as failed:
                batch[failed.index].future.set_exception(failed.error)
                batch = batch[:failed.index] + batch[failed.index + 1:]
                continue
            except BaseException as exc:   # begin/commit failed: nothing of the batch was written
                log.warning("a write batch of %d failed: %s", len(batch), type(exc).__name__)
                for job in batch:
                    job.future.set_exception(exc)
                return
            self.batches += 1
            self.jobs += len(batch)
            for job, result in zip(batch, results):
                job.future.set_result(result)
            try:
                self.on_commit()
            except Exception as exc:  # waking the streams must not stop the writer
                log.warning("notify after commit failed: %s", type(exc).__name__)
            return

    def _transaction(self, batch: list[_Job]) -> list[Any]:
        results: list[Any] = []
        with self.db.write() as conn:
            lock_centre(conn)
            for index, job in enumerate(batch):
                try:
                    results.append(job.fn(conn))
                except Exception as exc:
                    raise _JobFailed(index, exc) from exc
        return results
