"""Closing the kiosk while its devices are still being opened (the window closed during
start-up): close waits for the device being opened, nothing opens after it, and every
device ends closed — no camera left running into interpreter exit."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from kiosk.bootstrap import build
from kiosk.config import load_config
from kiosk.dispatch import QueueDispatcher


def test_close_during_device_opening_leaves_nothing_open(tmp_path: Path) -> None:
    cfg = load_config(environ={}).with_overrides(kiosk__data_dir=str(tmp_path))
    k = build(cfg, QueueDispatcher())
    scanner = k.devices.qr_scanner
    opening, real_open = threading.Event(), scanner.open

    def slow_open() -> None:          # the real simulated device, opened slowly
        opening.set()
        time.sleep(0.3)
        real_open()
    scanner.open = slow_open  # type: ignore[method-assign]
    results: list[dict] = []
    opener = threading.Thread(target=lambda: results.append(k.open_devices()))
    opener.start()
    assert opening.wait(5)
    t0 = time.monotonic()
    k.close()                          # while the scanner is being opened
    waited = time.monotonic() - t0
    opener.join(5)
    assert results == [{}]
    assert waited >= 0.2                                   # close waited for the device in hand
    assert k.devices.card_reader.is_open is False       # opened before, closed by close()
    assert scanner.is_open is False                     # opened during close, then closed
    assert k.devices.camera.is_open is False            # never opened after close
    assert k.devices.printer.is_open is False
    assert k.open_devices() == {} and not k.devices.camera.is_open   # a late opener opens nothing
