"""One geometry: the live framing checks pass exactly when the final crop passes, and the
advice of a failing frame moves the head towards a frame that passes."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.photo.crop import crop_checks, portrait_box
from kiosk.photo.framing import framing_limits, framing_values, view_rect
from kiosk.photo.measures import FaceGeometry
from kiosk.photo.settings import PhotoSettings

FRAMING = ("eye_distance", "head_fit", "room_left", "room_right", "room_above", "room_below")
PROMPT = {"eye_distance": "move_closer", "head_fit": "move_back", "room_left": "move_left",
          "room_right": "move_right", "room_above": "move_down", "room_below": "move_up"}


def head(ex: float, ey: float, head_px: float, s: PhotoSettings) -> FaceGeometry:
    """A level head: eye distance 0.28 of chin-to-crown, as measured on real faces."""
    d = 0.28 * head_px
    chin_y = ey + head_px / s.crown_factor
    return FaceGeometry(eye_left=(ex - d / 2, ey), eye_right=(ex + d / 2, ey), eye_mid=(ex, ey),
                        chin=(ex, chin_y), crown=(ex, chin_y - head_px), head_px=head_px,
                        eye_distance_px=d, roll_deg=0.0)


def live_failures(geo: FaceGeometry, size: tuple[int, int], s: PhotoSettings) -> list[str]:
    values, limits = framing_values(geo, size, s), framing_limits(s)
    out = []
    for name in FRAMING:
        low, high = limits[name]
        if (low is not None and values[name] < low) or (high is not None and values[name] > high):
            out.append(name)
    return out


def final_passes(geo: FaceGeometry, size: tuple[int, int], s: PhotoSettings) -> bool:
    return all(c.ok for c in crop_checks(portrait_box(geo, size, s), s))


@pytest.mark.parametrize("size,fmt", [((1280, 720), "4x6"), ((640, 480), "4x6"),
                                      ((1920, 1080), "3x4"), ((720, 1280), "4x6")])
def test_live_framing_passes_exactly_when_the_crop_passes(size: tuple[int, int], fmt: str) -> None:
    s = PhotoSettings(format=fmt)
    rng = np.random.default_rng(14)
    w, h = size
    agree = passed = 0
    for _ in range(3000):
        # Mostly near where a portrait fits, so both outcomes come up often.
        geo = head(w / 2 + rng.normal(0, 0.12) * w, rng.uniform(0.25, 0.7) * h,
                   rng.uniform(0.3, 0.9) * min(h, w / s.aspect), s)
        live_ok = not live_failures(geo, size, s)
        assert live_ok == final_passes(geo, size, s), geo
        agree += 1
        passed += live_ok
    # Both outcomes were exercised, not only one side of the equivalence.
    assert 100 < passed < agree - 100


def test_the_advice_leads_to_a_frame_that_passes() -> None:
    """Follow the first framing advice step by step (the citizen moves 2 % of the frame or
    changes size by 3 % per step): every start inside the camera's field ends passing."""
    s = PhotoSettings()
    size = (1280, 720)
    step = {"move_left": (0.02, 0, 1.0), "move_right": (-0.02, 0, 1.0), "move_down": (0, 0.02, 1.0),
            "move_up": (0, -0.02, 1.0), "move_closer": (0, 0, 1.03), "move_back": (0, 0, 1 / 1.03)}
    rng = np.random.default_rng(6)
    vx0, _, vx1, _ = view_rect(*size, s)
    for _ in range(300):
        ex, ey, hp = rng.uniform(vx0, vx1), rng.uniform(0.1, 0.9) * 720, rng.uniform(0.2, 1.1) * 720
        for _ in range(200):
            fails = live_failures(head(ex, ey, hp, s), size, s)
            if not fails:
                break
            # Raw image: "move left" (citizen's left) moves their face towards the image's right.
            dx, dy, k = step[PROMPT[fails[0]]]
            ex, ey, hp = ex + dx * 1280, ey + dy * 720, hp * k
        assert not fails, (ex, ey, hp)
        assert final_passes(head(ex, ey, hp, s), size, s)


def test_a_three_quarter_head_is_not_told_to_move_back() -> None:
    """Issue 14: a head filling ~74 % of the frame height is compliant (a crop with the
    head at 80 % fits); the old live limit (0.84 x 0.88) told it to move back."""
    s = PhotoSettings()
    geo = head(640, 0.46 * 720, 0.74 * 720, s)
    assert live_failures(geo, (1280, 720), s) == []
    crop = portrait_box(geo, (1280, 720), s)
    assert all(c.ok for c in crop_checks(crop, s))
    assert 0.70 <= crop.head_share <= 0.80 and 0.50 <= crop.eye_line <= 0.70
    assert math.isclose(crop.eye_x, 0.5, abs_tol=1e-6)
