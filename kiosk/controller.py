"""Carries out the flow's effects on worker threads and feeds results back as events.

Everything that touches the flow runs on the dispatcher's thread (Kivy's main thread in
the app). Results of work started for one citizen are dropped if the session was wiped
in the meantime, so a late chip read can never fill the next citizen's screen.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from hardware.base import DeviceState
from hardware.card_reader import (CardInserted, CardNotSupported, CardReader, CardRemoved,
                                  CardRemovedDuringRead, NoCardPresent, ReaderUnavailable)
from hardware.printer import (CoverOpen, PaperOut, PaperState, PrinterError, PrinterOffline,
                              PrinterStatus, PrintTimeout, TicketPrinter)
from hardware.qr_scanner import QrScanned, QrScanner
from hardware.shared_types import CardError, WrongAccessKey
from kiosk import flow as f
from kiosk.dispatch import Dispatcher
from kiosk.photo.messages import message
from kiosk.photo.session import AcceptedPhoto
from kiosk.photo_service import PhotoPhase, PhotoService, PhotoView
from kiosk.ticketing import Ticket, TicketIssuer, ticket_job
from kiosk.visit import run_visit_effect, shown_ticket
from kiosk.visit_events import BookingScanned

log = logging.getLogger(__name__)

CARD_ERROR_CODES: tuple[tuple[type[Exception], str], ...] = (
    (CardRemovedDuringRead, "card_removed"),
    (WrongAccessKey, "wrong_key"),
    (NoCardPresent, "no_card"),
    (CardNotSupported, "not_supported"),
    (ReaderUnavailable, "no_reader"),
    (CardError, "read_error"),
)
PRINTER_ERROR_CODES: tuple[tuple[type[Exception], str], ...] = (
    (PaperOut, "paper_out"),
    (CoverOpen, "cover_open"),
    (PrinterOffline, "printer_offline"),
    (PrintTimeout, "print_timeout"),
    (PrinterError, "printer_error"),
)


def error_code(exc: BaseException, table: tuple[tuple[type[Exception], str], ...], default: str) -> str:
    """The message key for ``exc`` (first matching class in ``table``)."""
    for cls, code in table:
        if isinstance(exc, cls):
            return code
    return default


@dataclass
class Alert:
    """A fault for maintenance staff (diagnostics screen, centre service)."""

    device: str
    code: str
    at: float
    wall: datetime = field(default_factory=datetime.now)  # shown to staff


MAX_ALERTS = 100
REPEAT_ALERT_S = 60.0  # the same fault again within this time is one alert


def printer_status_alert(status: object) -> str | None:
    """The alert code a printer status event stands for (paper near end included, so
    maintenance hears of it before the paper runs out), or ``None`` when all is well."""
    if not isinstance(status, PrinterStatus):
        return None
    if status.cover_open:
        return "cover_open"
    if status.paper is PaperState.OUT:
        return "paper_out"
    if status.error:
        return "printer_error"
    if status.online is False:
        return "printer_offline"
    if status.paper is PaperState.NEAR_END:
        return "paper_near_end"
    return None


def device_usable(dev: Any) -> bool:
    """False when ``dev`` is missing: closed, unplugged or (a printer) offline. A printer
    out of paper is still there: the ticket screen shows the number and its QR instead."""
    try:
        if not dev.is_open:
            return False
        if isinstance(dev, TicketPrinter):
            return dev.printer_status().online is not False
        return dev.status().state not in (DeviceState.CLOSED, DeviceState.FAULT)
    except Exception:  # a status call that fails is a missing device
        return False


def personal_in(event: object) -> list[str]:
    """Personal text an event carries (names, addresses, typed corrections, codes): the
    log redactor masks these words in any later log line."""
    from kiosk.logs import personal_values

    if isinstance(event, f.KeyProvided):
        return personal_values(event.qr_citizen)
    if isinstance(event, f.CardReadOk):
        return personal_values(event.result.citizen)
    if isinstance(event, f.CorrectionsRequested):
        return [v for _k, v in event.values]
    if isinstance(event, (f.StatusQuery, BookingScanned)):
        return [event.code]
    return []


@dataclass
class KioskController:
    flow: f.Flow
    dispatcher: Dispatcher
    card_reader: CardReader
    qr_scanner: QrScanner
    printer: TicketPrinter
    issuer: TicketIssuer
    lookup_status: Callable[[str], Any]
    parse_qr: Callable[[str, bytes, str], object]
    centre_name: str = ""
    clock: Callable[[], float] = time.monotonic
    photo: PhotoService | None = None   # None: no camera, PHOTO says so and lets the citizen go on
    alerts: list[Alert] = field(default_factory=list)
    photo_view: PhotoView | None = None  # newest view of the photo step (UI thread)
    _observers: list[Callable[[f.Flow], None]] = field(default_factory=list)
    _wipe_observers: list[Callable[[], None]] = field(default_factory=list)
    _photo_observers: list[Callable[[PhotoView | None], None]] = field(default_factory=list)
    _presence_at: float = -1e9
    on_error: Callable[[str, BaseException], None] | None = None  # the app's failsafe
    remember_personal: Callable[[list[str]], None] | None = None  # the log redactor's memory
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(3, "kiosk-worker"))

    def start(self) -> None:
        """Subscribe to the devices and report a card that is already on the reader."""
        self.card_reader.add_listener(self._on_card_event)
        self.qr_scanner.add_listener(self._on_qr_event)
        self.printer.add_listener(self._on_printer_event)
        self.devices_opened()

    def forget_devices(self) -> None:
        """Drop every device-side trace of the citizen: the QR scanner's de-duplication
        table or half-typed payload, the camera's last frame (called on every wipe)."""
        for target, name in ((self.qr_scanner, "reset"),
                             (self.photo.camera if self.photo is not None else None, "forget")):
            fn = getattr(target, name, None)
            if fn is not None:
                try:
                    fn()
                except Exception as exc:  # a device that cannot forget must not stop the wipe
                    log.warning("could not clear %s: %s", type(target).__name__,
                                type(exc).__name__)

    def check_devices(self, required: tuple[str, ...],
                      devices: dict[str, Any]) -> None:
        """Ask the ``required`` devices how they are (off the UI thread); the flow hears
        which are unusable (out of service until they return)."""
        def probe() -> tuple[str, ...]:
            missing = []
            for kind in required:
                if not device_usable(devices[kind]):
                    missing.append(kind)
            return tuple(missing)

        def done(fut: Future[tuple[str, ...]]) -> None:
            missing = fut.result() if fut.exception() is None else tuple(required)
            if missing != self.flow.missing_devices:
                self.dispatcher.post(lambda: self.send(f.DevicesChanged(missing)))

        self._pool.submit(probe).add_done_callback(done)

    def devices_opened(self) -> None:
        """Report a card that already lies on the reader (call again after opening late)."""
        if self.card_reader.is_open and self.card_reader.card_present() and not self.flow.card_present:
            self.dispatcher.post(lambda: self.send(f.CardPresent()))

    def stop(self) -> None:
        self.card_reader.remove_listener(self._on_card_event)
        self.qr_scanner.remove_listener(self._on_qr_event)
        self.printer.remove_listener(self._on_printer_event)
        if self.photo is not None:
            self.photo.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- observers (UI) ----------------------------------------------------------------
    def subscribe(self, on_change: Callable[[f.Flow], None],
                  on_wipe: Callable[[], None] | None = None) -> None:
        self._observers.append(on_change)
        if on_wipe is not None:
            self._wipe_observers.append(on_wipe)

    def _notify(self) -> None:
        for obs in list(self._observers):
            obs(self.flow)

    def subscribe_photo(self, on_view: Callable[[PhotoView | None], None]) -> None:
        """``on_view`` gets every photo view (about one per camera frame) and ``None``
        when the photo step ends (drop the pictures)."""
        self._photo_observers.append(on_view)

    def _show_photo(self, view: PhotoView | None) -> None:
        self.photo_view = view
        for obs in list(self._photo_observers):
            obs(view)

    # -- inputs (UI thread) ------------------------------------------------------------
    def send(self, event: object) -> None:
        """Feed an event to the flow and carry out its effects. UI thread only."""
        quiet = isinstance(event, f.UserActivity) and self.flow.idle_warning_until is None
        if self.remember_personal is not None:
            values = personal_in(event)
            if values:
                self.remember_personal(values)
        effects = self.flow.handle(event, now=self.clock())
        self._run(effects)
        if not quiet:  # a touch only matters to the view when it dismisses the idle warning
            self._notify()

    def tick(self) -> None:
        """Advance the flow's timers; call a few times a second from the UI thread."""
        before = (self.flow.state, self.flow.idle_warning_until, self.flow.card_removed_at)
        effects = self.flow.tick(self.clock())
        self._run(effects)
        if effects or before != (self.flow.state, self.flow.idle_warning_until,
                                 self.flow.card_removed_at):
            self._notify()

    # -- effects -----------------------------------------------------------------------
    def _run(self, effects: list[f.Effect]) -> None:
        for eff in effects:
            if run_visit_effect(self, eff):  # tickets with the handover, check-in, status slip
                continue
            if isinstance(eff, f.SessionWiped):
                self.forget_devices()
                for obs in list(self._wipe_observers):
                    obs()
            elif isinstance(eff, f.ReadCard):
                self._submit(self.card_reader.read_card, eff.key, ok=f.CardReadOk,
                             fail=lambda e: f.CardReadFailed(error_code(e, CARD_ERROR_CODES, "read_error")))
            elif isinstance(eff, f.PrintTicket):
                self._submit(self._print, eff.ticket, ok=lambda _: f.PrintFinished(""),
                             fail=self._print_failed)
            elif isinstance(eff, f.LookupStatus):
                self._submit(self.lookup_status, eff.code, ok=f.StatusAnswered,
                             fail=lambda e: f.StatusFailed())
            elif isinstance(eff, f.StartPhoto):
                self._start_photo()
            elif isinstance(eff, f.StopPhoto):
                if self.photo is not None:
                    self.photo.stop()
                self._show_photo(None)

    # -- the photo step ------------------------------------------------------------------
    def _start_photo(self) -> None:
        session = self.flow.session  # views and photos for a wiped session are dropped
        if self.photo is None:
            self._show_photo(PhotoView(PhotoPhase.UNAVAILABLE, message("camera_unavailable")))
            return
        self.photo.start(lambda view: self._photo_seen(session, view),
                         lambda photo: self._photo_taken(session, photo))

    def _photo_seen(self, session: object, view: PhotoView) -> None:
        if self.flow.session is not session or self.flow.state != f.State.PHOTO:
            return
        self._show_photo(view)
        # Someone posing in front of the camera is present even without touching the
        # screen: do not interrupt them with "Need more time?" (checked every few s).
        now = self.clock()
        if view.face_present and now - self._presence_at >= 2.0:
            self._presence_at = now
            self.send(f.UserActivity())

    def _photo_taken(self, session: object, photo: AcceptedPhoto) -> None:
        if self.flow.session is not session or self.flow.state != f.State.PHOTO:
            photo.wipe()
            return
        self.send(f.PhotoAccepted(photo))

    def _submit(self, fn: Callable[..., Any], *args: Any, ok: Callable[[Any], object],
                fail: Callable[[BaseException], object]) -> None:
        session = self.flow.session  # results for a wiped session are dropped

        def done(fut: Future[Any]) -> None:
            exc = fut.exception()
            if exc is not None and not isinstance(exc, (CardError, PrinterError)):
                log.error("worker %s failed: %s", getattr(fn, "__name__", fn), type(exc).__name__)
            event = fail(exc) if exc is not None else ok(fut.result())
            self.dispatcher.post(lambda: self._deliver(session, event))

        self._pool.submit(fn, *args).add_done_callback(done)

    def _deliver(self, session: object, event: object) -> None:
        if self.flow.session is not session:
            log.info("dropped %s for a wiped session", type(event).__name__)
            ticket = shown_ticket(event)
            if ticket is not None:
                # A number nobody saw: the ticket log says so, the counter can skip it.
                self._pool.submit(self._record_quietly, ticket, "not_shown")
            return
        self.send(event)

    def _record_quietly(self, ticket: Ticket, error: str = "") -> None:
        try:
            self.issuer.record_print(ticket, error)
        except Exception as exc:  # the ticket is out (or not); a log write must not say otherwise
            log.error("could not record the print outcome of a ticket: %s", type(exc).__name__)

    def _print(self, ticket: Ticket) -> None:
        sess = self.flow.session
        citizen = sess.citizen
        job = ticket_job(ticket, language=sess.language, centre_name=self.centre_name,
                         masked_id=citizen.masked_id if citizen else "")
        try:
            self.printer.print_ticket(job)
        except PrinterError as exc:
            self._record_quietly(ticket, error_code(exc, PRINTER_ERROR_CODES, "printer_error"))
            raise
        self._record_quietly(ticket)

    def _print_failed(self, exc: BaseException) -> object:
        code = error_code(exc, PRINTER_ERROR_CODES, "printer_error")
        self.raise_alert("printer", code)
        log.warning("printer fault: %s", code)
        return f.PrintFinished(code)

    def raise_alert(self, device: str, code: str) -> None:
        """Record a fault for maintenance (UI thread); a repeat within a minute is one."""
        now = self.clock()
        for old in reversed(self.alerts):
            if old.device == device:
                if old.code == code and now - old.at < REPEAT_ALERT_S:
                    return
                break
        self.alerts.append(Alert(device, code, now))
        del self.alerts[:-MAX_ALERTS]

    def _on_printer_event(self, event: object) -> None:
        self._guard("printer", lambda: self._printer_event(event))

    def _printer_event(self, event: object) -> None:
        # Printer status changes arrive on the printing worker's thread.
        code = printer_status_alert(event)
        if code is not None:
            self.dispatcher.post(lambda: self.raise_alert("printer", code))

    # -- device events (worker threads) ------------------------------------------------
    def _guard(self, where: str, fn: Callable[[], None]) -> None:
        """Device observers run on device threads: an exception there would silently
        stop the device's events (pyscard) or the thread; it goes to the failsafe."""
        try:
            fn()
        except Exception as exc:
            log.error("device observer %s failed: %s", where, type(exc).__name__)
            handler = self.on_error
            if handler is not None:
                self.dispatcher.post(lambda err=exc: handler("observer:" + where, err))

    def _on_card_event(self, event: object) -> None:
        self._guard("card", lambda: self._card_event(event))

    def _card_event(self, event: object) -> None:
        if isinstance(event, CardInserted):
            self.dispatcher.post(lambda: self.send(f.CardPresent()))
        elif isinstance(event, CardRemoved):
            self.dispatcher.post(lambda: self.send(f.CardGone()))

    def _on_qr_event(self, event: object) -> None:
        self._guard("qr", lambda: self._qr_event(event))

    def _qr_event(self, event: object) -> None:
        if isinstance(event, QrScanned):
            self.dispatcher.post(lambda: self._qr(event))

    def _qr(self, event: QrScanned) -> None:
        """Turn a scanned payload into a flow event (UI thread)."""
        self.send(self.parse_qr(event.text, event.raw, event.source))
