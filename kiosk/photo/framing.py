"""One geometry for the live guidance and the final crop, derived from the ICAO limits.

A frame is well framed when *some* portrait crop of it meets every crop rule: the crop
lies inside the area the citizen sees (the frame's full height, the middle
``view_aspect`` x height of its width), chin-to-crown is ``final_head_share_min`` to
``final_head_share_max`` of the crop height, the eye line is ``eye_line_min`` to
``eye_line_max`` from the bottom and low enough that the crown stays inside, the eyes
are centred within ``crop_centre_tolerance`` of the width, and the delivered portrait
keeps ``min_eye_distance_px`` between the eyes.

The smallest admissible crop (head at ``final_head_share_max``) leaves the most room in
every direction, so each rule reduces to one number measured against that crop
(:func:`framing_values`); the live checks compare those numbers with the limits
(:data:`FRAMING_LIMITS`). If they all pass, :func:`place_crop` finds a crop that
passes the final check, and if a final crop passes they all pass: the live advice and
the final verdict cannot disagree on the same image.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.photo.measures import FaceGeometry
    from kiosk.photo.settings import PhotoSettings


def view_rect(width: int, height: int, settings: "PhotoSettings") -> tuple[float, float, float, float]:
    """The part of the frame the citizen sees on the preview (x0, y0, x1, y1)."""
    vw = min(float(width), height * settings.view_aspect)
    x0 = (width - vw) / 2
    return (x0, 0.0, x0 + vw, float(height))


def eye_line_max_for(head_share: float, settings: "PhotoSettings") -> float:
    """Highest eye line (from the bottom) that keeps the crown inside a crop whose
    chin-to-crown is ``head_share`` of its height, capped by ``eye_line_max``."""
    above_eyes = 1.0 - 1.0 / settings.crown_factor      # share of the head above the eye line
    return min(settings.eye_line_max, 1.0 - above_eyes * head_share)


def delivered_eye_distance(eye_px: float, crop_height: float, settings: "PhotoSettings") -> float:
    """Eye distance in the saved portrait: scaled down with the crop, never up."""
    out = settings.output_height_px or crop_height
    return eye_px * min(1.0, out / max(crop_height, 1e-6))


def framing_values(geo: "FaceGeometry", frame_size: tuple[int, int],
                   settings: "PhotoSettings", yaw_deg: float = 0.0) -> dict[str, float]:
    """The framing numbers of a head, each against the smallest admissible crop.

    ``eye_distance``: eye distance the portrait would keep (px), as it will be once a
    head turned beyond ``max_yaw_deg`` faces the camera (a turned head is told to face
    the camera, not to come closer); ``head_fit``: head
    share of the largest crop that fits the view; ``room_left``/``room_right``: eye
    midpoint to the view's left/right edge, in crop widths; ``room_above``: eye line to
    the frame top, ``room_below``: eye line to the frame bottom, in crop heights.
    """
    fw, fh = frame_size
    vx0, _, vx1, _ = view_rect(fw, fh, settings)
    head = max(geo.head_px, 1e-6)
    h_min = head / settings.final_head_share_max
    w_min = h_min * settings.aspect
    ex, ey = geo.eye_mid
    # Only the turn beyond the limit is undone, so within it live and final agree exactly.
    excess = math.radians(min(60.0, max(0.0, abs(yaw_deg) - settings.max_yaw_deg)))
    return {
        "eye_distance": delivered_eye_distance(geo.eye_distance_px / math.cos(excess), h_min, settings),
        "head_fit": head / min(fh, (vx1 - vx0) / settings.aspect),
        "room_left": (ex - vx0) / w_min,
        "room_right": (vx1 - ex) / w_min,
        "room_above": ey / h_min,
        "room_below": (fh - ey) / h_min,
    }


def framing_limits(settings: "PhotoSettings") -> dict[str, tuple[float | None, float | None]]:
    """(low, high) limit of each framing value; ``None`` where a side is open."""
    side = 0.5 - settings.crop_centre_tolerance
    return {
        "eye_distance": (settings.min_eye_distance_px, None),
        "head_fit": (None, settings.final_head_share_max),
        "room_left": (side, None),
        "room_right": (side, None),
        "room_above": (1.0 - eye_line_max_for(settings.final_head_share_max, settings), None),
        "room_below": (settings.eye_line_min, None),
    }


@dataclass(frozen=True)
class Placement:
    """A crop rectangle in frame pixels (floats) and its proportions."""

    x0: float
    y0: float
    width: float
    height: float
    head_share: float
    eye_line: float            # eye line height from the bottom / height
    eye_x: float               # eye midpoint from the left / width
    eye_distance_out: float


def _interval(lo: float, hi: float) -> tuple[float, float] | None:
    return (lo, hi) if lo <= hi + 1e-9 else None


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def _placement(geo: "FaceGeometry", h: float, x0: float, y0: float,
               settings: "PhotoSettings") -> Placement:
    w = h * settings.aspect
    return Placement(x0, y0, w, h, geo.head_px / h, (y0 + h - geo.eye_mid[1]) / h,
                     (geo.eye_mid[0] - x0) / w, delivered_eye_distance(geo.eye_distance_px, h, settings))


def _try_height(geo: "FaceGeometry", h: float, frame_size: tuple[int, int],
                settings: "PhotoSettings") -> Placement | None:
    """The crop of height ``h`` nearest the target eye line and centring, if any fits."""
    fw, fh = frame_size
    vx0, _, vx1, _ = view_rect(fw, fh, settings)
    w = h * settings.aspect
    ex, ey = geo.eye_mid
    share = geo.head_px / h
    e_range = _interval(max(settings.eye_line_min, 1.0 - ey / h),
                        min(eye_line_max_for(share, settings), (fh - ey) / h))
    tol = settings.crop_centre_tolerance
    c_range = _interval(max(0.5 - tol, 1.0 - (vx1 - ex) / w), min(0.5 + tol, (ex - vx0) / w))
    if e_range is None or c_range is None or h > fh + 1e-6 or w > vx1 - vx0 + 1e-6:
        return None
    e = _clamp(settings.crop_eye_line, *e_range)
    c = _clamp(0.5, *c_range)
    return _placement(geo, h, ex - c * w, ey - (1.0 - e) * h, settings)


def place_crop(geo: "FaceGeometry", frame_size: tuple[int, int], settings: "PhotoSettings") -> Placement:
    """The portrait crop: the target proportions where they fit, else the nearest
    admissible crop, else (nothing fits) the target crop pushed inside the view, whose
    proportions then fail the crop checks honestly."""
    fw, fh = frame_size
    vx0, _, vx1, _ = view_rect(fw, fh, settings)
    head = max(geo.head_px, 1e-6)
    h_min = head / settings.final_head_share_max
    h_max = min(head / settings.final_head_share_min, float(fh), (vx1 - vx0) / settings.aspect)
    target = _clamp(head / settings.crop_head_share, h_min, max(h_min, h_max))
    for h in (target, h_min):
        p = _try_height(geo, h, frame_size, settings)
        if p is not None and p.eye_distance_out >= settings.min_eye_distance_px:
            return p
    h = min(head / settings.crop_head_share, float(fh), (vx1 - vx0) / settings.aspect)
    w = h * settings.aspect
    x0 = _clamp(geo.eye_mid[0] - w / 2, vx0, vx1 - w)
    y0 = _clamp(geo.eye_mid[1] - (1.0 - settings.crop_eye_line) * h, 0.0, fh - h)
    return _placement(geo, h, x0, y0, settings)
