"""Getting work onto the UI thread. Device callbacks arrive on worker threads; they
``post`` a function here and it runs on the thread that owns the flow.

A posted function that raises goes to ``on_error(where, exc)`` (the app's failsafe) when
one is set, so a bug in a device result never reaches the event loop.
"""
from __future__ import annotations

import queue
import threading
from typing import Callable, Protocol

ErrorHandler = Callable[[str, BaseException], None]


class Dispatcher(Protocol):
    def post(self, fn: Callable[[], None]) -> None: ...


def _run_guarded(fn: Callable[[], None], on_error: ErrorHandler | None) -> None:
    if on_error is None:
        fn()
        return
    try:
        fn()
    except Exception as exc:
        on_error("dispatcher", exc)


class KivyDispatcher:
    """Runs posted functions on the Kivy main thread at the next frame."""

    def __init__(self) -> None:
        self.on_error: ErrorHandler | None = None

    def post(self, fn: Callable[[], None]) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: _run_guarded(fn, self.on_error), 0)


class QueueDispatcher:
    """For tests and headless runs: posted functions wait until :meth:`drain` runs them."""

    def __init__(self) -> None:
        self._q: queue.Queue[Callable[[], None]] = queue.Queue()
        self.owner = threading.current_thread()
        self.on_error: ErrorHandler | None = None

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
            _run_guarded(fn, self.on_error)
            n += 1
            try:
                fn = self._q.get_nowait()
            except queue.Empty:
                return n
