"""Per-frame measures of a portrait: geometry from the face model, quality from pixels.

Pure functions of (image, model outputs, settings); nothing here keeps state. All
positions are in the pixels of the raw (not mirrored) camera image.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from kiosk.photo.framing import framing_values
from kiosk.photo.model import EyeLandmarks, FaceMesh, FaceModel
from kiosk.photo.settings import PhotoSettings

#: Face-oval ring of the 468-point mesh (MediaPipe FACEMESH_FACE_OVAL, in order).
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21,
             54, 103, 67, 109)
CHIN, FOREHEAD = 152, 10
EYE_OUTER = (33, 263)            # image-left eye outer corner, image-right eye outer corner
MOUTH_INNER = (13, 14)           # upper / lower inner lip, centre
MOUTH_CORNERS = (78, 308)
# Eye-contour pairs (upper lid, lower lid) of the iris model's 71-point contour.
_LID_PAIRS = tuple(zip(range(10, 15), range(2, 7)))
_NORM_EYE_DIST = 90.0            # face patch scale: ICAO's minimum eye distance
_BG_EYE_DIST = 20.0              # background regions are compared at this coarse scale
DARK_LEVEL, BRIGHT_LEVEL = 16, 250   # grey levels counted as crushed black / blown white


@dataclass(frozen=True)
class FaceGeometry:
    """Where the head is: eye centres, chin and estimated crown (pixels)."""

    eye_left: tuple[float, float]    # image-left eye (the citizen's right eye)
    eye_right: tuple[float, float]
    eye_mid: tuple[float, float]
    chin: tuple[float, float]
    crown: tuple[float, float]
    head_px: float                   # chin-to-crown distance
    eye_distance_px: float
    roll_deg: float


@dataclass(frozen=True)
class Measures:
    """Everything measured on one frame; ``None`` where there was no face to measure."""

    frame_size: tuple[int, int]                      # (width, height)
    face_count: int
    face_box: tuple[float, float, float, float] | None = None
    geometry: FaceGeometry | None = None
    # framing against the smallest admissible portrait crop (kiosk.photo.framing)
    eye_distance_px: float | None = None             # as the portrait would keep it
    head_fit: float | None = None                    # head share of the largest crop that fits
    room_left: float | None = None                   # eye midpoint to the view's left edge, crop widths
    room_right: float | None = None
    room_above: float | None = None                  # eye line to the frame top, crop heights
    room_below: float | None = None
    roll_deg: float | None = None
    yaw_deg: float | None = None
    pitch_deg: float | None = None                   # offset-corrected
    pitch_raw_deg: float | None = None
    eye_open: float | None = None                    # the less open eye
    mouth_open: float | None = None
    sharpness: float | None = None
    brightness: float | None = None
    dark_clipped: float | None = None                # share of face pixels crushed to black
    bright_clipped: float | None = None              # share of face pixels blown to white
    light_imbalance: float | None = None
    background_std: float | None = None
    background_brightness: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (rounded floats)."""
        def clean(v: Any) -> Any:
            if isinstance(v, float):
                return round(v, 3)
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            return v
        return clean(asdict(self))


def guide_rect(width: int, height: int, settings: PhotoSettings) -> tuple[float, float, float, float]:
    """The portrait-shaped target box on the frame (x0, y0, x1, y1), centred."""
    gh = min(height * settings.guide_height_share, width * settings.guide_height_share / settings.aspect)
    gw = gh * settings.aspect
    x0, y0 = (width - gw) / 2, (height - gh) / 2
    return (x0, y0, x0 + gw, y0 + gh)


def face_geometry(mesh: FaceMesh, eyes: tuple[EyeLandmarks, EyeLandmarks],
                  settings: PhotoSettings) -> FaceGeometry:
    """Eye centres, chin, crown estimate and roll.

    An eye's centre is the midpoint of its two corners (iris model contour): unlike
    the iris centre it does not move with the gaze or vanish when the lids close.
    """
    el = (eyes[0].contour[0, :2] + eyes[0].contour[8, :2]) / 2
    er = (eyes[1].contour[0, :2] + eyes[1].contour[8, :2]) / 2
    mid = (el + er) / 2
    d_eye = er - el
    dist = float(np.hypot(*d_eye))
    roll = math.degrees(math.atan2(d_eye[1], d_eye[0]))
    # Down direction of the face: perpendicular to the eye line.
    down = np.array([-d_eye[1], d_eye[0]]) / max(dist, 1e-6)
    chin = mesh.points[CHIN, :2]
    eye_to_chin = float(np.dot(chin - mid, down))
    crown = mid - down * eye_to_chin * (settings.crown_factor - 1)
    return FaceGeometry(eye_left=(float(el[0]), float(el[1])), eye_right=(float(er[0]), float(er[1])),
                        eye_mid=(float(mid[0]), float(mid[1])), chin=(float(chin[0]), float(chin[1])),
                        crown=(float(crown[0]), float(crown[1])),
                        head_px=eye_to_chin * settings.crown_factor, eye_distance_px=dist,
                        roll_deg=roll)


def head_pose(mesh: FaceMesh, pitch_offset_deg: float) -> tuple[float, float, float]:
    """(yaw, pitch, raw pitch) in degrees from the mesh's own depth axis.

    Yaw tilts the outer-eye-corner axis out of the image plane, pitch the
    forehead-to-chin axis; the raw pitch of a level face is not zero (the forehead
    point sits in front of the chin), hence the calibrated offset.
    """
    p = mesh.points
    x_axis = p[EYE_OUTER[1]] - p[EYE_OUTER[0]]
    y_axis = p[CHIN] - p[FOREHEAD]
    yaw = math.degrees(math.atan2(x_axis[2], math.hypot(x_axis[0], x_axis[1])))
    pitch_raw = math.degrees(math.atan2(y_axis[2], math.hypot(y_axis[0], y_axis[1])))
    return yaw, pitch_raw - pitch_offset_deg, pitch_raw


def eye_openness(eye: EyeLandmarks) -> float:
    """Mean lid opening over five points / eye width (open ~0.3, closed ~0.1)."""
    c = eye.contour[:, :2]
    width = float(np.hypot(*(c[8] - c[0])))
    gaps = [float(np.hypot(*(c[u] - c[d]))) for u, d in _LID_PAIRS]
    return float(np.mean(gaps)) / max(width, 1e-6)


def mouth_openness(mesh: FaceMesh) -> float:
    """Inner-lip gap / mouth width."""
    p = mesh.points[:, :2]
    gap = float(np.hypot(*(p[MOUTH_INNER[1]] - p[MOUTH_INNER[0]])))
    width = float(np.hypot(*(p[MOUTH_CORNERS[1]] - p[MOUTH_CORNERS[0]])))
    return gap / max(width, 1e-6)


def _scaled_region(grey: np.ndarray, box: tuple[float, float, float, float],
                   scale: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Crop ``box`` (clipped to the image) and resize it by ``scale`` (area-averaged)."""
    h, w = grey.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(math.ceil(box[2]))), min(h, int(math.ceil(box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.empty((0, 0), grey.dtype), (x0, y0)
    region = grey[y0:y1, x0:x1]
    if scale < 1.0:
        size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
        region = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    return region, (x0, y0)


def directional_sharpness(patch: np.ndarray, sel: np.ndarray) -> float:
    """Second-derivative energy relative to first-derivative energy, along x and along
    y, the smaller of the two (x100).

    Blur lowers the ratio, contrast (dim light, darker skin) does not, unlike a plain
    Laplacian variance; taking the worse axis catches motion blur, which leaves edges
    across the motion sharp (a sideways move halves x and keeps y).
    """
    ratios = []
    for dx, dy in ((1, 0), (0, 1)):
        d2 = cv2.Sobel(patch, cv2.CV_32F, 2 * dx, 2 * dy, ksize=3)
        d1 = cv2.Sobel(patch, cv2.CV_32F, dx, dy, ksize=3)
        ratios.append(100.0 * float(d2[sel].var()) / max(float((d1[sel] ** 2).mean()), 1e-6))
    return min(ratios)


def face_quality(grey: np.ndarray, mesh: FaceMesh, geo: FaceGeometry) -> dict[str, float]:
    """Sharpness, brightness, clipping and left/right balance inside the face oval.

    Computed on a patch scaled to 90 px between the eyes (ICAO's minimum), so the
    numbers do not depend on the camera resolution or the distance to the camera.
    """
    oval = mesh.points[list(FACE_OVAL), :2]
    x0, y0 = oval.min(axis=0)
    x1, y1 = oval.max(axis=0)
    scale = min(1.0, _NORM_EYE_DIST / max(geo.eye_distance_px, 1e-6))
    patch, (ox, oy) = _scaled_region(grey, (x0, y0, x1, y1), scale)
    if patch.size == 0:
        return {}
    sx = patch.shape[1] / max(1, min(grey.shape[1], int(math.ceil(x1))) - ox)
    sy = patch.shape[0] / max(1, min(grey.shape[0], int(math.ceil(y1))) - oy)
    poly = np.column_stack([(oval[:, 0] - ox) * sx, (oval[:, 1] - oy) * sy]).astype(np.int32)
    mask = np.zeros(patch.shape, np.uint8)
    cv2.fillPoly(mask, [poly], 255)
    # Stay off the oval's edge: hair and background there are not the face's sharpness.
    inner = cv2.erode(mask, np.ones((7, 7), np.uint8))
    if not inner.any():
        inner = mask
    f = patch.astype(np.float32)
    sel = inner > 0
    vals = patch[sel].astype(np.float32)
    # Split the face along the line through the eye midpoint, perpendicular to the eyes.
    mx, my = (geo.eye_mid[0] - ox) * sx, (geo.eye_mid[1] - oy) * sy
    ang = math.radians(geo.roll_deg)
    yy, xx = np.nonzero(sel)
    side = (xx - mx) * math.cos(ang) + (yy - my) * math.sin(ang)
    left, right = vals[side < 0], vals[side >= 0]
    ml = float(left.mean()) if left.size else 0.0
    mr = float(right.mean()) if right.size else 0.0
    return {
        "sharpness": directional_sharpness(f, sel),
        "brightness": float(vals.mean()),
        # Crushed shadows and blown highlights are different faults with different
        # advice (more light / less light), so they are counted apart.
        "dark_clipped": float((vals <= DARK_LEVEL).mean()),
        "bright_clipped": float((vals >= BRIGHT_LEVEL).mean()),
        "light_imbalance": abs(ml - mr) / max(ml, mr, 1.0),
    }


def background_quality(grey: np.ndarray, geo: FaceGeometry) -> dict[str, float]:
    """Spread and brightness of the background beside and above the head.

    Regions are placed from the eye distance (a head is ~3.5 eye distances wide with
    hair) and compared at a coarse scale so camera noise does not count as clutter.
    Returns the worst (largest) spread and the darkest mean of the visible regions.
    """
    d = geo.eye_distance_px
    cx, ey = geo.eye_mid
    top = geo.crown[1]
    boxes = [
        (cx - 3.2 * d, top - 0.2 * d, cx - 2.2 * d, ey),       # beside the head, image left
        (cx + 2.2 * d, top - 0.2 * d, cx + 3.2 * d, ey),       # image right
        (cx - 1.2 * d, top - 1.0 * d, cx + 1.2 * d, top - 0.35 * d),  # above the crown
    ]
    scale = min(1.0, _BG_EYE_DIST / max(d, 1e-6))
    stds, means = [], []
    for box in boxes:
        region, _ = _scaled_region(grey, box, scale)
        if region.size >= 12:
            stds.append(float(region.std()))
            means.append(float(region.mean()))
    if not stds:
        return {}
    return {"background_std": max(stds), "background_brightness": min(means)}


def measure(image: np.ndarray, model: FaceModel, settings: PhotoSettings) -> Measures:
    """Run the face model on a BGR frame and compute every measure."""
    h, w = image.shape[:2]
    faces = [f for f in model.detect(image)
             if f.score >= settings.min_face_score and f.width >= settings.min_face_width_share * w]
    if not faces:
        return Measures(frame_size=(w, h), face_count=0)
    main = max(faces, key=lambda f: f.width * f.height)
    mesh = model.landmarks(image, main)
    if mesh is None:
        return Measures(frame_size=(w, h), face_count=len(faces), face_box=main.box)
    eyes = model.iris(image, mesh)
    geo = face_geometry(mesh, eyes, settings)
    yaw, pitch, pitch_raw = head_pose(mesh, settings.pitch_offset_deg)
    framing = framing_values(geo, (w, h), settings, yaw)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    quality = face_quality(grey, mesh, geo)
    quality.update(background_quality(grey, geo))
    return Measures(
        frame_size=(w, h), face_count=len(faces), face_box=main.box, geometry=geo,
        eye_distance_px=framing["eye_distance"], head_fit=framing["head_fit"],
        room_left=framing["room_left"], room_right=framing["room_right"],
        room_above=framing["room_above"], room_below=framing["room_below"],
        roll_deg=geo.roll_deg,
        yaw_deg=yaw, pitch_deg=pitch, pitch_raw_deg=pitch_raw,
        eye_open=min(eye_openness(eyes[0]), eye_openness(eyes[1])),
        mouth_open=mouth_openness(mesh),
        **quality,
    )
