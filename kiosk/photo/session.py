"""The accepted portrait, held in memory only, until it is handed over or wiped.

The JPEG lives in one ``bytearray`` that :meth:`PhotoSession.wipe` overwrites with
zeros before dropping it. Python may still hold transient copies (e.g. inside OpenCV
or an encoder buffer already freed); the wipe removes the kiosk's own reference and
content, which is what the session lifetime rule asks for. The photo is never
written to disk or logged by this package.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kiosk.photo.errors import PhotoNotAvailable


@dataclass
class AcceptedPhoto:
    """A reviewed portrait: JPEG bytes plus facts about it (no personal data)."""

    jpeg: bytearray = field(repr=False)
    width: int
    height: int
    format: str
    tries: int
    crop_head_share: float
    crop_eye_line: float

    def wipe(self) -> None:
        """Overwrite the JPEG bytes with zeros and empty the buffer."""
        self.jpeg[:] = bytes(len(self.jpeg))  # same length: overwritten in place
        self.jpeg.clear()


class PhotoSession:
    """Holds at most one accepted photo for the citizen's session. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._photo: AcceptedPhoto | None = None

    @property
    def has_photo(self) -> bool:
        with self._lock:
            return self._photo is not None

    def store(self, photo: AcceptedPhoto) -> None:
        """Keep ``photo``, wiping any previous one (a retake after acceptance)."""
        with self._lock:
            old, self._photo = self._photo, photo
        if old is not None and old is not photo:
            old.wipe()

    def info(self) -> AcceptedPhoto:
        """The held photo (do not keep a reference past the session)."""
        with self._lock:
            if self._photo is None:
                raise PhotoNotAvailable("no accepted photo in this session")
            return self._photo

    def jpeg(self) -> bytes:
        """A copy of the JPEG bytes (for display or hand-over)."""
        with self._lock:
            if self._photo is None:
                raise PhotoNotAvailable("no accepted photo in this session")
            return bytes(self._photo.jpeg)

    def hand_over(self) -> bytes:
        """The JPEG for the outbox/centre; the session's own copy is wiped."""
        with self._lock:
            if self._photo is None:
                raise PhotoNotAvailable("no accepted photo in this session")
            photo, self._photo = self._photo, None
        data = bytes(photo.jpeg)
        photo.wipe()
        return data

    def wipe(self) -> None:
        """Forget the photo (end of session, timeout, cancel). Safe to call twice."""
        with self._lock:
            photo, self._photo = self._photo, None
        if photo is not None:
            photo.wipe()
