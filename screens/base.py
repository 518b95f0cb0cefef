"""Base of every kiosk screen: a view of the flow that sends events, nothing more."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.uix.screenmanager import Screen

if TYPE_CHECKING:
    from kiosk.flow import Flow


class KioskScreen(Screen):
    """Subclasses set ``name`` to a :class:`kiosk.flow.State` value and override
    :meth:`update` (show the flow's state) and :meth:`reset` (forget everything shown)."""

    def __init__(self, **kw: Any) -> None:
        self._app = App.get_running_app()  # kept: get_running_app() is None once stopping
        super().__init__(**kw)

    @property
    def kapp(self) -> Any:
        return self._app

    def _(self, text: str) -> str:
        return self.kapp.tr._(text)

    def send(self, event: object) -> None:
        self.kapp.send(event)

    def update(self, flow: "Flow") -> None:
        """Refresh from ``flow`` (called on every change while this screen is shown)."""

    def reset(self) -> None:
        """Drop every piece of citizen data this screen shows (session wiped)."""
