"""Draw the live guide on a preview frame with OpenCV: face oval, hold ring, countdown.

Only shapes and digits are drawn here (OpenCV's fonts have no Vietnamese diacritics);
the sentence of :class:`~kiosk.photo.capture.LiveStatus` is shown by the screen.
"""
from __future__ import annotations

import functools

import cv2
import numpy as np

from kiosk.photo.capture import LiveStatus, PhotoState
from kiosk.photo.measures import guide_rect
from kiosk.photo.settings import PhotoSettings

GREEN = (60, 200, 60)
WHITE = (245, 245, 245)
AMBER = (0, 170, 255)


def guide_oval(width: int, height: int, settings: PhotoSettings) -> tuple[tuple[int, int], tuple[int, int]]:
    """Centre and semi-axes of the oval where the head should be (frame pixels).

    Drawn where the ideal head sits in the guide: chin-to-crown ``crop_head_share`` of
    the guide height, eye line at ``crop_eye_line``; a head is about 0.62x as wide as tall.
    """
    x0, y0, x1, y1 = guide_rect(width, height, settings)
    gh = y1 - y0
    head = settings.crop_head_share * gh
    eye_y = y1 - settings.crop_eye_line * gh
    chin_y = eye_y + head / settings.crown_factor
    crown_y = chin_y - head
    centre = (int(round((x0 + x1) / 2)), int(round((crown_y + chin_y) / 2)))
    return centre, (int(round(0.62 * head / 2)), int(round(head / 2)))


@functools.lru_cache(maxsize=4)
def _oval_mask(w: int, h: int, centre: tuple[int, int], axes: tuple[int, int]) -> np.ndarray:
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1)
    mask.setflags(write=False)  # shared between calls
    return mask


def draw_overlay(image: np.ndarray, status: LiveStatus, settings: PhotoSettings,
                 mirror: bool | None = None) -> np.ndarray:
    """A new preview image: mirrored (by default, per ``settings.mirror_preview``),
    outside of the oval dimmed, the oval green when aligned, a ring filling up while
    holding still, and the countdown digit."""
    mirror = settings.mirror_preview if mirror is None else mirror
    frame = cv2.flip(image, 1) if mirror else image
    h, w = frame.shape[:2]
    centre, axes = guide_oval(w, h, settings)  # symmetric: same place when mirrored
    # Dim outside the oval so the eye goes to it: scale the whole frame (SIMD), then
    # copy the inside back through the cached oval mask.
    out = cv2.convertScaleAbs(frame, alpha=0.75)
    cv2.copyTo(frame, _oval_mask(w, h, centre, axes), out)
    aligned = status.aligned
    colour = GREEN if aligned else (AMBER if status.state is PhotoState.ALIGNING else WHITE)
    thick = max(3, w // 160)
    cv2.ellipse(out, centre, axes, 0, 0, 360, colour, thick, cv2.LINE_AA)
    if status.state is PhotoState.HOLDING and status.hold_progress > 0:
        ring = (axes[0] + 2 * thick, axes[1] + 2 * thick)
        cv2.ellipse(out, centre, ring, -90, 0, 360 * status.hold_progress, GREEN, thick, cv2.LINE_AA)
    if status.state is PhotoState.COUNTDOWN and status.countdown:
        text = str(status.countdown)
        scale = h / 120
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, scale, thick * 2)
        org = (centre[0] - tw // 2, max(th + thick, centre[1] - axes[1] - 2 * thick))
        cv2.putText(out, text, org, cv2.FONT_HERSHEY_DUPLEX, scale, (0, 0, 0), thick * 4, cv2.LINE_AA)
        cv2.putText(out, text, org, cv2.FONT_HERSHEY_DUPLEX, scale, WHITE, thick * 2, cv2.LINE_AA)
    if status.state is PhotoState.CAPTURE:
        # A white flash frame tells the citizen the photo was taken.
        out[:] = np.maximum(out, 200)
    return out
