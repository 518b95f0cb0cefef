"""InProcessTransport: the Transport seam wired straight to a VirtualChip (no PC/SC)."""

from __future__ import annotations

from .chip import VirtualChip


class InProcessTransport:
    """Calls ``chip.process`` directly; CardRemoved / ChipMuted propagate unchanged."""

    def __init__(self, chip: VirtualChip) -> None:
        self.chip = chip

    def transmit(self, apdu: bytes) -> bytes:
        return self.chip.process(apdu)
