"""Getting work onto the UI thread. Device callbacks arrive on worker threads; they
``post`` a function here and it runs on the thread that owns the flow."""
from __future__ import annotations

import queue
import threading
from typing import Callable, Protocol


class Dispatcher(Protocol):
    def post(self, fn: Callable[[], None]) -> None: ...


class KivyDispatcher:
    """Runs posted functions on the Kivy main thread at the next frame."""

    def post(self, fn: Callable[[], None]) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: fn(), 0)


class QueueDispatcher:
    """For tests and headless runs: posted functions wait until :meth:`drain` runs them."""

    def __init__(self) -> None:
        self._q: queue.Queue[Callable[[], None]] = queue.Queue()
        self.owner = threading.current_thread()

    def post(self, fn: Callable[[], None]) -> None:
        self._q.put(fn)

    def drain(self, timeout: float = 0.0) -> int:
        """Run every pending function; wait up to ``timeout`` s for the first one."""
        n = 0
        try:
            fn = self._q.get(timeout=timeout) if timeout > 0 else self._q.get_nowait()
        except queue.Empty:
            return 0
        while True:
            fn()
            n += 1
            try:
                fn = self._q.get_nowait()
            except queue.Empty:
                return n
