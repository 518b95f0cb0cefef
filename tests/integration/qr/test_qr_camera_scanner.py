"""CameraQrScanner on frames of a real video file, played by the simulated camera.

The video (MJPG in AVI, written with cv2.VideoWriter in tmp) shows: nothing, code A,
nothing (long enough for A to be forgotten), code A again, code B. The scanner must
report A twice, B once, and never repeat a code while it stays in view.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qr_images import Perturbation, background, compose_frame, demo_payload  # noqa: E402

from hardware.base import BackendUnavailable  # noqa: E402
from hardware.camera_qr_scanner import CameraQrScanner, SeenCodes  # noqa: E402
from hardware.qr_scanner import QrScanned  # noqa: E402
from hardware.registry import create_device  # noqa: E402
from hardware.sim_camera import SimulatedCamera  # noqa: E402

A, B = demo_payload(1), demo_payload(2)
FPS = 20.0


def _clip(path: Path) -> None:
    rng = np.random.default_rng(0)
    empty = background(rng)
    p = Perturbation(4.0, 10.0, 0.1, 0.0, 3.0, 1.0, 0.0)
    fa, fb = compose_frame(A, p, 1), compose_frame(B, p, 2)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (1280, 720))
    assert writer.isOpened()
    # 0.5 s empty, 1 s A, 1 s empty, 1 s A, 1 s B, 0.5 s empty (at 20 fps)
    for img, n in ((empty, 10), (fa, 20), (empty, 20), (fa, 20), (fb, 20), (empty, 10)):
        for _ in range(n):
            writer.write(img)
    writer.release()


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("qrvideo") / "scan.avi"
    _clip(path)
    return path


def test_video_through_simulated_camera_reports_each_presentation_once(video):
    camera = SimulatedCamera(source=str(video), fps=FPS, loop=False)
    scanner = CameraQrScanner(camera=camera, scan_fps=FPS, repeat_after_s=0.4)  # + 3 frames
    events: list[QrScanned] = []
    threads: set[str] = set()

    def on_scan(ev: QrScanned) -> None:
        events.append(ev)
        threads.add(threading.current_thread().name)

    scanner.add_listener(on_scan)
    scanner.open()
    try:
        assert camera.is_open  # the scanner opened the camera nobody had opened
        assert camera.finished.wait(15), "video did not finish playing"
        time.sleep(0.3)  # let the last frames be decoded
    finally:
        scanner.close()
    assert not camera.is_open  # ... and closed it again
    assert [e.text for e in events] == [A, A, B]
    assert all(e.source == "camera" and e.raw == e.text.encode("utf-8") for e in events)
    assert threads == {"camera-qr"}  # delivered on the scanner's worker, not the caller
    assert scanner.frames_decoded >= 40


def test_scanner_leaves_an_already_open_camera_open(video):
    camera = SimulatedCamera(source=str(video), fps=FPS, loop=True)
    camera.open()
    try:
        scanner = CameraQrScanner(camera=camera, scan_fps=5)
        scanner.open()
        assert scanner.status().ok
        scanner.close()
        assert camera.is_open
    finally:
        camera.close()


def test_registry_builds_the_camera_backend_with_a_camera_kwarg():
    cam = SimulatedCamera(frames=[np.zeros((72, 128, 3), np.uint8)])
    dev = create_device("qr_scanner", "camera", {"camera": cam, "scan_fps": 5.0,
                                                 "repeat_after_s": 1.0, "max_key_gap_ms": 9.0})
    assert isinstance(dev, CameraQrScanner) and dev.scan_fps == 5.0
    with pytest.raises(BackendUnavailable, match="needs a camera"):
        create_device("qr_scanner", "camera", {})


def test_seen_codes_dedup_and_forget():
    seen = SeenCodes(repeat_after_s=1.0, min_missed_frames=2)
    assert seen.frame([b"a"], 0.0) == [b"a"]
    assert seen.frame([b"a", b"a"], 0.5) == []          # still in view
    assert seen.frame([], 1.0) == []
    assert seen.frame([b"a"], 1.4) == []                 # missed one frame only
    assert seen.frame([b"b", b"a"], 1.5) == [b"b"]       # another code is reported at once
    for t in (1.6, 1.7, 1.8):
        seen.frame([], t)
    assert seen.frame([b"a"], 2.0) == []                 # 3 frames missed but only 0.5 s
    for t in (2.5, 3.0, 3.1):
        seen.frame([], t)
    assert seen.frame([b"a"], 3.2) == [b"a"]             # absent > 1 s and > 2 frames
    seen.clear()
    assert seen.frame([b"b"], 3.3) == [b"b"]


def test_slow_decoder_does_not_re_report_a_code_in_view():
    seen = SeenCodes(repeat_after_s=0.5, min_missed_frames=3)
    assert seen.frame([b"a"], 0.0) == [b"a"]
    # one decoded frame every 2 s (a stalled machine), code present each time
    assert all(seen.frame([b"a"], t) == [] for t in (2.0, 4.0, 6.0))


def test_seen_codes_table_stays_small():
    seen = SeenCodes(repeat_after_s=1.0)
    for i in range(1000):
        seen.frame([str(i).encode()], float(i))
    assert len(seen._last_seen) <= 65


def test_camera_that_cannot_open_is_reported_as_backend_unavailable(tmp_path):
    scanner = CameraQrScanner(camera=SimulatedCamera(source=str(tmp_path / "missing.avi")))
    with pytest.raises(BackendUnavailable, match="camera cannot be opened"):
        scanner.open()
    assert not scanner.is_open
