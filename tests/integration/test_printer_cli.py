"""``python -m kiosk ticket …`` against the fake printer (in-process, real argument parsing)."""
from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from kiosk.cli import main
from tests.fixtures.escpos_decode import decode
from tests.fixtures.fake_printer import FakePrinter


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_KIOSK_DATA_DIR", str(tmp_path / "var"))


def test_render_writes_a_png_of_the_paper_width(tmp_path, capsys):
    out = tmp_path / "t.png"
    assert main(["ticket", "render", "--number", "A012", "--service", "cccd_new",
                 "--out", str(out), "--paper", "58", "--qr", "TRACK-A012"]) == 0
    img = Image.open(out)
    assert img.width == 384
    assert [r.text for r in zxingcpp.read_barcodes(img.convert("L"))] == ["TRACK-A012"]


def test_print_and_status_on_the_fake_printer(tmp_path, capsys):
    with FakePrinter() as fp:
        assert main(["ticket", "print", "--printer", fp.url, "--profile", "epson",
                     "--number", "C007", "--service", "vneid", "--qr", "TRACK-C007"]) == 0
        job = decode(fp.received(), 576)
        assert [q.payload for q in job.qr_codes] == [b"TRACK-C007"] and job.cuts
        assert main(["ticket", "status", "--printer", fp.url, "--json"]) == 0
        assert '"state": "ready"' in capsys.readouterr().out
        fp.paper = "out"
        assert main(["ticket", "print", "--printer", fp.url, "--number", "C008"]) == 1
        assert "PaperOut" in capsys.readouterr().err
        fp.go_offline()
        assert main(["ticket", "status", "--printer", fp.url]) == 1
        assert capsys.readouterr().out.startswith("fault: printer is offline")
