"""QR scanner port: decoded payloads from a camera decoder or a keyboard-wedge scanner."""
from __future__ import annotations

from dataclasses import dataclass

from hardware.base import Device, HardwareError


class QrScannerError(HardwareError):
    """Base of QR scanner errors."""


@dataclass(frozen=True)
class QrScanned:
    """One decoded code. ``raw`` keeps the undecoded bytes (scanners may mangle UTF-8)."""

    text: str
    raw: bytes
    source: str  # "camera", "keyboard", "simulated"

    def __repr__(self) -> str:  # payloads hold personal data (the card QR)
        return f"QrScanned(<redacted>, source={self.source})"


class QrScanner(Device[QrScanned]):
    """Port of a QR source. Each distinct code is reported once per presentation."""

    kind = "qr_scanner"
