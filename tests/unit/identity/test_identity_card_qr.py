"""Card QR parser: field layouts, validation, conversions."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from hardware.shared_types import Citizen
from kiosk.identity import (CardQr, CardQrError, IdentifyRules, IdNumberError,
                            make_card_qr_payload, parse_card_qr, parse_payload)

TODAY = date(2025, 6, 1)
ADDRESS = "Thôn 1, Xã Ân Hảo, Huyện Hoài Ân, Bình Định"
GOOD = f"001093047064|123456789|Nguyễn Văn An|05011993|Nam|{ADDRESS}|10082021"


def parse(text: str, **kw) -> CardQr:
    result = parse_payload(text, today=TODAY, **kw)
    assert isinstance(result, CardQr)
    return result


def test_seven_field_card_qr_is_parsed_field_by_field():
    q = parse(GOOD)
    assert q.id_number == "001093047064"
    assert q.old_id_number == "123456789"
    assert q.full_name == "Nguyễn Văn An"
    assert q.date_of_birth == date(1993, 1, 5)
    assert q.birth_year == 1993
    assert q.sex == "M"
    assert q.place_of_residence == ADDRESS
    assert q.date_of_issue == date(2021, 8, 10)
    assert q.variant == "7-field"
    assert q.extras == () and q.warnings == ()


def test_empty_old_id_and_female():
    q = parse("001193047064||Trần Thị Bích|05011993|Nữ|Phường 1, Quận 3, Hồ Chí Minh|10082021")
    assert q.old_id_number == ""
    assert q.sex == "F"


def test_newer_cards_extra_fields_are_kept_raw():
    q = parse(GOOD + "||04102024||||")
    assert q.extras == ("", "04102024", "", "", "", "")
    assert q.date_of_issue == date(2021, 8, 10)


def test_six_field_variant_without_old_id():
    q = parse(f"001093047064|Nguyễn Văn An|05011993|Nam|{ADDRESS}|10082021")
    assert q.variant == "6-field"
    assert q.old_id_number == ""
    assert q.full_name == "Nguyễn Văn An"
    assert q.date_of_issue == date(2021, 8, 10)


def test_decomposed_text_is_normalised_to_nfc_and_spaces_collapsed():
    nfd = unicodedata.normalize("NFD", GOOD.replace("Nguyễn Văn An", "Nguyễn  Văn   An"))
    assert nfd != unicodedata.normalize("NFC", nfd)
    q = parse(nfd)
    assert q.full_name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", q.place_of_residence)


def test_trailing_newline_from_a_scanner_is_ignored():
    assert parse(GOOD + "\r\n").date_of_issue == date(2021, 8, 10)


@pytest.mark.parametrize("dob,field", [
    ("31021993", "date_of_birth"),   # 31 February
    ("0501199", "date_of_birth"),    # 7 digits
    ("05-01-1993", "date_of_birth"),
    ("05012030", "date_of_birth"),   # in the future (ID digits would say 2030 too)
])
def test_invalid_birth_dates_are_typed_errors(dob, field):
    with pytest.raises(CardQrError) as e:
        parse(GOOD.replace("05011993", dob))
    assert e.value.code == "card_qr.date" and e.value.field == field


def test_issue_date_in_the_future_or_invalid_is_rejected():
    for issued in ("10082026", "32082021", "1008202"):
        with pytest.raises(CardQrError) as e:
            parse(GOOD.replace("10082021", issued))
        assert e.value.field == "date_of_issue"


def test_year_only_birth_date_is_tolerated_without_bac_data():
    q = parse("001050047064||Lê Văn Bình|00001950|Nam|Xã Tân Hòa, Tiền Giang|10082021")
    assert q.date_of_birth is None and q.birth_year == 1950
    key = q.access_key()
    assert key.can == "047064" and key.bac is None


@pytest.mark.parametrize("sex", ["Male", "X", ""])
def test_unknown_sex_is_rejected(sex):
    with pytest.raises(CardQrError) as e:
        parse(GOOD.replace("|Nam|", f"|{sex}|"))
    assert e.value.code == "card_qr.sex"


def test_old_id_must_be_9_or_12_digits():
    with pytest.raises(CardQrError) as e:
        parse(GOOD.replace("123456789", "12345"))
    assert e.value.code == "card_qr.old_id"
    assert parse(GOOD.replace("123456789", "001093047064")).old_id_number == "001093047064"


def test_name_with_digits_is_rejected():
    with pytest.raises(CardQrError) as e:
        parse(GOOD.replace("Nguyễn Văn An", "Nguyễn Văn 4n"))
    assert e.value.code == "card_qr.name"


def test_unknown_province_code_is_rejected():
    with pytest.raises(IdNumberError) as e:
        parse(GOOD.replace("001093047064", "003093047064"))
    assert e.value.code == "id.province" and e.value.field == "id_number"


def test_extra_province_code_from_config_is_accepted():
    rules = IdentifyRules(extra_province_codes=("003",))
    assert parse(GOOD.replace("001093047064", "003093047064"), config=rules).id_number.startswith("003")


@pytest.mark.parametrize("id_number,code", [
    ("001203047064", "id.century"),    # 2000s digit, born 1993
    ("001094047064", "id.birth_year"),  # year digits 94, born 1993
    ("001193047064", "id.sex"),         # female digit, "Nam"
])
def test_id_digits_must_agree_with_dob_and_sex(id_number, code):
    with pytest.raises(IdNumberError) as e:
        parse(GOOD.replace("001093047064", id_number))
    assert e.value.code == code


def test_non_strict_mode_keeps_inconsistencies_as_warnings():
    q = parse(GOOD.replace("001093047064", "001193047064"),
              config=IdentifyRules(strict_id_digits=False))
    assert q.warnings == ("id.sex",)


def test_wrong_field_count_is_a_card_error():
    with pytest.raises(CardQrError) as e:
        parse("001093047064|123456789|Nguyễn Văn An|05011993|Nam")
    assert e.value.code == "card_qr.fields"


def test_to_citizen_and_access_key():
    q = parse(GOOD)
    c = q.to_citizen()
    assert isinstance(c, Citizen)
    assert (c.id_number, c.full_name, c.date_of_birth, c.sex, c.old_id_number) == (
        "001093047064", "Nguyễn Văn An", date(1993, 1, 5), "M", "123456789")
    key = q.access_key()
    assert key.can == "047064"
    assert key.bac is not None and key.bac.document_number == "093047064"  # last 9 digits, not the first 9
    assert key.bac.date_of_birth == "930105"
    assert "330105" in key.bac.expiry_candidates  # 40th birthday (DOMAIN.md MRZ sample)


def test_make_payload_round_trips_for_both_variants():
    c = Citizen(id_number="052301012345", full_name="Phạm Thị Hường",
                date_of_birth=date(2001, 3, 9), sex="F",
                place_of_residence="Tổ 5, Phường Quyết Thắng, Sơn La",
                date_of_issue=date(2022, 4, 1), old_id_number="")
    for variant in ("7-field", "6-field"):
        q = parse(make_card_qr_payload(c, variant=variant))
        assert q.variant == variant
        assert q.to_citizen() == c


def test_personal_data_stays_out_of_repr_and_error_text():
    q = parse(GOOD)
    assert "047064" not in repr(q) and "Nguyễn" not in str(q)
    with pytest.raises(IdNumberError) as e:
        parse(GOOD.replace("001093047064", "001193047064"))
    assert "047064" not in str(e.value) and "Nguyễn" not in str(e.value)


def test_to_dict_masks_the_id_unless_asked():
    q = parse(GOOD)
    assert q.to_dict()["id_number"] == "********7064"
    assert q.to_dict(show_id=True)["id_number"] == "001093047064"


def test_parse_card_qr_directly_uses_default_rules():
    assert parse_card_qr(GOOD, today=TODAY).id_number == "001093047064"
