"""Run a private ``pcscd`` with the vpcd driver: for e2e tests, benchmarks and the demo.

The daemon gets its own reader configuration (``pcscd -c DIR``) naming the vpcd driver
on a free TCP port, and its own client socket, handed over the way systemd does it
(socket activation: the listening socket as fd 3, ``LISTEN_FDS=1``,
``LISTEN_PID=<pid>``), because pcscd 1.9 cannot be told another socket path. Clients
find it through ``PCSCLITE_CSOCK_NAME``, which libpcsclite reads once per process, on
its first call: set it (see :meth:`PcscdStack.env`) before anything in the process
touches pyscard, or start the client as a subprocess with :meth:`PcscdStack.env`.

It runs ``pcscd --foreground`` as our child and stops it by PID. A system pcscd on the
default socket is left alone (but note pcscd 1.9 still writes, then deletes,
``/run/pcscd/pcscd.pid``).
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

PCSCD = "/usr/sbin/pcscd"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
READER_PREFIX = "Virtual PCD"


class PcscdError(Exception):
    """pcscd could not be started or did not become ready; the message holds its log tail."""


def free_port_range(count: int = 2) -> int:
    """A TCP port ``p`` with ``p`` … ``p + count - 1`` all free (vpcd opens one per slot)."""
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("0.0.0.0", 0))
            port = a.getsockname()[1]
        if port + count > 65536:
            continue
        held = []
        try:
            for p in range(port, port + count):
                s = socket.socket()
                held.append(s)
                s.bind(("0.0.0.0", p))
            return port
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise PcscdError(f"no {count} consecutive free TCP ports for vpcd")


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when our parent dies (no orphan pcscd)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class PcscdStack:
    """A pcscd child process with one vpcd reader of two slots.

    Slot ``k`` listens on TCP port ``vpcd_port + k`` and is named
    :meth:`reader_name` ``(k)``; a :class:`~hardware.virtual_card.vpcd.VpcdCard` on
    :meth:`port` ``(k)`` is the card in it. (One reader only: the vpcd driver keeps
    its sockets per slot number, so a second vpcd reader in the same pcscd takes over
    the first one's slots.)
    """

    def __init__(self, workdir: str | os.PathLike[str], *, socket_path: str | None = None,
                 vpcd_port: int | None = None, debug: bool = False) -> None:
        self.workdir = Path(workdir)
        self.socket_path = socket_path or str(self.workdir / "pcscd.comm")
        if len(self.socket_path.encode()) > 100:
            raise PcscdError(f"socket path too long for AF_UNIX: {self.socket_path}")
        self.vpcd_port = vpcd_port or free_port_range(self.slots)
        self.debug = debug
        self.log_path = self.workdir / "pcscd.log"
        self.proc: subprocess.Popen[bytes] | None = None

    # -- names -------------------------------------------------------------------
    slots = 2  # vpcd's slots per reader

    def port(self, slot: int = 0) -> int:
        """TCP port of vpcd slot ``slot``."""
        return self.vpcd_port + slot

    @staticmethod
    def reader_name(slot: int = 0) -> str:
        """PC/SC name of slot ``slot`` (pcscd appends reader and slot numbers)."""
        return f"{READER_PREFIX} 00 {slot:02d}"

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a client process of this daemon."""
        env = dict(os.environ if base is None else base)
        env["PCSCLITE_CSOCK_NAME"] = self.socket_path
        return env

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- life cycle ----------------------------------------------------------------
    def start(self, timeout_s: float = 10.0) -> None:
        """Start pcscd and wait until its readers are listed (raises :class:`PcscdError`)."""
        if self.running:
            return
        if not (os.path.exists(PCSCD) and os.path.exists(VPCD_DRIVER)):
            raise PcscdError(f"need {PCSCD} and {VPCD_DRIVER} (apt packages pcscd, "
                             "vsmartcard-vpcd; see scripts/bootstrap.sh)")
        confdir = self.workdir / "reader.conf.d"
        confdir.mkdir(parents=True, exist_ok=True)
        (confdir / "vpcd").write_text(
            f'FRIENDLYNAME "{READER_PREFIX}"\n'
            f"DEVICENAME   /dev/null:0x{self.vpcd_port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{self.vpcd_port:04X}\n")
        if os.path.exists(self.socket_path):
            if self._socket_alive():
                raise PcscdError(f"another pcscd already serves {self.socket_path}")
            os.unlink(self.socket_path)  # left over by a daemon that died
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        os.chmod(self.socket_path, 0o666)
        listener.listen(64)
        fd = listener.fileno()
        args = [PCSCD, "--foreground", "-c", str(confdir)] + (["--debug", "--apdu"] if self.debug else [])
        # The shell sets LISTEN_PID to its own PID, which exec hands to pcscd unchanged;
        # bash, not dash, because the socket's fd number may have two digits.
        script = f'export LISTEN_PID=$$; exec "$@" 3<&{fd}'
        env = dict(os.environ, LISTEN_FDS="1")
        env.pop("PCSCLITE_CSOCK_NAME", None)
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(["/bin/bash", "-c", script, "pcscd", *args],
                                         pass_fds=(fd,), env=env, stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=subprocess.STDOUT,
                                         preexec_fn=_die_with_parent)
        listener.close()  # pcscd holds its own copy
        try:
            self.wait_ready(timeout_s)
        except PcscdError:
            self.stop()
            raise

    def _socket_alive(self) -> bool:
        """Does a process accept connections on our socket path (never ours: not started)?"""
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(self.socket_path)
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def wait_ready(self, timeout_s: float = 10.0) -> None:
        """Poll pyscard's reader list (in this process) until the vpcd readers show up."""
        if os.environ.get("PCSCLITE_CSOCK_NAME") != self.socket_path:
            raise PcscdError("this process must set PCSCLITE_CSOCK_NAME="
                             f"{self.socket_path} before using pyscard")
        from smartcard import scard  # heavy, optional: only where a stack is run

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                raise PcscdError(f"pcscd exited ({self.proc.returncode if self.proc else '?'}): "
                                 f"{self.log_tail()}")
            rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if rv == scard.SCARD_S_SUCCESS:
                try:
                    rv, readers = scard.SCardListReaders(ctx, [])
                    wanted = {self.reader_name(k) for k in range(self.slots)}
                    if rv == scard.SCARD_S_SUCCESS and wanted <= set(readers):
                        return
                finally:
                    scard.SCardReleaseContext(ctx)
            time.sleep(0.05)
        raise PcscdError(f"pcscd not ready after {timeout_s:.0f} s: {self.log_tail()}")

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop our pcscd by PID (SIGTERM, then SIGKILL). Safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout_s)
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)

    def log_tail(self, n: int = 15) -> str:
        """Last lines of pcscd's output (technician detail for errors)."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(lines[-n:])

    def __enter__(self) -> "PcscdStack":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
