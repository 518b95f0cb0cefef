"""The face model port: what the photo measures need from a detector and landmarkers.

Coordinates are always pixels of the image that was passed in (x right, y down).
The MediaPipe implementation lives in :mod:`kiosk.photo.litert_model`; tests or another
runtime can provide any object with the same three methods.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class FaceBox:
    """One detected face: box ``(x0, y0, x1, y1)``, score 0..1 and 6 keypoints (6, 2).

    Keypoints follow BlazeFace: 0 and 1 the eyes (image-left eye first), 2 nose tip,
    3 mouth centre, 4 and 5 the ear tragions.
    """

    box: tuple[float, float, float, float]
    score: float
    keypoints: np.ndarray

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass(frozen=True)
class FaceMesh:
    """The 468-point face mesh (468, 3): x, y in pixels, z relative depth in pixels."""

    points: np.ndarray
    score: float


@dataclass(frozen=True)
class EyeLandmarks:
    """One eye from the iris model: 71 contour points and 5 iris points, each (n, 3).

    Contour 0..8 is the lower lid from corner to corner, 9..15 the upper lid without
    the corners; iris 0 is the centre, 1..4 the iris edge.
    """

    contour: np.ndarray
    iris: np.ndarray


@runtime_checkable
class FaceModel(Protocol):
    """Face detection, face mesh and iris landmarks on a BGR ``uint8`` image."""

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """All faces in the image, best score first."""
        ...

    def landmarks(self, image: np.ndarray, face: FaceBox) -> FaceMesh | None:
        """The face mesh of ``face``, or ``None`` when the landmarker sees no face there."""
        ...

    def iris(self, image: np.ndarray, mesh: FaceMesh) -> tuple[EyeLandmarks, EyeLandmarks]:
        """Eye contours and irises of both eyes: (image-left eye, image-right eye)."""
        ...
