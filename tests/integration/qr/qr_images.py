"""Synthetic camera frames holding a QR code: render with ``qrcode``, place on a cluttered
1280x720 scene, then perturb (perspective tilt, rotation, scale, blur, noise, glare, low
contrast). Seeded, so the decode tests and ``bench/qr_decode.py`` see the same set.

The truth is independent of the decoder under test: the payload is encoded by the
``qrcode`` library and compared with what the decoder returns.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

FRAME_W, FRAME_H = 1280, 720


def render_qr(payload: str, module_px: int = 8, border: int = 4,
              error_correction: str = "M") -> np.ndarray:
    """The QR of ``payload`` (UTF-8 byte mode) as a grayscale image, ``module_px`` per module."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

    level = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q,
             "H": ERROR_CORRECT_H}[error_correction]
    qr = qrcode.QRCode(error_correction=level, box_size=1, border=border)
    qr.add_data(payload.encode("utf-8"))
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=np.uint8)
    img = np.where(matrix, 0, 255).astype(np.uint8)
    return cv2.resize(img, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def background(rng: np.random.Generator, w: int = FRAME_W, h: int = FRAME_H) -> np.ndarray:
    """A cluttered BGR scene: smooth shading, random rectangles and lines, sensor grain."""
    # Smooth shading computed at 1/8 size and scaled up (cheap, and just as smooth).
    yy, xx = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
    base = 90 + 60 * np.sin(xx / rng.uniform(150, 400)) * np.cos(yy / rng.uniform(150, 400))
    small = np.clip(np.dstack([base + rng.uniform(-30, 30) for _ in range(3)]), 0, 255)
    img = cv2.resize(small.astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
    for _ in range(int(rng.integers(4, 12))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(20, 300)), y + int(rng.integers(20, 200))),
                          color, -1)
        else:
            cv2.line(img, (x, y), (int(rng.integers(0, w)), int(rng.integers(0, h))), color,
                     int(rng.integers(1, 6)))
    return img


@dataclass(frozen=True)
class Perturbation:
    """One frame's recipe (kept for reporting which kinds fail)."""

    module_px: float     # size of one module on screen, before tilt
    angle_deg: float     # in-plane rotation
    tilt: float          # 0..1 perspective strength
    blur_sigma: float    # Gaussian blur, pixels
    noise_sigma: float   # additive Gaussian noise, grey levels
    contrast: float      # 1 = black/white, 0.25 = dark grey on light grey
    glare: float         # 0..1 strength of a bright specular blob over the code


def random_perturbation(rng: random.Random) -> Perturbation:
    """A plausible kiosk-camera condition: a card held 15–40 cm from a 720p camera."""
    return Perturbation(
        module_px=rng.uniform(2.2, 6.0),
        angle_deg=rng.uniform(-180, 180),
        tilt=rng.uniform(0.0, 0.35),
        blur_sigma=rng.choice([0.0, 0.0, rng.uniform(0.3, 1.0), rng.uniform(1.0, 1.6)]),
        noise_sigma=rng.uniform(0.0, 12.0),
        contrast=rng.choice([1.0, 1.0, rng.uniform(0.35, 0.8)]),
        glare=rng.choice([0.0, 0.0, rng.uniform(0.2, 0.6)]),
    )


def compose_frame(payload: str, p: Perturbation, seed: int) -> np.ndarray:
    """A 1280x720 BGR frame with the QR of ``payload`` under perturbation ``p``."""
    rng = np.random.default_rng(seed)
    code = render_qr(payload, module_px=4)
    code = cv2.copyMakeBorder(code, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)  # card margin
    scale = p.module_px / 4.0
    h0, w0 = code.shape
    side = max(h0, w0) * scale
    # Destination quad: a rotated square, then corners pulled in to fake a tilted card.
    cx = rng.uniform(side * 0.8, FRAME_W - side * 0.8) if FRAME_W > 1.6 * side else FRAME_W / 2
    cy = rng.uniform(side * 0.8, FRAME_H - side * 0.8) if FRAME_H > 1.6 * side else FRAME_H / 2
    a = np.deg2rad(p.angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    half = side / 2
    corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    shrink = 1.0 - p.tilt * rng.uniform(0.5, 1.0)
    edge = int(rng.integers(0, 4))  # which edge is farther from the camera
    for i in (edge, (edge + 1) % 4):
        corners[i] *= shrink
    dst = (corners @ rot.T + [cx, cy]).astype(np.float32)
    src = np.array([[0, 0], [w0, 0], [w0, h0], [0, h0]], dtype=np.float32)
    # Work only inside the code's bounding box: full-frame float maths is slow.
    bx0, by0 = np.maximum(np.floor(dst.min(axis=0)).astype(int) - 2, 0)
    bx1, by1 = np.minimum(np.ceil(dst.max(axis=0)).astype(int) + 2, [FRAME_W, FRAME_H])
    m = cv2.getPerspectiveTransform(src, (dst - [bx0, by0]).astype(np.float32))
    size = (int(bx1 - bx0), int(by1 - by0))
    frame = background(rng)
    warped = cv2.warpPerspective(code, m, size, flags=cv2.INTER_AREA, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(code, 255), m, size, flags=cv2.INTER_LINEAR,
                               borderValue=0).astype(np.float32) / 255
    lo = 255 * (1 - p.contrast) * 0.6  # low contrast: dark grey ink on light grey card
    hi = 255 - 255 * (1 - p.contrast) * 0.4
    warped = lo + warped.astype(np.float32) / 255 * (hi - lo)
    card = warped[..., None] * np.array([1.0, 0.97, 0.93], dtype=np.float32)  # warm paper
    m3 = mask[..., None]
    out = frame.astype(np.float32)
    box = out[by0:by1, bx0:bx1]
    box[:] = box * (1 - m3) + card * m3
    if p.glare > 0:
        gx, gy = cx + rng.uniform(-half, half) * 0.6, cy + rng.uniform(-half, half) * 0.6
        r = side * rng.uniform(0.12, 0.25)
        x0, x1 = int(max(0, gx - 4 * r)), int(min(FRAME_W, gx + 4 * r))
        y0, y1 = int(max(0, gy - 4 * r)), int(min(FRAME_H, gy + 4 * r))
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        blob = np.exp(-(((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r)))
        out[y0:y1, x0:x1] += p.glare * 255 * blob[..., None]
    if p.blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), p.blur_sigma)
    if p.noise_sigma > 0:
        out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(p.noise_sigma)
    return np.clip(out, 0, 255).astype(np.uint8)


def demo_payload(i: int) -> str:
    """A realistic card QR payload (about 130–170 bytes of UTF-8), different per ``i``."""
    names = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Hiệp", "Phạm Thị Hường",
             "Đặng Quốc Bảo", "Vũ Thị Thu Trang", "Hoàng Đức Mạnh", "Bùi Thị Lụa"]
    places = ["Thôn 1, Xã Ân Hảo, Huyện Hoài Ân, Bình Định",
              "Số 12 Ngõ 34 Phố Huế, Phường Ngô Thì Nhậm, Quận Hai Bà Trưng, Hà Nội",
              "Ấp Tân Phú, Xã Tân Hòa, Huyện Châu Thành, Tiền Giang",
              "Tổ 5, Phường Quyết Thắng, Thành phố Sơn La, Sơn La"]
    year = 1950 + (i * 7) % 55
    female = i % 2
    digit = (0 if year < 2000 else 2) + female
    id_number = f"{['001', '052', '082', '014'][i % 4]}{digit}{year % 100:02d}{(i * 7919) % 1000000:06d}"
    return "|".join([id_number, "" if i % 3 else f"{(i * 104729) % 10**9:09d}", names[i % 8],
                     f"{1 + i % 28:02d}{1 + i % 12:02d}{year}", "Nữ" if female else "Nam",
                     places[i % 4], f"{1 + i % 27:02d}{1 + (i * 5) % 12:02d}2022"])


def perturbed_set(n: int, seed: int = 20240601) -> list[tuple[str, Perturbation, int]]:
    """``n`` (payload, perturbation, frame seed) triples, the same for a given ``seed``."""
    rng = random.Random(seed)
    return [(demo_payload(i), random_perturbation(rng), seed * 1000 + i) for i in range(n)]
