"""Checks, hysteresis and prompt stability on synthetic measures (no model needed)."""
from __future__ import annotations

import dataclasses

from kiosk.photo.guidance import GuidanceStabilizer, evaluate, first_prompt, passed
from kiosk.photo.measures import FaceGeometry, Measures
from kiosk.photo.messages import MESSAGES
from kiosk.photo.settings import PhotoSettings

S = PhotoSettings()

GEO = FaceGeometry(eye_left=(590, 300), eye_right=(690, 300), eye_mid=(640, 300),
                   chin=(640, 420), crown=(640, 168), head_px=252, eye_distance_px=100,
                   roll_deg=0.0)
GOOD = Measures(
    frame_size=(1280, 720), face_count=1, geometry=GEO, head_share=0.75, centre_offset=0.0, eye_line=0.56,
    eye_distance_px=130.0, roll_deg=0.0, yaw_deg=0.0, pitch_deg=0.0, eye_open=0.3,
    mouth_open=0.05, sharpness=15.0, brightness=160.0, clipped=0.0, light_imbalance=0.05,
    background_std=4.0, background_brightness=220.0)


def with_(**kw: object) -> Measures:
    return dataclasses.replace(GOOD, **kw)


def test_all_good_has_no_prompt() -> None:
    results = evaluate(GOOD, S)
    assert passed(results) and first_prompt(results) is None


def test_priority_order_picks_the_most_important() -> None:
    # Several problems at once: distance beats pose beats eyes beats light.
    m = with_(head_share=0.5, roll_deg=12.0, eye_open=0.05, brightness=30.0)
    assert first_prompt(evaluate(m, S)) == "move_closer"
    m = with_(roll_deg=12.0, eye_open=0.05, brightness=30.0)
    assert first_prompt(evaluate(m, S)) == "straighten_head"
    m = with_(eye_open=0.05, brightness=30.0)
    assert first_prompt(evaluate(m, S)) == "open_eyes"
    m = with_(brightness=30.0)
    assert first_prompt(evaluate(m, S)) == "too_dark"


def test_no_face_and_many_faces() -> None:
    assert first_prompt(evaluate(Measures(frame_size=(640, 480), face_count=0), S)) == "no_face"
    assert first_prompt(evaluate(with_(face_count=2), S)) == "one_person"
    # Detected but no mesh (face cut by the frame edge): not "come closer".
    half = evaluate(Measures(frame_size=(640, 480), face_count=1, face_box=(0, 0, 40, 80)), S)
    assert first_prompt(half) == "no_face" and not passed(half)


def test_direction_is_in_the_citizens_terms() -> None:
    # Face on the raw image's right = the citizen's left: they must move to their right.
    assert first_prompt(evaluate(with_(centre_offset=0.3), S)) == "move_right"
    assert first_prompt(evaluate(with_(centre_offset=-0.3), S)) == "move_left"
    assert first_prompt(evaluate(with_(eye_line=0.4), S)) == "move_up"
    assert first_prompt(evaluate(with_(eye_line=0.8), S)) == "move_down"
    assert first_prompt(evaluate(with_(head_share=0.95), S)) == "move_back"
    assert first_prompt(evaluate(with_(yaw_deg=-20.0), S)) == "face_camera"
    assert first_prompt(evaluate(with_(pitch_deg=15.0), S)) == "face_camera"


def test_hysteresis_keeps_a_passed_check_passing_near_the_threshold() -> None:
    just_over = with_(roll_deg=S.max_roll_deg + 0.3)
    # Without history the nominal threshold applies.
    assert first_prompt(evaluate(just_over, S)) == "straighten_head"
    # Having passed last frame, the widened band still accepts it …
    assert first_prompt(evaluate(just_over, S, previous={"roll": True})) is None
    # … but not a clear failure.
    clear = with_(roll_deg=S.max_roll_deg * (1 + S.hysteresis) + 0.2)
    assert first_prompt(evaluate(clear, S, previous={"roll": True})) == "straighten_head"
    # And a failing check must come back inside the nominal band to pass.
    assert first_prompt(evaluate(just_over, S, previous={"roll": False})) == "straighten_head"


def test_value_oscillating_on_a_threshold_does_not_flicker() -> None:
    previous = None
    prompts = []
    for i in range(40):
        roll = S.max_roll_deg + (0.3 if i % 2 else -0.3)
        results = evaluate(with_(roll_deg=roll), S, previous)
        previous = {r.name: r.ok for r in results}
        prompts.append(first_prompt(results))
    assert set(prompts) == {None}


def test_stabilizer_needs_consecutive_frames() -> None:
    st = GuidanceStabilizer(frames=4)
    assert st.update("move_closer") == "move_closer"      # first frame shows at once
    # Single-frame blips never reach the screen.
    for raw in ["move_left", "move_closer", None, "move_closer", "open_eyes", "move_closer"]:
        assert st.update(raw) == "move_closer"
    # A persistent change does, after 4 frames.
    shown = [st.update("move_left") for _ in range(4)]
    assert shown == ["move_closer", "move_closer", "move_closer", "move_left"]
    st.reset()
    assert st.update(None) is None


def test_every_prompt_has_both_languages() -> None:
    prompts = {r.prompt for m in (with_(head_share=0.1), with_(head_share=2.0)) for r in evaluate(m, S)}
    keys = {"no_face", "one_person", "move_closer", "move_back", "move_left", "move_right",
            "move_up", "move_down", "face_camera", "straighten_head", "open_eyes",
            "close_mouth", "too_dark", "too_bright", "uneven_light", "hold_still",
            "plain_background", "hold", "countdown", "review", "retry", "offer_counter",
            "photo_resolution", "camera_unavailable"} | (prompts - {None})
    for key in keys:
        msg = MESSAGES[key]
        assert msg.vi and msg.en and msg.vi != msg.en
        assert msg.text("en") == msg.en and msg.text("vi") == msg.vi
    # Vietnamese text really is Vietnamese (diacritics), not English copied over.
    assert all(any(ord(ch) > 127 for ch in MESSAGES[k].vi) for k in keys)
