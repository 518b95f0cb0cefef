"""From measures to checks and one prompt at a time, stable over frames.

Checks run in the order a person can act on them (no face -> one person -> distance ->
position -> pose -> roll -> eyes -> mouth -> light -> stillness -> background); the
first failing one is the prompt. A check that has passed keeps passing until its value
leaves the band widened by ``hysteresis`` (and a failing one must come back inside the
nominal band), so a value sitting on a threshold does not flicker.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from kiosk.photo.measures import Measures
from kiosk.photo.settings import PhotoSettings


@dataclass(frozen=True)
class CheckResult:
    """One check on one frame: passed or not, the value, and the prompt when it failed."""

    name: str
    ok: bool
    value: float | None
    prompt: str | None = None            # message key when failed


@dataclass(frozen=True)
class _Band:
    name: str
    value: Callable[[Measures], float | None]
    low: Callable[[PhotoSettings], float | None]
    high: Callable[[PhotoSettings], float | None]
    prompt_low: str
    prompt_high: str


def _abs(v: float | None) -> float | None:
    return None if v is None else abs(v)


# Priority order. Directional prompts speak in the citizen's own left/right: a face on
# the right of the raw camera image is on the citizen's left, so they move right.
_BANDS: tuple[_Band, ...] = (
    _Band("head_size", lambda m: m.head_share, lambda s: s.head_share_min,
          lambda s: s.head_share_max, "move_closer", "move_back"),
    _Band("eye_distance", lambda m: m.eye_distance_px, lambda s: s.min_eye_distance_px,
          lambda s: None, "move_closer", "move_closer"),
    _Band("centring", lambda m: m.centre_offset, lambda s: -s.centre_tolerance,
          lambda s: s.centre_tolerance, "move_left", "move_right"),
    _Band("eye_line", lambda m: m.eye_line, lambda s: s.eye_line_min,
          lambda s: s.eye_line_max, "move_up", "move_down"),
    _Band("yaw", lambda m: _abs(m.yaw_deg), lambda s: None, lambda s: s.max_yaw_deg,
          "face_camera", "face_camera"),
    _Band("pitch", lambda m: _abs(m.pitch_deg), lambda s: None, lambda s: s.max_pitch_deg,
          "face_camera", "face_camera"),
    _Band("roll", lambda m: _abs(m.roll_deg), lambda s: None, lambda s: s.max_roll_deg,
          "straighten_head", "straighten_head"),
    _Band("eyes_open", lambda m: m.eye_open, lambda s: s.min_eye_open, lambda s: None,
          "open_eyes", "open_eyes"),
    _Band("mouth_closed", lambda m: m.mouth_open, lambda s: None, lambda s: s.max_mouth_open,
          "close_mouth", "close_mouth"),
    _Band("brightness", lambda m: m.brightness, lambda s: s.min_brightness,
          lambda s: s.max_brightness, "too_dark", "too_bright"),
    _Band("clipping", lambda m: m.clipped, lambda s: None, lambda s: s.max_clipped,
          "too_bright", "too_bright"),
    _Band("light_evenness", lambda m: m.light_imbalance, lambda s: None,
          lambda s: s.max_light_imbalance, "uneven_light", "uneven_light"),
    _Band("sharpness", lambda m: m.sharpness, lambda s: s.min_sharpness, lambda s: None,
          "hold_still", "hold_still"),
    _Band("background_uniform", lambda m: m.background_std, lambda s: None,
          lambda s: s.max_background_std, "plain_background", "plain_background"),
    _Band("background_light", lambda m: m.background_brightness,
          lambda s: s.min_background_brightness, lambda s: None,
          "plain_background", "plain_background"),
)

#: Names of every check, in priority order (the first two are about face count).
CHECK_NAMES: tuple[str, ...] = ("face_present", "single_face") + tuple(b.name for b in _BANDS)
#: Checks whose value may be missing (face at the frame edge) without failing.
_OPTIONAL = {"background_uniform", "background_light"}


def _margin(low: float | None, high: float | None, fraction: float) -> float:
    if low is not None and high is not None:
        return fraction * (high - low) / 2
    return fraction * abs(low if low is not None else high or 0.0)


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
    for band in _BANDS:
        value = band.value(measures)
        low, high = band.low(settings), band.high(settings)
        if value is None:
            ok = band.name in _OPTIONAL
            results.append(CheckResult(band.name, ok, None, None if ok else band.prompt_low))
            continue
        if previous and previous.get(band.name):
            m = _margin(low, high, settings.hysteresis)
            low = None if low is None else low - m
            high = None if high is None else high + m
        if low is not None and value < low:
            results.append(CheckResult(band.name, False, value, band.prompt_low))
        elif high is not None and value > high:
            results.append(CheckResult(band.name, False, value, band.prompt_high))
        else:
            results.append(CheckResult(band.name, True, value))
    return results


def first_prompt(results: list[CheckResult]) -> str | None:
    """The prompt of the first failing check, ``None`` when every check passed."""
    for r in results:
        if not r.ok:
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
