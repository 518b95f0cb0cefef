"""Identify: tap the card, show its QR, or type the 12-digit ID number; and the reading screen."""
from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from hardware.card_reader import AccessKey
from kiosk import flow as f
from kiosk.flow import Flow
from kiosk.identity.id_number import check_id_input
from kiosk.identity.messages import message
from kiosk.messages import error_texts
from screens.attract import CardPictogram  # noqa: F401 - used by identify.kv
from screens.base import KioskScreen
from screens.widgets import Keypad


def group_digits(digits: str) -> str:
    """``001090012345`` -> ``001 090 012 345`` (easier to check against the card)."""
    return " ".join(digits[i:i + 3] for i in range(0, len(digits), 3))


class IdentifyScreen(KioskScreen):
    id_text = StringProperty("")
    id_message = StringProperty("")
    id_invalid = BooleanProperty(False)
    id_complete = BooleanProperty(False)
    need_card = BooleanProperty(False)
    can_skip_chip = BooleanProperty(False)
    show_pictogram = BooleanProperty(True)

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._digits = ""
        self.keypad = Keypad(on_key=self.on_key)
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

    def submit_id(self) -> None:
        st = check_id_input(self._digits)
        if st.status != "complete":
            return
        key = AccessKey.from_id(st.digits)
        self._digits = ""
        self._render_id()
        self.id_text = "•" * 8 + " " + st.digits[-4:]  # masked once entered
        self.send(f.KeyProvided(key, "keypad"))

    # -- view --------------------------------------------------------------------------
    def update(self, flow: Flow) -> None:
        sess = flow.session
        lang = sess.language
        self.need_card = sess.access_key is not None and not flow.card_present
        self.can_skip_chip = self.need_card and sess.qr_citizen is not None
        if flow.error:
            what, step = error_texts(flow.error, self._, lang)
            self.ids.error_banner.text = (what + " " + step).strip()
        else:
            self.ids.error_banner.text = ""
        if self.need_card:
            self.ids.instruction.text = self._("Now place your ID card flat on the reader.")
            self.ids.alt_instruction.text = self._("The kiosk will read the chip on your card.")
        elif flow.card_present:
            self.ids.instruction.text = self._("Type the 12-digit ID number printed on your card.")
            self.ids.alt_instruction.text = self._("Or show the QR code on your card to the camera.")
        else:
            self.ids.instruction.text = self._("Place your ID card flat on the reader.")
            self.ids.alt_instruction.text = self._(
                "Or show the QR code on your card to the camera, or type your 12-digit ID number below.")
        self.show_pictogram = not flow.card_present
        self._render_id()

    def on_enter(self) -> None:
        if self.kapp.animations:
            self.ids.pictogram.animate()

    def on_leave(self) -> None:
        self.ids.pictogram.stop()

    def reset(self) -> None:
        self._digits = ""
        self.ids.error_banner.text = ""
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


