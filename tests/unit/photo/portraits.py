"""A labelled portrait test set, generated at test time from a real photograph.

Source: ``skimage.data.astronaut()`` (Eileen Collins, NASA, public domain). The person
is cut out with a fixed mask, her smile painted closed (a portrait must have the mouth
closed), and pasted on a plain light backdrop at the position the guide asks for. Each
case then applies one change whose correct answer is known by construction.

Positions below were measured once on the source image (they are facts about that
image, not outputs the tests compare against).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

# Facts about skimage.data.astronaut() (512 x 512), in its pixels.
EYE_MID = (225.1, 102.1)
CHIN_Y = 172.3
ROLL_DEG = 2.64                      # her head is slightly tilted; scenes level it
EYES = (
    [(196, 101), (197, 102), (198, 103), (201, 104), (204, 104), (207, 104), (210, 104),
     (212, 104), (213, 104), (212, 102), (209, 100), (206, 98), (203, 98), (199, 98),
     (197, 99), (196, 100)],
    [(255, 104), (254, 105), (252, 106), (250, 107), (246, 107), (243, 106), (240, 106),
     (238, 105), (238, 105), (239, 104), (241, 102), (245, 100), (248, 100), (252, 101),
     (254, 102), (255, 103)],
)
INNER_MOUTH = [(203, 140), (206, 139), (209, 140), (213, 140), (217, 142), (223, 142),
               (228, 143), (233, 142), (237, 142), (240, 142), (243, 143), (239, 146),
               (237, 147), (232, 148), (228, 149), (222, 149), (216, 148), (212, 146),
               (208, 144), (206, 143)]
HEAD_ELLIPSE = ((226, 98), (80, 88))
BODY = [(150, 172), (300, 172), (312, 205), (335, 250), (362, 300), (365, 512), (22, 512),
        (28, 300), (112, 205)]

# Frame and framing the scenes are built for (PhotoSettings defaults: 4x6 guide at
# 88 % of the height, head 75 % of it, eye line 56 % from its bottom).
FRAME = (1280, 720)
CROWN_FACTOR = 2.1
_GUIDE_H = 0.88 * FRAME[1]
_GUIDE_BOTTOM = (FRAME[1] + _GUIDE_H) / 2
BASE_SCALE = 0.75 * _GUIDE_H / (CROWN_FACTOR * (CHIN_Y - EYE_MID[1]))
TARGET_EYE = (FRAME[0] / 2, _GUIDE_BOTTOM - 0.56 * _GUIDE_H)


@functools.lru_cache(maxsize=1)
def astronaut() -> np.ndarray:
    """The source photograph, BGR."""
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def paint_mouth_closed(img: np.ndarray) -> np.ndarray:
    """Cover the open smile (teeth) with lower-lip colour and draw the lip line midway."""
    out = img.copy()
    lip = [int(v) for v in img[152, 222]]
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.array(INNER_MOUTH, np.int32)], 255)
    out[cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0] = lip
    upper = np.array(INNER_MOUTH[:11], np.float32)
    lower = np.array(INNER_MOUTH[11:][::-1], np.float32)
    mid_y = (upper[:, 1] + np.interp(upper[:, 0], lower[:, 0], lower[:, 1])) / 2
    line = np.column_stack([upper[:, 0], mid_y]).astype(np.int32)
    cv2.polylines(out, [line], False, (60, 50, 90), 1, cv2.LINE_AA)
    return out


def paint_eyes_closed(img: np.ndarray) -> np.ndarray:
    """Cover both eyes with skin colour from below the eye and draw a lash line."""
    out = img.copy()
    for poly in EYES:
        p = np.array(poly, np.int32)
        cx, cy = p[:, 0].mean(), p[:, 1].mean()
        skin = [int(v) for v in img[int(cy + 9), int(cx)]]
        mask = np.zeros(img.shape[:2], np.uint8)
        cv2.fillPoly(mask, [p], 255)
        out[cv2.dilate(mask, np.ones((5, 5), np.uint8)) > 0] = skin
        cv2.polylines(out, [p[:9]], False, (40, 40, 50), 1, cv2.LINE_AA)
    return out


def person_alpha() -> np.ndarray:
    """Feathered mask (float32 0..1) of the person in the source image."""
    mask = np.zeros((512, 512), np.uint8)
    cv2.ellipse(mask, HEAD_ELLIPSE[0], HEAD_ELLIPSE[1], 0, 0, 360, 255, -1)
    cv2.fillPoly(mask, [np.array(BODY, np.int32)], 255)
    return cv2.GaussianBlur(mask, (0, 0), 2.0).astype(np.float32) / 255


def backdrop(kind: str = "plain", size: tuple[int, int] = FRAME) -> np.ndarray:
    """A light plain wall (slight gradient and sensor noise), a cluttered scene, or dark."""
    w, h = size
    rng = np.random.default_rng(7)
    if kind == "clutter":
        from skimage import data

        return cv2.resize(cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR), (w, h))
    base = 226.0 if kind == "plain" else 60.0
    ramp = np.linspace(-6, 6, h, dtype=np.float32)[:, None, None]
    img = base + ramp + rng.normal(0, 2.0, (h, w, 1)).astype(np.float32)
    img = np.repeat(img, 3, axis=2) + np.array([2, 0, -3], np.float32)  # a touch warm
    return np.clip(img, 0, 255).astype(np.uint8)


def scene(scale: float = 1.0, dx: float = 0.0, dy: float = 0.0, angle: float = 0.0,
          background: str = "plain", source: np.ndarray | None = None,
          size: tuple[int, int] = FRAME, canvas: np.ndarray | None = None) -> np.ndarray:
    """The person pasted on a backdrop: at (1, 0, 0, 0) exactly where the guide wants.

    ``scale`` multiplies the ideal size, ``dx``/``dy`` move the eye midpoint in frame
    pixels, ``angle`` rotates the head in the image plane (degrees, counter-clockwise
    as seen), all about the eye midpoint.
    """
    src = paint_mouth_closed(astronaut()) if source is None else source
    k = BASE_SCALE * scale * size[1] / FRAME[1]
    target = (TARGET_EYE[0] * size[0] / FRAME[0] + dx, TARGET_EYE[1] * size[1] / FRAME[1] + dy)
    m = cv2.getRotationMatrix2D(EYE_MID, angle + ROLL_DEG, k)
    m[:, 2] += np.array(target) - np.array(EYE_MID)
    person = cv2.warpAffine(src, m, size, flags=cv2.INTER_CUBIC)
    alpha = cv2.warpAffine(person_alpha(), m, size, flags=cv2.INTER_LINEAR)[..., None]
    bg = backdrop(background, size) if canvas is None else canvas
    return np.clip(person * alpha + bg * (1 - alpha), 0, 255).astype(np.uint8)


def darken(img: np.ndarray, k: float = 0.3) -> np.ndarray:
    return np.clip(img.astype(np.float32) * k, 0, 255).astype(np.uint8)


def overexpose(img: np.ndarray, k: float = 1.9) -> np.ndarray:
    return np.clip(img.astype(np.float32) * k + 20, 0, 255).astype(np.uint8)


def blur(img: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def side_light(img: np.ndarray, left: float = 1.1, right: float = 0.35) -> np.ndarray:
    """Light falling from the image-left side: a ramp across the face."""
    w = img.shape[1]
    x = np.arange(w, dtype=np.float32)
    cx, half = TARGET_EYE[0] * w / FRAME[0], 0.25 * w
    ramp = np.clip((x - (cx - half)) / (2 * half), 0, 1) * (right - left) + left
    return np.clip(img.astype(np.float32) * ramp[None, :, None], 0, 255).astype(np.uint8)


def two_faces() -> np.ndarray:
    """Two people side by side (the same person twice: the detector does not care)."""
    left = scene(scale=0.62, dx=-0.25 * FRAME[0])
    return scene(scale=0.62, dx=0.25 * FRAME[0], canvas=left)


@dataclass(frozen=True)
class Case:
    """One labelled image: the first prompt expected and whether the photo passes."""

    name: str
    make: Callable[[], np.ndarray]
    first_prompt: str | None
    passes: bool


# Framing answers follow the final crop's limits (kiosk.photo.framing): a head that some
# ICAO crop of the visible frame fits is not told to move, whatever the oval suggests.
CASES: tuple[Case, ...] = (
    Case("ideal", lambda: scene(), None, True),
    Case("no_face", lambda: backdrop("plain"), "no_face", False),
    Case("two_faces", two_faces, "one_person", False),
    # Small in the oval, but the 720p frame still gives >= 90 px between the eyes: a
    # crop fits, nothing to say. Further away it does not.
    Case("small_but_enough", lambda: scene(scale=0.8), None, True),
    Case("far_away", lambda: scene(scale=0.6), "move_closer", False),
    # Too big for any 4x6 crop of the frame.
    Case("too_big", lambda: scene(scale=1.3), "move_back", False),
    # Off the oval's centre, but a centred crop still fits inside the view.
    Case("off_centre_image_right", lambda: scene(dx=110), None, True),
    Case("off_centre_image_left", lambda: scene(dx=-110), None, True),
    # Beyond what a centred crop inside the view allows.
    Case("shifted_image_right", lambda: scene(dx=200), "move_right", False),
    Case("shifted_image_left", lambda: scene(dx=-200), "move_left", False),
    # The crown leaves the frame: no crop can hold the whole head.
    Case("shifted_up", lambda: scene(dy=-105), "move_down", False),
    Case("a_little_low", lambda: scene(dy=90), None, True),
    # Too low: even the tightest crop leaves the eye line under 50 %.
    Case("shifted_down", lambda: scene(dy=140), "move_up", False),
    Case("rotated_10", lambda: scene(angle=10), "straighten_head", False),
    Case("rotated_minus_10", lambda: scene(angle=-10), "straighten_head", False),
    Case("eyes_closed", lambda: scene(source=paint_eyes_closed(paint_mouth_closed(astronaut()))),
         "open_eyes", False),
    Case("smiling_teeth", lambda: scene(source=astronaut()), "close_mouth", False),
    Case("darkened", lambda: darken(scene()), "too_dark", False),
    Case("over_exposed", lambda: overexpose(scene()), "too_bright", False),
    Case("side_lit", lambda: side_light(scene()), "uneven_light", False),
    Case("blurred", lambda: blur(scene()), "hold_still", False),
    Case("cluttered_background", lambda: scene(background="clutter"), "plain_background", False),
)
