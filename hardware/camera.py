"""Camera port: a stream of frames (BGR numpy arrays) with the latest one on demand."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hardware.base import Device, HardwareError

if TYPE_CHECKING:  # numpy costs ~0.2 s of start-up; frames only need it at run time
    import numpy as np


class CameraError(HardwareError):
    """Base of camera errors."""


class CameraUnavailable(CameraError):
    """No camera could be opened (missing, unplugged, busy)."""


@dataclass(frozen=True)
class Frame:
    """One captured frame: BGR pixels, a monotonic timestamp and a sequence number."""

    image: "np.ndarray"
    timestamp: float
    seq: int


class Camera(Device[Frame]):
    """Port of the kiosk camera. Frames are captured on a background thread; only the
    latest is kept, so a slow consumer never builds up a backlog."""

    kind = "camera"

    @abstractmethod
    def latest_frame(self) -> Frame | None:
        """The most recent frame, or ``None`` before the first one arrived."""

    def capture(self) -> Frame:
        """A full-resolution still for the final photo; defaults to the latest frame."""
        frame = self.latest_frame()
        if frame is None:
            raise CameraUnavailable("no frame available")
        return frame
