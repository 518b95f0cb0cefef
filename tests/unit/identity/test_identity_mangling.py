"""Recognising text mangled by keyboard-wedge scanners (and not flagging good text)."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from kiosk.identity import CardQr, CardQrError, ScannerMangledText, parse_payload
from kiosk.identity.mangling import lost_diacritics, mangling_reason, repair_mojibake

TODAY = date(2025, 6, 1)
GOOD = ("001093047064||Nguyễn Văn An|05011993|Nam|"
        "Số 12 Ngõ 34 Phố Huế, Phường Ngô Thì Nhậm, Hà Nội|10082021")


def as_cp1252(text: str) -> str:
    """What a host shows when the UTF-8 bytes are typed as Windows-1252 characters."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def strip(text: str) -> str:
    d = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in d if not unicodedata.combining(c))


@pytest.mark.parametrize("mangle,reason", [
    (as_cp1252, "mojibake"),
    (lambda t: t.encode("utf-8").decode("latin-1"), "mojibake"),
    (lambda t: t.encode("utf-8").decode("ascii", errors="replace"), "replacement_char"),
    (strip, "diacritics_lost"),
    (lambda t: t.encode("ascii", errors="ignore").decode(), "diacritics_lost"),
])
def test_keyboard_mangling_says_use_the_camera(mangle, reason):
    damaged = mangle(GOOD)
    assert damaged != GOOD
    with pytest.raises(ScannerMangledText) as e:
        parse_payload(damaged, source="keyboard", today=TODAY)
    assert e.value.reason == reason
    assert e.value.code == "qr.mangled" and e.value.next_step == "next.use_camera"
    assert e.value.message("en") == "The scanner mangled the Vietnamese text in the QR code."
    assert "camera" in e.value.next_step_message("en")


def test_same_damage_from_the_camera_does_not_advise_the_camera():
    with pytest.raises(ScannerMangledText) as e:
        parse_payload(as_cp1252(GOOD), source="camera", today=TODAY)
    assert e.value.next_step == "next.use_keypad"


def test_female_sex_without_accent_is_damage_even_if_name_is_ascii():
    text = GOOD.replace("|Nam|", "|Nu|").replace("001093047064", "001193047064")
    with pytest.raises(ScannerMangledText):
        parse_payload(text, source="keyboard", today=TODAY)


def test_keyboard_layout_that_changes_the_separator():
    with pytest.raises(ScannerMangledText) as e:
        parse_payload(GOOD.replace("|", "<"), source="keyboard", today=TODAY)
    assert e.value.reason == "layout"
    with pytest.raises(ScannerMangledText):  # digits typed as AZERTY symbols
        parse_payload(GOOD.replace("001093047064", "àà&àç(àù'àçù"), source="keyboard", today=TODAY)


def test_foreign_letters_from_camera_are_a_bad_name_not_mangling():
    with pytest.raises(CardQrError):
        parse_payload(GOOD.replace("Nguyễn Văn An", "محمد علي"), source="camera", today=TODAY)


@pytest.mark.parametrize("name", ["NGUYỄN THỊ NGÃ", "Lê Thị Ánh", "Ông Ích Khiêm", "Đỗ Thị Ư",
                                  "Kha Van Long"])  # an ASCII-only name with an accented address
def test_real_vietnamese_names_are_not_flagged(name):
    r = parse_payload(GOOD.replace("Nguyễn Văn An", name), source="keyboard", today=TODAY)
    assert isinstance(r, CardQr) and r.full_name == name


def test_helpers():
    assert repair_mojibake(as_cp1252("Nguyễn")) == "Nguyễn"
    assert repair_mojibake("Nguyễn") is None and repair_mojibake("Hà Nội") is None
    assert mangling_reason("Phú Hòa") is None
    assert lost_diacritics("Nguyen Van An", "Nam", "Xa An Hao") is True
    assert lost_diacritics("Kha Van Long", "Nam", "Xã An Hảo") is False
