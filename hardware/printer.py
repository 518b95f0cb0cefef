"""Ticket printer port: print a queue ticket and report paper/cover/online status."""
from __future__ import annotations

import enum
from abc import abstractmethod
from dataclasses import dataclass

from hardware.base import Device, HardwareError
from hardware.shared_types import TicketJob  # the kiosk makes it, every printer prints it


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


class TicketPrinter(Device[PrinterStatus]):
    """Port of the ticket printer. :meth:`print_ticket` blocks; call it off the UI thread."""

    kind = "printer"

    @abstractmethod
    def print_ticket(self, job: TicketJob) -> None:
        """Print ``job``; raises a :class:`PrinterError` subclass on a fault."""

    @abstractmethod
    def printer_status(self) -> PrinterStatus:
        """Query the printer's real-time status (unknown fields stay ``None``/UNKNOWN)."""
