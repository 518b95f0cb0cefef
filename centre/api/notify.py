"""Waking the event streams: in-process after each commit, and from PostgreSQL's
LISTEN/NOTIFY for writes made by other centre processes on the same database."""
from __future__ import annotations

import asyncio
import logging
import threading

from sqlalchemy.engine import make_url

from centre.store.events import CHANNEL

log = logging.getLogger(__name__)


class Notifier:
    """Thread-safe ``notify()``; ``await wait(timeout)`` on the event loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        ev, self._event = self._event, asyncio.Event()
        if ev is not None:
            ev.set()

    async def wait(self, timeout: float) -> None:
        ev = self._event
        if ev is None:
            await asyncio.sleep(timeout)
            return
        try:
            await asyncio.wait_for(ev.wait(), timeout)
        except TimeoutError:
            pass


class PgListener(threading.Thread):
    """LISTEN on the centre's channel; every notification wakes this process's streams.
    Reconnects with backoff when the database goes away."""

    def __init__(self, url: str, notifier: Notifier) -> None:
        super().__init__(name="pg-listen", daemon=True)
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.notifier = notifier
        self._stop = threading.Event()

    def run(self) -> None:
        import psycopg

        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    backoff = 0.5
                    self.notifier.notify()  # catch up on anything missed while away
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=64):
                            self.notifier.notify()
            except Exception as exc:  # the database restarting must not end the listener
                log.warning("event listener lost the database (%s); retrying", type(exc).__name__)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def stop(self) -> None:
        self._stop.set()
