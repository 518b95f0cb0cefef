"""The auto-capture loop: align -> hold ~1 s -> countdown -> capture -> final check -> review.

:class:`PhotoController` is a plain state machine driven by frames and their
timestamps (``Frame.timestamp``), so it runs the same on a live camera, a video file
or a test sequence. It never touches the camera or the screen: when
``LiveStatus.capture_now`` is true the caller takes a still (``camera.capture()``) and
hands it to :meth:`PhotoController.finish_capture`.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from kiosk.photo.analysis import Analysis, FinalCheck, PhotoAnalyzer
from kiosk.photo.messages import Message, message
from kiosk.photo.guidance import GuidanceStabilizer
from kiosk.photo.session import AcceptedPhoto
from kiosk.photo.settings import PhotoSettings


class PhotoState(str, enum.Enum):
    """Where the citizen is in the photo step."""

    ALIGNING = "aligning"        # prompts until every check passes
    HOLDING = "holding"          # all good; waiting ``hold_s`` before the countdown
    COUNTDOWN = "countdown"      # 3, 2, 1 …
    CAPTURE = "capture"          # the caller must take a still and call finish_capture()
    REVIEW = "review"            # passed: show the portrait, accept or retake
    OFFER_COUNTER = "offer_counter"  # max_tries failed: continue, the counter takes it
    DONE = "done"                # accepted


@dataclass(frozen=True)
class LiveStatus:
    """What the photo screen shows after one frame."""

    state: PhotoState
    message: Message             # the one sentence to show/speak (vi + en)
    aligned: bool                # oval green
    hold_progress: float         # 0..1 while HOLDING
    countdown: int | None        # whole seconds left while COUNTDOWN (3, 2, 1)
    tries: int                   # captures made so far
    capture_now: bool            # take a still now and call finish_capture()
    analysis: Analysis | None    # raw per-frame result (for diagnostics)

    @property
    def prompt(self) -> str:
        """The message key (e.g. ``"move_closer"``)."""
        return self.message.key


class PhotoController:
    """One citizen's photo attempt(s). Not thread-safe: call from one worker thread."""

    def __init__(self, settings: PhotoSettings | None = None,
                 analyzer: PhotoAnalyzer | None = None) -> None:
        self.settings = settings or (analyzer.settings if analyzer else PhotoSettings())
        self.analyzer = analyzer or PhotoAnalyzer(self.settings)
        self._stabilizer = GuidanceStabilizer(self.settings.stable_frames)
        self.tries = 0
        self.last_final: FinalCheck | None = None
        self._reset_attempt(PhotoState.ALIGNING)

    # -- state helpers ----------------------------------------------------------
    @property
    def retry_reason(self) -> str | None:
        """Message key of the last failed final check (show it with "retry")."""
        f = self.last_final
        return None if f is None or f.ok else f.prompt

    def _reset_attempt(self, state: PhotoState) -> None:
        self.state = state
        self._previous: dict[str, bool] | None = None
        self._hold_since: float | None = None
        self._countdown_since: float | None = None
        self._bad_frames = 0
        self._stabilizer.reset()

    def _status(self, msg: str, analysis: Analysis | None, aligned: bool = False,
                hold: float = 0.0, countdown: int | None = None) -> LiveStatus:
        return LiveStatus(self.state, message(msg), aligned, hold, countdown, self.tries,
                          self.state is PhotoState.CAPTURE, analysis)

    # -- per frame --------------------------------------------------------------
    def process(self, image: np.ndarray, timestamp: float) -> LiveStatus:
        """Analyse one preview frame (BGR, raw camera orientation) taken at ``timestamp`` s."""
        if self.state in (PhotoState.REVIEW, PhotoState.DONE):
            return self._status("review", None)
        if self.state is PhotoState.OFFER_COUNTER:
            return self._status("offer_counter", None)
        if self.state is PhotoState.CAPTURE:
            return self._status("countdown", None, aligned=True, countdown=0)
        s = self.settings
        analysis = self.analyzer.analyse(image, self._previous)
        self._previous = analysis.passed_map()
        shown = self._stabilizer.update(analysis.prompt if analysis.measures.face_count else "no_face")
        if self.state is PhotoState.COUNTDOWN:
            assert self._countdown_since is not None
            self._bad_frames = 0 if analysis.ok else self._bad_frames + 1
            if self._bad_frames > s.countdown_grace_frames:
                self._reset_attempt(PhotoState.ALIGNING)
                return self._status(analysis.prompt or "no_face", analysis)
            left = s.countdown_s - (timestamp - self._countdown_since)
            if left <= 0:
                self.state = PhotoState.CAPTURE
                return self._status("countdown", analysis, aligned=True, countdown=0)
            return self._status("countdown", analysis, aligned=True, countdown=int(left) + 1)
        if shown is None and analysis.ok:
            if self._hold_since is None:
                self._hold_since = timestamp
            self.state = PhotoState.HOLDING
            held = timestamp - self._hold_since
            if held >= s.hold_s:
                self.state = PhotoState.COUNTDOWN
                self._countdown_since = timestamp
                self._bad_frames = 0
                return self._status("countdown", analysis, aligned=True,
                                    countdown=int(s.countdown_s) if s.countdown_s > 0 else 0)
            return self._status("hold", analysis, aligned=True, hold=min(1.0, held / s.hold_s))
        self.state, self._hold_since = PhotoState.ALIGNING, None
        # ``shown`` is None while a single bad frame has not yet changed the prompt.
        return self._status(shown or "hold", analysis)

    # -- capture and review -----------------------------------------------------
    def finish_capture(self, image: np.ndarray) -> FinalCheck:
        """Judge the full-resolution still; moves to REVIEW, or back to ALIGNING with the
        failure as the first prompt, or to OFFER_COUNTER after ``max_tries`` failures."""
        final = self.analyzer.final_check(image)
        self.tries += 1
        self.last_final = final
        if final.ok:
            self.state = PhotoState.REVIEW
        elif self.tries >= self.settings.max_tries:
            self._reset_attempt(PhotoState.OFFER_COUNTER)
        else:
            self._reset_attempt(PhotoState.ALIGNING)
        return final

    def accept(self) -> AcceptedPhoto:
        """The reviewed portrait as JPEG bytes; the controller is DONE."""
        if self.state is not PhotoState.REVIEW or self.last_final is None:
            raise RuntimeError(f"nothing to accept in state {self.state.value}")
        jpeg = self.analyzer.portrait_jpeg(self.last_final)
        assert self.last_final.portrait is not None and self.last_final.crop is not None
        h, w = self.last_final.portrait.shape[:2]
        self.state = PhotoState.DONE
        photo = AcceptedPhoto(jpeg=bytearray(jpeg), width=w, height=h, format=self.settings.format,
                              tries=self.tries, crop_head_share=self.last_final.crop.head_share,
                              crop_eye_line=self.last_final.crop.eye_line)
        self.last_final = None  # the pixels now live only in the session
        return photo

    def retake(self) -> PhotoState:
        """The citizen refused the reviewed photo: counts as a try, starts again."""
        if self.state is not PhotoState.REVIEW:
            raise RuntimeError(f"nothing to retake in state {self.state.value}")
        self.last_final = None
        nxt = PhotoState.OFFER_COUNTER if self.tries >= self.settings.max_tries else PhotoState.ALIGNING
        self._reset_attempt(nxt)
        return nxt

    def try_again(self) -> None:
        """From OFFER_COUNTER, the citizen chose to try once more (no upper limit here)."""
        self._reset_attempt(PhotoState.ALIGNING)
