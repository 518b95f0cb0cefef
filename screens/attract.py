"""Attract screen: what the kiosk offers, language and text size."""
from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget

from screens.base import KioskScreen



class CardPictogram(Widget):
    """A card lowering onto a reader; ``animate()`` loops the motion."""

    offset = NumericProperty(0)

    def animate(self) -> None:
        Animation.cancel_all(self, "offset")
        anim = Animation(offset=-30, duration=1.0, t="in_out_sine") + \
            Animation(offset=0, duration=1.0, t="in_out_sine")
        anim.repeat = True
        anim.start(self)

    def stop(self) -> None:
        Animation.cancel_all(self, "offset")
        self.offset = 0


class AttractScreen(KioskScreen):
    def on_enter(self) -> None:
        for w in self.walk():
            if isinstance(w, CardPictogram) and self.kapp.animations:
                w.animate()

    def on_leave(self) -> None:
        for w in self.walk():
            if isinstance(w, CardPictogram):
                w.stop()


