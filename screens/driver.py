"""Drive the real kiosk window without blocking in ``App.run()``: used by the UI tests,
``python -m kiosk run --screenshot-dir`` and the start-up benchmark.

Touches go through the window like a finger would (hit-testing included).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterator

from kivy.base import EventLoop, ExceptionManager
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.flow import State
from screens.kiosk_app import KioskApp


class UiDriver:
    """Start ``app`` in-process, pump frames, touch widgets, save screenshots."""

    def __init__(self, app: KioskApp) -> None:
        self.app = app
        app._run_prepare()  # builds the window and the root, dispatches on_start

    def pump(self, seconds: float = 0.05, until: Callable[[], bool] | None = None) -> bool:
        """Run the event loop for ``seconds`` or until ``until()`` holds; returns ``until()``."""
        deadline = time.monotonic() + seconds
        while True:
            self.idle()
            if until is not None and until():
                return True
            if time.monotonic() >= deadline:
                return until() if until is not None else True
            time.sleep(0.005)

    @staticmethod
    def idle() -> None:
        """One frame, with exceptions handled as Kivy's own main loop handles them
        (through ``ExceptionManager``: the kiosk's failsafe), so tests see what a
        running kiosk would."""
        UiDriver.as_mainloop(EventLoop.idle)

    @staticmethod
    def as_mainloop(fn: Callable[[], Any]) -> None:
        """Run ``fn`` as Kivy's main loop runs a frame: exceptions go to ``ExceptionManager``."""
        try:
            fn()
        except BaseException as inst:
            if ExceptionManager.handle_exception(inst) == ExceptionManager.RAISE:
                raise

    def wait_state(self, state: State, timeout: float = 5.0) -> bool:
        return self.pump(timeout, lambda: self.app.controller.flow.state == state
                         and self.app.sm.current == state.value)

    @property
    def screen(self) -> Any:
        return self.app.sm.current_screen

    def find(self, widget_id: str, root: Widget | None = None) -> Widget:
        """A widget by its kv id in the current screen (or ``root``'s rule ids)."""
        for w in (root or self.screen).walk(restrict=True):
            if widget_id in getattr(w, "ids", {}):
                return w.ids[widget_id]
        if root is None:
            for w in self.app.root.walk():
                if widget_id in getattr(w, "ids", {}):
                    return w.ids[widget_id]
        raise KeyError(widget_id)

    def tap(self, widget: Widget | str) -> None:
        """Press and release a finger at the centre of ``widget`` (or the widget with that id)."""
        from kivy.tests.common import UnitTestTouch

        if isinstance(widget, str):
            widget = self.find(widget)
        self.pump(0.02)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        self.as_mainloop(touch.touch_down)  # input reaches widgets inside the loop
        self.pump(0.02)
        self.as_mainloop(touch.touch_up)
        self.pump(0.05)

    def texts(self) -> Iterator[str]:
        """Every text shown on screen (labels and buttons, overlays included)."""
        for w in self.app.root.walk():
            if isinstance(w, Label) and w.text and w.opacity > 0:
                yield w.text

    def screenshot(self, path: Path) -> Path:
        """Render the whole window content to ``path`` (PNG)."""
        self.pump(0.05)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.app.root.export_to_png(str(path))
        return path

    def close(self) -> None:
        """Stop the app but keep the window, so another app can be driven in this process."""
        from kivy.app import App

        self.app.dispatch("on_stop")
        if self.app.root is not None and self.app.root.parent is not None:
            self.app.root.parent.remove_widget(self.app.root)
        App._running_app = None
        EventLoop.idle()
