"""Each labelled portrait gets the expected first prompt and the expected verdict."""
from __future__ import annotations

import pytest

import portraits
from kiosk.photo.analysis import PhotoAnalyzer
from kiosk.photo.guidance import CHECK_NAMES


@pytest.mark.parametrize("case", portraits.CASES, ids=lambda c: c.name)
def test_first_prompt_and_verdict(case: portraits.Case, analyzer: PhotoAnalyzer) -> None:
    image = case.make()
    live = analyzer.analyse(image)
    assert live.prompt == case.first_prompt
    final = analyzer.final_check(image)
    assert final.ok is case.passes, final.failures()
    if case.passes:
        assert final.portrait is not None and final.prompt is None
    else:
        assert final.portrait is None and final.prompt is not None


def test_checks_come_in_priority_order(analyzer: PhotoAnalyzer) -> None:
    live = analyzer.analyse(portraits.scene())
    assert tuple(c.name for c in live.checks) == CHECK_NAMES
    assert all(c.ok for c in live.checks)


def test_ideal_measures_match_construction(analyzer: PhotoAnalyzer) -> None:
    """The scene puts the head at 75 % of the oval's box (0.88 x 720 px), eyes at 56 %
    of it from its bottom, centred, level."""
    m = analyzer.analyse(portraits.scene()).measures
    assert m.face_count == 1 and m.geometry is not None
    assert m.geometry.head_px == pytest.approx(0.75 * 0.88 * 720, rel=0.04)
    assert m.geometry.eye_mid[0] == pytest.approx(portraits.TARGET_EYE[0], abs=3)
    assert m.geometry.eye_mid[1] == pytest.approx(portraits.TARGET_EYE[1], abs=6)
    assert abs(m.roll_deg) < 1.5
    assert abs(m.room_left - m.room_right) < 0.02          # centred in the view
    expected_eye_px = 43.4 * portraits.BASE_SCALE  # eye-corner midpoints in the source
    assert m.geometry.eye_distance_px == pytest.approx(expected_eye_px, rel=0.06)


@pytest.mark.parametrize("angle", [-12.0, -7.0, 7.0, 12.0])
def test_roll_follows_in_plane_rotation(angle: float, analyzer: PhotoAnalyzer) -> None:
    """Counter-clockwise rotation as seen raises the image-right eye: negative roll."""
    level = analyzer.analyse(portraits.scene()).measures
    m = analyzer.analyse(portraits.scene(angle=angle)).measures
    assert m.roll_deg == pytest.approx(-angle, abs=1.5)
    # An in-plane rotation is not a turn of the head.
    assert abs(m.yaw_deg - level.yaw_deg) < 4 and abs(m.pitch_deg - level.pitch_deg) < 5


@pytest.mark.parametrize("scale", [0.6, 0.8, 1.2])
def test_head_size_scales_linearly(scale: float, analyzer: PhotoAnalyzer) -> None:
    base = analyzer.analyse(portraits.scene()).measures.geometry.head_px
    m = analyzer.analyse(portraits.scene(scale=scale)).measures
    assert m.geometry.head_px / base == pytest.approx(scale, rel=0.05)


def test_crop_has_icao_proportions(analyzer: PhotoAnalyzer) -> None:
    final = analyzer.final_check(portraits.scene(dx=60, dy=-40))
    assert final.ok
    assert final.crop is not None and final.portrait is not None
    assert final.portrait.shape[:2] == (800, 533)       # 4x6 at 800 px high
    assert 0.70 <= final.crop.head_share <= 0.80
    assert 0.50 <= final.crop.eye_line <= 0.70
    # Re-centred on the head although the head was off the guide centre.
    x0, _, x1, _ = final.crop.box
    eye_x = final.analysis.measures.geometry.eye_mid[0]
    assert abs((x0 + x1) / 2 - eye_x) <= 1


def test_3x4_format(face_model) -> None:
    from kiosk.photo.settings import PhotoSettings

    analyzer = PhotoAnalyzer(PhotoSettings(format="3x4", output_height_px=0), model=face_model)
    final = analyzer.final_check(portraits.scene())
    assert final.ok
    h, w = final.portrait.shape[:2]
    assert w / h == pytest.approx(3 / 4, abs=0.01)
    assert h == final.crop.height  # output_height_px 0 keeps camera pixels
