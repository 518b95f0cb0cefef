"""Rules of the 12-digit personal ID number (Circular 07/2016/TT-BCA, art. 7).

Digits: 3-digit code of the province where the birth was registered, 1 century/sex digit
(1900s: male 0, female 1; 2000s: 2/3; 2100s: 4/5 …), 2 digits of the birth year, then 6
random digits. Two entry points: :func:`validate_id_number` for a complete number (QR,
keypad "Continue") and :func:`check_id_input` for live feedback while the citizen types.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Iterable, Literal, Mapping

from kiosk.identity.errors import IdNumberError

if TYPE_CHECKING:
    from hardware.shared_types import AccessKey

ID_LENGTH = 12
_DIGITS = re.compile(r"[0-9]*")


@functools.lru_cache(maxsize=1)
def province_codes() -> Mapping[str, str]:
    """Province code -> province name, from the shipped data file (read once)."""
    text = resources.files("kiosk.identity").joinpath("data/province_codes.json").read_text(
        encoding="utf-8")
    return dict(json.loads(text)["codes"])


def _known_codes(extra: Iterable[str]) -> frozenset[str]:
    return frozenset(province_codes()) | frozenset(extra)


def century_and_sex(digit: str) -> tuple[int, str]:
    """First year of the century and sex ("M"/"F") encoded by the 4th digit."""
    d = int(digit)
    return 1900 + 100 * (d // 2), ("M" if d % 2 == 0 else "F")


def birth_year_of(id_number: str) -> int:
    """The full birth year an ID number encodes (century digit + 2-digit year)."""
    century, _ = century_and_sex(id_number[3])
    return century + int(id_number[4:6])


def sex_of(id_number: str) -> str:
    """The sex ("M"/"F") an ID number encodes."""
    return century_and_sex(id_number[3])[1]


def normalise_id_input(text: str) -> str:
    """Drop spaces, dots and dashes people type or print between digit groups."""
    return re.sub(r"[\s.\-]", "", text or "")


def validate_id_number(text: str, *, extra_province_codes: Iterable[str] = (),
                       today: date | None = None) -> str:
    """Return the 12 ASCII digits of ``text`` or raise :class:`IdNumberError`.

    Checks length, digits only, province code in the shipped list (plus
    ``extra_province_codes``), a century digit not in the future, and a birth year not in
    the future. Consistency with a known DOB and sex is :func:`check_id_against_person`.
    """
    state = check_id_input(text, extra_province_codes=extra_province_codes, today=today)
    if state.status == "complete":
        return state.digits
    code = state.message_key if state.status == "invalid" else "id.length"
    if code == "id.too_long":
        code = "id.length"
    raise IdNumberError(code, field="id_number", reason=state.status)


def check_id_against_person(id_number: str, birth_year: int | None,
                            sex: str | None) -> list[str]:
    """Message keys of the rules a *valid* ID number breaks against a known person.

    ``id.century`` when the century digit's century differs from the birth year's,
    ``id.birth_year`` when the 2-digit year differs, ``id.sex`` when the encoded sex
    differs. Empty list when everything agrees (unknown values are not checked).
    """
    problems: list[str] = []
    century, encoded_sex = century_and_sex(id_number[3])
    if birth_year is not None:
        if birth_year // 100 * 100 != century:
            problems.append("id.century")
        elif birth_year % 100 != int(id_number[4:6]):
            problems.append("id.birth_year")
    if sex in ("M", "F") and sex != encoded_sex:
        problems.append("id.sex")
    return problems


@dataclass(frozen=True)
class IdInputState:
    """Live state of a (possibly partial) ID number typed on the keypad.

    ``status``: "empty", "incomplete" (all good so far), "complete" (12 valid digits) or
    "invalid". ``message_key`` names the sentence to show (``params`` fills it).
    ``bad_position`` is the 0-based index of the first digit at fault, so the keypad can
    highlight it. ``province`` is the province name once 3 valid digits are in.
    """

    digits: str
    status: Literal["empty", "incomplete", "complete", "invalid"]
    message_key: str
    params: dict[str, int] = field(default_factory=dict)
    bad_position: int | None = None
    province: str | None = None

    def __repr__(self) -> str:  # the digits are personal data
        return f"IdInputState(status={self.status}, key={self.message_key})"

    @property
    def ok(self) -> bool:
        """True unless the input already breaks a rule (empty and partial are ok)."""
        return self.status != "invalid"


def check_id_input(text: str, *, extra_province_codes: Iterable[str] = (),
                   today: date | None = None) -> IdInputState:
    """Validate what has been typed so far, rule by rule, as soon as each rule can apply.

    After 1–3 digits: some province code must start with them. After 4: the century
    digit must not lie in the future. After 6: the birth year must not be in the future.
    """
    digits = normalise_id_input(text)
    today = today or date.today()
    n = len(digits)
    if n == 0:
        return IdInputState(digits, "empty", "id.enter")
    if not _DIGITS.fullmatch(digits):
        bad = next(i for i, ch in enumerate(digits) if ch not in "0123456789")
        return IdInputState(digits, "invalid", "id.digits", bad_position=bad)
    codes = _known_codes(extra_province_codes)
    prefix = digits[:3]
    if not any(c.startswith(prefix) for c in codes):
        bad = next(i for i in range(len(prefix))
                   if not any(c.startswith(prefix[: i + 1]) for c in codes))
        return IdInputState(digits, "invalid", "id.province", bad_position=bad)
    province = province_codes().get(prefix) if n >= 3 else None
    if n >= 4:
        century, _ = century_and_sex(digits[3])
        if century > today.year:
            return IdInputState(digits, "invalid", "id.century", bad_position=3,
                                province=province)
    if n >= 6 and birth_year_of(digits) > today.year:
        return IdInputState(digits, "invalid", "id.birth_year_future", bad_position=4,
                            province=province)
    if n > ID_LENGTH:
        return IdInputState(digits, "invalid", "id.too_long", bad_position=ID_LENGTH,
                            province=province)
    if n < ID_LENGTH:
        return IdInputState(digits, "incomplete", "id.more_digits",
                            params={"n": ID_LENGTH - n}, province=province)
    return IdInputState(digits, "complete", "id.ok", province=province)


def access_key_for_id(text: str, *, extra_province_codes: Iterable[str] = (),
                      today: date | None = None) -> "AccessKey":
    """Validate a typed ID number and derive the PACE CAN (last 6 digits) from it.

    Without the DOB there are no BAC candidates; chips that support PACE need none.
    Raises :class:`IdNumberError` like :func:`validate_id_number`.
    """
    from hardware.shared_types import AccessKey  # neutral: no device, no protocol code

    digits = validate_id_number(text, extra_province_codes=extra_province_codes, today=today)
    return AccessKey.from_id(digits)
