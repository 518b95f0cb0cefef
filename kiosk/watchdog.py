"""systemd readiness and watchdog notifications, from the Kivy main loop.

Under the unit in ``deploy/systemd/cccd-kiosk.service`` (``Type=notify``,
``WatchdogSec=``) systemd passes ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``. The app sends
``READY=1`` once its window is up and then ``WATCHDOG=1`` from a Kivy clock callback at
half the watchdog interval: while the UI thread is stuck (a hung callback, a deadlock)
the clock does not run, the pings stop and systemd restarts the kiosk. Outside systemd
(``make run``, tests) nothing is sent.

The notify protocol is one datagram per message on a unix socket (``sd_notify(3)``);
no library is needed for it.
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Any, Callable, Mapping

log = logging.getLogger(__name__)

#: Kivy's ``Clock.schedule_interval`` (or anything with its signature).
ScheduleInterval = Callable[[Callable[[float], Any], float], Any]


class Notifier:
    """Sends ``sd_notify`` messages to the socket systemd gave in ``NOTIFY_SOCKET``."""

    def __init__(self, address: str) -> None:
        # '@' names a socket in the abstract namespace (a leading NUL byte on the wire).
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    def send(self, *fields: str) -> bool:
        """Send ``KEY=value`` fields as one datagram; False (logged) when it fails."""
        try:
            self._sock.sendto("\n".join(fields).encode(), self.address)
            return True
        except OSError as exc:  # systemd gone or socket full: the kiosk keeps running
            log.warning("sd_notify failed: %s", exc)
            return False

    def close(self) -> None:
        self._sock.close()


def watchdog_interval(environ: Mapping[str, str], pid: int | None = None) -> float | None:
    """Seconds of the systemd watchdog for this process, None when there is none."""
    usec = environ.get("WATCHDOG_USEC", "")
    owner = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if owner and owner != str(os.getpid() if pid is None else pid):
        return None  # meant for another process (e.g. a wrapper that started us)
    return int(usec) / 1e6


class Watchdog:
    """Readiness and periodic watchdog pings on the UI clock."""

    def __init__(self, notifier: Notifier, interval_s: float | None) -> None:
        self.notifier = notifier
        self.interval_s = interval_s
        self._event: Any = None
        self._stopped = False

    def start(self, schedule_interval: ScheduleInterval) -> None:
        """Tell systemd the kiosk is ready; ping at half the watchdog interval."""
        self.notifier.send("READY=1", "STATUS=kiosk window up")
        if self.interval_s:
            # Ping now too: after the maintenance Restart (an exec in the same process)
            # the last ping of the old process may be half an interval old already.
            self.ping()
            self._event = schedule_interval(self.ping, self.interval_s / 2)

    def ping(self, _dt: float = 0.0) -> None:
        """One watchdog keep-alive (runs on the UI thread's clock)."""
        self.notifier.send("WATCHDOG=1")

    def stop(self) -> None:
        """Cancel the pings (the app is stopping).

        No ``STOPPING=1``: systemd would then wait for the process to end, but the
        maintenance screen's Restart re-executes the kiosk in the same process, which
        must stay the running service and announce ``READY=1`` again.
        """
        if self._stopped:
            return
        self._stopped = True
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.notifier.close()


def attach_watchdog(schedule_interval: ScheduleInterval,
                    environ: Mapping[str, str] | None = None) -> Watchdog | None:
    """Start notifying systemd when started by it (``NOTIFY_SOCKET`` set), else None."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return None
    watchdog = Watchdog(Notifier(address), watchdog_interval(env))
    watchdog.start(schedule_interval)
    return watchdog
