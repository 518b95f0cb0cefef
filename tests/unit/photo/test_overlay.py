"""The preview overlay: mirrored, oval green only when aligned, countdown digit drawn."""
from __future__ import annotations

import numpy as np

from kiosk.photo.capture import LiveStatus, PhotoState
from kiosk.photo.messages import message
from kiosk.photo.overlay import GREEN, draw_overlay, guide_oval
from kiosk.photo.settings import PhotoSettings

S = PhotoSettings()


def status(state: PhotoState, aligned: bool, countdown: int | None = None) -> LiveStatus:
    return LiveStatus(state, message("hold"), aligned, 0.0, countdown, 0, False, None)


def oval_pixels(img: np.ndarray) -> np.ndarray:
    (cx, cy), (ax, ay) = guide_oval(img.shape[1], img.shape[0], S)
    return img[cy, cx - ax - 1: cx - ax + 2]  # across the oval's left edge, mid-height


def test_oval_is_green_only_when_aligned() -> None:
    grey = np.full((480, 640, 3), 128, np.uint8)
    on = draw_overlay(grey, status(PhotoState.HOLDING, True), S)
    off = draw_overlay(grey, status(PhotoState.ALIGNING, False), S)
    assert any(tuple(int(v) for v in p) == GREEN for p in oval_pixels(on))
    assert not any(tuple(int(v) for v in p) == GREEN for p in oval_pixels(off))
    assert grey.max() == 128  # input untouched


def test_outside_is_dimmed_and_preview_mirrored() -> None:
    img = np.zeros((480, 640, 3), np.uint8)
    img[:, :320] = 200                       # left half bright in the raw frame
    out = draw_overlay(img, status(PhotoState.ALIGNING, False), S)
    assert out[5, 600, 0] == 150 and out[5, 20, 0] == 0   # mirrored, and dimmed to 3/4
    (cx, cy), _ = guide_oval(640, 480, S)
    assert out[cy, cx + 20, 0] == 200                      # inside the oval: not dimmed
    raw = draw_overlay(img, status(PhotoState.ALIGNING, False), S, mirror=False)
    assert raw[5, 20, 0] == 150


def test_countdown_digit_is_drawn() -> None:
    grey = np.full((480, 640, 3), 100, np.uint8)
    plain = draw_overlay(grey, status(PhotoState.COUNTDOWN, True, None), S)
    three = draw_overlay(grey, status(PhotoState.COUNTDOWN, True, 3), S)
    two = draw_overlay(grey, status(PhotoState.COUNTDOWN, True, 2), S)
    changed = np.any(three != plain, axis=2)
    assert changed.sum() > 500                       # a big digit, not a speck
    assert np.any(three != two)                      # and a different one per second
