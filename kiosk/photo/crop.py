"""Crop a portrait to the configured format with ICAO proportions, and judge the crop.

The crop is placed by :func:`kiosk.photo.framing.place_crop` (the same geometry the
live guidance uses): the target proportions where they fit in the view, else the
nearest admissible crop; a crop that cannot meet the rules keeps its honest proportions
and fails :func:`crop_checks` instead of being stretched.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.photo.framing import eye_line_max_for, place_crop
from kiosk.photo.guidance import CheckResult
from kiosk.photo.measures import FaceGeometry
from kiosk.photo.settings import PhotoSettings


@dataclass(frozen=True)
class CropBox:
    """Crop rectangle in source pixels (x0, y0, x1, y1) and its proportions."""

    box: tuple[int, int, int, int]
    head_share: float        # chin-to-crown / crop height
    eye_line: float          # eye line height from the bottom / crop height
    eye_distance_out_px: float  # eye distance as delivered (never more than the source has)
    eye_x: float = 0.5       # eye midpoint from the left / crop width

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def portrait_box(geo: FaceGeometry, frame_size: tuple[int, int], settings: PhotoSettings) -> CropBox:
    """The portrait crop for a head in a frame of ``frame_size`` (width, height)."""
    p = place_crop(geo, frame_size, settings)
    fw, fh = frame_size
    x0, y0 = max(0, int(round(p.x0))), max(0, int(round(p.y0)))
    x1, y1 = min(fw, int(round(p.x0 + p.width))), min(fh, int(round(p.y0 + p.height)))
    # Proportions from the exact placement: whole-pixel rounding must not flip a verdict.
    return CropBox(box=(x0, y0, x1, y1), head_share=p.head_share, eye_line=p.eye_line,
                   eye_distance_out_px=p.eye_distance_out, eye_x=p.eye_x)


def crop_limits(crop: CropBox, settings: PhotoSettings) -> dict[str, tuple[float, float | None]]:
    """(low, high) of each crop check; the eye line's top depends on the head share
    (the crown must stay inside the picture)."""
    tol = settings.crop_centre_tolerance
    return {
        "crop_head_share": (settings.final_head_share_min, settings.final_head_share_max),
        "crop_eye_line": (settings.eye_line_min, eye_line_max_for(crop.head_share, settings)),
        "crop_centring": (0.5 - tol, 0.5 + tol),
        "crop_eye_distance": (settings.min_eye_distance_px, None),
    }


def crop_checks(crop: CropBox, settings: PhotoSettings) -> list[CheckResult]:
    """ICAO proportions of the crop itself, each with the advice that fixes it."""
    limits = crop_limits(crop, settings)
    values = {"crop_head_share": crop.head_share, "crop_eye_line": crop.eye_line,
              "crop_centring": crop.eye_x, "crop_eye_distance": crop.eye_distance_out_px}
    prompts = {"crop_head_share": ("move_closer", "move_back"),
               "crop_eye_line": ("move_up", "move_down"),
               # Eyes left of the crop centre: the crop hit the view's left edge.
               "crop_centring": ("move_left", "move_right"),
               "crop_eye_distance": ("move_closer", "move_closer")}
    out = []
    for name, (low, high) in limits.items():
        v = values[name]
        if v < low - 1e-9:
            out.append(CheckResult(name, False, v, prompts[name][0], low=low, high=high))
        elif high is not None and v > high + 1e-9:
            out.append(CheckResult(name, False, v, prompts[name][1], low=low, high=high))
        else:
            out.append(CheckResult(name, True, v, low=low, high=high))
    return out


def cut_portrait(image: np.ndarray, crop: CropBox, settings: PhotoSettings) -> np.ndarray:
    """The cropped portrait resized to ``output_height_px`` (kept as is when 0)."""
    x0, y0, x1, y1 = crop.box
    part = image[y0:y1, x0:x1]
    out_h = settings.output_height_px
    if not out_h or out_h == part.shape[0]:
        return part.copy()
    out_w = int(round(out_h * settings.aspect))
    interp = cv2.INTER_AREA if out_h < part.shape[0] else cv2.INTER_CUBIC
    return cv2.resize(part, (out_w, out_h), interpolation=interp)


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """JPEG bytes of a BGR image."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV always encodes a non-empty BGR array
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()
