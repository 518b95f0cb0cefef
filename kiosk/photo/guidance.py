"""From measures to checks and one prompt at a time, stable over frames.

Checks run in the order a photographer gives advice: no face -> one person -> distance
-> position -> light (too dark, too bright, uneven) -> focus -> head pose -> eyes ->
mouth -> background; the first failing one is the prompt. Distance and position are
judged against the final crop's own limits (:mod:`kiosk.photo.framing`), so the live
advice and the final check agree. Pose, eyes and mouth come from fine landmarks that
bad light or blur distort (a darkened face measures a wider mouth), so they are not
judged while light or focus is out of range.

Hysteresis: a check that failed on the previous frame must come back inside its band
narrowed by ``hysteresis`` before it passes again; a passing one fails as soon as it
leaves the nominal band. A value sitting on a limit therefore does not flicker, and
the live guidance never passes a value the final check (nominal limits) would fail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from kiosk.photo.framing import framing_limits
from kiosk.photo.measures import Measures
from kiosk.photo.settings import PhotoSettings


@dataclass(frozen=True)
class CheckResult:
    """One check on one frame: passed or not, the value against its limits, and the
    prompt when it failed. ``judged`` is false when the check was not applied (its
    measure is not trustworthy on this frame); such a check is neither ok nor a reason."""

    name: str
    ok: bool
    value: float | None
    prompt: str | None = None            # message key when failed
    low: float | None = None             # nominal limits (None: open side)
    high: float | None = None
    judged: bool = True


@dataclass(frozen=True)
class _Band:
    name: str
    group: str
    value: Callable[[Measures], float | None]
    limits: Callable[[PhotoSettings], tuple[float | None, float | None]]
    prompt_low: str
    prompt_high: str
    # Share of ``hysteresis`` applied to this band. Framing limits are positions and
    # sizes whose frame-to-frame jitter is small against the limit itself: a full 15 %
    # would make someone once too close step back far beyond what the photo needs.
    hysteresis_share: float = 1.0


def _abs(v: float | None) -> float | None:
    return None if v is None else abs(v)


def _framing(check: str, limit: str, attr: str, group: str, prompt: str) -> _Band:
    """A distance/position band: ``Measures.<attr>`` against ``framing_limits()[limit]``."""
    return _Band(check, group, lambda m: getattr(m, attr), lambda s: framing_limits(s)[limit],
                 prompt, prompt, hysteresis_share=1 / 3)


# Priority order. Directional prompts speak in the citizen's own left/right: a face on
# the left of the raw camera image is on the citizen's right, so they move left.
_BANDS: tuple[_Band, ...] = (
    _framing("eye_distance", "eye_distance", "eye_distance_px", "distance", "move_closer"),
    _framing("head_size", "head_fit", "head_fit", "distance", "move_back"),
    _framing("room_left", "room_left", "room_left", "position", "move_left"),
    _framing("room_right", "room_right", "room_right", "position", "move_right"),
    _framing("room_above", "room_above", "room_above", "position", "move_down"),
    _framing("room_below", "room_below", "room_below", "position", "move_up"),
    _Band("brightness", "light", lambda m: m.brightness,
          lambda s: (s.min_brightness, s.max_brightness), "too_dark", "too_bright"),
    _Band("dark_clipping", "light", lambda m: m.dark_clipped, lambda s: (None, s.max_dark_clipped),
          "too_dark", "too_dark"),
    _Band("bright_clipping", "light", lambda m: m.bright_clipped, lambda s: (None, s.max_bright_clipped),
          "too_bright", "too_bright"),
    _Band("light_evenness", "light", lambda m: m.light_imbalance,
          lambda s: (None, s.max_light_imbalance), "uneven_light", "uneven_light"),
    _Band("sharpness", "focus", lambda m: m.sharpness, lambda s: (s.min_sharpness, None),
          "hold_still", "hold_still"),
    _Band("yaw", "pose", lambda m: _abs(m.yaw_deg), lambda s: (None, s.max_yaw_deg),
          "face_camera", "face_camera"),
    _Band("pitch", "pose", lambda m: _abs(m.pitch_deg), lambda s: (None, s.max_pitch_deg),
          "face_camera", "face_camera"),
    _Band("roll", "pose", lambda m: _abs(m.roll_deg), lambda s: (None, s.max_roll_deg),
          "straighten_head", "straighten_head"),
    _Band("eyes_open", "eyes", lambda m: m.eye_open, lambda s: (s.min_eye_open, None),
          "open_eyes", "open_eyes"),
    _Band("mouth_closed", "mouth", lambda m: m.mouth_open, lambda s: (None, s.max_mouth_open),
          "close_mouth", "close_mouth"),
    _Band("background_uniform", "background", lambda m: m.background_std,
          lambda s: (None, s.max_background_std), "plain_background", "plain_background"),
    _Band("background_light", "background", lambda m: m.background_brightness,
          lambda s: (s.min_background_brightness, None), "plain_background", "plain_background"),
)

#: Names of every check, in priority order (the first two are about face count).
CHECK_NAMES: tuple[str, ...] = ("face_present", "single_face") + tuple(b.name for b in _BANDS)
#: Check name -> group (distance, position, light, focus, pose, eyes, mouth, background).
CHECK_GROUPS: dict[str, str] = {b.name: b.group for b in _BANDS}
#: Checks whose value may be missing (face at the frame edge) without failing.
_OPTIONAL = {"background_uniform", "background_light"}
#: Groups whose failure makes the landmark-based groups untrustworthy, and those groups.
_GATES = {"light", "focus"}
_GATED = {"pose", "eyes", "mouth"}


def _margin(low: float | None, high: float | None, fraction: float) -> float:
    if low is not None and high is not None:
        return fraction * (high - low) / 2
    return fraction * abs(low if low is not None else high or 0.0)


def _judge(band: _Band, value: float, settings: PhotoSettings, was_failing: bool) -> CheckResult:
    low, high = band.limits(settings)
    lo, hi = low, high
    if was_failing:  # must come clearly back inside before it passes again
        m = _margin(low, high, settings.hysteresis * band.hysteresis_share)
        lo = None if lo is None else lo + m
        hi = None if hi is None else hi - m
    if lo is not None and value < lo:
        return CheckResult(band.name, False, value, band.prompt_low, low, high)
    if hi is not None and value > hi:
        return CheckResult(band.name, False, value, band.prompt_high, low, high)
    return CheckResult(band.name, True, value, None, low, high)


def evaluate(measures: Measures, settings: PhotoSettings,
             previous: Mapping[str, bool] | None = None) -> list[CheckResult]:
    """All checks in priority order. ``previous`` (name -> passed last frame) turns on
    hysteresis; leave it ``None`` for a one-off verdict (the final check, the CLI)."""
    results = [CheckResult("face_present", measures.face_count > 0, float(measures.face_count),
                           None if measures.face_count > 0 else "no_face")]
    if measures.face_count == 0:
        return results
    single = measures.face_count == 1
    results.append(CheckResult("single_face", single, float(measures.face_count),
                               None if single else "one_person"))
    if measures.geometry is None:
        # Detected, but the face mesh could not follow it (cut by the frame edge, turned
        # away): nothing else can be measured, and "come into the frame" is the advice.
        results.append(CheckResult("face_landmarks", False, None, "no_face"))
        return results
    gate_failed = False
    for band in _BANDS:
        value = band.value(measures)
        low, high = band.limits(settings)
        if band.group in _GATED and gate_failed:
            results.append(CheckResult(band.name, False, value, None, low, high, judged=False))
            continue
        if value is None:
            ok = band.name in _OPTIONAL
            results.append(CheckResult(band.name, ok, None, None if ok else band.prompt_low, low, high))
        else:
            was_failing = previous is not None and previous.get(band.name) is False
            results.append(_judge(band, value, settings, was_failing))
        if band.group in _GATES and not results[-1].ok:
            gate_failed = True
    return results


def first_prompt(results: list[CheckResult]) -> str | None:
    """The prompt of the first failing check, ``None`` when every check passed."""
    for r in results:
        if r.judged and not r.ok:
            return r.prompt
    return None


def passed(results: list[CheckResult]) -> bool:
    """True when every check passed (and there was a face to check)."""
    return bool(results) and len(results) > 2 and all(r.ok for r in results)


@dataclass
class GuidanceStabilizer:
    """Shows a new prompt only after it was the raw prompt for ``frames`` frames in a row.

    ``None`` (all good) is a state like any other: "hold" appears, and disappears,
    with the same delay, so one noisy frame never flashes a prompt.
    """

    frames: int = 4
    shown: str | None = None
    _candidate: str | None = None
    _count: int = 0
    _started: bool = field(default=False)

    def update(self, raw: str | None) -> str | None:
        """Feed this frame's raw prompt; returns the prompt to show."""
        if not self._started:
            # The very first frame is shown at once: a blank screen would be worse.
            self._started, self.shown, self._candidate, self._count = True, raw, raw, self.frames
            return self.shown
        if raw == self._candidate:
            self._count += 1
        else:
            self._candidate, self._count = raw, 1
        if self._candidate != self.shown and self._count >= self.frames:
            self.shown = self._candidate
        return self.shown

    def reset(self) -> None:
        """Forget history (new attempt)."""
        self.shown, self._candidate, self._count, self._started = None, None, 0, False
