"""ISO 7816-4 command/response APDUs (short and extended length) and the Transport seam."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .errors import CommunicationError


@runtime_checkable
class Transport(Protocol):
    """What the protocol layer needs from a card connection.

    ``transmit`` sends one raw command APDU and returns the response data followed by
    SW1 SW2.  It raises :class:`~.errors.CardRemoved` when the card left the field and
    :class:`~.errors.CommunicationError` for other transport failures.  It must not
    handle 61xx/6Cxx itself unless it does so completely (T=0 GET RESPONSE).
    """

    def transmit(self, apdu: bytes) -> bytes:
        ...


@dataclass(frozen=True)
class CommandApdu:
    """A command APDU.  ``le`` is None (no Le), 1..65536; 256 encodes as 00 in short form."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    @property
    def header(self) -> bytes:
        return bytes([self.cla, self.ins, self.p1, self.p2])

    def encode(self) -> bytes:
        """Encode; short form when Lc <= 255 and Le <= 256, otherwise extended."""
        extended = len(self.data) > 255 or (self.le is not None and self.le > 256)
        out = bytearray(self.header)
        if not extended:
            if self.data:
                out.append(len(self.data))
                out += self.data
            if self.le is not None:
                out.append(self.le & 0xFF)
            return bytes(out)
        out.append(0)
        if self.data:
            out += len(self.data).to_bytes(2, "big") + self.data
        if self.le is not None:
            out += (self.le & 0xFFFF).to_bytes(2, "big")
        return bytes(out)

    @classmethod
    def decode(cls, raw: bytes) -> "CommandApdu":
        """Parse a raw command APDU (all four ISO cases, short and extended)."""
        raw = bytes(raw)
        if len(raw) < 4:
            raise CommunicationError("command APDU shorter than 4 bytes")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, b"", body[0] or 256)
        if body[0] != 0:
            lc = body[0]
            if lc == 0 or len(body) not in (1 + lc, 2 + lc):
                raise CommunicationError("inconsistent short APDU length")
            data = body[1:1 + lc]
            le = None if len(body) == 1 + lc else (body[-1] or 256)
            return cls(cla, ins, p1, p2, data, le)
        # Extended length: 00 followed by 2-byte Le, or 00 Lc(2) data [Le(2)].
        if len(body) == 3:
            le = int.from_bytes(body[1:3], "big") or 65536
            return cls(cla, ins, p1, p2, b"", le)
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0 or len(body) not in (3 + lc, 5 + lc):
            raise CommunicationError("inconsistent extended APDU length")
        data = body[3:3 + lc]
        le = None if len(body) == 3 + lc else (int.from_bytes(body[-2:], "big") or 65536)
        return cls(cla, ins, p1, p2, data, le)


@dataclass(frozen=True)
class ResponseApdu:
    """Response data and status word."""

    data: bytes
    sw: int

    @classmethod
    def decode(cls, raw: bytes) -> "ResponseApdu":
        if len(raw) < 2:
            raise CommunicationError("response shorter than a status word")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")
