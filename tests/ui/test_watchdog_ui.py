"""The systemd watchdog on the real kiosk window (offscreen): READY=1 once the app has
started, WATCHDOG=1 pings from the running Kivy clock, none while the UI thread is stuck,
no more once the app stops. The datagrams arrive on a real unix socket."""
from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest


@pytest.fixture
def notify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(tmp_path / "notify"))
    server.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # ping every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield server
    server.close()


def received(server: socket.socket) -> list[bytes]:
    out = []
    while True:
        try:
            out.append(server.recv(256))
        except BlockingIOError:
            return out


def test_kivy_clock_pings_the_watchdog_and_a_stuck_ui_does_not(
        ui_factory: Callable[..., Any], notify: socket.socket) -> None:
    ui = ui_factory()
    got: list[bytes] = []
    ui.pump(5, lambda: got.extend(received(notify)) or got.count(b"WATCHDOG=1") >= 3)
    assert got[0] == b"READY=1\nSTATUS=kiosk window up"
    assert len(got) >= 4 and set(got[1:]) == {b"WATCHDOG=1"}
    time.sleep(0.5)  # the UI thread is busy elsewhere: the Kivy clock does not run
    assert received(notify) == []
    assert ui.pump(5, lambda: b"WATCHDOG=1" in received(notify))
    ui.app.stop()
    ui.pump(0.1)
    received(notify)
    time.sleep(0.3)
    assert received(notify) == []
