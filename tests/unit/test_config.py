"""Configuration: declared once, default file round-trips, clear errors, env overrides."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.config import OPTIONS, ConfigError, default_config_text, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_every_option_is_declared_once_with_a_description() -> None:
    names = [o.name for o in OPTIONS]
    assert len(names) == len(set(names))
    assert all(o.description.strip() for o in OPTIONS)


def test_default_file_parses_back_to_the_defaults(tmp_path: Path) -> None:
    text = default_config_text()
    assert all(f"# {o.description}" in text for o in OPTIONS)
    p = tmp_path / "kiosk.toml"
    p.write_text(text, encoding="utf-8")
    cfg = load_config(p, environ={})
    for o in OPTIONS:
        assert cfg[o.name] == o.default, o.name


def test_required_options_exist() -> None:
    cfg = load_config(environ={})
    assert cfg["ui.language"] == "vi"
    assert (cfg["ui.width"], cfg["ui.height"], cfg["ui.orientation"]) == (1080, 1920, "portrait")
    for kind in ("card_reader", "qr_scanner", "camera", "printer"):
        assert cfg[f"devices.{kind}.backend"] == "simulated"
    assert all(s["prefix"] for s in cfg["services.list"])


@pytest.mark.parametrize("toml, needle", [
    ('[ui]\nlanguage = "fr"\n', "'ui.language': got 'fr', expected one of 'vi', 'en'"),
    ('[ui]\nwidth = "wide"\n', "'ui.width': got 'wide', expected an integer between 320 and 7680"),
    ('[session]\nidle_timeout_s = 1\n', "'session.idle_timeout_s'"),
    ('[ui]\ncolour = 3\n', "unknown option 'ui.colour'"),
    ('[ui\n', "not valid TOML"),
    ('[services]\nlist = [{code="a", prefix="a1", vi="x", en="y"}]\n', "prefix 'a1' must be 1-2 capital letters"),
])
def test_invalid_file_names_the_option_and_the_expected_value(tmp_path: Path, toml: str, needle: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p, environ={})
    assert needle in str(err.value)


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    p = tmp_path / "k.toml"
    p.write_text('[ui]\nlanguage = "vi"\nwidth = 800\n', encoding="utf-8")
    cfg = load_config(p, environ={"KIOSK_UI_LANGUAGE": "en", "KIOSK_SESSION_IDLE_TIMEOUT_S": "30"})
    assert cfg["ui.language"] == "en" and cfg["ui.width"] == 800
    assert cfg["session.idle_timeout_s"] == 30.0
    with pytest.raises(ConfigError, match="KIOSK_UI_WIDTH"):
        load_config(None, environ={"KIOSK_UI_WIDTH": "[oops"})


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_print_default_and_check(tmp_path: Path) -> None:
    out = _cli("config", "--print-default")
    assert out.returncode == 0
    assert tomllib.loads(out.stdout)["ui"]["language"] == "vi"
    bad = tmp_path / "bad.toml"
    bad.write_text('[ui]\nlanguage = "de"\n', encoding="utf-8")
    res = _cli("--config", str(bad), "config")
    assert res.returncode == 2
    assert "'ui.language'" in res.stderr and "expected one of" in res.stderr
    res = _cli("--config", str(bad), "run")  # the kiosk does not start on a bad config
    assert res.returncode == 2


@pytest.mark.parametrize("cmd", [[], ["run"], ["config"], ["diagnose"]])
def test_help_works_for_every_command(cmd: list[str]) -> None:
    res = _cli(*cmd, "--help")
    assert res.returncode == 0 and "usage:" in res.stdout
