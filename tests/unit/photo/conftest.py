"""Shared fixtures: one face model for the whole photo test session (loading costs ~0.1 s)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # portraits.py, the labelled test set

from kiosk.photo.analysis import PhotoAnalyzer  # noqa: E402
from kiosk.photo.litert_model import LiteRtFaceModel  # noqa: E402
from kiosk.photo.settings import PhotoSettings  # noqa: E402


@pytest.fixture(scope="session")
def face_model() -> LiteRtFaceModel:
    model = LiteRtFaceModel()
    model.load()
    return model


@pytest.fixture()
def analyzer(face_model: LiteRtFaceModel) -> PhotoAnalyzer:
    return PhotoAnalyzer(PhotoSettings(), model=face_model)
