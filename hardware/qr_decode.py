"""Find and decode QR codes in camera frames: zxing-cpp first, OpenCV only without it.

Strategy (measured with ``bench/qr_decode.py`` on 1280x720 frames):

1. zxing-cpp on the grey frame, QR only, no rotation/inversion passes (QR finder
   patterns are rotation-invariant; the card QR is dark on light). This pass decodes
   most frames in a few milliseconds and returns quickly when there is no code.
2. Only when it finds nothing: locate up to two regions of dense fine texture (a QR
   looks like that) on a quarter-size edge map, and retry zxing on each region after
   sharpening and upscaling, which rescues small, blurred or low-contrast codes at a
   fraction of the cost of upscaling the whole frame.

Text: the payload bytes are decoded as UTF-8 when they are valid UTF-8 (the card QR is
UTF-8 without an ECI header; some decoders guess Latin-1 and mangle Vietnamese), else
the decoder's own text is kept. ``raw`` always holds the bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from hardware.base import BackendUnavailable


@dataclass(frozen=True)
class DecodedQr:
    """One decoded code: text, raw bytes, corner points (x, y) in frame pixels, and
    which pass found it ("full", "roi:<mode>", "opencv")."""

    text: str
    raw: bytes
    corners: tuple[tuple[float, float], ...]
    method: str

    def __repr__(self) -> str:  # payloads hold personal data
        return f"DecodedQr(<redacted>, method={self.method})"


def _text_of(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def _to_gray(image: np.ndarray) -> np.ndarray:
    import cv2

    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def texture_regions(gray: np.ndarray, count: int = 2) -> list[tuple[int, int, int, int]]:
    """Up to ``count`` boxes (x0, y0, x1, y1) around the densest fine texture in ``gray``.

    Computed on a quarter-size Laplacian map, box-filtered: a QR's modules make it the
    densest edge region of an ordinary scene. Boxes are padded by a third of their size
    (quiet zone, perspective) and clipped to the frame.
    """
    import cv2

    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    edges = cv2.convertScaleAbs(cv2.Laplacian(small, cv2.CV_16S, ksize=3))
    density = cv2.blur(edges.astype(np.float32), (9, 9))
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(count):
        _, peak, _, (px, py) = cv2.minMaxLoc(density)
        if peak <= 1.0:
            break
        mask = (density > peak * 0.5).astype(np.uint8)
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
        x, y, bw, bh, _ = stats[labels[py, px]]
        pad = max(bw, bh) // 3 + 3
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(small.shape[1], x + bw + pad), min(small.shape[0], y + bh + pad)
        boxes.append((int(x0) * 4, int(y0) * 4, min(w, int(x1) * 4), min(h, int(y1) * 4)))
        density[y0:y1, x0:x1] = 0  # the next peak must be elsewhere
    return boxes


def _enhance(roi: np.ndarray, mode: str) -> tuple[np.ndarray, float]:
    """(enhanced region, scale factor applied) for one rescue ``mode``."""
    import cv2

    if mode == "sharp":
        return cv2.addWeighted(roi, 2.0, cv2.GaussianBlur(roi, (0, 0), 2.0), -1.0, 0), 1.0
    if mode == "sharp_up2":
        s = cv2.addWeighted(roi, 1.8, cv2.GaussianBlur(roi, (0, 0), 1.5), -0.8, 0)
        return cv2.resize(s, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), 2.0
    if mode == "up3_sharp":
        u = cv2.resize(roi, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
        return cv2.addWeighted(u, 2.0, cv2.GaussianBlur(u, (0, 0), 3.0), -1.0, 0), 3.0
    raise ValueError(mode)


RESCUE_MODES = ("sharp", "sharp_up2", "up3_sharp")
RESCUE_SCALE = {"sharp": 1.0, "sharp_up2": 2.0, "up3_sharp": 3.0}
#: Upscaled regions stay below this side (pixels): cost grows with the area.
MAX_RESCUE_SIDE = 1000
#: Regions larger than this fraction of the frame are skipped by the rescue pass.
MAX_ROI_FRACTION = 0.25


class QrDecoder:
    """Decode QR codes in BGR or grey frames.

    ``backend``: "auto" (zxing-cpp, else OpenCV), "zxing" or "opencv".
    ``rescue``: run the region rescue pass when the full-frame pass finds nothing
    (costs a few ms on an empty frame; turn off for the cheapest possible idle loop).
    Raises :class:`~hardware.base.BackendUnavailable` when no backend can be loaded.
    Not thread-safe for OpenCV (its detector has state): one decoder per thread.
    """

    def __init__(self, backend: str = "auto", rescue: bool = True,
                 rescue_regions: int = 2) -> None:
        self.rescue = rescue
        self.rescue_regions = rescue_regions
        self._zx: Any = None
        self._cv: Any = None
        if backend in ("auto", "zxing"):
            try:
                import zxingcpp

                self._zx = zxingcpp
            except ImportError as exc:
                if backend == "zxing":
                    raise BackendUnavailable(f"QR decoder 'zxing' cannot be loaded: {exc}") from exc
        if self._zx is None:
            try:
                import cv2

                self._cv = cv2.QRCodeDetector()
            except Exception as exc:  # ImportError or a missing native library
                raise BackendUnavailable(f"QR decoder 'opencv' cannot be loaded: {exc}") from exc
        self.backend = "zxing" if self._zx is not None else "opencv"

    def decode(self, image: np.ndarray, rescue: bool | None = None) -> list[DecodedQr]:
        """All QR codes found in ``image`` (BGR, BGRA or grey ``uint8``), possibly none.

        ``rescue`` overrides the constructor's setting for this call (the live scanner
        runs the rescue pass on some frames only, to bound its idle CPU use).
        """
        if image is None or image.size == 0:
            return []
        gray = _to_gray(np.ascontiguousarray(image))
        if self._zx is None:
            return self._decode_opencv(gray)
        found = self._read(gray, 0, 0, 1.0, "full", downscale=True)
        if found or not (self.rescue if rescue is None else rescue):
            return found
        frame_area = gray.shape[0] * gray.shape[1]
        for x0, y0, x1, y1 in texture_regions(gray, self.rescue_regions):
            roi = gray[y0:y1, x0:x1]
            side = max(roi.shape)
            # A region that is tiny holds no code; one that is huge is not a "small
            # code" and the full-frame pass already had its chance.
            if min(roi.shape) < 21 or roi.size > MAX_ROI_FRACTION * frame_area:
                continue
            for mode in RESCUE_MODES:
                if side * RESCUE_SCALE[mode] > MAX_RESCUE_SIDE:
                    continue
                img, scale = _enhance(roi, mode)
                found = self._read(img, x0, y0, scale, f"roi:{mode}", downscale=False)
                if found:
                    return found
        return []

    def _read(self, gray: np.ndarray, ox: int, oy: int, scale: float, method: str, *,
              downscale: bool) -> list[DecodedQr]:
        zx = self._zx
        # try_invert=False: light-on-dark codes are not expected, and it doubles the cost.
        results = zx.read_barcodes(gray, formats=zx.BarcodeFormat.QRCode, try_rotate=False,
                                   try_downscale=downscale, try_invert=False)
        out = []
        for r in results:
            raw = bytes(r.bytes)
            p = r.position
            corners = tuple((ox + pt.x / scale, oy + pt.y / scale)
                            for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            out.append(DecodedQr(_text_of(raw, r.text), raw, corners, method))
        return out

    def _decode_opencv(self, gray: np.ndarray) -> list[DecodedQr]:
        text, points, _ = self._cv.detectAndDecode(gray)
        if not text:
            return []
        # OpenCV hands back text only; its bytes are what it decoded, re-encoded.
        raw = text.encode("utf-8", "surrogateescape")
        corners: Sequence[Any] = points.reshape(-1, 2) if points is not None else ()
        return [DecodedQr(text, raw, tuple((float(x), float(y)) for x, y in corners), "opencv")]
