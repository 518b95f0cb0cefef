"""Shared virtual-card fixtures: a test PKI and card profiles built once per session."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from hardware.emrtd.make_profile import build_profile
from hardware.emrtd.virtual.pki import TestPki, make_test_pki

CITIZEN_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "cards" / "citizen_ung_hoang_hiep.json"


@pytest.fixture(scope="session")
def record() -> dict[str, Any]:
    """A fictitious citizen matching the real-format MRZ sample of DOMAIN.md."""
    return json.loads(CITIZEN_FILE.read_text(encoding="utf-8"))["citizen"]


@pytest.fixture(scope="session")
def today() -> dt.date:
    return dt.date(2025, 6, 1)


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return make_test_pki()


@pytest.fixture(scope="session")
def pace_profile(pki: TestPki, record):
    return build_profile(record, pki)


@pytest.fixture(scope="session")
def bac_profile(pki: TestPki, record):
    return build_profile(record, pki, pace=False, parents_nesting="nested")


@pytest.fixture(scope="session")
def no_aa_profile(pki: TestPki, record):
    return build_profile(record, pki, aa=None)


@pytest.fixture(scope="session")
def small_profile(pki: TestPki, record, tmp_path_factory):
    """Same card with a tiny portrait: few APDUs, for tests that read it many times."""
    from PIL import Image

    portrait = tmp_path_factory.mktemp("portrait") / "small.jpg"
    Image.new("RGB", (48, 64), (200, 180, 160)).save(portrait, "JPEG")
    return build_profile(dict(record, portrait=str(portrait)), pki)
