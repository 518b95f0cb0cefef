"""Maintenance for centre staff: device health, printer alerts and paper, reprint.

A thin service over the wired kiosk. Its blocking methods (:meth:`snapshot`,
:meth:`reprint_last`, :meth:`reset_paper_counter`, :meth:`self_test`) talk to devices and
run on its own worker thread via :meth:`run`, which hands the outcome back through the
kiosk's dispatcher (the Kivy main thread in the app). It never sees citizen data: the
reprint is rebuilt from the local ticket log (number, service, time), which survives a
restart, not from the last session.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from hardware.base import Device, DeviceState, DeviceStatus, SelfTestResult
from hardware.printer import PaperState, PrinterError, TicketPrinter
from hardware.shared_types import TicketJob
from kiosk.controller import PRINTER_ERROR_CODES, Alert, error_code
from kiosk.dispatch import Dispatcher
from kiosk.ticketing import ServiceCatalog, Ticket, TicketError, ticket_job
from offline_cache.ticket_store import StoredTicket, TicketStore

if TYPE_CHECKING:
    from kiosk.bootstrap import Kiosk

log = logging.getLogger(__name__)


class MaintenanceError(Exception):
    """A maintenance action cannot be done (nothing to reprint, unknown service…)."""


@dataclass(frozen=True)
class PaperInfo:
    """What is known about the paper: the sensor's answer and the counter's estimate."""

    state: PaperState
    remaining_mm: float | None = None  # paper counter estimate; None: no counter
    tickets_on_roll: int | None = None


@dataclass(frozen=True)
class MaintenanceSnapshot:
    """Everything the maintenance screen shows, read off the UI thread."""

    devices: dict[str, DeviceStatus]
    alerts: tuple[Alert, ...]
    paper: PaperInfo
    tickets_today: int
    last_ticket: StoredTicket | None
    centre: dict[str, Any] | None = None   # CentreLink.summary(): reachability, outbox backlog


def follow_code(kiosk_id: str, stored: StoredTicket) -> str:
    """The QR payload :class:`kiosk.ticketing.LocalTicketIssuer` gave this ticket."""
    return f"{kiosk_id}/{stored.issued_at:%Y%m%d}/{stored.number}"


def reprint_job(stored: StoredTicket, catalog: ServiceCatalog, *, kiosk_id: str,
                centre_name: str, language: str = "vi") -> TicketJob:
    """The job for a reprint of ``stored``, marked "BẢN IN LẠI" (no masked ID: the
    citizen's identity is not kept in the ticket log)."""
    try:
        service = catalog.get(stored.service_code)
    except TicketError as exc:
        raise MaintenanceError(f"ticket {stored.number}: {exc}") from None
    ticket = Ticket(stored.number, service, stored.priority_group, stored.issued_at,
                    follow_code=follow_code(kiosk_id, stored))
    return ticket_job(ticket, language=language, centre_name=centre_name, reprint=True)


class MaintenanceService:
    """Staff actions on the kiosk's devices and ticket log."""

    def __init__(self, devices: dict[str, Device[Any]], printer: TicketPrinter,
                 store: TicketStore, catalog: ServiceCatalog, dispatcher: Dispatcher, *,
                 kiosk_id: str, centre_name: str,
                 alerts: Callable[[], list[Alert]] = list,
                 data_dir: Path | None = None) -> None:
        self.devices = devices
        self.printer = printer
        self.store = store
        self.catalog = catalog
        self.dispatcher = dispatcher
        self.kiosk_id = kiosk_id
        self.centre_name = centre_name
        self._alerts = alerts
        self.data_dir = data_dir
        #: Named staff actions others plug in (``"sync_now"``: the centre outbox, added
        #: with the centre client); each returns a short result sentence for staff.
        self.hooks: dict[str, Callable[[], str]] = {}
        self.centre_summary: Callable[[], dict[str, Any]] | None = None  # set with a centre link
        # One thread: staff actions happen one at a time, in the order they were asked.
        self._pool = ThreadPoolExecutor(1, "maintenance")

    @classmethod
    def from_kiosk(cls, kiosk: "Kiosk") -> "MaintenanceService":
        """The service for a kiosk wired by :func:`kiosk.bootstrap.build`."""
        cfg = kiosk.config
        service = cls(kiosk.devices.all(), kiosk.devices.printer, kiosk.ticket_store, kiosk.catalog,
                      kiosk.controller.dispatcher, kiosk_id=cfg["kiosk.id"],
                      centre_name=cfg["kiosk.centre_name"],
                      alerts=lambda: kiosk.controller.alerts, data_dir=kiosk.data_dir)
        link = kiosk.centre
        if link is not None:   # the outbox backlog on screen; "sync now" drains it at once
            service.centre_summary = link.summary
            service.hooks["sync_now"] = lambda: {"sent": link.drainer.sync_now(),
                                                 "backlog": link.outbox.stats().backlog}  # type: ignore[dict-item]
        return service

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- off the UI thread ---------------------------------------------------------------
    def run(self, fn: Callable[..., Any], *args: Any,
            on_done: Callable[[Any, BaseException | None], None]) -> None:
        """Run ``fn(*args)`` on the maintenance thread; ``on_done(result, error)`` is
        posted to the dispatcher (the UI thread)."""
        def done(fut: Future[Any]) -> None:
            if fut.cancelled():
                return
            exc = fut.exception()
            result = None if exc is not None else fut.result()
            if exc is not None and not isinstance(exc, (PrinterError, MaintenanceError)):
                log.warning("maintenance %s failed: %s", getattr(fn, "__name__", fn),
                            type(exc).__name__)
            self.dispatcher.post(lambda: on_done(result, exc))

        self._pool.submit(fn, *args).add_done_callback(done)

    # -- blocking actions (worker thread, tests) -----------------------------------------
    def snapshot(self) -> MaintenanceSnapshot:
        """Ask every device how it is and read the ticket log."""
        statuses: dict[str, DeviceStatus] = {}
        for kind, dev in self.devices.items():
            try:
                statuses[kind] = dev.status()
            except Exception as exc:  # a broken backend is a finding, not a crash
                statuses[kind] = DeviceStatus(DeviceState.FAULT, f"status failed: {type(exc).__name__}")
        centre = self.centre_summary() if self.centre_summary is not None else None
        return MaintenanceSnapshot(statuses, tuple(self._alerts()), self.paper(),
                                   self.store.count_today(), self.store.last_ticket(), centre)

    def paper(self) -> PaperInfo:
        """Paper state: the last status the printer reported (asking it if it never did)
        and the paper counter's estimate where the printer keeps one."""
        status = getattr(self.printer, "last_status", None)
        if status is None or status.online is None:
            try:
                status = self.printer.printer_status()
            except Exception:  # unreachable: unknown, never "paper OK"
                status = None
        state = status.paper if status is not None else PaperState.UNKNOWN
        counter = getattr(self.printer, "counter", None)
        if counter is not None and getattr(counter, "enabled", False):
            return PaperInfo(state, counter.remaining_mm, counter.tickets)
        return PaperInfo(state)

    def reprint_last(self) -> TicketJob:
        """Print the last issued ticket again, marked as a reprint; records the outcome."""
        stored = self.store.last_ticket()
        if stored is None:
            raise MaintenanceError("no ticket has been issued on this kiosk yet")
        job = reprint_job(stored, self.catalog, kiosk_id=self.kiosk_id,
                          centre_name=self.centre_name)
        try:
            self.printer.print_ticket(job)
        except PrinterError as exc:
            self.store.mark_printed(stored.number, error_code(exc, PRINTER_ERROR_CODES,
                                                              "printer_error"))
            raise
        self.store.mark_printed(stored.number)
        return job

    def reset_paper_counter(self) -> bool:
        """A new roll went in. ``False`` when the printer keeps no paper counter."""
        reset = getattr(self.printer, "reset_paper_counter", None)
        if reset is None:
            return False
        reset()
        return True

    def self_test(self, kind: str) -> SelfTestResult:
        """Run device ``kind``'s self-test (a failing backend is a failed test)."""
        try:
            dev = self.devices[kind]
        except KeyError:
            raise MaintenanceError(f"no device {kind!r}") from None
        try:
            return dev.self_test()
        except Exception as exc:
            return SelfTestResult(False, (("self-test", False, f"{type(exc).__name__}: {exc}"),))

    # -- staff tests (worker thread) ---------------------------------------------------
    def test_print(self) -> TicketJob:
        """Print a test ticket ("TEST", not numbered, not in the ticket log)."""
        job = TicketJob(number="TEST", service_code="test", service_vi="In thử",
                        service_en="Test print", centre_name=self.centre_name,
                        qr_payload=f"{self.kiosk_id}/test")
        self.printer.print_ticket(job)
        return job

    def card_test(self) -> str:
        """Reader state, whether a card lies on it, and its self-test: no chip data
        is read (that would need the holder's key and would be personal)."""
        reader = self.devices["card_reader"]
        try:
            present = reader.card_present()
        except Exception as exc:  # a broken reader is the finding
            return f"card reader: {type(exc).__name__}"
        result = self.self_test("card_reader")
        checks = "; ".join(f"{name}: {detail}" for name, _ok, detail in result.checks)
        return (f"card on the reader: {'yes' if present else 'no'}; "
                f"self-test {'OK' if result.passed else 'FAILED'}: {checks}")

    def camera_frame(self) -> Any:
        """The camera's latest frame (BGR array) or ``None``: the preview for staff."""
        cam = self.devices.get("camera")
        frame = cam.latest_frame() if cam is not None else None
        return None if frame is None else frame.image

    def recent_log(self, count: int = 30) -> list[str]:
        """The newest lines of the kiosk's log (already masked)."""
        from kiosk.logs import recent_lines

        return recent_lines(self.data_dir, count) if self.data_dir is not None else []

    def run_hook(self, name: str) -> str:
        """Run a plugged-in action (see :attr:`hooks`)."""
        hook = self.hooks.get(name)
        if hook is None:
            raise MaintenanceError(f"{name}: not available on this kiosk")
        return hook()
