"""Deployment mode, PIN hashing and lockout, the lockdown key table (issue 12)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.deployment import DeploymentError, check_deployment, production_problems
from kiosk.lockdown import swallow_key
from kiosk.staff_auth import PinFormatError, PinGate, hash_pin, verify_pin

ROOT = Path(__file__).resolve().parents[2]


def production(**overrides: object):
    return load_config(environ={}).with_overrides(kiosk__mode="production", **overrides)


def test_production_with_demo_defaults_lists_every_problem() -> None:
    problems = production_problems(production())
    text = "\n".join(problems)
    for what in ("card_reader", "qr_scanner", "camera", "printer", "pin_hash",
                 "trust_store_dir"):
        assert what in text
    assert len(problems) == 6
    with pytest.raises(DeploymentError):
        check_deployment(production())


def test_production_ready_config_passes_and_waiver_works() -> None:
    real = dict(devices__card_reader__backend="pcsc", devices__qr_scanner__backend="keyboard",
                devices__camera__backend="opencv", devices__printer__backend="escpos",
                maintenance__pin_hash=hash_pin("2468"))
    assert production_problems(production(**real, kiosk__allow_no_trust_store=True)) == []
    assert production_problems(production(**real, devices__card_reader__trust_store_dir="/etc/csca")) == []
    assert production_problems(production(**real, ui__developer_panel="on",
                                          kiosk__allow_no_trust_store=True)) == [
        "ui.developer_panel is 'on' (use 'auto' or 'off')"]
    check_deployment(load_config(environ={}))  # demo: anything goes


def test_run_in_production_with_a_simulated_device_exits_2(tmp_path: Path) -> None:
    env = dict(os.environ, KIOSK_KIOSK_MODE="production", KIOSK_KIOSK_DATA_DIR=str(tmp_path),
               KIVY_HOME=str(tmp_path))
    env.pop("DISPLAY", None)  # offscreen, like the UI tests
    proc = subprocess.run([sys.executable, "-m", "kiosk", "run"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "production refuses to start" in proc.stderr
    assert "devices.printer.backend is 'simulated'" in proc.stderr
    # the production store was never seeded with demo statuses
    assert not (tmp_path / "offline_cache" / "kiosk-demo.sqlite3").exists()


def test_demo_data_go_to_the_demo_store_only(tmp_path: Path) -> None:
    from kiosk.bootstrap import build
    from kiosk.dispatch import QueueDispatcher

    k = build(load_config(environ={}).with_overrides(kiosk__data_dir=str(tmp_path)), QueueDispatcher())
    k.close()
    p = build(production(kiosk__data_dir=str(tmp_path)), QueueDispatcher())
    try:
        assert p.status_cache.lookup("G01.123.456.789").found is False  # nothing seeded
    finally:
        p.close()
    assert (tmp_path / "offline_cache" / "kiosk-demo.sqlite3").exists()


def test_pin_hash_roundtrip_and_format() -> None:
    h = hash_pin("2468", salt=b"0" * 16)
    assert h.startswith("scrypt$16384$8$1$") and "2468" not in h
    assert verify_pin("2468", h) and not verify_pin("2469", h)
    assert hash_pin("2468") != hash_pin("2468")  # salted
    with pytest.raises(ValueError):
        hash_pin("12")
    with pytest.raises(PinFormatError):
        verify_pin("2468", "2468")


def test_lockout_doubles_and_refuses_the_right_pin_while_locked() -> None:
    now = [0.0]
    gate = PinGate(pin_hash=hash_pin("2468"), max_tries=2, lockout_s=60, clock=lambda: now[0])
    assert not gate.check("1111") and gate.locked_for() == 0
    assert not gate.check("1111") and gate.locked_for() == 60
    assert not gate.check("2468")  # locked: not even compared
    now[0] = 61
    assert gate.check("2468")
    gate.check("0000"), gate.check("0000")
    assert gate.locked_for() == 120  # second lockout: twice as long


def test_plain_pin_gate_submits_at_its_length() -> None:
    assert PinGate(plain_pin="2468").pin_length == 4
    assert PinGate(pin_hash=hash_pin("2468")).pin_length is None
    assert not PinGate().needs_pin


@pytest.mark.parametrize("key,mods,swallowed", [
    (27, [], True), (282, [], True), (285, ["alt"], True), (9, ["alt"], True),
    (9, [], False), (13, [], False), (ord("a"), [], False), (ord("q"), ["ctrl"], True),
    (ord("m"), ["ctrl"], False), (309, [], True)])
def test_lockdown_keys(key: int, mods: list[str], swallowed: bool) -> None:
    assert swallow_key(key, mods, maintenance_open=False) is swallowed
    assert swallow_key(key, mods, maintenance_open=True) is False


def test_developer_fkeys_pass_only_in_demo() -> None:
    assert swallow_key(282, [], maintenance_open=False, dev_fkeys=6) is False
    assert swallow_key(288, [], maintenance_open=False, dev_fkeys=6) is True  # F7
