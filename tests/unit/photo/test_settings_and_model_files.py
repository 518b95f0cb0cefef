"""Config options mirror PhotoSettings; model files are found, or missing ones named."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import OPTIONS_BY_NAME, load_config
from kiosk.photo.errors import ModelFileMissing
from kiosk.photo.litert_model import IRIS_FILE, MESH_FILE, LiteRtFaceModel, locate_model_file, model_dir
from kiosk.photo.settings import PhotoSettings

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_is_a_config_option_with_the_same_default() -> None:
    defaults = PhotoSettings()
    for f in dataclasses.fields(PhotoSettings):
        option = OPTIONS_BY_NAME.get(f"photo.{f.name}")
        assert option is not None, f"photo.{f.name} missing from kiosk/config.py"
        assert option.default == getattr(defaults, f.name), f.name
    assert PhotoSettings.from_config(load_config(environ={})) == defaults


def test_config_override_reaches_settings() -> None:
    cfg = load_config(environ={"KIOSK_PHOTO_FORMAT": "3x4", "KIOSK_PHOTO_MAX_ROLL_DEG": "3.5"})
    s = PhotoSettings.from_config(cfg)
    assert s.format == "3x4" and s.aspect == pytest.approx(0.75) and s.max_roll_deg == 3.5


def test_models_are_found_in_the_installed_wheel() -> None:
    folder = model_dir()
    for name in (MESH_FILE, IRIS_FILE, "face_detection_short_range.tflite"):
        assert locate_model_file(name).parent == folder
        assert locate_model_file(name).stat().st_size > 100_000


def test_missing_model_file_is_named(tmp_path: Path) -> None:
    model = LiteRtFaceModel(model_dir=tmp_path)  # lazily: no error yet
    with pytest.raises(ModelFileMissing) as err:
        model.detect(__import__("numpy").zeros((48, 64, 3), "uint8"))
    assert err.value.filename == "face_detection_short_range.tflite"
    assert "face_detection_short_range.tflite" in str(err.value) and str(tmp_path) in str(err.value)


def test_importing_the_package_loads_no_model_runtime() -> None:
    code = ("import sys; import kiosk.photo.capture, kiosk.photo.overlay, kiosk.photo.litert_model, "
            "kiosk.commands.photo; from kiosk.photo.litert_model import LiteRtFaceModel; "
            "LiteRtFaceModel(); print('ai_edge_litert' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
