"""Crop a portrait to the configured format with ICAO proportions, and judge the crop.

The crop is placed from the head itself (chin-to-crown = ``crop_head_share`` of the
height, eye line at ``crop_eye_line`` from the bottom), then shifted to stay inside
the frame; a crop that had to shrink or shift far enough to break the proportions
fails :func:`crop_checks` honestly instead of being stretched.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

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

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def portrait_box(geo: FaceGeometry, frame_size: tuple[int, int], settings: PhotoSettings) -> CropBox:
    """The portrait crop for a head in a frame of ``frame_size`` (width, height)."""
    fw, fh = frame_size
    h = geo.head_px / settings.crop_head_share
    w = h * settings.aspect
    # Too big for the frame: shrink (the head share grows and the check says so).
    k = min(1.0, fw / w, fh / h)
    w, h = w * k, h * k
    x0 = geo.eye_mid[0] - w / 2
    y0 = geo.eye_mid[1] - (1 - settings.crop_eye_line) * h
    x0 = min(max(x0, 0.0), fw - w)
    y0 = min(max(y0, 0.0), fh - h)
    box = (int(round(x0)), int(round(y0)), int(round(x0 + w)), int(round(y0 + h)))
    ch = box[3] - box[1]
    out_h = settings.output_height_px or ch
    return CropBox(
        box=box,
        head_share=geo.head_px / ch,
        eye_line=(box[3] - geo.eye_mid[1]) / ch,
        eye_distance_out_px=geo.eye_distance_px * min(1.0, out_h / ch),
    )


def crop_checks(crop: CropBox, settings: PhotoSettings) -> list[CheckResult]:
    """ICAO proportions of the crop itself (after any shift or shrink)."""
    hs_ok = settings.final_head_share_min <= crop.head_share <= settings.final_head_share_max
    el_ok = settings.eye_line_min <= crop.eye_line <= settings.eye_line_max
    ed_ok = crop.eye_distance_out_px >= settings.min_eye_distance_px
    return [
        CheckResult("crop_head_share", hs_ok, crop.head_share,
                    None if hs_ok else ("move_back" if crop.head_share > settings.final_head_share_max
                                        else "move_closer")),
        CheckResult("crop_eye_line", el_ok, crop.eye_line,
                    None if el_ok else ("move_up" if crop.eye_line < settings.eye_line_min
                                        else "move_down")),
        CheckResult("crop_eye_distance", ed_ok, crop.eye_distance_out_px,
                    None if ed_ok else "photo_resolution"),
    ]


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
