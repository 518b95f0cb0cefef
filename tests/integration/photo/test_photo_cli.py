"""``python -m kiosk photo check/crop`` as a technician runs it (a real subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2

import portraits

ROOT = Path(__file__).resolve().parents[3]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})


def test_check_json_reports_verdict_and_guidance(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    closed = tmp_path / "closed.png"
    cv2.imwrite(str(good), portraits.scene())
    cv2.imwrite(str(closed), portraits.scene(source=portraits.paint_eyes_closed(
        portraits.paint_mouth_closed(portraits.astronaut()))))
    out = kiosk("photo", "check", str(good), str(closed), "--json", "--lang", "en")
    assert out.returncode == 1, out.stderr  # one image failed
    reports = json.loads(out.stdout)
    assert [r["passed"] for r in reports] == [True, False]
    assert reports[0]["guidance"] == "hold" and reports[0]["reason"] is None
    assert reports[1]["reason"] == "open_eyes" and reports[1]["guidance"] == "open_eyes"
    assert reports[1]["reason_text"] == "Please keep your eyes open"
    names = [c["name"] for c in reports[0]["checks"]]
    assert names[:4] == ["face_present", "single_face", "eye_distance", "head_size"]
    assert "crop_eye_line" in names
    head = next(c for c in reports[0]["checks"] if c["name"] == "crop_head_share")
    assert 0.70 <= head["value"] <= 0.80 and (head["low"], head["high"]) == (0.7, 0.8)


def test_check_explain_prints_every_measure_against_its_limit(tmp_path: Path) -> None:
    dark = tmp_path / "dark.png"
    cv2.imwrite(str(dark), portraits.darken(portraits.scene(source=portraits.astronaut())))
    out = kiosk("photo", "check", "--explain", "--lang", "en", str(dark))
    assert out.returncode == 1, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()[2:] if line.startswith("  ")}
    assert "FAIL -> too_dark" in lines["brightness"] and "70 .. 200" in lines["brightness"]
    assert "photo.min_brightness" in lines["brightness"]
    # The smile is there, but in this light the mouth is not judged (landmarks distorted).
    assert "not judged" in lines["mouth_closed"] and "<= 0.11" in lines["mouth_closed"]
    assert "ok" in lines["eye_distance"] and "photo.min_eye_distance_px" in lines["eye_distance"]
    assert "FAIL (too_dark" in out.stdout


def test_check_text_in_vietnamese_and_unreadable_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"nope")
    noface = tmp_path / "wall.png"
    cv2.imwrite(str(noface), portraits.backdrop())
    out = kiosk("photo", "check", str(noface), str(bad))
    assert out.returncode == 2
    assert "FAIL (no_face: Mời ông/bà nhìn vào camera" in out.stdout
    assert "ERROR cannot read image" in out.stdout


def test_crop_writes_the_portrait(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    dst = tmp_path / "portrait.jpg"
    cv2.imwrite(str(src), portraits.scene(dx=80, dy=-30))
    out = kiosk("photo", "crop", str(src), "--out", str(dst))
    assert out.returncode == 0, out.stderr
    img = cv2.imread(str(dst))
    assert img.shape == (800, 533, 3)
    assert "533x800 4x6" in out.stdout
    # A failing photo is not cropped unless forced.
    blurred = tmp_path / "blur.png"
    cv2.imwrite(str(blurred), portraits.blur(portraits.scene()))
    refused = kiosk("photo", "crop", str(blurred), "--out", str(tmp_path / "x.jpg"))
    assert refused.returncode == 1 and not (tmp_path / "x.jpg").exists()
    forced = kiosk("photo", "crop", str(blurred), "--out", str(tmp_path / "x.jpg"), "--force")
    assert forced.returncode == 1 and (tmp_path / "x.jpg").exists()
