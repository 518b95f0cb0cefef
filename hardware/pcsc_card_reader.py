"""``PcscCardReader``: the chip ID card on a real PC/SC reader, through pyscard.

Card and reader changes come from :class:`~hardware.pcsc_monitor.PcscMonitor` (our own
thread, which survives pcscd restarts). :meth:`PcscCardReader.read_card` runs the eMRTD
read (:mod:`hardware.emrtd_read`) over a :class:`~hardware.pcsc_transport.PcscTransport`
on a worker thread with a deadline, so a silent card or driver can never hang the
caller, and turns every failure into one of the port's typed errors.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from hardware.base import BackendUnavailable, DeviceState, DeviceStatus, SelfTestResult
from hardware.card_reader import (CardInserted, CardNotSupported, CardReader, CardReadError,
                                  CardRemoved, CardRemovedDuringRead, NoCardPresent, ReaderChanged,
                                  ReaderUnavailable)
from hardware.shared_types import AccessKey, CardError, CardReadResult

log = logging.getLogger(__name__)


def map_chip_error(exc: BaseException) -> CardError:
    """The one place where eMRTD and PC/SC failures become the port's typed errors.

    Messages carry the error type and protocol detail only (never personal data). The
    chip's :class:`~hardware.shared_types.WrongAccessKey` already is a :class:`CardError`
    (one class for both layers) and passes unchanged, status word included.
    """
    from hardware import pcsc_transport as pt
    from hardware.emrtd import errors as ee

    if isinstance(exc, CardError):
        return exc
    if isinstance(exc, ee.CardRemoved):
        return CardRemovedDuringRead("the card left the reader during the read")
    if isinstance(exc, pt.ReaderGone):
        return ReaderUnavailable(f"reader or PC/SC service went away: {exc}")
    if isinstance(exc, ee.FileNotFound) and "application" in str(exc).lower():   # SELECT eMRTD refused
        return CardNotSupported("no eMRTD application on this card")
    if isinstance(exc, ee.ChipError):
        return CardReadError(f"{type(exc).__name__}: {exc}")
    return CardReadError(f"unexpected {type(exc).__name__} while reading the chip")


class PcscCardReader(CardReader):
    """Contactless reader on PC/SC (pcscd / WinSCard) for the CCCD chip.

    Options (``devices.card_reader.*``): ``reader_filter`` picks readers whose name
    contains it (empty: all); ``block_size`` is the READ BINARY chunk (≤ 0xDF is safe
    everywhere); ``trust_store_dir`` holds the CSCA trust store (``python -m kiosk card
    trust import``; empty: every read is at best "signature only"); ``read_timeout_s``
    bounds one read; ``chip_auth`` runs chip authentication when DG14 offers it.

    The trust store is loaded once by :meth:`open`.  When it cannot be loaded, ``kiosk_mode
    = "production"`` refuses to start (BackendUnavailable) rather than verify nothing;
    in demo mode the reader runs without it and reports a warning status.
    """

    backend = "pcsc"

    def __init__(self, reader_filter: str = "", block_size: int = 0xDF,
                 trust_store_dir: str = "", read_timeout_s: float = 20.0,
                 poll_s: float = 0.5, chip_auth: bool = True, kiosk_mode: str = "demo") -> None:
        super().__init__()
        self.reader_filter = reader_filter
        self.block_size = block_size
        self.trust_store_dir = trust_store_dir
        self.read_timeout_s = read_timeout_s
        self.poll_s = poll_s
        self.chip_auth = chip_auth
        self.kiosk_mode = kiosk_mode
        self.trust_store: Any = None
        self.trust_store_error = ""
        self._monitor: Any = None
        self._read_lock = threading.Lock()
        self._reading = False
        self.last_error = ""

    # -- life cycle ----------------------------------------------------------------
    def open(self) -> None:
        """Start watching readers. A stopped pcscd is not fatal: the reader reports a
        fault and recovers when the service comes back."""
        if self._open:
            return
        try:
            import smartcard.scard  # noqa: F401 - fail loudly here, not on the first tap
            from hardware.pcsc_monitor import PcscMonitor
        except Exception as exc:
            raise BackendUnavailable(f"pyscard cannot be loaded: {type(exc).__name__}: {exc}") from exc
        self._load_trust_store()
        self._monitor = PcscMonitor(self._readers_changed, self._card_changed,
                                    reader_filter=self.reader_filter, poll_s=self.poll_s)
        self._open = True
        self._monitor.start()

    def _load_trust_store(self) -> None:
        from hardware.emrtd.trust_store import TrustStoreError, load_trust_store

        self.trust_store, self.trust_store_error = None, ""
        if not self.trust_store_dir:
            return
        try:
            self.trust_store = load_trust_store(self.trust_store_dir)
        except TrustStoreError as exc:
            if self.kiosk_mode == "production":
                raise BackendUnavailable(f"CSCA trust store cannot be loaded: {exc}") from exc
            self.trust_store_error = str(exc)
            log.warning("CSCA trust store not loaded (demo mode continues): %s", exc)

    def close(self) -> None:
        if self._monitor is not None:
            self._monitor.stop()
            self._monitor = None
        self._open = False

    def status(self) -> DeviceStatus:
        mon = self._monitor
        if mon is None:
            return DeviceStatus(DeviceState.CLOSED, "not open")
        if not mon.service_up:
            return DeviceStatus(DeviceState.FAULT, "PC/SC service not available",
                                {"error": mon.last_error})
        if not mon.readers:
            return DeviceStatus(DeviceState.WARNING, "no card reader attached")
        present = [r for r, s in mon.slots.items() if s.present]
        extra = {"readers": list(mon.readers), "cards": present}
        if self._reading:
            return DeviceStatus(DeviceState.BUSY, "reading a card", extra)
        if self.trust_store_error:
            return DeviceStatus(DeviceState.WARNING, "CSCA trust store not loaded: chips cannot be verified",
                                dict(extra, error=self.trust_store_error))
        return DeviceStatus(DeviceState.READY, f"{len(mon.readers)} reader(s), "
                            f"{len(present)} card(s)", extra)

    def self_test(self) -> SelfTestResult:
        st = self.status()
        checks = [("pcsc service", self._monitor is not None and self._monitor.service_up,
                   st.detail),
                  ("reader attached", bool(self._monitor and self._monitor.readers),
                   ", ".join(self._monitor.readers) if self._monitor else ""),
                  ("trust store", not self.trust_store_error,
                   self.trust_store_error or (f"{len(self.trust_store)} CSCA" if self.trust_store else "not configured"))]
        return SelfTestResult(all(ok for _, ok, _ in checks), tuple(checks))

    # -- events (monitor thread) ---------------------------------------------------
    def _readers_changed(self, readers: tuple[str, ...]) -> None:
        self._emit(ReaderChanged(readers))

    def _card_changed(self, reader: str, present: bool, atr: bytes) -> None:
        self._emit(CardInserted(reader, atr) if present else CardRemoved(reader))

    # -- reading -------------------------------------------------------------------
    def card_present(self) -> bool:
        """True when a card lies on a (filtered) reader, asked of pcscd right now."""
        self._require_open()
        try:
            return self._reader_with_card() is not None
        except CardError:
            return False

    @property
    def readers(self) -> tuple[str, ...]:
        """Readers the monitor currently sees (after the name filter)."""
        return self._monitor.readers if self._monitor is not None else ()

    def _reader_with_card(self) -> str | None:
        """First (filtered) reader holding a card; :class:`ReaderUnavailable` if none."""
        from hardware import pcsc_transport as pt

        try:
            ctx = pt.establish_context()
        except pt.ReaderGone as exc:
            raise ReaderUnavailable(str(exc)) from None
        try:
            readers = [r for r in pt.list_readers(ctx)
                       if self.reader_filter.lower() in r.lower()]
            if not readers:
                raise ReaderUnavailable("no card reader attached")
            for reader in readers:
                state, _ = pt.reader_state(ctx, reader)
                if state & pt.STATE_PRESENT and not state & pt.STATE_MUTE:
                    return reader
            return None
        except pt.ReaderGone as exc:
            raise ReaderUnavailable(str(exc)) from None
        finally:
            pt.release_context(ctx)

    def read_card(self, key: AccessKey) -> CardReadResult:
        """Authenticate with ``key`` and read the card on the first reader holding one.

        Blocks up to ``read_timeout_s``; raises :class:`CardError` subclasses only.
        """
        self._require_open()
        reader = self._reader_with_card()
        if reader is None:
            raise NoCardPresent("no card on the reader")
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["result"] = self._read_on(reader, key)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = exc
            finally:
                done.set()

        with self._read_lock:
            self._reading = True
            try:
                worker = threading.Thread(target=work, name="pcsc-read", daemon=True)
                worker.start()
                if not done.wait(self.read_timeout_s):
                    # The worker stays blocked in the driver; it cleans up when it returns.
                    self.last_error = "timeout"
                    raise CardReadError(f"chip read did not finish within {self.read_timeout_s:.0f} s")
            finally:
                self._reading = False
        if "error" in box:
            cause = box["error"]
            err = map_chip_error(cause)
            self.last_error = type(err).__name__
            log.info("card read failed: %s", type(err).__name__)
            raise err from (None if err is cause else cause)  # a port error is not its own cause
        self.last_error = ""
        result = box["result"]
        verdict = result.verdict
        if verdict is not None:  # codes only: never personal data in a log line
            log.info("card read: chip check %s/%s possibly_cloned=%s apdus=%d", verdict.code,
                     verdict.reason, verdict.possibly_cloned, result.apdu_count)
        return result

    def _read_on(self, reader: str, key: AccessKey) -> CardReadResult:
        from hardware import pcsc_transport as pt
        from hardware.emrtd.errors import CardRemoved as ChipCardRemoved
        from hardware.emrtd_read import read_card_result

        ctx = pt.establish_context()
        try:
            try:
                transport = pt.PcscTransport(ctx, reader)
            except ChipCardRemoved:
                raise NoCardPresent("the card left before it could be connected") from None
            try:
                return read_card_result(transport, key, block_size=self.block_size,
                                        trust_store=self.trust_store, chip_auth=self.chip_auth)
            finally:
                transport.close(reset=True)
        finally:
            pt.release_context(ctx)
