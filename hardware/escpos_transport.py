"""How ESC/POS bytes travel: TCP (port 9100), USB and serial, chosen by a URL.

``tcp://host[:port]``, ``usb://VID:PID[?in_ep=0x82&out_ep=0x01]`` and
``serial:///dev/ttyUSB0[?baud=115200&flow=none|rtscts|dsrdtr|xonxoff]``.

Each transport wraps the matching python-escpos printer class (``Network``, ``Usb``,
``Serial``) only to open the device; writing and reading are done here on the device
object with explicit deadlines, because python-escpos's own status query sleeps a full
second and its writes have no timeout on serial. Transports move bytes and raise
:class:`TransportUnavailable`, :class:`TransportTimeout` or :class:`TransportClosed`;
the printer backend maps those onto the printer port's errors.
"""
from __future__ import annotations

import socket
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit


class TransportError(Exception):
    """Base of transport failures (messages hold addresses, never personal data)."""


class TransportUnavailable(TransportError):
    """The printer cannot be reached or opened (refused, not found, no permission)."""


class TransportTimeout(TransportError):
    """The printer stopped accepting data before the deadline."""


class TransportClosed(TransportError):
    """The connection went away (peer closed, cable pulled)."""


class Transport(ABC):
    """A byte pipe to one printer. Not thread-safe: the backend serialises jobs."""

    #: Whether replies can be read back (status requests make sense).
    can_read: bool = True

    def __init__(self, description: str) -> None:
        self.description = description

    @abstractmethod
    def open(self, timeout: float) -> None:
        """Connect/claim the device; raises :class:`TransportUnavailable`."""

    @abstractmethod
    def close(self) -> None:
        """Release the device. Safe to call twice."""

    @abstractmethod
    def write(self, data: bytes, timeout: float) -> None:
        """Send all of ``data`` within ``timeout`` seconds."""

    @abstractmethod
    def read(self, n: int, timeout: float) -> bytes:
        """Up to ``n`` bytes; ``b""`` when nothing arrived within ``timeout``."""

    def drain(self) -> None:
        """Drop bytes already waiting (late replies) so the next reply is the right one."""
        while self.read(64, 0.01):
            pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description})"


class TcpTransport(Transport):
    """Raw TCP (JetDirect, port 9100) through python-escpos's ``Network``."""

    def __init__(self, host: str, port: int = 9100) -> None:
        super().__init__(f"tcp://{host}:{port}")
        self.host, self.port = host, port
        self._printer: Any = None

    def open(self, timeout: float) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

        printer = Network(self.host, self.port, timeout=timeout)
        try:
            printer.open()
        except DeviceNotFoundError as exc:
            raise TransportUnavailable(f"{self.description}: cannot connect") from exc
        self._printer = printer

    def _sock(self) -> socket.socket:
        if self._printer is None or not self._printer.device:
            raise TransportClosed(f"{self.description}: not connected")
        return self._printer.device

    def close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None

    def write(self, data: bytes, timeout: float) -> None:
        sock = self._sock()
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        try:
            while view:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TransportTimeout(f"{self.description}: printer stopped taking data")
                sock.settimeout(left)
                sent = sock.send(view[:16384])
                view = view[sent:]
        except socket.timeout as exc:
            raise TransportTimeout(f"{self.description}: printer stopped taking data") from exc
        except OSError as exc:
            raise TransportClosed(f"{self.description}: connection lost ({exc.strerror})") from exc

    def read(self, n: int, timeout: float) -> bytes:
        sock = self._sock()
        try:
            sock.settimeout(max(timeout, 0.001))
            data = sock.recv(n)
        except socket.timeout:
            return b""
        except OSError as exc:
            raise TransportClosed(f"{self.description}: connection lost ({exc.strerror})") from exc
        if not data:
            raise TransportClosed(f"{self.description}: printer closed the connection")
        return data


class SerialTransport(Transport):
    """RS-232 / USB-serial through python-escpos's ``Serial`` (pyserial)."""

    def __init__(self, device: str, baud: int = 115200, flow: str = "none") -> None:
        super().__init__(f"serial://{device}?baud={baud}&flow={flow}")
        if flow not in ("none", "rtscts", "dsrdtr", "xonxoff"):
            raise ValueError(f"serial flow control {flow!r} (none, rtscts, dsrdtr, xonxoff)")
        self.device, self.baud, self.flow = device, baud, flow
        self._printer: Any = None

    def open(self, timeout: float) -> None:
        from escpos.printer import Serial

        printer = Serial(self.device, baudrate=self.baud, timeout=timeout,
                         xonxoff=self.flow == "xonxoff", dsrdtr=self.flow == "dsrdtr")
        try:
            printer.open()
        except Exception as exc:  # DeviceNotFoundError, SerialException, PermissionError
            raise TransportUnavailable(f"{self.description}: cannot open ({exc})") from exc
        if printer.device is None:
            raise TransportUnavailable(f"{self.description}: cannot open")
        printer.device.rtscts = self.flow == "rtscts"
        self._printer = printer

    def close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None

    def write(self, data: bytes, timeout: float) -> None:
        import serial

        dev = self._printer.device
        dev.write_timeout = timeout  # python-escpos leaves it unset: a stalled printer hangs
        try:
            dev.write(data)
            dev.flush()
        except serial.SerialTimeoutException as exc:
            raise TransportTimeout(f"{self.description}: printer stopped taking data") from exc
        except serial.SerialException as exc:
            raise TransportClosed(f"{self.description}: {exc}") from exc

    def read(self, n: int, timeout: float) -> bytes:
        import serial

        dev = self._printer.device
        dev.timeout = timeout
        try:
            return bytes(dev.read(n))
        except serial.SerialException as exc:
            raise TransportClosed(f"{self.description}: {exc}") from exc


class UsbTransport(Transport):
    """USB bulk endpoints through python-escpos's ``Usb`` (pyusb + libusb)."""

    def __init__(self, vid: int, pid: int, in_ep: int = 0x82, out_ep: int = 0x01) -> None:
        super().__init__(f"usb://{vid:04x}:{pid:04x}")
        self.vid, self.pid, self.in_ep, self.out_ep = vid, pid, in_ep, out_ep
        self._printer: Any = None

    def open(self, timeout: float) -> None:
        from escpos.printer import Usb

        printer = Usb(self.vid, self.pid, timeout=int(timeout * 1000),
                      in_ep=self.in_ep, out_ep=self.out_ep)
        try:
            printer.open()
        except Exception as exc:  # USBNotFoundError, USBError (permissions), NoBackendError
            raise TransportUnavailable(f"{self.description}: cannot open ({exc})") from exc
        if not printer.device:
            raise TransportUnavailable(f"{self.description}: not found")
        self._printer = printer

    def close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None

    def write(self, data: bytes, timeout: float) -> None:
        import usb.core

        try:
            self._printer.device.write(self.out_ep, data, int(timeout * 1000))
        except usb.core.USBTimeoutError as exc:
            raise TransportTimeout(f"{self.description}: printer stopped taking data") from exc
        except usb.core.USBError as exc:
            raise TransportClosed(f"{self.description}: {exc}") from exc

    def read(self, n: int, timeout: float) -> bytes:
        import usb.core

        try:
            return bytes(self._printer.device.read(self.in_ep, max(n, 64),
                                                   max(1, int(timeout * 1000))))[:n]
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as exc:
            raise TransportClosed(f"{self.description}: {exc}") from exc


@dataclass(frozen=True)
class _Parsed:
    scheme: str
    host: str
    port: int | None
    path: str
    query: dict[str, str]


def _parse(url: str) -> _Parsed:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"printer URL {url!r}: bad port") from None
    return _Parsed(parts.scheme, parts.hostname or "", port, parts.path, query)


def transport_from_url(url: str) -> Transport:
    """Build the transport a printer URL names; ``ValueError`` says what is wrong."""
    if url.startswith("usb://"):
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            vid, pid = (int(x, 16) for x in parts.netloc.split(":"))
        except ValueError:
            raise ValueError(f"printer URL {url!r}: expected usb://VID:PID in hex") from None
        return UsbTransport(vid, pid, int(query.get("in_ep", "0x82"), 0),
                            int(query.get("out_ep", "0x01"), 0))
    p = _parse(url)
    if p.scheme == "tcp":
        if not p.host:
            raise ValueError(f"printer URL {url!r}: no host (tcp://HOST:9100)")
        return TcpTransport(p.host, p.port or 9100)
    if p.scheme == "serial":
        if not p.path:
            raise ValueError(f"printer URL {url!r}: no device (serial:///dev/ttyUSB0)")
        return SerialTransport(p.path, int(p.query.get("baud", "115200")),
                               p.query.get("flow", "none"))
    raise ValueError(f"printer URL {url!r}: scheme must be tcp, usb or serial")
