"""A minimal chip for proving the socket / pcscd / vpcd layers without the eMRTD protocol.

It answers SELECT with 9000, GET CHALLENGE with 8 counting bytes, an "echo" command
(CLA 80, INS EE) with its data, and everything else with 6D00. It counts power and
reset calls so tests can see the control messages vpcd sends.
"""
from __future__ import annotations

import threading

#: A plausible contactless ATR (PC/SC part 3 pseudo-ATR shape); content is not checked.
TINY_ATR = bytes.fromhex("3B8880010000000000000000" + "00")


class TinyChip:
    """Chip with the :mod:`hardware.virtual_card` interface and almost no behaviour."""

    def __init__(self, atr: bytes = TINY_ATR) -> None:
        self.atr = atr
        self.powered = False
        self.power_ons = 0
        self.resets = 0
        self.apdus: list[bytes] = []
        self._lock = threading.Lock()

    def power_on(self) -> None:
        """vpcd powers the card when pcscd connects it."""
        self.powered = True
        self.power_ons += 1

    def power_off(self) -> None:
        self.powered = False

    def reset(self) -> None:
        self.resets += 1

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU (short form only)."""
        with self._lock:
            self.apdus.append(bytes(apdu))
        if len(apdu) < 4:
            return b"\x67\x00"
        cla, ins = apdu[0], apdu[1]
        if ins == 0xA4:
            return b"\x90\x00"
        if ins == 0x84:
            return bytes(range(8)) + b"\x90\x00"
        if cla == 0x80 and ins == 0xEE:
            data = apdu[5:5 + apdu[4]] if len(apdu) > 5 else b""
            return data + b"\x90\x00"
        return b"\x6d\x00"
