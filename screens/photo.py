"""The assisted photo: live mirrored preview with one guidance sentence, countdown, review
(accept / retake), the offer to let the counter take the photo, and skip.

The screen only shows :class:`kiosk.photo_service.PhotoView` objects (posted by the photo
worker through the controller) and sends commands; the sentences come from
:mod:`kiosk.photo.messages` (Vietnamese and English), the rest through gettext.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, StringProperty

from kiosk import flow as f
from kiosk.flow import Flow
from kiosk.photo_service import PhotoPhase, PhotoView
from screens.base import KioskScreen

if TYPE_CHECKING:
    import numpy as np

#: buttons shown in the footer per phase, left to right (kv ids)
BUTTONS: dict[PhotoPhase, tuple[str, ...]] = {
    PhotoPhase.STARTING: ("btn_back", "btn_skip"),
    PhotoPhase.LIVE: ("btn_back", "btn_skip"),
    PhotoPhase.CHECKING: ("btn_back", "btn_skip"),
    PhotoPhase.REVIEW: ("btn_retake", "btn_accept"),
    PhotoPhase.OFFER_COUNTER: ("btn_try_again", "btn_continue"),
    PhotoPhase.UNAVAILABLE: ("btn_back", "btn_continue"),
}
_ALL_BUTTONS = ("btn_back", "btn_skip", "btn_retake", "btn_accept", "btn_try_again", "btn_continue")


def bgr_texture(image: "np.ndarray", texture: Texture | None = None) -> Texture:
    """Upload a BGR ``uint8`` image (top row first) into ``texture`` when the size fits,
    else into a new one. UI thread only."""
    import numpy as np  # here, not at import: numpy costs start-up time

    h, w = image.shape[:2]
    if (w * 3) % 4:  # GL rows are 4-byte aligned: send RGBA when BGR rows would be padded
        data, fmt = np.dstack((image[..., ::-1], np.full((h, w), 255, np.uint8))), "rgba"
    else:
        data, fmt = image, "bgr"
    if texture is None or texture.size != (w, h) or texture.colorfmt != ("rgba" if fmt == "rgba" else "rgb"):
        texture = Texture.create(size=(w, h), colorfmt="rgba" if fmt == "rgba" else "rgb")
        texture.flip_vertical()  # numpy's first row is the top
    texture.blit_buffer(np.ascontiguousarray(data).tobytes(), colorfmt=fmt, bufferfmt="ubyte")
    return texture


class PhotoScreen(KioskScreen):
    phase = StringProperty(PhotoPhase.STARTING.value)
    guidance = StringProperty("")
    notice = StringProperty("")
    notice_warn = BooleanProperty(False)
    aligned = BooleanProperty(False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._view: PhotoView | None = None
        self._portrait_of: int | None = None  # id() of the portrait array on screen
        self._buttons_for: PhotoPhase | None = None
        # kv ids are weak references: keep the buttons alive while out of the footer
        self.buttons = {name: self.ids[name].__self__ for name in _ALL_BUTTONS}
        self._set_buttons(PhotoPhase.STARTING)
        self.kapp.controller.subscribe_photo(self._on_view)

    # -- from the flow and the photo worker ---------------------------------------------
    def update(self, flow: Flow) -> None:
        self._show(self.kapp.controller.photo_view)

    def _on_view(self, view: PhotoView | None) -> None:
        if view is None:
            self.reset()
            return
        self._show(view)

    def _show(self, view: PhotoView | None) -> None:
        self._view = view
        phase = view.phase if view is not None else PhotoPhase.STARTING
        self.phase = phase.value
        self._set_buttons(phase)
        self.aligned = bool(view and view.aligned)
        self.guidance, self.notice, self.notice_warn = self._texts(view)
        if view is None:
            return
        if view.preview is not None and phase in (PhotoPhase.LIVE, PhotoPhase.CHECKING):
            img = self.ids.preview
            tex = bgr_texture(view.preview, img.texture)
            if tex is not img.texture:
                img.texture = tex
            else:
                img.canvas.ask_update()
        if phase is PhotoPhase.REVIEW and view.portrait is not None and self._portrait_of != id(view.portrait):
            self._portrait_of = id(view.portrait)
            self.ids.portrait.texture = bgr_texture(view.portrait)

    def _texts(self, view: PhotoView | None) -> tuple[str, str, bool]:
        """(guidance sentence, notice line, notice is a warning) in the current language."""
        lang = self.kapp.language
        if view is None or view.phase is PhotoPhase.STARTING:
            return self._("Getting the camera ready…"), "", False
        text = view.message.text(lang) if view.message is not None else ""
        if view.phase is PhotoPhase.LIVE and view.countdown:
            text = f"{text} {view.countdown}"
        if view.phase in (PhotoPhase.LIVE, PhotoPhase.CHECKING):
            if view.notice is not None:
                return text, view.notice.text(lang), True
            if view.tries:
                return text, self._("Attempt {n} of {total}").format(n=view.tries + 1, total=view.max_tries), False
            hint = self._("The photo is taken automatically. If you skip it, the staff at the counter will take it.")
            return text, hint, False
        if view.phase is PhotoPhase.REVIEW:
            return text, self._("Check that your face is clear and your eyes are open."), False
        return text, "", False

    def _set_buttons(self, phase: PhotoPhase) -> None:
        """Only the phase's buttons sit in the footer (hidden ones would still catch touches)."""
        if self._buttons_for is phase:
            return
        self._buttons_for = phase
        footer = self.ids.footer
        footer.clear_widgets()
        for name in BUTTONS[phase]:
            footer.add_widget(self.buttons[name])

    # -- touches ---------------------------------------------------------------------
    def accept(self) -> None:
        if self.kapp.controller.photo is not None:
            self.kapp.controller.photo.accept()

    def retake(self) -> None:
        if self.kapp.controller.photo is not None:
            self.kapp.controller.photo.retake()

    def try_again(self) -> None:
        if self.kapp.controller.photo is not None:
            self.kapp.controller.photo.try_again()

    def skip(self) -> None:
        self.send(f.PhotoSkipped("citizen"))

    def continue_without(self) -> None:
        reason = "camera_unavailable" if self.phase == PhotoPhase.UNAVAILABLE.value else "counter"
        self.send(f.PhotoSkipped(reason))

    def reset(self) -> None:
        """Drop the pictures of the citizen's face and every text."""
        self._view = None
        self._portrait_of = None
        self.ids.preview.texture = None
        self.ids.portrait.texture = None
        self.phase = PhotoPhase.STARTING.value
        self._set_buttons(PhotoPhase.STARTING)
        self.aligned = False
        self.guidance = ""
        self.notice = ""
        self.notice_warn = False
