"""ID number rules and the keypad's live validation."""
from __future__ import annotations

from datetime import date

import pytest

from kiosk.identity import (IdNumberError, access_key_for_id, check_id_input, message,
                            province_codes, validate_id_number)
from kiosk.identity.id_number import birth_year_of, sex_of

TODAY = date(2025, 6, 1)


def state(text: str):
    return check_id_input(text, today=TODAY)


def test_province_list_is_the_63_codes_of_circular_07_2016():
    codes = province_codes()
    assert len(codes) == 63
    assert codes["001"] == "Hà Nội" and codes["079"] == "Hồ Chí Minh" and codes["096"] == "Cà Mau"
    for gap in ("003", "005", "097", "000"):
        assert gap not in codes


def test_digit_meaning():
    assert birth_year_of("001093047064") == 1993 and sex_of("001093047064") == "M"
    assert birth_year_of("079305000001") == 2005 and sex_of("079305000001") == "F"


def test_empty_and_partial_inputs():
    assert state("").status == "empty" and state("").message_key == "id.enter"
    s = state("00109")
    assert s.status == "incomplete" and s.message_key == "id.more_digits" and s.params == {"n": 7}
    assert s.province == "Hà Nội"
    assert message(s.message_key, "en", **s.params) == "7 more digit(s) to go."


def test_province_prefix_checked_digit_by_digit():
    assert state("0").ok and state("09").ok       # 091..096 exist
    s = state("099")
    assert s.status == "invalid" and s.message_key == "id.province" and s.bad_position == 2
    s = state("1")
    assert s.status == "invalid" and s.bad_position == 0


def test_century_digit_checked_as_soon_as_typed():
    assert state("0010").ok and state("0013").ok
    s = state("0014")  # 2100s
    assert s.message_key == "id.century" and s.bad_position == 3


def test_birth_year_in_the_future_is_caught_after_six_digits():
    assert state("001225").ok                      # 2025
    s = state("001226")                            # 2026 > today
    assert s.message_key == "id.birth_year_future" and s.bad_position == 4


def test_complete_and_too_long():
    assert state("001093047064").status == "complete"
    assert state("0010 9304-7064").status == "complete"   # spaces/dashes typed in groups
    s = state("0010930470645")
    assert s.message_key == "id.too_long" and s.bad_position == 12


def test_non_digit_is_flagged_at_its_position():
    s = state("00a")
    assert s.message_key == "id.digits" and s.bad_position == 2
    assert state("٠٠١").message_key == "id.digits"   # Arabic-Indic digits are not accepted


def test_validate_raises_typed_errors():
    assert validate_id_number("001093047064", today=TODAY) == "001093047064"
    for text, code in (("00109304706", "id.length"), ("0010930470645", "id.length"),
                       ("003093047064", "id.province"), ("001493047064", "id.century")):
        with pytest.raises(IdNumberError) as e:
            validate_id_number(text, today=TODAY)
        assert e.value.code == code


def test_access_key_for_typed_id_has_can_only():
    key = access_key_for_id("001093047064", today=TODAY)
    assert key.can == "047064" and key.bac is None
    with pytest.raises(IdNumberError):
        access_key_for_id("12345")


def test_repr_hides_digits():
    assert "047064" not in repr(state("001093047064"))
