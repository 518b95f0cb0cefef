"""Generate the simulated camera's demo clip: a citizen steps in from the side, settles in
the guide and holds still long enough for the automatic capture.

    .venv/bin/python scripts/make_demo_camera.py [--out assets/demo/camera/walk_in.mp4]

The person is the labelled test portrait of ``tests/unit/photo/portraits.py`` (NASA's
public-domain photo of Eileen Collins from ``skimage.data.astronaut()``, mouth painted
closed, on a plain light wall), so the clip leads to an accepted photo with the default
``photo.*`` thresholds. Needs the dev requirements (scikit-image). Deterministic: the
same inputs give the same frames.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
FPS = 15.0
#: (seconds, what happens) - the aligned part must outlast photo.hold_s + countdown_s
SIDE_S, GLIDE_S, ALIGNED_S = 1.2, 1.4, 7.0


def _ease(t: float) -> float:
    """Smooth start and stop (people slow down as they reach the spot)."""
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def frames() -> list[np.ndarray]:
    """Every frame of the clip, BGR 1280x720, raw camera orientation (not mirrored)."""
    sys.path.insert(0, str(REPO / "tests" / "unit" / "photo"))
    import portraits

    start_dx, start_scale = 190.0, 0.82
    out = []
    n_side, n_glide, n_aligned = (int(round(s * FPS)) for s in (SIDE_S, GLIDE_S, ALIGNED_S))
    for _ in range(n_side):
        out.append(portraits.scene(scale=start_scale, dx=start_dx))
    for i in range(1, n_glide + 1):
        k = _ease(i / n_glide)
        out.append(portraits.scene(scale=start_scale + (1 - start_scale) * k, dx=start_dx * (1 - k)))
    still = portraits.scene()
    # Identical frames while aligned: the codec stores them almost for free, and the
    # analysis sees a person holding perfectly still.
    out += [still] * n_aligned
    return out


def write(path: Path, images: list[np.ndarray]) -> Path:
    """An MPEG-4 part 2 file through OpenCV's own writer (plays back with cv2.VideoCapture)."""
    h, w = images[0].shape[:2]
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (w, h))
    if not writer.isOpened():
        raise SystemExit(f"OpenCV cannot write {path.suffix} files here")
    for img in images:
        writer.write(img)
    writer.release()
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the clip and print its length."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "assets" / "demo" / "camera" / "walk_in.mp4")
    args = ap.parse_args(argv)
    images = frames()
    path = write(args.out, images)
    print(f"{path}: {len(images)} frames, {len(images) / FPS:.1f} s at {FPS:g} fps, "
          f"{path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
