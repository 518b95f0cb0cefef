"""The assisted photo while the flow is in PHOTO: camera frames -> analysis -> the screen.

One worker thread owns the face model and the :class:`~kiosk.photo.capture.PhotoController`
(neither is thread-safe), takes each new camera frame, analyses it, draws the guide and
posts a :class:`PhotoView` to the UI thread through the dispatcher. The screen only
shows views and sends commands (accept, retake, try again); the accepted photo goes to
the flow as :class:`kiosk.flow.PhotoAccepted` through the controller.

Each :meth:`PhotoService.start` opens a new *run*; everything posted for an older run is
dropped on arrival, so a slow frame can never show one citizen's face to the next.
A missing camera or face model never raises: the view says ``UNAVAILABLE`` and the
citizen continues without a photo (the counter takes it).
"""
from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from hardware.camera import Camera
from kiosk.dispatch import Dispatcher
from kiosk.photo.messages import Message, message
from kiosk.photo.session import AcceptedPhoto
from kiosk.photo.settings import PhotoSettings

if TYPE_CHECKING:  # the analysis pulls in OpenCV and the model runtime: load it on first use
    import numpy as np
    from kiosk.photo.analysis import PhotoAnalyzer
    from kiosk.photo.capture import PhotoController

log = logging.getLogger(__name__)


class PhotoPhase(str, enum.Enum):
    """What the photo screen shows."""

    STARTING = "starting"            # camera and face model are getting ready
    LIVE = "live"                    # preview with guidance, hold ring, countdown
    CHECKING = "checking"            # the still was taken; final check running
    REVIEW = "review"                # the portrait passed: accept or retake
    OFFER_COUNTER = "offer_counter"  # too many failed tries: continue, or try again
    UNAVAILABLE = "unavailable"      # no camera / no face model: continue without photo


@dataclass(frozen=True)
class PhotoView:
    """One update for the photo screen. Images are BGR ``uint8`` (the preview mirrored)."""

    phase: PhotoPhase
    message: Message | None = None
    preview: np.ndarray | None = field(default=None, repr=False)
    portrait: np.ndarray | None = field(default=None, repr=False)
    countdown: int | None = None
    aligned: bool = False
    face_present: bool = False
    tries: int = 0
    max_tries: int = 3
    notice: Message | None = None    # e.g. "the photo did not pass, let us try again"


@dataclass
class _Run:
    """One PHOTO visit: its callbacks and the commands the screen sent."""

    number: int
    on_view: Callable[[PhotoView], None]
    on_accepted: Callable[[AcceptedPhoto], None]
    commands: list[str] = field(default_factory=list)
    pending: PhotoView | None = None  # newest view not yet taken by the UI thread
    posted: bool = False


class PhotoService:
    """Runs the assisted photo off the UI thread. ``start``/``stop``/commands: UI thread."""

    COMMANDS = ("accept", "retake", "try_again")

    def __init__(self, camera: Camera, settings: PhotoSettings, dispatcher: Dispatcher, *,
                 analyzer_factory: Callable[[PhotoSettings], "PhotoAnalyzer"] | None = None,
                 no_frame_timeout_s: float = 4.0, notice_s: float = 4.0, max_fps: float = 12.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.camera = camera
        self.settings = settings
        self.dispatcher = dispatcher
        self.no_frame_timeout_s = no_frame_timeout_s
        self.notice_s = notice_s
        self.min_interval_s = 1.0 / max_fps  # leaves CPU for the UI thread (2-core kiosks)
        self._clock = clock
        self._analyzer_factory = analyzer_factory or _default_analyzer
        self._analyzer: PhotoAnalyzer | None = None  # worker thread only
        self._cond = threading.Condition()
        self._run: _Run | None = None
        self._runs = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    # -- control (UI thread) -----------------------------------------------------------
    def start(self, on_view: Callable[[PhotoView], None],
              on_accepted: Callable[[AcceptedPhoto], None]) -> None:
        """Begin a new photo; callbacks are called on the dispatcher's thread."""
        with self._cond:
            if self._closed:
                raise RuntimeError("photo service is closed")
            self._runs += 1
            self._run = _Run(self._runs, on_view, on_accepted)
            if self._thread is None:
                self._thread = threading.Thread(target=self._worker, name="photo-worker", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def stop(self) -> None:
        """End the current photo (never blocks: the worker notices between frames)."""
        with self._cond:
            self._run = None
            self._cond.notify_all()

    def close(self) -> None:
        """Stop and end the worker thread (kiosk shutdown)."""
        with self._cond:
            self._run = None
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=2.0)

    @property
    def active(self) -> bool:
        with self._cond:
            return self._run is not None

    def accept(self) -> None:
        """Use the reviewed portrait."""
        self._command("accept")

    def retake(self) -> None:
        """Refuse the reviewed portrait and take another."""
        self._command("retake")

    def try_again(self) -> None:
        """After the failed tries, try once more instead of continuing without photo."""
        self._command("try_again")

    def _command(self, name: str) -> None:
        with self._cond:
            if self._run is not None:
                self._run.commands.append(name)
                self._cond.notify_all()

    # -- posting to the UI -------------------------------------------------------------
    def _current(self, run: _Run) -> bool:
        with self._cond:
            return self._run is run

    def _post_view(self, run: _Run, view: PhotoView) -> None:
        """Keep only the newest view per run: a slow UI skips frames instead of queueing them."""
        with self._cond:
            run.pending = view
            if run.posted:
                return
            run.posted = True
        self.dispatcher.post(lambda: self._flush(run))

    def _flush(self, run: _Run) -> None:
        with self._cond:
            view, run.pending, run.posted = run.pending, None, False
            current = self._run is run
        if view is not None and current:
            run.on_view(view)

    def _post_accepted(self, run: _Run, photo: AcceptedPhoto) -> None:
        def deliver() -> None:
            if self._current(run):
                run.on_accepted(photo)
            else:  # the citizen left meanwhile: the pixels go nowhere
                photo.wipe()
        self.dispatcher.post(deliver)

    # -- worker thread -----------------------------------------------------------------
    def _worker(self) -> None:
        while True:
            with self._cond:
                while self._run is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                run = self._run
            try:
                self._serve(run)
            except Exception as exc:  # never let the worker die: the citizen continues
                log.error("photo worker failed: %s", type(exc).__name__)
                self._post_view(run, PhotoView(PhotoPhase.UNAVAILABLE, message("camera_unavailable")))
                with self._cond:
                    while self._run is run and not self._closed:
                        self._cond.wait()

    def _wait(self, run: _Run, seconds: float) -> None:
        """Sleep until a command arrives, the run ends or ``seconds`` pass."""
        with self._cond:
            if self._run is run and not run.commands:
                self._cond.wait(seconds)

    def _ensure_ready(self, run: _Run) -> PhotoAnalyzer | None:
        """Face model loaded and camera open, or an UNAVAILABLE view (returns ``None``)."""
        from kiosk.photo.errors import PhotoError

        try:
            if self._analyzer is None:
                self._analyzer = self._analyzer_factory(self.settings)
            load = getattr(self._analyzer.model, "load", None)  # the heavy part, here and once
            if load is not None:
                load()
        except (PhotoError, OSError, ImportError) as exc:
            log.error("face model unavailable: %s", type(exc).__name__)
            self._analyzer = None  # try again on the next run (e.g. after a fix)
            self._post_view(run, PhotoView(PhotoPhase.UNAVAILABLE, message("camera_unavailable")))
            return None
        if not self.camera.status().ok:
            try:
                self.camera.open()
            except Exception as exc:  # any backend failure means "no camera" to the citizen
                log.warning("camera cannot be opened: %s", type(exc).__name__)
        return self._analyzer

    def _serve(self, run: _Run) -> None:  # noqa: C901 - one loop, read top to bottom
        from kiosk.photo.capture import PhotoController, PhotoState
        from kiosk.photo.overlay import draw_overlay

        s = self.settings
        self._post_view(run, PhotoView(PhotoPhase.STARTING, max_tries=s.max_tries))
        analyzer = self._ensure_ready(run)
        if analyzer is None:
            return self._idle_until_stopped(run)
        ctl = PhotoController(s, analyzer)
        last_seq: int | None = None
        last_frame_at = self._clock()
        notice_until = 0.0
        unavailable = False
        while self._current(run):
            command = self._pop_command(run)
            if command is not None:
                self._apply(run, ctl, command)
                continue
            if ctl.state in (PhotoState.REVIEW, PhotoState.OFFER_COUNTER, PhotoState.DONE):
                self._wait(run, 0.2)
                continue
            wait = last_frame_at + self.min_interval_s - self._clock()
            if wait > 0 and last_seq is not None:
                self._wait(run, wait)
                continue
            frame = self.camera.latest_frame()
            now = self._clock()
            fresh = frame is not None and now - frame.timestamp < self.no_frame_timeout_s
            if not fresh or frame.seq == last_seq:
                if now - last_frame_at >= self.no_frame_timeout_s and not unavailable:
                    unavailable = True
                    self._post_view(run, PhotoView(PhotoPhase.UNAVAILABLE, message("camera_unavailable"),
                                                   tries=ctl.tries, max_tries=s.max_tries))
                self._wait(run, 0.01)
                continue
            last_seq, last_frame_at, unavailable = frame.seq, now, False
            status = ctl.process(frame.image, frame.timestamp)
            preview = preview_crop(draw_overlay(frame.image, status, s), s.view_aspect)
            face = bool(status.analysis and status.analysis.measures.face_count)
            notice = message("retry") if now < notice_until else None
            self._post_view(run, PhotoView(
                PhotoPhase.LIVE, status.message, preview, countdown=status.countdown,
                aligned=status.aligned, face_present=face, tries=ctl.tries,
                max_tries=s.max_tries, notice=notice))
            if status.capture_now:
                self._post_view(run, PhotoView(PhotoPhase.CHECKING, message("checking"), preview,
                                               aligned=True, face_present=True, tries=ctl.tries,
                                               max_tries=s.max_tries))
                final = ctl.finish_capture(self.camera.capture().image)
                if final.ok:
                    self._post_view(run, self._review_view(ctl, final.portrait))
                elif ctl.state is PhotoState.OFFER_COUNTER:
                    self._post_view(run, self._offer_view(ctl))
                else:
                    notice_until = self._clock() + self.notice_s

    def _idle_until_stopped(self, run: _Run) -> None:
        with self._cond:
            while self._run is run and not self._closed:
                self._cond.wait()

    def _pop_command(self, run: _Run) -> str | None:
        with self._cond:
            return run.commands.pop(0) if run.commands else None

    def _review_view(self, ctl: "PhotoController", portrait: np.ndarray | None) -> PhotoView:
        return PhotoView(PhotoPhase.REVIEW, message("review"), portrait=portrait, aligned=True,
                         face_present=True, tries=ctl.tries, max_tries=self.settings.max_tries)

    def _offer_view(self, ctl: "PhotoController") -> PhotoView:
        return PhotoView(PhotoPhase.OFFER_COUNTER, message("offer_counter"),
                         tries=ctl.tries, max_tries=self.settings.max_tries)

    def _apply(self, run: _Run, ctl: "PhotoController", command: str) -> None:
        """Carry out a screen command; commands that do not fit the state are ignored
        (a double tap must not crash the worker)."""
        from kiosk.photo.capture import PhotoState

        if command == "accept" and ctl.state is PhotoState.REVIEW:
            self._post_accepted(run, ctl.accept())
        elif command == "retake" and ctl.state is PhotoState.REVIEW:
            if ctl.retake() is PhotoState.OFFER_COUNTER:
                self._post_view(run, self._offer_view(ctl))
        elif command == "try_again" and ctl.state is PhotoState.OFFER_COUNTER:
            ctl.try_again()


def _default_analyzer(settings: PhotoSettings) -> "PhotoAnalyzer":
    """The MediaPipe models on one LiteRT thread: XNNPACK's pool busy-waits, and with two
    threads on a 2-core kiosk the UI thread starved (preview and text stalled ~1 s)."""
    from kiosk.photo.analysis import PhotoAnalyzer
    from kiosk.photo.litert_model import LiteRtFaceModel

    def model(s: PhotoSettings) -> LiteRtFaceModel:
        return LiteRtFaceModel(detector=s.detector, model_dir=s.model_dir or None,
                               min_score=s.min_face_score, num_threads=1)

    return PhotoAnalyzer(settings, model_factory=model)


def preview_crop(image: "np.ndarray", aspect: float = 0.9) -> "np.ndarray":
    """The middle of a landscape preview, ``aspect`` = width / height, so the guide fills a
    portrait screen; the width is a multiple of 4 (rows upload to textures unpadded)."""
    h, w = image.shape[:2]
    cw = min(w, int(h * aspect)) // 4 * 4
    x0 = (w - cw) // 2
    import numpy as np

    return np.ascontiguousarray(image[:, x0:x0 + cw])
