"""OpenCV ``VideoCapture`` camera: a USB/V4L2 device by index or path, or a video file/URL.

A background thread reads continuously and keeps only the newest frame (no backlog
for a slow consumer). When reads fail (cable pulled, device reset, end of a file) the
thread releases the capture and re-opens it every ``reconnect_s`` seconds until it
works again, so a replugged camera comes back without restarting the kiosk; a video
file therefore plays in a loop. Frames are raw camera orientation; mirroring for the
preview is the screen's business (see ``kiosk.photo.overlay``).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from hardware.base import DeviceState, DeviceStatus, SelfTestResult
from hardware.camera import Camera, CameraUnavailable, Frame

log = logging.getLogger(__name__)

#: consecutive failed reads before the device is treated as gone
_FAILS_BEFORE_REOPEN = 3


def parse_device(device: str | int) -> int | str:
    """``"0"``/``0`` -> index 0; anything else (``/dev/video2``, a file, a URL) as is."""
    if isinstance(device, int):
        return device
    text = device.strip()
    return int(text) if text.isdigit() else text


class OpenCvCamera(Camera):
    """:class:`~hardware.camera.Camera` on ``cv2.VideoCapture``."""

    backend = "opencv"

    def __init__(self, device: str | int = "0", width: int = 1280, height: int = 720,
                 fps: float = 15.0, reconnect_s: float = 1.0, open_timeout_s: float = 5.0,
                 stale_after_s: float = 2.0) -> None:
        super().__init__()
        self.device = parse_device(device)
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.reconnect_s = float(reconnect_s)
        self.open_timeout_s = float(open_timeout_s)
        self.stale_after_s = float(stale_after_s)
        # A file is read as fast as the disk allows: pace it to ``fps`` like a camera.
        self._is_file = isinstance(self.device, str) and os.path.isfile(self.device)
        self._lock = threading.Lock()
        self._first = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cap: Any = None
        self._latest: Frame | None = None
        self._seq = 0
        self._reconnects = 0
        self._connected = False
        self._last_error = ""

    # -- life cycle -------------------------------------------------------------
    def _open_capture(self) -> Any:
        import cv2

        cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            return None
        if not self._is_file:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_FPS, self.fps)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # not every driver honours it; the thread does
        return cap

    def open(self) -> None:
        """Open the device and wait for its first frame (``open_timeout_s``)."""
        if self._open:
            return
        try:
            import cv2  # noqa: F401
        except ImportError as exc:
            raise CameraUnavailable(f"camera/opencv: OpenCV is not installed: {exc}") from exc
        cap = self._open_capture()
        if cap is None:
            raise CameraUnavailable(f"camera/opencv: device {self.device!r} cannot be opened")
        self._cap, self._connected = cap, True
        self._stop.clear()
        self._first.clear()
        self._thread = threading.Thread(target=self._run, name="opencv-camera", daemon=True)
        self._open = True
        self._thread.start()
        if not self._first.wait(self.open_timeout_s):
            self.close()
            raise CameraUnavailable(
                f"camera/opencv: device {self.device!r} opened but sent no frame "
                f"within {self.open_timeout_s:.1f} s")

    def close(self) -> None:
        """Stop the thread and release the device. Safe to call twice."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._open = self._connected = False
        with self._lock:
            self._latest = None

    def forget(self) -> None:
        """Drop the last frame (a session was wiped: it may show the citizen)."""
        with self._lock:
            self._latest = None

    # -- capture thread ---------------------------------------------------------
    def _run(self) -> None:
        fails = 0
        period = 1.0 / self.fps if self._is_file and self.fps > 0 else 0.0
        next_due = time.monotonic()
        while not self._stop.is_set():
            cap = self._cap
            if cap is None:
                if self._stop.wait(self.reconnect_s):
                    break
                cap = self._open_capture()
                if cap is None:
                    continue
                self._cap, self._connected, fails = cap, True, 0
                self._reconnects += 1
                log.info("camera %r reconnected", self.device)
            try:
                ok, image = cap.read()
            except Exception as exc:  # noqa: BLE001 - a driver error must not kill the thread
                ok, image = False, None
                self._last_error = f"{type(exc).__name__}: {exc}"
            if ok and image is not None:
                fails = 0
                with self._lock:
                    self._seq += 1
                    frame = Frame(image=image, timestamp=time.monotonic(), seq=self._seq)
                    self._latest = frame
                self._first.set()
                self._emit(frame)
                if period:
                    next_due = max(next_due + period, time.monotonic() - period)
                    self._stop.wait(max(0.0, next_due - time.monotonic()))
                continue
            fails += 1
            if fails >= _FAILS_BEFORE_REOPEN:
                # Unplugged (or end of file): let go and try to open it again.
                log.warning("camera %r stopped delivering frames; reconnecting", self.device)
                cap.release()
                self._cap, self._connected = None, False
            else:
                self._stop.wait(0.05)

    # -- port -------------------------------------------------------------------
    def latest_frame(self) -> Frame | None:
        """The newest frame; ``None`` before the first one or when the newest is older
        than ``stale_after_s`` (the camera is gone: never analyse a frozen picture)."""
        self._require_open()
        with self._lock:
            frame = self._latest
        if frame is None or time.monotonic() - frame.timestamp > self.stale_after_s:
            return None
        return frame

    def capture(self) -> Frame:
        """The newest full-resolution frame, or :class:`CameraUnavailable`."""
        frame = self.latest_frame()
        if frame is None:
            raise CameraUnavailable(f"camera/opencv: no recent frame from {self.device!r}")
        return frame

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "not open")
        extra = {"device": str(self.device), "frames": self._seq, "reconnects": self._reconnects}
        if not self._connected:
            return DeviceStatus(DeviceState.FAULT, "camera lost, reconnecting", extra)
        with self._lock:
            frame = self._latest
        if frame is None:
            return DeviceStatus(DeviceState.WARNING, "waiting for the first frame", extra)
        h, w = frame.image.shape[:2]
        extra["resolution"] = f"{w}x{h}"
        return DeviceStatus(DeviceState.READY, f"{w}x{h}", extra)

    def self_test(self) -> SelfTestResult:
        st = self.status()
        fresh = self._open and self.latest_frame() is not None
        return SelfTestResult(st.ok and fresh, (
            ("status", st.ok, f"{st.state.value}: {st.detail}"),
            ("recent frame", fresh, "yes" if fresh else f"none in the last {self.stale_after_s:.1f} s"),
        ))
