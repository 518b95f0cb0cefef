"""Thresholds and framing of the assisted photo, read from the ``photo.*`` options.

The defaults follow ICAO 9303 / ISO/IEC 19794-5 where a number exists there (chin to
crown 70-80 % of the picture height, eye line 50-70 % from the bottom, 90 px between
the eyes, roll within 5 degrees, eyes centred 45-55 %); the other thresholds were set on
real faces from PyPI packages (docs/photo-thresholds.md gives the evidence for each) and
are meant to be checked per kiosk camera with ``python -m kiosk photo check --explain``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

#: portrait format name -> width / height
FORMATS: dict[str, float] = {"4x6": 4 / 6, "3x4": 3 / 4}


@dataclass(frozen=True)
class PhotoSettings:
    """Every number the measures, guidance, capture and crop use (one place)."""

    # model
    detector: str = "short"
    model_dir: str = ""
    min_face_score: float = 0.5
    min_face_width_share: float = 0.06   # smaller faces (far behind) are not counted
    # framing: the live advice and the final crop share these limits (kiosk.photo.framing)
    format: str = "4x6"
    guide_height_share: float = 0.88    # the drawn oval's portrait box (a target, not a limit)
    view_aspect: float = 0.9            # width / height of the part of the frame shown
    eye_line_min: float = 0.50          # eye line height from the crop bottom (ICAO)
    eye_line_max: float = 0.70
    crop_centre_tolerance: float = 0.05  # eye midpoint off the crop centre, of its width
    crown_factor: float = 2.1           # chin-to-crown = factor x chin-to-eye-line
    # final crop (ICAO)
    crop_head_share: float = 0.75
    crop_eye_line: float = 0.56
    final_head_share_min: float = 0.70
    final_head_share_max: float = 0.80
    min_eye_distance_px: float = 90.0
    output_height_px: int = 800
    jpeg_quality: int = 92
    # pose
    max_roll_deg: float = 5.0
    max_yaw_deg: float = 13.0           # the mesh reads up to ~12 on frontal real faces
    max_pitch_deg: float = 10.0
    pitch_offset_deg: float = 6.0      # raw mesh pitch of a level, frontal face
    # face state
    min_eye_open: float = 0.12          # lid opening / eye width, from the iris model
    max_mouth_open: float = 0.11        # inner-lip gap / mouth width
    # image quality (face patch normalised to 90 px between the eyes)
    min_sharpness: float = 8.0          # worse of x and y, so motion blur counts
    min_brightness: float = 70.0
    max_brightness: float = 200.0
    max_dark_clipped: float = 0.05      # share of face pixels at grey <= 16
    max_bright_clipped: float = 0.05    # share of face pixels at grey >= 250
    max_light_imbalance: float = 0.22
    max_background_std: float = 18.0
    min_background_brightness: float = 110.0
    # behaviour over time
    hysteresis: float = 0.15            # a failed check must come this far back inside to pass
    stable_frames: int = 4
    hold_s: float = 1.0
    countdown_s: float = 3.0
    countdown_grace_frames: int = 3
    max_tries: int = 3
    mirror_preview: bool = True

    @property
    def aspect(self) -> float:
        """Portrait width / height of the configured format."""
        return FORMATS[self.format]

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "PhotoSettings":
        """Build from ``{name: value}`` (e.g. ``Config.section("photo")``); unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    @classmethod
    def from_config(cls, config: Any) -> "PhotoSettings":
        """Build from a :class:`kiosk.config.Config`."""
        return cls.from_mapping(config.section("photo"))
