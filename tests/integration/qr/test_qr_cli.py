"""``python -m kiosk qr decode|parse`` through the real CLI entry point."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qr_images import Perturbation, compose_frame, demo_payload  # noqa: E402

from kiosk.cli import main  # noqa: E402

CARD = "001093047064||Nguyễn Văn An|05011993|Nam|Xã Ân Hảo, Huyện Hoài Ân, Bình Định|10082021"


def test_parse_prints_masked_card_json(capsys):
    assert main(["qr", "parse", CARD]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["type"] == "card_qr" and out["id_number"] == "********7064"
    assert out["full_name"] == "Nguyễn Văn An" and out["date_of_birth"] == "1993-01-05"


def test_parse_show_id(capsys):
    assert main(["qr", "parse", "--show-id", CARD]) == 0
    assert json.loads(capsys.readouterr().out)["id_number"] == "001093047064"


def test_parse_error_is_typed_json_with_exit_1(capsys):
    assert main(["qr", "parse", "--source", "keyboard", CARD.replace("ễ", "á»…")]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["error"] == "ScannerMangledText" and out["next_step"] == "next.use_camera"


def test_decode_images(tmp_path, capsys):
    payload = demo_payload(5)
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), compose_frame(payload, Perturbation(3.5, 20, 0.1, 0.5, 4, 1, 0), 9))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), cv2.imread(str(good)) * 0 + 128)
    assert main(["qr", "decode", str(good)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decoder"] == "zxing" and out["codes"][0]["result"]["type"] == "card_qr"
    assert out["codes"][0]["result"]["id_number"].startswith("********")
    assert main(["qr", "decode", "--raw", str(good), str(blank), str(tmp_path / "none.png")]) == 1
    outs = json.loads(capsys.readouterr().out)
    assert outs[0]["codes"][0]["text"] == payload
    assert outs[1]["codes"] == [] and outs[2]["error"] == "not a readable image"
