"""One failsafe for every way into the UI thread.

Dispatcher callbacks, the flow's clock, widget callbacks (through Kivy's exception
manager), device observers (through the controller's ``on_error``) and screen updates all
end here: the error is logged by type and place only (no message: library messages can
quote their input), and the flow goes out of service, which returns to the attract
screen by itself. Nothing reaches the event loop, so no timer is cancelled and the
process never ends on a bug.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from kivy.base import ExceptionHandler, ExceptionManager

log = logging.getLogger(__name__)


class Failsafe(ExceptionHandler):
    """``report(where)`` puts the kiosk out of service; it is called at most once per
    failing call and never re-entered (a failing report is only logged)."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self._reporting = False
        self.count = 0          # errors caught since start (diagnostics, tests)
        self.last_where = ""

    # -- entry points ----------------------------------------------------------------
    def handle(self, where: str, exc: BaseException) -> None:
        """An error at ``where``: log it without its message, go out of service."""
        self.count += 1
        self.last_where = where
        log.error("failsafe: %s in %s", type(exc).__name__, where,
                  exc_info=(type(exc), exc, exc.__traceback__))
        if self._reporting:
            return
        self._reporting = True
        try:
            self._report(where)
        except Exception as again:  # the report itself failed: the clock retries
            log.error("failsafe report failed: %s", type(again).__name__)
        finally:
            self._reporting = False

    def guard(self, where: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` wrapped so that any exception goes to :meth:`handle`. The wrapper
        returns ``None`` on error (a Kivy clock callback returning False is cancelled)."""
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                self.handle(where, exc)
                return None

        return guarded

    def handle_exception(self, exception: BaseException) -> int:
        """Kivy's hook for exceptions that escaped to the event loop (widget callbacks,
        kv rules, anything not guarded): handled, the loop goes on."""
        if isinstance(exception, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        self.handle("kivy", exception)
        return ExceptionManager.PASS

    # -- life cycle --------------------------------------------------------------------
    def install(self) -> None:
        ExceptionManager.add_handler(self)

    def uninstall(self) -> None:
        ExceptionManager.remove_handler(self)
