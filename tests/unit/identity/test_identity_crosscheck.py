"""QR versus chip cross-check."""
from __future__ import annotations

import unicodedata
from datetime import date

from hardware.shared_types import Citizen
from kiosk.identity import cross_check, message, mismatch_message_keys, names_match, parse_payload

QR = "001093047064||Nguyễn Văn An|05011993|Nam|Xã Ân Hảo, Bình Định|10082021"


def chip(**kw) -> Citizen:
    base = dict(id_number="001093047064", full_name="NGUYỄN VĂN AN", date_of_birth=date(1993, 1, 5))
    base.update(kw)
    return Citizen(**base)


def test_agreeing_qr_and_chip_give_no_mismatch():
    qr = parse_payload(QR, today=date(2025, 1, 1))
    assert cross_check(qr, chip()) == []


def test_each_mismatch_is_named():
    qr = parse_payload(QR, today=date(2025, 1, 1))
    assert cross_check(qr, chip(id_number="001093047065")) == ["id_number"]
    assert cross_check(qr, chip(full_name="Nguyễn Văn Anh")) == ["full_name"]
    assert cross_check(qr, chip(date_of_birth=date(1993, 5, 1))) == ["date_of_birth"]
    both = cross_check(qr, chip(full_name="Trần Văn An", date_of_birth=date(1994, 1, 5)))
    assert both == ["full_name", "date_of_birth"]
    assert [message(k, "en") for k in mismatch_message_keys(both)][0].startswith("The name")


def test_unknown_fields_on_the_chip_are_not_compared():
    qr = parse_payload(QR, today=date(2025, 1, 1))
    assert cross_check(qr, chip(full_name="", date_of_birth=None)) == []


def test_name_comparison_ignores_nfc_case_and_spacing_but_not_accents():
    assert names_match(unicodedata.normalize("NFD", "Nguyễn Văn An"), "nguyễn  văn an ")
    assert not names_match("Nguyễn Văn An", "Nguyễn Văn Anh")
    assert not names_match("Lê Văn Tám", "Lê Văn Tâm")  # different accents: different names


def test_ascii_mrz_name_matches_the_accented_name():
    assert names_match("UNG<<HOANG<HIEP", "Ưng Hoàng Hiệp")
    assert names_match("DANG VAN DUC", "Đặng Văn Đức")
    assert not names_match("UNG<<HOANG<HIEN", "Ưng Hoàng Hiệp")
