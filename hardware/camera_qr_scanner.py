"""QR scanner backend that decodes the kiosk camera's frames on its own worker thread.

The camera is shared (the photo step uses it too), so it is handed in by the composition
root; the scanner opens it only if nobody has, and then closes it again. Each code is
reported once while it stays in view, and again after it has been out of view for
``repeat_after_s`` (the citizen took the card away and shows it again).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from hardware.base import BackendUnavailable, DeviceState, DeviceStatus, HardwareError
from hardware.camera import Camera
from hardware.qr_decode import QrDecoder
from hardware.qr_scanner import QrScanned, QrScanner

log = logging.getLogger(__name__)


class SeenCodes:
    """De-duplication of repeated reads: which payloads were seen, and when last.

    Call :meth:`frame` once per decoded frame with the codes found in it; it returns
    those to report. A code is reported again only after it was absent for both
    ``repeat_after_s`` seconds and ``min_missed_frames`` decoded frames, so a slow or
    stalled decoder (few frames per second under load) does not re-report a code that
    never left the view, and one missed decode does not either.
    """

    def __init__(self, repeat_after_s: float, min_missed_frames: int = 3) -> None:
        self.repeat_after_s = repeat_after_s
        self.min_missed_frames = min_missed_frames
        self._frame_no = 0
        self._last_seen: dict[bytes, tuple[float, int]] = {}  # raw -> (time, frame number)

    def frame(self, codes: list[bytes], now: float) -> list[bytes]:
        """Record one decoded frame's codes; return the ones to report now."""
        self._frame_no += 1
        report = []
        for raw in dict.fromkeys(codes):  # same code twice in one frame: once
            last = self._last_seen.get(raw)
            if last is None or (now - last[0] > self.repeat_after_s
                                and self._frame_no - last[1] > self.min_missed_frames):
                report.append(raw)
            self._last_seen[raw] = (now, self._frame_no)
        # Forget old codes so the table stays small on a kiosk that runs for weeks.
        if len(self._last_seen) > 64:
            cutoff = now - self.repeat_after_s
            self._last_seen = {k: v for k, v in self._last_seen.items() if v[0] >= cutoff}
        return report

    def clear(self) -> None:
        self._last_seen.clear()


class CameraQrScanner(QrScanner):
    """Decode QR codes from ``camera`` frames with :class:`~hardware.qr_decode.QrDecoder`.

    ``scan_fps``: frames decoded per second at most (bounds CPU on a 2-core kiosk).
    ``repeat_after_s``: out-of-view time after which the same code is reported again.
    ``rescue_every``: run the decoder's slower small/blurred-code pass on every n-th
    empty frame only (1 = always). Events arrive on the scanner's worker thread.
    """

    backend = "camera"

    def __init__(self, camera: Camera | None = None, scan_fps: float = 10.0,
                 repeat_after_s: float = 2.0, rescue_every: int = 2,
                 decoder: QrDecoder | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        if camera is None:
            raise BackendUnavailable("qr_scanner backend 'camera' needs a camera "
                                     "(the composition root passes camera=...)")
        self.camera = camera
        self.scan_fps = scan_fps
        self.rescue_every = max(1, int(rescue_every))
        self._decoder = decoder
        self._clock = clock
        self._seen = SeenCodes(repeat_after_s)
        self._seen_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opened_camera = False
        self._last_error = ""
        self.frames_decoded = 0
        self.codes_reported = 0

    # -- life cycle -------------------------------------------------------------
    def open(self) -> None:
        if self._open:
            return
        if self._decoder is None:
            self._decoder = QrDecoder()  # BackendUnavailable if neither zxing nor OpenCV
        if not self.camera.is_open:
            try:
                self.camera.open()
            except HardwareError as exc:
                raise BackendUnavailable(
                    f"qr_scanner backend 'camera': the camera cannot be opened: {exc}") from exc
            self._opened_camera = True
        self._stop.clear()
        self._open = True
        self._thread = threading.Thread(target=self._run, name="camera-qr", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._thread = None
        if self._opened_camera:
            self.camera.close()
            self._opened_camera = False
        self._open = False

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "closed")
        if self._last_error:
            return DeviceStatus(DeviceState.WARNING, self._last_error)
        cam = self.camera.status()
        if not cam.ok:
            return DeviceStatus(DeviceState.FAULT, f"camera: {cam.detail}")
        return DeviceStatus(DeviceState.READY, f"decoding with {self._decoder.backend}",
                            {"frames_decoded": self.frames_decoded,
                             "codes_reported": self.codes_reported})

    def reset(self) -> None:
        """Forget seen codes (new session): the next sighting of any code is reported."""
        with self._seen_lock:
            self._seen.clear()

    # -- worker -----------------------------------------------------------------
    def _run(self) -> None:
        period = 1.0 / self.scan_fps if self.scan_fps > 0 else 0.0
        last_seq = -1
        empty_streak = 0
        while not self._stop.is_set():
            started = self._clock()
            frame = self.camera.latest_frame()
            if frame is None or frame.seq == last_seq:
                self._stop.wait(0.01)  # no new frame yet
                continue
            last_seq = frame.seq
            rescue = empty_streak % self.rescue_every == 0
            try:
                found = self._decoder.decode(frame.image, rescue=rescue)
                self._last_error = ""
            except Exception as exc:  # noqa: BLE001 - a bad frame must not stop scanning
                self._last_error = f"decode failed: {type(exc).__name__}"
                log.warning("QR decode failed on a frame: %s", type(exc).__name__)
                found = []
            self.frames_decoded += 1
            empty_streak = 0 if found else empty_streak + 1
            with self._seen_lock:
                fresh = set(self._seen.frame([c.raw for c in found], self._clock()))
            for code in found:
                if code.raw in fresh:
                    fresh.discard(code.raw)
                    self.codes_reported += 1
                    self._emit(QrScanned(text=code.text, raw=code.raw, source="camera"))
            spare = period - (self._clock() - started)
            if spare > 0:
                self._stop.wait(spare)
