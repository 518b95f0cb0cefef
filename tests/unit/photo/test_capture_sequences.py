"""The auto-capture loop on frame sequences: prompts settle without flicker, hold ->
countdown -> capture -> final check -> review -> accept, and retry counting."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import portraits
from kiosk.photo.analysis import PhotoAnalyzer
from kiosk.photo.capture import PhotoController, PhotoState
from kiosk.photo.guidance import GuidanceStabilizer
from kiosk.photo.session import PhotoSession
from kiosk.photo.settings import PhotoSettings

FPS = 15.0


@functools.lru_cache(maxsize=None)
def frame(dx: float = 0.0, noise_seed: int | None = None) -> np.ndarray:
    img = portraits.scene(dx=dx)
    if noise_seed is not None:
        rng = np.random.default_rng(noise_seed)
        img = np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    return img


def run(controller: PhotoController, frames: list[np.ndarray], t0: float = 0.0):
    out = []
    for i, img in enumerate(frames):
        status = controller.process(img, t0 + i / FPS)
        out.append(status)
        if status.capture_now:
            break
    return out


def changes(seq: list) -> int:
    return sum(1 for a, b in zip(seq, seq[1:]) if a != b)


def test_walk_in_hold_countdown_capture_accept(face_model) -> None:
    settings = PhotoSettings()
    ctl = PhotoController(settings, PhotoAnalyzer(settings, model=face_model))
    # The citizen stands off to the side, then steps into place and stays.
    approach = [frame(dx=200.0 - 200.0 * i / 8) for i in range(9)]
    frames = approach + [frame()] * int(FPS * 6)
    statuses = run(ctl, frames)
    prompts = [s.prompt for s in statuses]
    assert prompts[0] == "move_right"
    states = [s.state for s in statuses]
    # Order of states, each entered once: aligning -> holding -> countdown -> capture.
    order = [st for i, st in enumerate(states) if i == 0 or st != states[i - 1]]
    assert order == [PhotoState.ALIGNING, PhotoState.HOLDING, PhotoState.COUNTDOWN, PhotoState.CAPTURE]
    assert changes(prompts) <= 3  # move_right -> hold -> countdown (no flicker)
    # About 1 s of holding and 3 s of visible countdown, counted on frame timestamps.
    n_hold = states.count(PhotoState.HOLDING)
    assert FPS * 0.9 <= n_hold <= FPS * 1.1 + 1
    digits = [s.countdown for s in statuses if s.state is PhotoState.COUNTDOWN]
    assert digits[0] == 3 and digits[-1] == 1 and digits == sorted(digits, reverse=True)
    assert set(digits) == {1, 2, 3}
    holding = [s.hold_progress for s in statuses if s.state is PhotoState.HOLDING]
    assert holding == sorted(holding) and 0 <= holding[0] < 0.2 and holding[-1] > 0.8
    assert statuses[-1].capture_now and all(not s.capture_now for s in statuses[:-1])
    # The still (full resolution) passes, is reviewed and accepted into the session.
    final = ctl.finish_capture(frame())
    assert final.ok and ctl.state is PhotoState.REVIEW and ctl.tries == 1
    photo = ctl.accept()
    assert ctl.state is PhotoState.DONE
    assert photo.jpeg[:2] == b"\xff\xd8" and (photo.width, photo.height) == (533, 800)
    session = PhotoSession()
    session.store(photo)
    assert session.has_photo
    session.wipe()
    assert not session.has_photo


def test_breaking_pose_during_countdown_cancels_it(face_model) -> None:
    settings = PhotoSettings(countdown_grace_frames=2)
    ctl = PhotoController(settings, PhotoAnalyzer(settings, model=face_model))
    good = [frame()] * int(FPS * 2)     # hold 1 s, then into the countdown
    statuses = run(ctl, good)
    assert statuses[-1].state is PhotoState.COUNTDOWN
    bad = portraits.scene(angle=15)
    after = [ctl.process(bad, 2.0 + i / FPS) for i in range(5)]
    assert after[-1].state is PhotoState.ALIGNING
    assert [s.state for s in after[:2]] == [PhotoState.COUNTDOWN] * 2  # grace frames
    assert after[-1].prompt == "straighten_head"
    assert not any(s.capture_now for s in after)


def test_jitter_on_a_threshold_does_not_flicker(face_model) -> None:
    """The eye midpoint jitters ±4 px around the right-hand limit of where a centred crop
    fits the view: raw per-frame verdicts flip, the prompt shown does not."""
    settings = PhotoSettings()
    analyzer = PhotoAnalyzer(settings, model=face_model)
    m = analyzer.analyse(frame()).measures
    crop_w = m.geometry.head_px / settings.final_head_share_max * settings.aspect
    limit_px = (m.room_right - (0.5 - settings.crop_centre_tolerance)) * crop_w
    frames = [frame(dx=round(limit_px + (4 if i % 2 else -4)), noise_seed=i % 6) for i in range(24)]
    # Reference without hysteresis or smoothing: the raw prompt flips.
    raw = [analyzer.analyse(f).prompt for f in frames]
    assert changes(raw) >= 6
    # With both (what the controller does): settles and stays.
    previous, shown = None, []
    stab = GuidanceStabilizer(settings.stable_frames)
    for f in frames:
        a = analyzer.analyse(f, previous)
        previous = a.passed_map()
        shown.append(stab.update(a.prompt))
    assert changes(shown) <= 1


def test_three_failed_stills_offer_the_counter(face_model) -> None:
    settings = PhotoSettings()
    ctl = PhotoController(settings, PhotoAnalyzer(settings, model=face_model))
    blurred = portraits.blur(frame(), 4.0)   # the citizen moved as the shutter fired
    for attempt in (1, 2):
        final = ctl.finish_capture(blurred)
        assert not final.ok and final.prompt == "hold_still"
        assert ctl.state is PhotoState.ALIGNING and ctl.tries == attempt
        assert ctl.retry_reason == "hold_still"
    ctl.finish_capture(blurred)
    assert ctl.state is PhotoState.OFFER_COUNTER and ctl.tries == 3
    status = ctl.process(frame(), 10.0)
    assert status.prompt == "offer_counter" and not status.capture_now
    with pytest.raises(RuntimeError):
        ctl.accept()
    ctl.try_again()
    assert ctl.state is PhotoState.ALIGNING


def test_retake_after_review_counts_as_a_try(face_model) -> None:
    settings = PhotoSettings(max_tries=2)
    ctl = PhotoController(settings, PhotoAnalyzer(settings, model=face_model))
    assert ctl.finish_capture(frame()).ok
    assert ctl.retake() is PhotoState.ALIGNING and ctl.last_final is None
    assert ctl.finish_capture(frame()).ok
    assert ctl.retake() is PhotoState.OFFER_COUNTER
