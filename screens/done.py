"""The 'done' screen: thanks, and where to wait."""
from __future__ import annotations

from kiosk.flow import Flow
from screens.base import KioskScreen



class DoneScreen(KioskScreen):
    def update(self, flow: Flow) -> None:
        t = flow.session.ticket
        self.ids.number_hint.text = (self._("Your number") + ": " + t.number) if t is not None else ""

    def reset(self) -> None:
        self.ids.number_hint.text = ""


