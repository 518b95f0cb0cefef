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
    frame_size=(1280, 720), face_count=1, geometry=GEO, eye_distance_px=130.0, head_fit=0.5,
    room_left=1.0, room_right=1.0, room_above=0.6, room_below=0.8, roll_deg=0.0, yaw_deg=0.0,
    pitch_deg=0.0, eye_open=0.3, mouth_open=0.02, sharpness=15.0, brightness=160.0,
    dark_clipped=0.0, bright_clipped=0.0, light_imbalance=0.05, background_std=4.0,
    background_brightness=220.0)


def with_(**kw: object) -> Measures:
    return dataclasses.replace(GOOD, **kw)


def test_all_good_has_no_prompt() -> None:
    results = evaluate(GOOD, S)
    assert passed(results) and first_prompt(results) is None


def test_priority_order_is_a_photographers() -> None:
    # Several problems at once: distance, then position, light, focus, pose, eyes, mouth.
    problems = [("eye_distance_px", 60.0, "move_closer"), ("room_left", 0.2, "move_left"),
                ("brightness", 30.0, "too_dark"), ("sharpness", 2.0, "hold_still"),
                ("yaw_deg", 30.0, "face_camera"), ("roll_deg", 12.0, "straighten_head"),
                ("eye_open", 0.05, "open_eyes"), ("mouth_open", 0.3, "close_mouth"),
                ("background_std", 60.0, "plain_background")]
    for i, (_, _, expected) in enumerate(problems):
        m = with_(**{name: value for name, value, _ in problems[i:]})
        assert first_prompt(evaluate(m, S)) == expected


def test_landmark_measures_are_not_judged_in_bad_light_or_blur() -> None:
    # A darkened face measures a wider mouth: no verdict on mouth, eyes or pose then.
    for bad in ({"brightness": 30.0}, {"bright_clipped": 0.3}, {"light_imbalance": 0.5},
                {"sharpness": 2.0}):
        results = {r.name: r for r in evaluate(with_(mouth_open=0.4, roll_deg=9.0, **bad), S)}
        for name in ("yaw", "pitch", "roll", "eyes_open", "mouth_closed"):
            assert not results[name].judged and results[name].prompt is None
        assert results["mouth_closed"].value == 0.4        # still reported, for --explain
    results = {r.name: r for r in evaluate(with_(mouth_open=0.4), S)}
    assert results["mouth_closed"].judged and not results["mouth_closed"].ok


def test_dark_and_bright_clipping_have_their_own_advice() -> None:
    # A dim face just above the darkness limit with crushed shadows is too dark, never too bright.
    assert first_prompt(evaluate(with_(brightness=S.min_brightness + 3, dark_clipped=0.2), S)) == "too_dark"
    assert first_prompt(evaluate(with_(bright_clipped=0.2), S)) == "too_bright"
    assert first_prompt(evaluate(with_(brightness=S.max_brightness + 5), S)) == "too_bright"


def test_no_face_and_many_faces() -> None:
    assert first_prompt(evaluate(Measures(frame_size=(640, 480), face_count=0), S)) == "no_face"
    assert first_prompt(evaluate(with_(face_count=2), S)) == "one_person"
    # Detected but no mesh (face cut by the frame edge): not "come closer".
    half = evaluate(Measures(frame_size=(640, 480), face_count=1, face_box=(0, 0, 40, 80)), S)
    assert first_prompt(half) == "no_face" and not passed(half)


def test_direction_is_in_the_citizens_terms() -> None:
    # Face near the raw image's left edge = the citizen's right: they must move to their left.
    assert first_prompt(evaluate(with_(room_left=0.3), S)) == "move_left"
    assert first_prompt(evaluate(with_(room_right=0.3), S)) == "move_right"
    assert first_prompt(evaluate(with_(room_above=0.3), S)) == "move_down"   # crown out of the top
    assert first_prompt(evaluate(with_(room_below=0.4), S)) == "move_up"
    assert first_prompt(evaluate(with_(head_fit=0.9), S)) == "move_back"
    assert first_prompt(evaluate(with_(yaw_deg=-20.0), S)) == "face_camera"
    assert first_prompt(evaluate(with_(pitch_deg=15.0), S)) == "face_camera"


def test_hysteresis_a_failing_check_must_come_clearly_back() -> None:
    just_inside = with_(roll_deg=S.max_roll_deg - 0.3)
    # Without history, and after passing, the nominal limit applies: it passes …
    assert first_prompt(evaluate(just_inside, S)) is None
    assert first_prompt(evaluate(just_inside, S, previous={"roll": True})) is None
    # … but having failed last frame it must come inside the narrowed band.
    assert first_prompt(evaluate(just_inside, S, previous={"roll": False})) == "straighten_head"
    clear = with_(roll_deg=S.max_roll_deg * (1 - S.hysteresis) - 0.2)
    assert first_prompt(evaluate(clear, S, previous={"roll": False})) is None
    # Never wider than nominal: live never passes what the final check fails.
    over = with_(roll_deg=S.max_roll_deg + 0.1)
    assert first_prompt(evaluate(over, S, previous={"roll": True})) == "straighten_head"


def test_value_oscillating_on_a_threshold_does_not_flicker() -> None:
    for centre in (S.max_roll_deg, S.max_mouth_open):
        previous = None
        prompts = []
        for i in range(40):
            jitter = 0.02 * centre * (1 if i % 2 else -1)
            m = with_(roll_deg=centre + jitter) if centre == S.max_roll_deg else with_(mouth_open=centre + jitter)
            results = evaluate(m, S, previous)
            previous = {r.name: r.ok for r in results if r.judged}
            prompts.append(first_prompt(results))
        assert len(set(prompts[1:])) == 1 and prompts[-1] is not None


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
    prompts = {r.prompt for m in (with_(eye_distance_px=1.0), with_(head_fit=2.0)) for r in evaluate(m, S)}
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
