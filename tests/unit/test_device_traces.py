"""A wipe leaves no trace of the citizen in the devices: the keyboard-wedge scanner's
half-typed payload, the camera QR scanner's de-duplication table, the camera's last frame."""
from __future__ import annotations

import numpy as np

from hardware.camera_qr_scanner import SeenCodes
from hardware.keyboard_qr_scanner import KeyboardQrScanner
from hardware.sim_camera import SimulatedCamera


def test_wedge_reset_drops_a_half_typed_payload() -> None:
    scanner = KeyboardQrScanner(max_key_gap_ms=50, reset_after_ms=5000)
    got: list[str] = []
    scanner.add_listener(lambda e: got.append(e.text))
    scanner.open()
    try:
        scanner.feed_text("001090012345|Nguy", timestamp=1.0)
        scanner.reset()  # the session was wiped here
        scanner.feed_text("\r", timestamp=1.01)
        assert scanner.wait_idle()
        assert got == []
        scanner.feed_text("ABCD1234\r", timestamp=2.0)  # the next scan still works
        assert scanner.wait_idle()
        assert got == ["ABCD1234"]
    finally:
        scanner.close()


def test_seen_codes_forget_everything_on_clear() -> None:
    seen = SeenCodes(repeat_after_s=60)
    assert seen.frame([b"001090012345|x"], 1.0) == [b"001090012345|x"]
    assert seen.frame([b"001090012345|x"], 2.0) == []  # de-duplicated
    seen.clear()
    assert seen.frame([b"001090012345|x"], 3.0) == [b"001090012345|x"]


def test_sim_camera_forgets_its_last_frame() -> None:
    cam = SimulatedCamera(frames=[np.zeros((8, 8, 3), np.uint8)], fps=50)
    cam.open()
    try:
        for _ in range(100):
            if cam.latest_frame() is not None:
                break
            cam._stop.wait(0.02)
        assert cam.latest_frame() is not None
    finally:
        cam.close()
    cam.forget()
    assert cam.latest_frame() is None
