"""Watch PC/SC readers and cards on our own thread, surviving pcscd restarts.

Why not pyscard's ``CardMonitor`` / ``ReaderMonitor``: both are process-wide
singletons whose thread waits up to 60 s per call and stops for good the first time
pcscd is not running (``SCARD_E_NO_SERVICE``), so a kiosk that booted before pcscd, or
whose pcscd restarted, would never see a card again; and one exception in an observer
ends monitoring silently. This loop uses the same PC/SC calls (``SCardGetStatusChange``
on every reader plus the ``\\\\?PnP?\\Notification`` pseudo reader) with a short
timeout, re-establishes the context whenever the service comes back, can be stopped,
and guards every callback.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from hardware import pcsc_transport as pt

log = logging.getLogger(__name__)

PNP = "\\\\?PnP?\\Notification"


@dataclass(frozen=True)
class SlotState:
    """What the monitor last saw in one reader."""

    present: bool
    atr: bytes = b""
    events: int = 0  # pcsc-lite's insert/remove counter (high 16 bits of the state)


class PcscMonitor:
    """Polls PC/SC and calls back on changes (on the monitor's thread).

    ``on_readers(names)`` when the set of (filtered) readers changes, including to
    ``()`` when the service goes away; ``on_card(reader, present, atr)`` on every
    insert/remove, and once at start for a card already lying on a reader.
    """

    def __init__(self, on_readers: Callable[[tuple[str, ...]], None],
                 on_card: Callable[[str, bool, bytes], None], *,
                 reader_filter: str = "", poll_s: float = 0.5,
                 retry_s: float = 1.0) -> None:
        self._on_readers = on_readers
        self._on_card = on_card
        self.reader_filter = reader_filter
        self.poll_ms = int(poll_s * 1000)
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ctx: Any = None
        self._ctx_lock = threading.Lock()
        self.readers: tuple[str, ...] = ()
        self.slots: dict[str, SlotState] = {}
        self.service_up = False
        self.last_error = ""
        self._pnp_works = True

    # -- life cycle ----------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the thread (wakes it with SCardCancel) and release the context."""
        self._stop.set()
        with self._ctx_lock:
            if self._ctx is not None:
                try:
                    from smartcard import scard

                    scard.SCardCancel(self._ctx)
                except Exception:  # noqa: BLE001 - the wait times out anyway
                    pass
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def wanted(self, reader: str) -> bool:
        """Does ``reader`` pass the configured name filter (substring, case-insensitive)?"""
        return self.reader_filter.lower() in reader.lower()

    # -- the loop --------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._session()
            except pt.ReaderGone as exc:
                self.last_error = str(exc)
            except Exception as exc:  # noqa: BLE001 - monitoring must never die
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("PC/SC monitor error; restarting")
            self._drop_context()
            self._set_readers(())
            self._stop.wait(self.retry_s)

    def _session(self) -> None:
        """One PC/SC context: list readers, then wait for changes until it breaks."""
        ctx = pt.establish_context()
        with self._ctx_lock:
            self._ctx = ctx
        self.service_up = True
        self.last_error = ""
        from smartcard import scard

        pnp_state = 0
        states: dict[str, int] = {}
        while not self._stop.is_set():
            readers = tuple(r for r in pt.list_readers(ctx) if self.wanted(r))
            self._set_readers(readers)
            states = {r: states.get(r, 0) for r in readers}
            query = [(r, s) for r, s in states.items()]
            if self._pnp_works:
                query.append((PNP, pnp_state))
            rv, result = scard.SCardGetStatusChange(ctx, self.poll_ms, query)
            code = pt.u32(rv)
            if code in (pt.E_TIMEOUT, pt.E_CANCELLED):
                continue
            if code in (pt.E_UNKNOWN_READER, pt.E_READER_UNAVAILABLE):
                continue  # a reader vanished between listing and waiting: list again
            if code != pt.S_SUCCESS:
                raise pt.ReaderGone(f"SCardGetStatusChange failed: {pt.describe(rv)}")
            for name, state, atr in result:
                if name == PNP:
                    if state & 0x0004:  # SCARD_STATE_UNKNOWN: this pcscd has no PnP
                        self._pnp_works = False
                    pnp_state = state & ~pt.STATE_CHANGED
                    continue
                states[name] = state & ~pt.STATE_CHANGED
                self._update_slot(name, state, bytes(atr))

    def _update_slot(self, reader: str, state: int, atr: bytes) -> None:
        present = bool(state & pt.STATE_PRESENT) and not state & pt.STATE_MUTE
        events = (state >> 16) & 0xFFFF
        old = self.slots.get(reader)
        self.slots[reader] = SlotState(present, atr if present else b"", events)
        if old is None and not present:
            return
        if old is not None and old.present == present and (
                not present or (old.atr == atr and old.events == events)):
            return
        if old is not None and old.present and present:
            # removed and put back between two polls (pcscd's event counter moved)
            self._call(self._on_card, reader, False, b"")
        self._call(self._on_card, reader, present, atr if present else b"")

    def _set_readers(self, readers: tuple[str, ...]) -> None:
        if readers == self.readers:
            return
        for gone in set(self.readers) - set(readers):
            slot = self.slots.pop(gone, None)
            if slot is not None and slot.present:
                self._call(self._on_card, gone, False, b"")
        self.readers = readers
        self._call(self._on_readers, readers)

    def _drop_context(self) -> None:
        with self._ctx_lock:
            ctx, self._ctx = self._ctx, None
        self.service_up = False
        if ctx is not None:
            pt.release_context(ctx)

    @staticmethod
    def _call(fn: Callable[..., None], *args: object) -> None:
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - a listener bug must not stop monitoring
            log.exception("PC/SC monitor callback failed")
