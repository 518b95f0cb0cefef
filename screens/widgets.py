"""Shared widgets: buttons, header, keypad, banners, the idle overlay, the developer panel."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

KV_DIR = Path(__file__).resolve().parent


def load_kv(name: str) -> None:
    """Load ``screens/<name>.kv`` once."""
    path = str(KV_DIR / f"{name}.kv")
    if path not in Builder.files:
        Builder.load_file(path)


class KButton(Button):
    """A large rounded button; ``primary`` ones are filled.

    Its text size is ``font_px`` on the 1080 px design, scaled with the large-text mode
    unless ``fixed_text`` (as for ``KText``, see widgets.kv)."""

    primary = BooleanProperty(False)
    font_px = NumericProperty(40)
    fixed_text = BooleanProperty(False)


class Header(BoxLayout):
    """Centre name, language switch and large-text toggle."""


class Banner(BoxLayout):
    """A warning line; invisible while ``text`` is empty."""

    text = StringProperty("")


class Keypad(GridLayout):
    """Numeric keypad: digits, delete and clear. ``on_key`` gets "0".."9", "del" or "clear"."""

    def __init__(self, on_key: Callable[[str], None] | None = None, **kw: object) -> None:
        super().__init__(**kw)
        self.on_key = on_key
        for label in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "C"]:
            key = {"⌫": "del", "C": "clear"}.get(label, label)
            btn = KButton(text=label if label != "⌫" else "<", primary=label.isdigit())
            btn.key = key
            btn.bind(on_release=self._pressed)
            self.add_widget(btn)

    def _pressed(self, btn: KButton) -> None:
        if self.on_key is not None:
            self.on_key(btn.key)


class IdleOverlay(FloatLayout):
    """'Need more time?' with a countdown."""

    seconds = NumericProperty(0)


class DevPanel(BoxLayout):
    """Developer panel (simulated devices only): tap demo cards, remove, scan QR."""


class DemoMark(Label):
    """The unobtrusive 'DEMO' corner mark of demo mode (kiosk.mode = demo)."""


class KioskRoot(FloatLayout):
    """The window's root: the light background behind every screen."""
