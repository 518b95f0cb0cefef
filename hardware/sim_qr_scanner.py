"""Simulated QR scanner: payloads are injected by the developer panel or by tests."""
from __future__ import annotations

from hardware.base import DeviceState, DeviceStatus
from hardware.qr_scanner import QrScanned, QrScanner


class SimulatedQrScanner(QrScanner):
    """Emits whatever :meth:`inject` is given, as if a code had been scanned."""

    backend = "simulated"

    def __init__(self) -> None:
        super().__init__()
        self.scanned = 0

    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        self._open = False

    def status(self) -> DeviceStatus:
        return DeviceStatus(DeviceState.READY if self._open else DeviceState.CLOSED, "simulated")

    def inject(self, payload: str | bytes) -> None:
        """Report ``payload`` as a scanned code (bytes are decoded as UTF-8, lossily)."""
        self._require_open()
        raw = payload.encode("utf-8") if isinstance(payload, str) else payload
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        self.scanned += 1
        self._emit(QrScanned(text=text, raw=raw, source="simulated"))
