"""Logs without personal data: masking, JSON lines, rotation, Kivy routed, tracebacks
without locals (issue 12)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.logs import Redactor, recent_lines, redact
from tests.fixtures.kiosk_logging import kiosk_logging

NAME, ADDRESS = "Nguyễn Văn An", "Thôn 3, Xã Kim Sơn, Huyện Ba Vì"


@pytest.mark.parametrize("text,secret", [
    ("id 001090012345 read", "001090012345"), ("old id 123456789", "123456789"),
    ("dob 12/05/1990", "12/05/1990"), ("dob 1990-05-12", "1990-05-12"),
    ("qr 001090012345|123456789|Nguyễn Văn An|12051990|Nam|Thôn 3|01012021", "Nguyễn"),
    ("code G01.123-240101-0001 looked up", "G01.123-240101-0001"),
    ("booking ABCD1234EF", "ABCD1234EF"), ("can 123456", "123456"),
    ("mrz IDVNM0010900123451<<<<<<", "IDVNM0010900123451")])
def test_patterns_mask_personal_data(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_plain_words_and_ticket_numbers_stay() -> None:
    text = "ticket C001 printed after 3 s: ValueError in kiosk.flow"
    assert redact(text) == text


def test_remembered_words_are_masked_in_any_case_without_keeping_them() -> None:
    r = Redactor()
    r.remember([NAME, ADDRESS])
    out = r(f"hello {NAME.upper()} from Kim Sơn, ticket C001")
    assert "NGUYỄN" not in out and "Kim" not in out and "C001" in out
    assert NAME.encode() not in repr(r.__dict__).encode()


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Path, Redactor]]:
    with kiosk_logging(tmp_path, max_kb=16, files=2) as red:
        yield tmp_path / "logs", red


def test_json_lines_masked_with_traceback_without_locals(logged: tuple[Path, Redactor]) -> None:
    folder, red = logged
    red.remember([NAME])
    secret_local = "001090012345"  # noqa: F841 - a local that must not reach the log

    try:
        raise ValueError(f"bad payload {secret_local}|{NAME}")
    except ValueError:
        logging.getLogger("kiosk.test").exception("failed for %s", NAME)
    logging.getLogger("kivy").warning("Kivy says %s", "079085001234")
    text = (folder / "kiosk.jsonl").read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["logger"] for e in entries][-2:] == ["kiosk.test", "kivy"]
    assert "Traceback" in entries[-2]["exc"] and "ValueError" in entries[-2]["exc"]
    for secret in ("001090012345", "079085001234", "Nguyễn", "Văn"):
        assert secret not in text
    assert "secret_local =" not in text  # only the code line, never the frame's values
    assert recent_lines(folder.parent, 1)[0].endswith("Kivy says ***")


def test_rotation_keeps_a_bounded_number_of_files(logged: tuple[Path, Redactor]) -> None:
    folder, _red = logged
    log = logging.getLogger("kiosk.test")
    for i in range(2000):
        log.info("line %d of the rotation test with some padding text", i)
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["kiosk.jsonl", "kiosk.jsonl.1", "kiosk.jsonl.2"]
    assert all(p.stat().st_size <= 17 * 1024 for p in folder.iterdir())
