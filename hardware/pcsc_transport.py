"""A card connection on pyscard's PC/SC layer, as the eMRTD ``Transport`` seam wants it.

The one place where PC/SC result codes become typed errors: a card that left the field
becomes ``hardware.emrtd.errors.CardRemoved``, a reader or daemon that went away
:class:`ReaderGone`, anything else on the wire ``CommunicationError``.  pyscard is
imported inside functions so that importing this module never needs the library.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from hardware.emrtd.errors import CardRemoved, CommunicationError

log = logging.getLogger(__name__)

# PC/SC result codes (winscard.h); pyscard returns them as unsigned 32-bit ints on
# Linux and signed ones elsewhere, so everything is compared through u32().
S_SUCCESS = 0x00000000
E_CANCELLED = 0x80100002
E_INVALID_HANDLE = 0x80100003
E_UNKNOWN_READER = 0x80100009
E_TIMEOUT = 0x8010000A
E_SHARING_VIOLATION = 0x8010000B
E_NO_SMARTCARD = 0x8010000C
E_NOT_TRANSACTED = 0x80100016
E_READER_UNAVAILABLE = 0x80100017
F_COMM_ERROR = 0x80100013
E_NO_SERVICE = 0x8010001D
E_SERVICE_STOPPED = 0x8010001E
E_NO_READERS_AVAILABLE = 0x8010002E
W_UNSUPPORTED_CARD = 0x80100065
W_UNRESPONSIVE_CARD = 0x80100066
W_UNPOWERED_CARD = 0x80100067
W_RESET_CARD = 0x80100068
W_REMOVED_CARD = 0x80100069

#: The card is gone (or was reset under us, which loses the secure-messaging session).
CARD_GONE = frozenset({E_NO_SMARTCARD, W_REMOVED_CARD, W_RESET_CARD, W_UNPOWERED_CARD})
#: The reader or the PC/SC service is gone: the context must be established again.
READER_GONE = frozenset({E_UNKNOWN_READER, E_READER_UNAVAILABLE, E_NO_SERVICE,
                         E_SERVICE_STOPPED, E_INVALID_HANDLE, E_NO_READERS_AVAILABLE})
#: The transmit failed in a way a pulled card also causes: look at the reader to decide.
AMBIGUOUS = frozenset({E_NOT_TRANSACTED, F_COMM_ERROR})

STATE_CHANGED = 0x0002
STATE_UNAVAILABLE = 0x0008
STATE_EMPTY = 0x0010
STATE_PRESENT = 0x0020
STATE_MUTE = 0x0200


def u32(rv: int) -> int:
    """A PC/SC result code as an unsigned 32-bit int (pyscard may return it signed)."""
    return rv & 0xFFFFFFFF


class ReaderGone(CommunicationError):
    """The reader was unplugged or the PC/SC service stopped (a transport failure to the
    eMRTD layer; the card reader maps it to ``ReaderUnavailable``)."""


class PcscFailure(CommunicationError):
    """A PC/SC call failed with ``code`` (kept for technicians; no personal data)."""

    def __init__(self, operation: str, code: int) -> None:
        super().__init__(f"{operation} failed: {describe(code)}")
        self.code = code


def describe(code: int) -> str:
    """``0x8010000C (No smart card inserted.)``: the code plus pyscard's text for it."""
    try:
        from smartcard import scard

        text = scard.SCardGetErrorMessage(code)
    except Exception:  # noqa: BLE001 - only a nicer message is lost
        text = "?"
    return f"0x{u32(code):08X} ({text})"


def establish_context() -> Any:
    """A PC/SC context; raises :class:`ReaderGone` when the service is not running."""
    from smartcard import scard

    rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if u32(rv) != S_SUCCESS:
        raise ReaderGone(f"SCardEstablishContext failed: {describe(rv)}")
    return ctx


def release_context(ctx: Any) -> None:
    """Release a context, ignoring a service that already went away."""
    from smartcard import scard

    try:
        scard.SCardReleaseContext(ctx)
    except Exception:  # noqa: BLE001 - nothing left to release
        pass


def list_readers(ctx: Any) -> list[str]:
    """Reader names (empty when none is attached); :class:`ReaderGone` if the service is."""
    from smartcard import scard

    rv, readers = scard.SCardListReaders(ctx, [])
    code = u32(rv)
    if code == E_NO_READERS_AVAILABLE:
        return []
    if code != S_SUCCESS:
        raise ReaderGone(f"SCardListReaders failed: {describe(rv)}")
    return list(readers)


def reader_state(ctx: Any, reader: str, timeout_ms: int = 0,
                 current: int = 0) -> tuple[int, bytes]:
    """``(event_state, atr)`` of ``reader``, waiting up to ``timeout_ms`` for a change
    from ``current``. A timeout returns ``current`` unchanged."""
    from smartcard import scard

    rv, states = scard.SCardGetStatusChange(ctx, timeout_ms, [(reader, current)])
    code = u32(rv)
    if code == E_TIMEOUT:
        return current, b""
    if code != S_SUCCESS:
        raise ReaderGone(f"SCardGetStatusChange failed: {describe(rv)}")
    _, state, atr = states[0]
    return state, bytes(atr)


class PcscTransport:
    """One connection to the card in ``reader``; ``transmit`` raises typed errors.

    ``removal_grace_s``: after an ambiguous failure (transaction failed, empty answer)
    wait this long for the reader to report the card gone before calling it a
    communication error. pcscd polls presence every 0.4 s.
    """

    def __init__(self, ctx: Any, reader: str, *, removal_grace_s: float = 1.0) -> None:
        from smartcard import scard

        self._scard = scard
        self._ctx = ctx
        self.reader = reader
        self.removal_grace_s = removal_grace_s
        rv, hcard, protocol = scard.SCardConnect(
            ctx, reader, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        code = u32(rv)
        if code in CARD_GONE or code == W_UNRESPONSIVE_CARD:
            raise CardRemoved(f"SCardConnect: {describe(rv)}")
        if code in READER_GONE:
            raise ReaderGone(f"SCardConnect: {describe(rv)}")
        if code != S_SUCCESS:
            raise PcscFailure("SCardConnect", rv)
        self._hcard = hcard
        self.protocol = protocol
        self._pci = scard.SCARD_PCI_T0 if protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1
        self.apdu_count = 0

    @property
    def atr(self) -> bytes:
        """The ATR pcscd reports for the connected card (empty when unknown)."""
        rv, _reader, _state, _proto, atr = self._scard.SCardStatus(self._hcard)
        return bytes(atr) if u32(rv) == S_SUCCESS else b""

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; the response data + SW1 SW2 (T=0 chaining completed)."""
        response = self._transmit_once(apdu)
        if self.protocol == self._scard.SCARD_PROTOCOL_T0:
            response = self._complete_t0(apdu, response)
        return response

    def _transmit_once(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        rv, response = self._scard.SCardTransmit(self._hcard, self._pci, list(apdu))
        code = u32(rv)
        if code == S_SUCCESS and len(response) >= 2:
            return bytes(response)
        if code in CARD_GONE:
            raise CardRemoved(f"SCardTransmit: {describe(rv)}")
        if code in READER_GONE:
            raise ReaderGone(f"SCardTransmit: {describe(rv)}")
        # vpcd answers "success, no bytes" when the card vanished mid-command; real
        # readers say "transaction failed". Whether the card left decides the type.
        what = describe(rv) if code != S_SUCCESS else "empty response"
        if self._card_left():
            raise CardRemoved(f"SCardTransmit: {what}, card left the reader")
        if code == S_SUCCESS:
            raise CommunicationError(f"SCardTransmit: {what}")
        raise PcscFailure("SCardTransmit", rv)

    def _complete_t0(self, apdu: bytes, response: bytes) -> bytes:
        """T=0 readers hand back 61xx (more data) and 6Cxx (wrong Le) unresolved."""
        sw1, sw2 = response[-2], response[-1]
        if sw1 == 0x6C and len(apdu) == 5:  # case 2: resend with the Le the card wants
            response = self._transmit_once(apdu[:4] + bytes([sw2]))
            sw1, sw2 = response[-2], response[-1]
        data = bytearray(response[:-2])
        while sw1 == 0x61:
            response = self._transmit_once(bytes([apdu[0] & 0x03, 0xC0, 0, 0, sw2]))
            data += response[:-2]
            sw1, sw2 = response[-2], response[-1]
        return bytes(data) + bytes([sw1, sw2])

    def _card_left(self) -> bool:
        """After a failed transmit: wait (bounded) for pcscd to tell whether the card left."""
        rv, _r, state, _p, _atr = self._scard.SCardStatus(self._hcard)
        code = u32(rv)
        if code in CARD_GONE:
            return True
        if code in READER_GONE:
            raise ReaderGone(f"SCardStatus: {describe(rv)}")
        deadline = time.monotonic() + self.removal_grace_s
        current = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                current, _ = reader_state(self._ctx, self.reader, int(remaining * 1000), current)
            except ReaderGone:
                raise
            if current & (STATE_EMPTY | STATE_UNAVAILABLE | STATE_MUTE):
                return True
            current &= ~STATE_CHANGED

    def close(self, reset: bool = True) -> None:
        """Disconnect; ``reset`` drops the card's session so the next read starts clean."""
        scard = self._scard
        disposition = scard.SCARD_RESET_CARD if reset else scard.SCARD_LEAVE_CARD
        try:
            scard.SCardDisconnect(self._hcard, disposition)
        except Exception:  # noqa: BLE001 - the handle may already be invalid
            log.debug("SCardDisconnect failed", exc_info=True)
