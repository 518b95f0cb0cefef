"""Identify: tap the card, show its QR, or type the 12-digit ID number; and the reading screen.

The identify screen accepts whichever comes first: a card on the reader, a QR code (camera
or keyboard-wedge scanner: both arrive as flow events through the controller) or the
keypad. Pictograms show both ways: the card lowering onto the reader, and the card's QR
rising towards the camera.
"""
from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk import flow as f
from kiosk.flow import Flow
from kiosk.identity.id_number import check_id_input
from kiosk.identity.messages import message
from kiosk.messages import error_texts
from screens.base import KioskScreen
from screens.widgets import Keypad


def group_digits(digits: str) -> str:
    """``001090012345`` -> ``001 090 012 345`` (easier to check against the card)."""
    return " ".join(digits[i:i + 3] for i in range(0, len(digits), 3))


class ErrorBox(BoxLayout):
    """What went wrong (``text``, bold) and what to do next (``step``); hidden when empty."""

    text = StringProperty("")
    step = StringProperty("")


class HowToPictogram(Widget):
    """Card onto the reader (left) and the card's QR towards the camera (right), drawn
    with the canvas (identify.kv). ``mode``: "both", "card" (only the reader: the key is
    known, the chip is next) or "qr" (only the camera: the card already lies on the
    reader). ``phase`` loops 0 -> 1 while animated."""

    mode = OptionProperty("both", options=["both", "card", "qr"])
    phase = NumericProperty(1.0)
    u = NumericProperty(1.0)     # drawing unit (identify.kv)
    cx1 = NumericProperty(0.0)   # centre of the card-on-reader picture
    cx2 = NumericProperty(0.0)   # centre of the QR-to-camera picture

    def animate(self) -> None:
        Animation.cancel_all(self, "phase")
        self.phase = 0.0
        anim = Animation(phase=1.0, duration=1.1, t="in_out_sine") + \
            Animation(phase=1.0, duration=0.5) + \
            Animation(phase=0.0, duration=0.9, t="in_out_sine")
        anim.repeat = True
        anim.start(self)

    def stop(self) -> None:
        Animation.cancel_all(self, "phase")
        self.phase = 1.0  # still pictures show the card on the reader / the QR at the camera


class IdentifyScreen(KioskScreen):
    id_text = StringProperty("")
    id_message = StringProperty("")
    id_invalid = BooleanProperty(False)
    id_complete = BooleanProperty(False)
    id_empty = BooleanProperty(True)     # nothing typed: id_message is the generic hint
    need_card = BooleanProperty(False)
    can_skip_chip = BooleanProperty(False)
    show_pictogram = BooleanProperty(True)
    error_what = StringProperty("")
    error_step = StringProperty("")

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._digits = ""
        self.keypad = Keypad(on_key=self.on_key)
        for key in self.keypad.children:
            key.size_hint_y = 1  # fill the keypad's forced row height instead of overlapping rows
        self.ids.keypad_box.add_widget(self.keypad)
        self._render_id()

    # -- keypad ------------------------------------------------------------------------
    def on_key(self, key: str) -> None:
        if key == "del":
            self._digits = self._digits[:-1]
        elif key == "clear":
            self._digits = ""
        elif len(self._digits) < 12:
            self._digits += key
        self._render_id()

    def _render_id(self) -> None:
        st = check_id_input(self._digits)
        lang = self.kapp.language if self.kapp else "vi"
        self.id_text = group_digits(self._digits) if self._digits else "_ _ _  _ _ _  _ _ _  _ _ _"
        self.id_message = message(st.message_key, lang, **st.params)
        self.id_invalid = st.status == "invalid"
        self.id_complete = st.status == "complete"
        self.id_empty = not self._digits

    def submit_id(self) -> None:
        st = check_id_input(self._digits)
        if st.status != "complete":
            return
        self._digits = ""
        self._render_id()
        self.id_text = "•" * 8 + " " + st.digits[-4:]  # masked once entered
        self.send(f.IdDigitsEntered(st.digits))

    # -- view --------------------------------------------------------------------------
    def update(self, flow: Flow) -> None:
        sess = flow.session
        lang = sess.language
        self.need_card = sess.access_key is not None and not flow.card_present
        self.can_skip_chip = self.need_card and sess.qr_citizen is not None
        if flow.error:
            self.error_what, self.error_step = error_texts(flow.error, self._, lang,
                                                           flow.error_next_step)
        else:
            self.error_what = self.error_step = ""
        self.ids.error_banner.text = self.error_what
        self.ids.error_banner.step = self.error_step
        pict = self.ids.pictogram
        if self.need_card:
            self.ids.instruction.text = self._("Now place your ID card flat on the reader.")
            self.ids.alt_instruction.text = self._("The kiosk will read the chip on your card.")
            pict.mode = "card"
        elif flow.card_present:
            self.ids.instruction.text = self._("Type the 12-digit ID number printed on your card.")
            self.ids.alt_instruction.text = self._(
                "Or hold the QR code on your card up to the camera.")
            pict.mode = "qr"
        else:
            self.ids.instruction.text = self._("Place your ID card flat on the reader,")
            self.ids.alt_instruction.text = self._(
                "or hold its QR code up to the camera, or type your 12-digit ID number below.")
            pict.mode = "both"
        self.show_pictogram = True
        self._render_id()

    def on_enter(self) -> None:
        if self.kapp.animations:
            self.ids.pictogram.animate()

    def on_leave(self) -> None:
        self.ids.pictogram.stop()

    def reset(self) -> None:
        self._digits = ""
        self.ids.error_banner.text = ""
        self.ids.error_banner.step = ""
        self.error_what = self.error_step = ""
        self.need_card = False
        self.can_skip_chip = False
        self._render_id()


class Spinner3(Widget):
    angle = NumericProperty(0)

    def spin(self) -> None:
        Animation.cancel_all(self, "angle")
        self.angle = 0
        anim = Animation(angle=360, duration=1.2)
        anim.repeat = True
        anim.start(self)

    def stop(self) -> None:
        Animation.cancel_all(self, "angle")


class ReadingScreen(KioskScreen):
    def on_enter(self) -> None:
        if self.kapp.animations:
            self.ids.spinner.spin()

    def on_leave(self) -> None:
        self.ids.spinner.stop()


