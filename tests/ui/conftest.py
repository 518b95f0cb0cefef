"""The real Kivy window, offscreen, with the kiosk wired to simulated devices."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from screens.kivy_setup import configure_kivy

configure_kivy(1080, 1920)  # before kivy.core.window is imported anywhere


class FakeClock:
    """Monotonic time the test can jump forward (timeouts without sleeping)."""

    def __init__(self) -> None:
        import time

        self.offset = 0.0
        self._mono = time.monotonic

    def __call__(self) -> float:
        return self._mono() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ui_factory(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Any]]:
    """Start the kiosk window with config overrides (``photo__enabled=True`` …) and/or
    device overrides; everything started is stopped after the test."""
    from kiosk.bootstrap import build
    from kiosk.config import load_config
    from kiosk.dispatch import KivyDispatcher
    from screens.driver import UiDriver
    from screens.kiosk_app import KioskApp

    started: list[tuple[Any, Any]] = []

    def make(devices: dict[str, Any] | None = None, **overrides: Any) -> Any:
        cfg = load_config(environ={}).with_overrides(kiosk__data_dir=str(tmp_path), **overrides)
        kiosk = build(cfg, KivyDispatcher(), clock=clock, devices=devices)
        assert kiosk.open_devices() == {}
        drv = UiDriver(KioskApp(kiosk, animations=False))
        started.append((drv, kiosk))
        return drv

    yield make
    for drv, kiosk in reversed(started):
        drv.close()
        kiosk.close()


@pytest.fixture
def ui(ui_factory: Callable[..., Any]) -> Any:
    """The kiosk with its default configuration (simulated devices)."""
    return ui_factory()
