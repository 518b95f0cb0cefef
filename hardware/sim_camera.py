"""Simulated camera: plays still images (a file or a folder, in name order) or a video
file in a loop at the configured frame rate, on a background thread."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.base import DeviceState, DeviceStatus
from hardware.camera import Camera, CameraUnavailable, Frame

if TYPE_CHECKING:
    import numpy as np

_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
_VIDEO_EXT = {".mp4", ".avi", ".mkv", ".mov", ".webm"}


class SimulatedCamera(Camera):
    """Frames from files. ``frames`` may also be given directly (tests)."""

    backend = "simulated"

    def __init__(self, source: str = "assets/demo/camera", fps: float = 15.0,
                 frames: "list[np.ndarray] | None" = None, loop: bool = True) -> None:
        super().__init__()
        self.source = Path(source)
        self.fps = fps
        self.loop = loop
        self._frames = list(frames) if frames is not None else None
        self._video_path: Path | None = None
        self._latest: Frame | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()  # set when a non-looping source ran out

    def open(self) -> None:
        import cv2

        if self._frames is None:
            if self.source.is_dir():
                files = sorted(p for p in self.source.iterdir() if p.suffix.lower() in _IMAGE_EXT)
            elif self.source.suffix.lower() in _VIDEO_EXT and self.source.is_file():
                files, self._video_path = [], self.source
            elif self.source.is_file():
                files = [self.source]
            else:
                raise CameraUnavailable(f"simulated camera: source {self.source} not found")
            if self._video_path is None:
                self._frames = [f for f in (cv2.imread(str(p)) for p in files) if f is not None]
                if not self._frames:
                    raise CameraUnavailable(f"simulated camera: no readable image in {self.source}")
        self._stop.clear()
        self.finished.clear()
        self._thread = threading.Thread(target=self._run, name="sim-camera", daemon=True)
        self._open = True
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._thread = None
        self._open = False

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "closed")
        return DeviceStatus(DeviceState.READY, f"simulated from {self.source}")

    def latest_frame(self) -> Frame | None:
        with self._lock:
            return self._latest

    def forget(self) -> None:
        """Drop the last frame (a session was wiped: it may show the citizen)."""
        with self._lock:
            self._latest = None

    def _frames_iter(self):
        import cv2

        while not self._stop.is_set():
            if self._video_path is not None:
                cap = cv2.VideoCapture(str(self._video_path))
                ok, img = cap.read()
                while ok and not self._stop.is_set():
                    yield img
                    ok, img = cap.read()
                cap.release()
            else:
                yield from list(self._frames or [])
            if not self.loop:
                return

    def _run(self) -> None:
        period = 1.0 / self.fps
        seq = 0
        next_t = time.monotonic()
        for img in self._frames_iter():
            if self._stop.is_set():
                break
            seq += 1
            frame = Frame(img, time.monotonic(), seq)
            with self._lock:
                self._latest = frame
            self._emit(frame)
            next_t += period
            delay = next_t - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            if delay < -1.0:  # fell far behind: do not try to catch up
                next_t = time.monotonic()
        self.finished.set()
