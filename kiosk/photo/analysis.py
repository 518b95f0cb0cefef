"""One call per frame (live) and one on the captured still (final check).

:class:`PhotoAnalyzer` ties a :class:`~kiosk.photo.model.FaceModel` to the settings;
the model is built on first use so constructing the analyzer costs nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from kiosk.photo.crop import CropBox, crop_checks, cut_portrait, encode_jpeg, portrait_box
from kiosk.photo.guidance import CheckResult, evaluate, first_prompt
from kiosk.photo.measures import Measures, measure
from kiosk.photo.model import FaceModel
from kiosk.photo.settings import PhotoSettings


@dataclass(frozen=True)
class Analysis:
    """Measures, checks in priority order and the first prompt (``None``: all good)."""

    measures: Measures
    checks: list[CheckResult]
    prompt: str | None

    @property
    def ok(self) -> bool:
        return self.prompt is None and self.measures.face_count == 1

    def passed_map(self) -> dict[str, bool]:
        """name -> passed, to feed back as ``previous`` for hysteresis."""
        return {c.name: c.ok for c in self.checks if c.judged}


@dataclass(frozen=True)
class FinalCheck:
    """Verdict on a full-resolution still, with the portrait when it passed."""

    ok: bool
    analysis: Analysis
    crop_checks: list[CheckResult] = field(default_factory=list)
    crop: CropBox | None = None
    portrait: np.ndarray | None = None       # BGR, output size
    prompt: str | None = None                # first failing reason (message key)

    def failures(self) -> list[str]:
        """Names of the failed checks (live checks, then crop checks)."""
        return [c.name for c in (*self.analysis.checks, *self.crop_checks) if c.judged and not c.ok]


def default_model_factory(settings: PhotoSettings) -> FaceModel:
    """The MediaPipe models on LiteRT (imported here so tests can pass another model)."""
    from kiosk.photo.litert_model import LiteRtFaceModel

    return LiteRtFaceModel(detector=settings.detector, model_dir=settings.model_dir or None,
                           min_score=settings.min_face_score)


class PhotoAnalyzer:
    """Measures and judges frames. Not thread-safe: use one per analysis thread."""

    def __init__(self, settings: PhotoSettings | None = None, model: FaceModel | None = None,
                 model_factory: Callable[[PhotoSettings], FaceModel] = default_model_factory) -> None:
        self.settings = settings or PhotoSettings()
        self._model = model
        self._factory = model_factory

    @property
    def model(self) -> FaceModel:
        """The face model, created on first access."""
        if self._model is None:
            self._model = self._factory(self.settings)
        return self._model

    def analyse(self, image: np.ndarray, previous: Mapping[str, bool] | None = None) -> Analysis:
        """Measures + checks of one BGR frame; ``previous`` enables hysteresis."""
        m = measure(image, self.model, self.settings)
        checks = evaluate(m, self.settings, previous)
        return Analysis(m, checks, first_prompt(checks))

    def final_check(self, image: np.ndarray) -> FinalCheck:
        """Judge a full-resolution still with nominal limits, crop it, judge the crop.

        The live framing checks and the crop checks are two views of the same geometry
        (:mod:`kiosk.photo.framing`): they pass or fail together, and the reason given
        is the first failing check in the live priority order.
        """
        analysis = self.analyse(image)
        geo = analysis.measures.geometry
        if geo is None or analysis.measures.face_count != 1:
            return FinalCheck(False, analysis, prompt=analysis.prompt)
        crop = portrait_box(geo, analysis.measures.frame_size, self.settings)
        cchecks = crop_checks(crop, self.settings)
        failing = [c for c in (*analysis.checks, *cchecks) if c.judged and not c.ok]
        ok = not failing
        portrait = cut_portrait(image, crop, self.settings) if ok else None
        return FinalCheck(ok, analysis, cchecks, crop, portrait,
                          None if ok else failing[0].prompt)

    def portrait_jpeg(self, final: FinalCheck) -> bytes:
        """JPEG bytes of a passed final check's portrait."""
        if final.portrait is None:
            raise ValueError("final check did not pass: no portrait to encode")
        return encode_jpeg(final.portrait, self.settings.jpeg_quality)
