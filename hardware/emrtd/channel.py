"""The terminal's card channel: a Transport plus an optional secure messaging session."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .apdu import CommandApdu, ResponseApdu, Transport
from .errors import ChipError, CommunicationError, SecureMessagingError, check_status
from .sm import SecureMessaging


@dataclass
class ChannelStats:
    """APDU count and time spent inside ``transport.transmit`` (for the benchmark)."""

    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    transmit_seconds: float = 0.0
    commands: list[str] = field(default_factory=list)


class CardChannel:
    """Sends command APDUs, protected when a secure messaging session is active."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.sm: SecureMessaging | None = None
        self.stats = ChannelStats()

    def transmit_raw(self, raw: bytes) -> bytes:
        """One round trip; ChipErrors from the transport (CardRemoved…) pass unchanged."""
        self.stats.apdus += 1
        self.stats.bytes_sent += len(raw)
        self.stats.commands.append(raw[:2].hex())
        start = time.perf_counter()
        try:
            response = self.transport.transmit(bytes(raw))
        except ChipError:
            raise
        except OSError as exc:
            raise CommunicationError(f"transport failed: {type(exc).__name__}") from exc
        finally:
            self.stats.transmit_seconds += time.perf_counter() - start
        if len(response) < 2:
            raise CommunicationError("response shorter than a status word")
        self.stats.bytes_received += len(response)
        return bytes(response)

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        """Send a command, wrapping/unwrapping with secure messaging when active."""
        if self.sm is None:
            return ResponseApdu.decode(self.transmit_raw(cmd.encode()))
        protected = self.sm.protect(cmd)
        raw = self.transmit_raw(protected.encode())
        try:
            return self.sm.unprotect(raw)
        except SecureMessagingError:
            self.sm = None  # the session is unusable after an SM failure
            raise

    def send_checked(self, cmd: CommandApdu, operation: str) -> ResponseApdu:
        """Send and raise the typed error for an error status word."""
        resp = self.send(cmd)
        if resp.sw in (0x6987, 0x6988):
            self.sm = None  # the chip has dropped the session too
        check_status(resp.sw, operation)
        return resp
