"""Simulated ticket printer: keeps every job, renders it to an image (and PNG files when
``output_dir`` is set), and can be told to fail like a real printer."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardware.base import DeviceState, DeviceStatus
from hardware.printer import (CoverOpen, PaperOut, PaperState, PrinterError, PrinterOffline,
                              PrinterStatus, TicketJob, TicketPrinter)


@dataclass(frozen=True)
class PrintedTicket:
    job: TicketJob
    image: Any  # PIL.Image.Image
    path: Path | None


class SimulatedPrinter(TicketPrinter):
    """Prints into memory. Set :attr:`fault` to a :class:`PrinterError` to make jobs fail."""

    backend = "simulated"

    def __init__(self, paper_mm: int = 80, output_dir: str = "") -> None:
        super().__init__()
        self.paper_mm = paper_mm
        self.output_dir = Path(output_dir) if output_dir else None
        self.printed: list[PrintedTicket] = []
        self.fault: PrinterError | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        if self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)
        self._open = True

    def close(self) -> None:
        self._open = False

    def printer_status(self) -> PrinterStatus:
        fault = self.fault
        if isinstance(fault, PrinterOffline):
            return PrinterStatus(online=False)
        return PrinterStatus(
            online=True,
            paper=PaperState.OUT if isinstance(fault, PaperOut) else PaperState.OK,
            cover_open=isinstance(fault, CoverOpen),
            error=fault is not None,
        )

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "closed")
        if self.fault is not None:
            return DeviceStatus(DeviceState.FAULT, type(self.fault).__name__)
        return DeviceStatus(DeviceState.READY, f"simulated {self.paper_mm} mm, {len(self.printed)} printed")

    def print_ticket(self, job: TicketJob) -> None:
        from hardware.ticket_layout import render_ticket

        self._require_open()
        if self.fault is not None:
            raise self.fault
        image = render_ticket(job, self.paper_mm)
        path = None
        with self._lock:
            if self.output_dir is not None:
                path = self.output_dir / f"{len(self.printed) + 1:04d}-{job.number}.png"
                image.save(path)
            self.printed.append(PrintedTicket(job, image, path))
