"""Our vpcd client: plays a chip card in a ``vsmartcard-vpcd`` reader slot over TCP.

vpcd (the pcscd driver) listens on a TCP port per slot; the card is whoever connects.
Every message, both ways, is a 2-byte big-endian length and a payload. A 1-byte payload
from vpcd is a control message (0x00 power off, 0x01 power on, 0x02 reset, 0x04 send
the ATR); a longer one is a command APDU that we answer with the response APDU. Power
and reset get no answer. vpcd polls card presence by asking for the ATR, so the socket
is busy even when nobody reads the card.

Removing the card is closing the socket; inserting it is connecting again. Never use a
bare connect to "probe" the port: vpcd takes any connection for a card and then waits
for it to answer.
"""
from __future__ import annotations

import errno
import logging
import socket
import struct
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_PORT = 0x8C7B  # 35963, Debian's /etc/reader.conf.d/vpcd

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04
SW_NO_PRECISE_DIAGNOSIS = b"\x6f\x00"
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


class Chip(Protocol):
    """What a card must offer to be served (``hardware.emrtd``'s ``VirtualChip`` does)."""

    atr: bytes

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def reset(self) -> None: ...

    def process(self, apdu: bytes) -> bytes: ...


class VpcdError(Exception):
    """The vpcd slot cannot be reached (pcscd not running, wrong port)."""


class _Pulled(Exception):
    """Internal: the fault hook pulled the card."""


def _is_card_removed(exc: BaseException) -> bool:
    """True when the chip raised its own "card removed" fault (eMRTD fault injection)."""
    return any(cls.__name__ in ("CardRemoved", "CardRemovedDuringRead")
               for cls in type(exc).__mro__)


def _is_muted(exc: BaseException) -> bool:
    """The chip's "stop answering" fault (``ChipMuted``)."""
    return any(cls.__name__ == "ChipMuted" for cls in type(exc).__mro__)


class VpcdCard:
    """A chip served in a vpcd slot, with insert / remove and a pull-mid-read fault hook.

    ``insert()`` connects and serves on a daemon thread; ``remove()`` closes the socket.
    ``remove_after(n)`` answers ``n`` more APDUs, then closes the socket when the next
    one arrives (without answering it) — a card pulled in the middle of a read.
    """

    def __init__(self, chip: Chip, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 *, io_timeout_s: float | None = None) -> None:
        self.chip = chip
        self.host = host
        self.port = port
        self._io_timeout = io_timeout_s
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pull_after: int | None = None
        self.apdu_count = 0  # APDUs answered since construction (control messages excluded)
        self.connections = 0

    # -- card in / card out --------------------------------------------------------
    @property
    def inserted(self) -> bool:
        """True while our socket to vpcd is open."""
        return self._sock is not None

    def insert(self, timeout_s: float = 10.0) -> None:
        """Connect to the vpcd slot (retrying while pcscd starts up) and serve it."""
        with self._lock:
            if self._sock is not None:
                return
            put_back = getattr(self.chip, "insert", None)
            if callable(put_back):
                put_back()  # VirtualChip: a fresh tap clears a removed/muted fault state
            sock = self._connect(timeout_s)
            self._sock = sock
            self.connections += 1
            self._thread = threading.Thread(target=self._serve, args=(sock,),
                                            name=f"vpcd-card:{self.port}", daemon=True)
            self._thread.start()

    def remove(self) -> None:
        """Take the card off the reader: close the socket. Safe to call twice."""
        with self._lock:
            sock, thread = self._sock, self._thread
            self._sock, self._thread = None, None
        if sock is not None:
            self._close(sock)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def remove_after(self, n_apdus: int | None) -> None:
        """Arm (or with ``None`` disarm) the fault: pull the card when APDU ``n+1`` arrives."""
        with self._lock:
            self._pull_after = n_apdus

    def wait_removed(self, timeout_s: float = 5.0) -> bool:
        """Wait until the serving thread ended (after a pull); True when it did."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)
            return not thread.is_alive()
        return True

    def serve_forever(self, reinsert: bool = True, retry_s: float = 1.0) -> None:
        """Serve until interrupted; with ``reinsert``, reconnect whenever the card was pulled.

        Used by ``python -m hardware.virtual_card`` for the demo.
        """
        while True:
            try:
                self.insert(timeout_s=60.0)
            except VpcdError as exc:
                log.warning("%s; retrying", exc)
                time.sleep(retry_s)
                continue
            thread = self._thread
            if thread is not None:
                thread.join()
            with self._lock:
                self._sock, self._thread = None, None
            if not reinsert:
                return
            time.sleep(retry_s)

    def close(self) -> None:
        """Same as :meth:`remove`."""
        self.remove()

    def __enter__(self) -> "VpcdCard":
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    # -- socket --------------------------------------------------------------------
    def _connect(self, timeout_s: float) -> socket.socket:
        deadline = time.monotonic() + timeout_s
        while True:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            # One small message per APDU each way: without NODELAY, Nagle + delayed ACK
            # add ~40 ms to every round trip.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                sock.connect((self.host, self.port))
            except OSError as exc:
                sock.close()
                if exc.errno not in (errno.ECONNREFUSED, errno.ECONNRESET, errno.ETIMEDOUT) \
                        or time.monotonic() > deadline:
                    raise VpcdError(f"cannot reach vpcd at {self.host}:{self.port}: "
                                    f"{exc.strerror or exc}") from None
                time.sleep(0.05)
                continue
            sock.settimeout(self._io_timeout)
            return sock

    @staticmethod
    def _close(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes the serving thread's recv()
        except OSError:
            pass
        sock.close()

    @staticmethod
    def _recv_exact(sock: socket.socket, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            if _QUICKACK is not None:
                # vpcd writes the length and the payload in two send()s without
                # TCP_NODELAY: Nagle holds the payload until our ACK, which Linux delays
                # ~40 ms. Quick-ACK mode (reset by the kernel, so re-armed per recv)
                # takes that off every APDU.
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionResetError("vpcd closed the connection")
            buf += chunk
        return bytes(buf)

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                (length,) = struct.unpack(">H", self._recv_exact(sock, 2))
                msg = self._recv_exact(sock, length)
                if length == 1:
                    self._control(sock, msg[0])
                else:
                    self._apdu(sock, msg)
        except _Pulled:
            log.info("virtual card pulled by the fault hook after %d APDUs", self.apdu_count)
        except (OSError, ValueError, struct.error) as exc:
            # Our own remove() or vpcd going away; both end this connection quietly.
            log.debug("vpcd connection ended: %s", exc)
        finally:
            with self._lock:
                if self._sock is sock:
                    self._sock, self._thread = None, None
            self._close(sock)
            try:
                self.chip.power_off()
            except Exception:  # noqa: BLE001 - a chip bug must not keep the socket alive
                log.exception("chip power_off failed")

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == CTRL_ATR:
            self._send(sock, bytes(self.chip.atr))
        elif code == CTRL_ON:
            self.chip.power_on()
        elif code == CTRL_OFF:
            self.chip.power_off()
        elif code == CTRL_RESET:
            self.chip.reset()
        else:
            log.warning("unknown vpcd control message 0x%02X ignored", code)

    def _apdu(self, sock: socket.socket, apdu: bytes) -> None:
        with self._lock:
            if self._pull_after is not None:
                if self._pull_after <= 0:
                    self._pull_after = None
                    raise _Pulled()
                self._pull_after -= 1
        try:
            response = self.chip.process(apdu)
        except Exception as exc:  # noqa: BLE001 - the chip decides; we only carry bytes
            if _is_card_removed(exc):
                raise _Pulled() from exc
            if _is_muted(exc):
                # A silent card: never answer; the reader side must time out. The
                # connection ends when the card is removed (or vpcd gives up).
                log.info("virtual chip muted; not answering")
                while sock.recv(4096):
                    pass
                raise ConnectionResetError("muted card's connection closed")
            log.exception("virtual chip failed on an APDU (INS %02X)", apdu[1])
            response = SW_NO_PRECISE_DIAGNOSIS
        self.apdu_count += 1
        self._send(sock, bytes(response))
