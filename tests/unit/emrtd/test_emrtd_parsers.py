"""Parsers: TLV, EF.COM, DG1 (TD1), DG2 (JPEG / JPEG 2000), DG13, DG14/DG15, EF.SOD, access keys."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pytest
from PIL import Image

from hardware.emrtd import AccessKey, MrzError, ParseError, TlvError, expiry_candidates
from hardware.emrtd.asn1 import OID_AA, OID_ECDSA_PLAIN_SHA256, SEQUENCE, SET, encode_int, encode_oid
from hardware.emrtd.crosscheck import fold_name
from hardware.emrtd.dg2 import encode_dg2, parse_dg2
from hardware.emrtd.dg13 import encode_dg13, parse_dg13
from hardware.emrtd.errors import SecurityStatusNotSatisfied, WrongAccessKey, error_for_status
from hardware.emrtd.lds import encode_com, parse_com
from hardware.emrtd.mrz import check_digit, encode_dg1, mrz_infos, parse_dg1, parse_td1
from hardware.emrtd.security_infos import aa_signature_algorithm, parse_card_access, parse_dg14
from hardware.emrtd.tlv import encode, encode_seq, header_size, parse, parse_all

H = bytes.fromhex
SAMPLE_MRZ = ("IDVNM0930470641001093047064<<2"
              "9301054M3301052VNM<<<<<<<<<<<8"
              "UNG<<HOANG<HIEP<<<<<<<<<<<<<<<")


# -- TLV ------------------------------------------------------------------------------------
def test_tlv_roundtrip_and_multibyte_tags() -> None:
    data = encode_seq(0x7F61, encode(0x02, b"\x01"), encode(0x5F2E, b"x" * 300))
    root = parse(data, 0x7F61)
    assert root.raw == data and root.child(0x5F2E).value == b"x" * 300
    assert header_size(data[:5]) == (5, len(data))
    with pytest.raises(TlvError):  # a 2-byte tag needs more than the usual 4-byte prefix
        header_size(data[:4])
    assert header_size(encode(0x75, b"y" * 300)[:4]) == (4, 304)


@pytest.mark.parametrize("bad", [
    H("61"), H("6105"), H("610501"), H("6180"), H("618501000000000000"), H("61850100"),
    H("5F"), H("5FFFFFFF0100"), H("618401000000"), H("3003020101" + "00"),
])
def test_tlv_malformed_raises_tlv_error(bad: bytes) -> None:
    with pytest.raises(TlvError):
        parse(bad)


def test_tlv_deep_nesting_is_rejected() -> None:
    data = b""
    for _ in range(40):
        data = encode(0x30, data)
    with pytest.raises(TlvError):
        parse_all(data)


def test_status_word_mapping() -> None:
    assert isinstance(error_for_status(0x6982, "READ"), SecurityStatusNotSatisfied)
    assert isinstance(error_for_status(0x63C2, "PACE", authenticating=True), WrongAccessKey)
    assert "6A82" in str(error_for_status(0x6A82, "SELECT DG2"))


# -- EF.COM / DG1 -----------------------------------------------------------------------------
def test_ef_com_of_appendix_d() -> None:
    com = parse_com(H("60145F0104303130365F36063034303030305C026175"))
    assert (com.lds_version, com.unicode_version, com.data_groups) == ("0106", "040000", (1, 2))
    assert parse_com(encode_com([1, 2, 13, 14, 15])).data_groups == (1, 2, 13, 14, 15)


def test_dg1_domain_sample() -> None:
    td1 = parse_dg1(encode_dg1(SAMPLE_MRZ))
    assert td1.check_digits_ok
    assert (td1.document_number, td1.full_id_number, td1.date_of_birth, td1.date_of_expiry) == \
        ("093047064", "001093047064", "930105", "330105")
    assert (td1.sex, td1.nationality, td1.name) == ("M", "VNM", "UNG HOANG HIEP")
    assert check_digit("001093047064") == "2"


def test_dg1_bad_check_digits_are_reported() -> None:
    broken = SAMPLE_MRZ[:14] + "9" + SAMPLE_MRZ[15:36] + "5" + SAMPLE_MRZ[37:]
    td1 = parse_td1(broken)
    assert set(td1.bad_check_digits) == {"document_number", "date_of_birth", "composite"}


@pytest.mark.parametrize("bad", ["X" * 89, "ID" + "a" * 88, "É" * 90])
def test_dg1_malformed(bad: str) -> None:
    with pytest.raises(MrzError):
        parse_td1(bad)


# -- DG2 ---------------------------------------------------------------------------------------
def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), (10, 120, 200)).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize("fmt,mime", [("JPEG", "image/jpeg"), ("JPEG2000", "image/jp2")])
def test_dg2_extracts_and_decodes_jpeg_and_jpeg2000(fmt: str, mime: str) -> None:
    face = parse_dg2(encode_dg2(_image(fmt), 60, 80))
    assert (face.mime, face.width, face.height) == (mime, 60, 80)
    decoded = face.decode()
    assert decoded.size == (60, 80)
    r, g, b = decoded.getpixel((30, 40))
    assert abs(r - 10) < 12 and abs(g - 120) < 12 and abs(b - 200) < 12


def test_dg2_with_unknown_header_falls_back_to_scanning() -> None:
    jpeg = _image("JPEG")
    dg2 = encode(0x75, encode_seq(0x7F61, encode_seq(0x7F60, encode(0x5F2E, b"XYZ\x00junk" + jpeg))))
    assert parse_dg2(dg2).data == jpeg


def test_dg2_without_image_and_undecodable_image() -> None:
    with pytest.raises(ParseError):
        parse_dg2(encode(0x75, encode_seq(0x7F61, encode_seq(0x7F60, encode(0x5F2E, b"nothing")))))
    face = parse_dg2(encode(0x75, encode_seq(0x7F61, encode_seq(0x7F60, encode(0x5F2E, b"\xff\xd8\xff\x00garbage")))))
    with pytest.raises(ParseError):
        face.decode()


# -- DG13 --------------------------------------------------------------------------------------
VALUES = {1: "001093047064", 2: "Ưng Hoàng Hiệp", 3: "05/01/1993", 4: "Nam", 5: "Việt Nam", 6: "Kinh",
          7: "Không", 8: "Đan Phượng, Hà Nội", 9: "12 Phố Huế, Hà Nội", 10: "Sẹo chấm", 11: "10/04/2021",
          12: "05/01/2033", 15: "012345678", 16: "A1B2C3D4E5F60718"}


@pytest.mark.parametrize("nesting", ["flat", "nested"])
def test_dg13_all_fields_both_parent_nestings(nesting: str) -> None:
    dg13 = parse_dg13(encode_dg13(VALUES, father="Ưng Văn Hải", mother="Nguyễn Thị Hoa", spouse="Lê Thị C",
                                  parents_nesting=nesting))
    assert {n: dg13.get(n) for n in VALUES} == VALUES
    assert (dg13.father_name, dg13.mother_name, dg13.spouse_name) == ("Ưng Văn Hải", "Nguyễn Thị Hoa", "Lê Thị C")
    assert dg13.fields[13] == ("Ưng Văn Hải", "Nguyễn Thị Hoa")
    assert dg13.as_dict()["place_of_origin"] == "Đan Phượng, Hà Nội"


def test_dg13_missing_fields_and_missing_father() -> None:
    dg13 = parse_dg13(encode_dg13({1: "001093047064", 12: "Không thời hạn"}, mother="Nguyễn Thị Hoa"))
    assert dg13.id_number == "001093047064" and dg13.full_name is None and dg13.religion is None
    assert dg13.date_of_expiry == "Không thời hạn"
    assert (dg13.father_name, dg13.mother_name, dg13.spouse_name) == (None, "Nguyễn Thị Hoa", None)


def test_dg13_parents_as_direct_strings_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    field13 = encode_seq(SEQUENCE, encode_int(13), encode(0x0C, "Ưng Văn Hải".encode()),
                         encode(0x0C, decomposed.encode()))
    field2 = encode_seq(SEQUENCE, encode_int(2), encode(0x13, unicodedata.normalize("NFD", "Hiệp").encode()))
    data = encode_seq(0x6D, encode_seq(SEQUENCE, encode_int(1), encode_oid("1.0.10646.1.0.8"),
                                       encode_seq(SET, field2, field13)))
    dg13 = parse_dg13(data)
    assert dg13.mother_name == "Nguyễn Thị Hoa" and dg13.full_name == "Hiệp"  # NFC, PrintableString ok
    assert dg13.father_name == "Ưng Văn Hải"


def test_dg13_wrong_tag() -> None:
    with pytest.raises(TlvError):
        parse_dg13(encode(0x6E, b""))


# -- DG14 / CardAccess --------------------------------------------------------------------------
def test_security_infos(pace_profile) -> None:
    infos = parse_card_access(pace_profile.files[0x011C])
    pace = [i for i in infos if i.is_pace]
    assert [(i.protocol, i.version, i.parameter_id) for i in pace] == [("0.4.0.127.0.7.2.2.4.2.2", 2, 13)]
    dg14 = parse_dg14(pace_profile.files[0x010E])
    assert aa_signature_algorithm(dg14) == OID_ECDSA_PLAIN_SHA256
    assert any(i.protocol == OID_AA for i in dg14)


# -- access keys and cross-check helpers ------------------------------------------------------
def test_access_key_from_id_with_dob() -> None:
    key = AccessKey.from_id("001093047064", dt.date(1993, 1, 5), today=dt.date(2025, 6, 1))
    assert key.can == "047064" and key.bac.document_number == "093047064"
    assert key.bac.expiry_candidates == ("330105", "530105", "180105", "070105")
    assert mrz_infos(key.bac)[0] == "093047064193010543301052"
    assert "047064" not in repr(key) and "930105" not in repr(key)


def test_expiry_candidates_for_leap_day_and_elderly() -> None:
    leap = expiry_candidates(dt.date(2004, 2, 29), today=dt.date(2025, 1, 1))
    assert leap[:2] == ["290228", "290301"]
    old = expiry_candidates(dt.date(1950, 3, 1), today=dt.date(2025, 1, 1))
    assert old[0] == "100301" and old[-1] == "<<<<<<"


def test_access_key_validation() -> None:
    with pytest.raises(ValueError):
        AccessKey(can="12345")
    with pytest.raises(ValueError):
        AccessKey()


def test_fold_name() -> None:
    assert fold_name("Đặng Thị Ngọc Ánh") == "DANG THI NGOC ANH"
