"""ESC/POS ticket printer backend: encode (``escpos_encode``), move bytes
(``escpos_transport``), ask the printer how it is (``DLE EOT``) and map faults onto the
printer port's typed errors.

Every step has a deadline so a dead printer costs the citizen seconds, not minutes: the
flow has already issued and recorded the ticket before it calls :meth:`print_ticket`,
and shows the number on screen when this raises.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from hardware.base import DeviceState, DeviceStatus, SelfTestResult
from hardware.escpos_encode import (DLE_EOT, EncodedTicket, PrinterProfile, encode_ticket,
                                    make_profile, parse_status)
from hardware.escpos_transport import (Transport, TransportClosed, TransportTimeout,
                                       TransportUnavailable, transport_from_url)
from hardware.printer import (CoverOpen, PaperOut, PaperState, PrinterError, PrinterOffline,
                              PrinterStatus, PrintTimeout, TicketJob, TicketPrinter)

log = logging.getLogger(__name__)

UNKNOWN = PrinterStatus(online=None)


class PaperCounter:
    """Estimated paper left on the roll for printers without a near-end sensor.

    Kept in a small JSON file (written atomically) so it survives restarts; reset it
    when a new roll goes in. Disabled when ``roll_mm`` is 0.
    """

    def __init__(self, path: Path | None, roll_mm: int, warn_mm: int) -> None:
        self.path, self.roll_mm, self.warn_mm = path, roll_mm, warn_mm
        self.used_mm = 0.0
        self.tickets = 0
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.used_mm = float(data.get("used_mm", 0.0))
                self.tickets = int(data.get("tickets", 0))
            except (ValueError, OSError):
                log.warning("paper counter file %s is unreadable; starting from a full roll", path)

    @property
    def enabled(self) -> bool:
        return self.roll_mm > 0

    @property
    def remaining_mm(self) -> float | None:
        return max(self.roll_mm - self.used_mm, 0.0) if self.enabled else None

    @property
    def near_end(self) -> bool:
        left = self.remaining_mm
        return left is not None and left <= self.warn_mm

    def add(self, mm: float) -> None:
        self.used_mm += mm
        self.tickets += 1
        self._save()

    def reset(self) -> None:
        """A new roll was loaded."""
        self.used_mm, self.tickets = 0.0, 0
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        # Saved after a ticket came out: a full or read-only disk must not turn a good
        # print into a failed one; the estimate stays in memory and saves next time.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"used_mm": round(self.used_mm, 1), "tickets": self.tickets,
                                       "roll_mm": self.roll_mm,
                                       "saved_at": datetime.now().isoformat(timespec="seconds")}),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("paper counter not saved: %s", type(exc).__name__)


def fault_of(status: PrinterStatus) -> PrinterError | None:
    """The typed error a status stands for, or ``None`` when it allows printing.

    Unknown fields are not faults (many printers cannot answer), but never mean "OK".
    """
    if status.cover_open:
        return CoverOpen("printer cover is open")
    if status.paper is PaperState.OUT:
        return PaperOut("printer is out of paper")
    if status.error:
        return PrinterError("printer reports an error (cutter jam or overheating)")
    if status.online is False:
        return PrinterOffline("printer is offline or unreachable")
    return None


class EscposPrinter(TicketPrinter):
    """A thermal ticket printer speaking ESC/POS over TCP, USB or serial."""

    backend = "escpos"

    def __init__(self, url: str = "tcp://192.168.1.100:9100", profile: str = "generic",
                 paper_mm: int = 80, native_qr: str = "auto", timeout_s: float = 8.0,
                 status_timeout_s: float = 0.5, paper_roll_mm: int = 0,
                 paper_warn_mm: int = 3000, data_dir: str = "var", logo: str = "") -> None:
        super().__init__()
        self.url = url
        self.profile: PrinterProfile = make_profile(profile, paper_mm, native_qr)
        transport_from_url(url)  # validate now: a typo must fail at start-up, loudly
        self.timeout_s, self.status_timeout_s = timeout_s, status_timeout_s
        self.logo = logo or None
        counter_path = Path(data_dir) / "printer_paper.json" if data_dir else None
        self.counter = PaperCounter(counter_path, paper_roll_mm, paper_warn_mm)
        self.last_job: TicketJob | None = None
        self.last_status: PrinterStatus = UNKNOWN
        self.last_error: str = ""
        self._job_lock = threading.Lock()  # one job or status query on the wire at a time
        self._busy = False

    # -- life cycle -----------------------------------------------------------------
    def open(self) -> None:
        # No connection here: a printer switched off at start-up must not stop the kiosk;
        # the first job or status query finds out.
        self._open = True

    def close(self) -> None:
        self._open = False

    def _transport(self) -> Transport:
        return transport_from_url(self.url)

    # -- status -----------------------------------------------------------------------
    def _query(self, t: Transport) -> PrinterStatus:
        """DLE EOT 1..4 with a short deadline each; stop at the first silence."""
        if not (self.profile.status and t.can_read):
            return UNKNOWN
        t.drain()
        replies: dict[int, int | None] = {}
        for n in (1, 2, 3, 4):
            t.write(DLE_EOT + bytes((n,)), self.status_timeout_s)
            reply = t.read(1, self.status_timeout_s)
            replies[n] = reply[0] if reply else None
            if not reply:
                break  # a printer that ignores one request ignores the others too
        return parse_status(replies)

    def _with_paper_estimate(self, status: PrinterStatus) -> PrinterStatus:
        # The counter only ever warns earlier; it never claims paper is OK or out.
        if self.counter.near_end and status.paper in (PaperState.OK, PaperState.UNKNOWN):
            return replace(status, paper=PaperState.NEAR_END)
        return status

    def _record(self, status: PrinterStatus) -> PrinterStatus:
        status = self._with_paper_estimate(status)
        changed = status != self.last_status
        self.last_status = status
        if changed:
            self._emit(status)  # maintenance sees near-end/faults as they appear
        return status

    def printer_status(self) -> PrinterStatus:
        """Connect, ask ``DLE EOT 1..4``, disconnect. Unreachable means offline."""
        self._require_open()
        with self._job_lock:
            t = self._transport()
            try:
                t.open(self.timeout_s)
            except TransportUnavailable:
                return self._record(PrinterStatus(online=False))
            try:
                return self._record(self._query(t))
            except (TransportTimeout, TransportClosed):
                return self._record(UNKNOWN)
            finally:
                t.close()

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "closed")
        extra = {"url": self.url, "profile": self.profile.name,
                 "paper_mm": self.profile.paper_mm, "last_error": self.last_error,
                 "paper_remaining_mm": self.counter.remaining_mm,
                 "tickets_on_roll": self.counter.tickets}
        if self._busy:
            return DeviceStatus(DeviceState.BUSY, "printing", extra)
        st = self.printer_status()
        extra["printer"] = {"online": st.online, "paper": st.paper.value,
                            "cover_open": st.cover_open, "error": st.error}
        fault = fault_of(st)
        if fault is not None:
            return DeviceStatus(DeviceState.FAULT, str(fault), extra)
        if st.paper is PaperState.NEAR_END:
            return DeviceStatus(DeviceState.WARNING, "paper near end: change the roll soon", extra)
        if st.online is None:
            return DeviceStatus(DeviceState.UNKNOWN, "printer did not answer the status "
                                "request (paper state unknown)", extra)
        return DeviceStatus(DeviceState.READY, f"{self.url} ready", extra)

    def self_test(self) -> SelfTestResult:
        st = self.status()
        checks = [("status", st.ok, f"{st.state.value}: {st.detail}")]
        if self.counter.enabled:
            left = self.counter.remaining_mm or 0.0
            checks.append(("paper estimate", not self.counter.near_end, f"~{left / 1000:.1f} m left"))
        return SelfTestResult(all(c[1] for c in checks), tuple(checks))

    def reset_paper_counter(self) -> None:
        """Maintenance loaded a new roll."""
        self.counter.reset()

    # -- printing ---------------------------------------------------------------------
    def encode(self, job: TicketJob) -> EncodedTicket:
        """The bytes :meth:`print_ticket` would send (no I/O)."""
        return encode_ticket(job, self.profile, logo=self.logo)

    def print_ticket(self, job: TicketJob) -> None:
        self._require_open()
        encoded = self.encode(job)  # before touching the printer: not a printer fault
        self.last_job = job
        with self._job_lock:
            self._busy = True
            try:
                self._print(encoded)
                self.last_error = ""
            except PrinterError as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("ticket print failed on %s: %s", self.url, self.last_error)
                raise
            finally:
                self._busy = False

    def reprint_last(self) -> TicketJob:
        """Print the last job again, marked as a reprint (maintenance screen)."""
        if self.last_job is None:
            raise PrinterError("no ticket has been printed since start-up")
        job = replace(self.last_job, reprint=True)
        self.print_ticket(job)
        return job

    def _print(self, encoded: EncodedTicket) -> None:
        t = self._transport()
        try:
            t.open(self.timeout_s)
        except TransportUnavailable as exc:
            self._record(PrinterStatus(online=False))
            raise PrinterOffline(str(exc)) from None
        try:
            before = self._record(self._query(t))
            fault = fault_of(before)
            if fault is not None:
                raise fault
            t.write(encoded.data, self.timeout_s)
            if self.profile.job_ack and t.can_read:
                # GS r 1 is answered only once the job ahead of it has been processed.
                if not t.read(1, self.timeout_s):
                    raise PrintTimeout("printer did not finish the ticket in time")
            after = self._query(t)
            if before.online is not None and after.online is None:
                raise PrintTimeout("printer stopped answering during the ticket")
            self._record(after)
            fault = fault_of(after)
            if fault is not None:
                raise fault  # e.g. the roll ran out under this ticket
            self.counter.add(encoded.paper_mm)
            self._record(after)  # the counter may just have crossed the warning line
        except TransportTimeout as exc:
            raise PrintTimeout(str(exc)) from None
        except TransportClosed as exc:
            raise PrintTimeout(f"connection lost mid-job: {exc}") from None
        finally:
            t.close()
