"""Integration fixtures: the labelled portraits from tests/unit/photo, video files."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "photo"))


def write_video(path: Path, frames: list[np.ndarray], fps: float = 15.0) -> Path:
    """Motion-JPEG AVI through OpenCV's own writer (what a capture card/file source gives)."""
    import cv2

    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MJPG AVI here"
    for f in frames:
        writer.write(f)
    writer.release()
    return path


@pytest.fixture()
def video_writer() -> Callable[..., Path]:
    return write_video
