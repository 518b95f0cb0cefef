"""Ticket printer port: print a queue ticket and report paper/cover/online status."""
from __future__ import annotations

import enum
from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from hardware.base import Device, HardwareError


class PrinterError(HardwareError):
    """Base of printer faults. The ticket is already issued when one of these is raised."""


class PrinterOffline(PrinterError):
    """The printer does not answer (unplugged, switched off, network down)."""


class PaperOut(PrinterError):
    """The paper roll is empty."""


class CoverOpen(PrinterError):
    """The printer's cover is open."""


class PrintTimeout(PrinterError):
    """The printer stopped taking data in the middle of a job."""


class PaperState(str, enum.Enum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"  # never read an unanswered status request as "paper OK"


@dataclass(frozen=True)
class PrinterStatus:
    """What ``DLE EOT`` (or the backend's equivalent) reported; ``None`` means unknown."""

    online: bool | None
    paper: PaperState = PaperState.UNKNOWN
    cover_open: bool | None = None
    error: bool | None = None


@dataclass(frozen=True)
class TicketJob:
    """What goes on a queue ticket. Holds no personal data beyond a masked ID."""

    number: str
    service_code: str
    service_vi: str
    service_en: str = ""
    language: str = "vi"
    centre_name: str = ""
    priority: bool = False
    issued_at: datetime = field(default_factory=datetime.now)
    waiting_ahead: int | None = None
    wait_minutes: tuple[int, int] | None = None  # estimated range, when known
    counter_group: str = ""
    qr_payload: str = ""
    masked_id: str = ""
    reprint: bool = False
    flags: tuple[str, ...] = ()  # for counter staff (QR/chip mismatch, corrections…), no personal data
    notes: tuple[str, ...] = ()  # short lines under the time (appointment, "kept at this kiosk")
    kind: str = "ticket"         # "ticket", or "status": an application-status slip (see status_slip)
    lines: tuple[str, ...] = ()  # the slip's text lines (kind "status"); "" is a gap, "# " a heading


class TicketPrinter(Device[PrinterStatus]):
    """Port of the ticket printer. :meth:`print_ticket` blocks; call it off the UI thread."""

    kind = "printer"

    @abstractmethod
    def print_ticket(self, job: TicketJob) -> None:
        """Print ``job``; raises a :class:`PrinterError` subclass on a fault."""

    @abstractmethod
    def printer_status(self) -> PrinterStatus:
        """Query the printer's real-time status (unknown fields stay ``None``/UNKNOWN)."""
