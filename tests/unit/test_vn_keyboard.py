"""Vietnamese on-screen keyboard: key sequences compose to the right NFC text."""
from __future__ import annotations

import unicodedata

import pytest

from screens.vn_keyboard import (DEL, SHIFT, SPACE, VnComposer, apply_tone, compose, tone_key,
                                 tone_position)

ACUTE, GRAVE, HOOK, TILDE, DOT = (tone_key(n) for n in ("acute", "grave", "hook", "tilde", "dot"))


def word(letters: str, tone: str | None = None, after: str = "") -> list[str]:
    """Keys for ``letters``, then the tone key, then ``after``."""
    return [*letters, *([tone] if tone else []), *after]


@pytest.mark.parametrize("keys,expected", [
    (word("nguyên", TILDE), "nguyễn"),
    (word("nguyê", TILDE, "n"), "nguyễn"),          # tone before the final consonant
    (word("ngươi", GRAVE), "người"),                # ươ: the tone goes on ơ, not the last vowel
    (word("thuyên", GRAVE), "thuyền"),
    (word("hoa", GRAVE), "hòa"),                    # two vowels, no final: the first
    (word("ho", GRAVE, "an"), "hoàn"),              # moves when a final consonant follows
    (word("cua", HOOK), "của"),
    (word("qua", HOOK), "quả"),                     # the u of "qu" is a consonant
    (word("giư", TILDE), "giữ"),                    # the i of "gi" too
    (word("gi", GRAVE), "gì"),                      # but alone it is the vowel
    (word("đươc", DOT), "được"),
    (word("thuy", HOOK), "thủy"),
    (word("khuya", ACUTE), "khuýa"),                 # three vowels, no final: the middle
    (word("tiêng", ACUTE), "tiếng"),
    (word("ăn", ACUTE), "ắn"),
    (word("hưng"), "hưng"),
])
def test_tone_placement(keys: list[str], expected: str) -> None:
    text = compose(keys)
    assert text == expected
    assert unicodedata.is_normalized("NFC", text)
    assert len(text) == len(expected)  # precomposed: one code point per letter


def test_full_name_with_capitals_and_spaces() -> None:
    keys = [SHIFT, *"nguyê", TILDE, "n", SPACE, SHIFT, *"vă", "n", SPACE, SHIFT, *"â", "n"]
    assert compose(keys) == "Nguyễn Văn Ân"


def test_capital_marked_letters_take_tones() -> None:
    assert compose([SHIFT, "đ", SHIFT, "ư", SHIFT, "ơ", DOT, SHIFT, "c"]) == "ĐƯỢC"


def test_shift_is_one_shot() -> None:
    assert compose([SHIFT, "a", "b"]) == "Ab"
    assert compose([SHIFT, SHIFT, "a"]) == "a"


def test_same_tone_again_removes_it_another_replaces_it() -> None:
    assert compose(word("an", ACUTE) + [ACUTE]) == "an"
    assert compose(word("an", ACUTE) + [GRAVE]) == "àn"


def test_tone_applies_to_the_last_word_only() -> None:
    assert compose([*"ha", SPACE, *"nôi", DOT]) == "ha nội"


def test_tone_without_a_vowel_or_a_word_does_nothing() -> None:
    assert compose([ACUTE]) == ""
    assert compose(["n", "g", ACUTE]) == "ng"
    assert compose(["a", SPACE, ACUTE]) == "a "


def test_delete_removes_one_letter_and_the_tone_follows_the_rules() -> None:
    assert compose(word("hoan", GRAVE) + [DEL]) == "hòa"   # hoàn -> hòa (no final now)
    assert compose(word("an", ACUTE) + [DEL, DEL, DEL]) == ""
    assert compose([DEL]) == ""


def test_spaces_are_not_doubled_or_leading() -> None:
    assert compose([SPACE, "a", SPACE, SPACE, "b"]) == "a b"


def test_digits_and_punctuation_for_addresses() -> None:
    assert compose([*"sô", ACUTE, SPACE, "1", "2", ",", SPACE, *"ngo", TILDE]) == "số 12, ngõ"


def test_starting_text_is_normalised_and_editable() -> None:
    c = VnComposer(unicodedata.normalize("NFD", "Hoà"))
    assert c.text == "Hoà"
    assert c.press("n") == "Hoàn"


def test_length_is_bounded() -> None:
    assert len(compose(["a"] * 500)) == 200


def test_apply_tone_and_position_helpers() -> None:
    assert tone_position("bcd") is None
    assert tone_position("nguyen") == 4
    assert apply_tone("người", "") == "ngươi"
    assert apply_tone("Hòa", "\u0303") == "Hõa"
