"""Booking / dossier codes, URL carriers, configuration, and the dispatcher's fall-backs."""
from __future__ import annotations

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.identity import (BookingCode, BookingCodeError, DossierCode, IdentifyRules,
                            UnknownPayload, parse_payload)


def test_bare_booking_code():
    r = parse_payload("AB12CD34EF")
    assert r == BookingCode("AB12CD34EF", None)


def test_dossier_code_wins_over_booking():
    r = parse_payload("000.00.15.H26-230815-0001")
    assert r == DossierCode("000.00.15.H26-230815-0001", None)


def test_a_bare_id_number_is_not_a_booking_code():
    # 12 digits could be typed or scanned by mistake: not a code of the default patterns.
    with pytest.raises(UnknownPayload):
        parse_payload("001093047064")


@pytest.mark.parametrize("url,expected", [
    ("https://dichvucong.gov.vn/p/home/dvc-dat-lich.html?code=AB12CD34EF", "AB12CD34EF"),
    ("https://dichvucong.gov.vn/booking/AB12CD34EF", "AB12CD34EF"),
    ("HTTPS://dichvucong.gov.vn/x?Ma=AB12CD34EF&lang=vi", "AB12CD34EF"),
])
def test_code_inside_a_url(url, expected):
    r = parse_payload(url)
    assert isinstance(r, BookingCode) and r.code == expected
    assert r.url_host == "dichvucong.gov.vn"


def test_dossier_code_inside_a_url():
    r = parse_payload("https://dichvucong.gov.vn/tra-cuu?mahoso=000.00.15.H26-230815-0001")
    assert isinstance(r, DossierCode) and r.code == "000.00.15.H26-230815-0001"


def test_url_hosts_restrict_where_codes_are_taken_from():
    rules = IdentifyRules(booking_url_hosts=("dichvucong.gov.vn",))
    assert parse_payload("https://sub.dichvucong.gov.vn/b/AB12CD34EF", rules).code == "AB12CD34EF"
    with pytest.raises(UnknownPayload):
        parse_payload("https://evil.example/b/AB12CD34EF", rules)
    with pytest.raises(BookingCodeError) as e:
        parse_payload("https://dichvucong.gov.vn/b/not-a-code", rules)
    assert e.value.code == "booking.invalid" and e.value.next_step == "next.ask_staff"


def test_pattern_with_named_group_extracts_the_code():
    rules = IdentifyRules(booking_code_pattern=r"DL-(?P<code>[0-9]{6})")
    assert parse_payload("DL-123456", rules) == BookingCode("123456", None)
    with pytest.raises(UnknownPayload):
        parse_payload("AB12CD34EF", rules)  # the default pattern no longer applies


def test_patterns_come_from_the_kiosk_config_and_environment():
    cfg = load_config(environ={"KIOSK_IDENTIFY_BOOKING_CODE_PATTERN": "BK[0-9]{4}"})
    assert parse_payload("BK1234", cfg) == BookingCode("BK1234", None)


def test_invalid_regex_in_config_is_a_config_error_naming_the_option():
    cfg = load_config(environ={"KIOSK_IDENTIFY_DOSSIER_CODE_PATTERN": "([A-Z"})
    with pytest.raises(ConfigError, match="identify.dossier_code_pattern"):
        parse_payload("x", cfg)


def test_bad_extra_province_code_is_a_config_error():
    with pytest.raises(ConfigError, match="extra_province_codes"):
        IdentifyRules(extra_province_codes=("12",))


@pytest.mark.parametrize("payload,code", [
    ("", "qr.empty"), ("   \r\n", "qr.empty"), ("hello world", "qr.unknown"),
    ("x" * 5000, "qr.too_long"), (b"\xff\xfe\x00", "qr.not_text"),
    ("AB12\x00CD34EF", "qr.unknown"), ("WIFI:S:cafe;T:WPA;P:secret;;", "qr.unknown"),
])
def test_anything_else_is_not_usable(payload, code):
    with pytest.raises(UnknownPayload) as e:
        parse_payload(payload)
    assert e.value.code == code
    assert e.value.message("en") in ("This QR code is not one the kiosk can use.",
                                     "The QR code is empty.",
                                     "This QR code is too long; it is not one the kiosk can use.",
                                     "The kiosk cannot read the text in this QR code.")


def test_bytes_payload_is_decoded_as_utf8():
    text = "001093047064||Nguyễn Văn An|05011993|Nam|Xã Ân Hảo, Bình Định|10082021"
    r = parse_payload(text.encode("utf-8"))
    assert r.full_name == "Nguyễn Văn An"


def test_error_dict_has_both_languages_and_no_payload():
    with pytest.raises(UnknownPayload) as e:
        parse_payload("secret-personal-thing")
    d = e.value.to_dict()
    assert d["code"] == "qr.unknown" and d["message_vi"] and d["next_step_en"]
    assert "secret" not in str(d)
