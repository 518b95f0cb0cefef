"""OpenCvCamera on a real capture path: cv2.VideoCapture reading a video file."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from hardware.base import DeviceState
from hardware.camera import CameraUnavailable
from hardware.opencv_camera import OpenCvCamera, parse_device
from hardware.registry import create_device
from kiosk.config import load_config


def numbered_frames(n: int, size: tuple[int, int] = (320, 240)) -> list[np.ndarray]:
    """Frames whose brightness encodes their index (survives JPEG compression)."""
    w, h = size
    return [np.full((h, w, 3), 10 + 20 * i, np.uint8) for i in range(n)]


def wait_for(predicate, timeout: float = 5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    return predicate()


def test_parse_device() -> None:
    assert parse_device("0") == 0 and parse_device(" 2 ") == 2 and parse_device(1) == 1
    assert parse_device("/dev/video0") == "/dev/video0"


def test_plays_a_file_keeping_only_the_latest_frame(tmp_path: Path, video_writer) -> None:
    path = video_writer(tmp_path / "clip.avi", numbered_frames(12))
    cam = OpenCvCamera(device=str(path), fps=60.0)
    cam.open()
    try:
        first = cam.latest_frame()
        assert first is not None and first.image.shape == (240, 320, 3)
        assert cam.status().state is DeviceState.READY and cam.status().detail == "320x240"
        # A slow consumer: frames keep coming, only the newest is kept, seq grows.
        time.sleep(0.3)
        later = cam.latest_frame()
        assert later is not None and later.seq > first.seq + 5
        assert later.timestamp > first.timestamp
        # Each frame's content is one of the file's frames (brightness = 10 + 20 i).
        level = int(later.image.mean())
        assert min(abs(level - (10 + 20 * i)) for i in range(12)) <= 3
        assert cam.capture().seq >= later.seq
    finally:
        cam.close()
    assert cam.status().state is DeviceState.CLOSED


def test_end_of_file_reconnects_and_loops(tmp_path: Path, video_writer) -> None:
    path = video_writer(tmp_path / "short.avi", numbered_frames(5))
    cam = OpenCvCamera(device=str(path), fps=100.0, reconnect_s=0.05)
    cam.open()
    try:
        # 5 frames in the file; after reconnects we keep getting frames.
        assert wait_for(lambda: (cam.latest_frame() or None) and cam.latest_frame().seq > 12)
        assert cam.status().extra["reconnects"] >= 2
    finally:
        cam.close()


def test_unplug_and_replug(tmp_path: Path, video_writer) -> None:
    """Removing the source (cable pulled) stops frames and reports a fault; putting it
    back (replugged) brings frames back without re-opening the camera object."""
    path = video_writer(tmp_path / "cam.avi", numbered_frames(8))
    away = tmp_path / "unplugged.avi"
    cam = OpenCvCamera(device=str(path), fps=100.0, reconnect_s=0.05, stale_after_s=0.3)
    cam.open()
    try:
        assert cam.latest_frame() is not None
        path.rename(away)                                   # unplug
        assert wait_for(lambda: cam.status().state is DeviceState.FAULT)
        assert wait_for(lambda: cam.latest_frame() is None)  # no frozen frame is served
        with pytest.raises(CameraUnavailable):
            cam.capture()
        seq_before = cam.status().extra["frames"]
        away.rename(path)                                   # replug
        assert wait_for(lambda: cam.latest_frame() is not None)
        assert cam.status().state is DeviceState.READY
        assert cam.latest_frame().seq > seq_before
        assert cam.self_test().passed
    finally:
        cam.close()


def test_no_camera_raises_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable) as err:
        OpenCvCamera(device=str(tmp_path / "missing.avi")).open()
    assert "cannot be opened" in str(err.value)


def test_a_file_that_is_not_video_raises_a_typed_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"not a video" * 100)
    with pytest.raises(CameraUnavailable):
        OpenCvCamera(device=str(junk), open_timeout_s=1.0).open()


def test_built_from_config_through_the_registry(tmp_path: Path, video_writer) -> None:
    path = video_writer(tmp_path / "cfg.avi", numbered_frames(6))
    cfg = load_config(environ={"KIOSK_DEVICES_CAMERA_BACKEND": "opencv",
                               "KIOSK_DEVICES_CAMERA_DEVICE": str(path),
                               "KIOSK_DEVICES_CAMERA_FPS": "30"})
    options = cfg.section("devices.camera")
    cam = create_device("camera", options.pop("backend"), options)
    assert isinstance(cam, OpenCvCamera)
    assert cam.device == str(path) and cam.fps == 30.0 and (cam.width, cam.height) == (1280, 720)
    with cam:
        assert cam.latest_frame() is not None
