"""The QR code printed on the chip ID card (DOMAIN.md §3).

``ID(12)|old ID (9 digits or empty)|full name|DOB ddmmyyyy|sex|residence|issued ddmmyyyy``,
with extra trailing fields on cards issued under the 2023 law (kept raw), and a 6-field
variant without the old ID. Everything is NFC-normalised; dates, sex and the ID digits
are validated, and the ID's century/sex/year digits are checked against DOB and sex.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from hardware.shared_types import AccessKey, Citizen, mask_id, nfc
from kiosk.identity.errors import CardQrError, IdNumberError, ScannerMangledText
from kiosk.identity.id_number import check_id_against_person, validate_id_number
from kiosk.identity.mangling import lost_diacritics, mangling_reason
from kiosk.identity.rules import IdentifyRules

SEPARATOR = "|"
_DATE = re.compile(r"[0-9]{8}")
_OLD_ID = re.compile(r"(?:[0-9]{9}|[0-9]{12})")
_SEX = {"nam": "M", "nữ": "F"}
_SEX_TEXT = {"M": "Nam", "F": "Nữ"}
# Letters (any script is rejected later by the mangling check), spaces and the few marks
# that appear in registered names.
_NAME_EXTRA = set(" '-.")
_MAX_NAME = 100
_MIN_BIRTH_YEAR = 1880


def looks_like_card_qr(text: str) -> bool:
    """True when ``text`` is shaped like a card QR (so card-specific errors apply):
    a first field of digits and at least four separators."""
    first, sep, _ = text.partition(SEPARATOR)
    return bool(sep) and text.count(SEPARATOR) >= 4 and re.fullmatch(r"[0-9]{6,15}",
                                                                      first.strip()) is not None


@dataclass(frozen=True)
class CardQr:
    """A parsed card QR. ``date_of_birth`` is ``None`` when the card gives only the year
    (day/month ``00``); ``birth_year`` is always known. ``extras`` keeps trailing fields
    raw; ``warnings`` holds message keys of tolerated rule breaks (non-strict mode)."""

    id_number: str
    full_name: str
    birth_year: int
    date_of_birth: date | None
    sex: str  # "M" / "F"
    place_of_residence: str
    date_of_issue: date
    old_id_number: str = ""
    variant: str = "7-field"
    extras: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:  # personal data never reaches logs
        return f"CardQr(<redacted>, variant={self.variant})"

    __str__ = __repr__

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    def to_citizen(self) -> Citizen:
        """The QR's data as a :class:`~hardware.shared_types.Citizen` (fields the QR lacks stay empty)."""
        return Citizen(id_number=self.id_number, full_name=self.full_name,
                       date_of_birth=self.date_of_birth, sex=self.sex,
                       place_of_residence=self.place_of_residence,
                       date_of_issue=self.date_of_issue, old_id_number=self.old_id_number)

    def access_key(self) -> AccessKey:
        """PACE CAN (last 6 digits) plus BAC document number, DOB and expiry candidates."""
        return AccessKey.from_id(self.id_number, self.date_of_birth)

    def to_dict(self, show_id: bool = False) -> dict[str, object]:
        """JSON-friendly form; the ID is masked unless ``show_id``."""
        return {
            "type": "card_qr", "variant": self.variant,
            "id_number": self.id_number if show_id else self.masked_id,
            "old_id_number": (self.old_id_number if show_id else mask_id(self.old_id_number)),
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "birth_year": self.birth_year, "sex": self.sex,
            "place_of_residence": self.place_of_residence,
            "date_of_issue": self.date_of_issue.isoformat(),
            "extras": list(self.extras), "warnings": list(self.warnings),
        }


def _parse_date(text: str, field: str, *, allow_partial: bool) -> tuple[int, date | None]:
    """(year, date or None for a year-only date) from ``ddmmyyyy``."""
    if not _DATE.fullmatch(text):
        raise CardQrError("card_qr.date", field=field, reason="format")
    day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    if allow_partial and (day == 0 or month == 0):
        # Some older people only have a registered birth year (unconfirmed how the QR
        # writes it); accept 00 day/month, keep the year, and skip BAC (needs a full DOB).
        if day > 31 or month > 12 or year < _MIN_BIRTH_YEAR:
            raise CardQrError("card_qr.date", field=field, reason="range")
        return year, None
    try:
        return year, date(year, month, day)
    except ValueError:
        raise CardQrError("card_qr.date", field=field, reason="range") from None


def _clean_text(value: str) -> str:
    return re.sub(r"\s+", " ", nfc(value))


def _check_mangled(source: str, *values: str) -> None:
    for value in values:
        reason = mangling_reason(value)
        if reason == "foreign_letters" and source != "keyboard":
            # A camera keeps the bytes: foreign letters there are a bad payload, not damage.
            raise CardQrError("card_qr.name", reason=reason)
        if reason:
            raise ScannerMangledText(reason=reason, next_step=_mangled_next(source))


def _mangled_next(source: str) -> str:
    return "next.use_camera" if source == "keyboard" else "next.use_keypad"


def split_fields(text: str) -> tuple[str, list[str]]:
    """(variant, the 7 canonical fields + extras) of a card QR payload."""
    fields = text.split(SEPARATOR)
    second = fields[1].strip() if len(fields) > 1 else ""
    if second == "" or second.isdigit():
        if len(fields) < 7:
            raise CardQrError("card_qr.fields", reason=f"count={len(fields)}")
        return "7-field", fields
    if len(fields) < 6:
        raise CardQrError("card_qr.fields", reason=f"count={len(fields)}")
    return "6-field", [fields[0], ""] + fields[1:]


def parse_card_qr(text: str, rules: IdentifyRules | None = None, *,
                  source: str = "camera", today: date | None = None) -> CardQr:
    """Parse a card QR payload or raise a :class:`~kiosk.identity.errors.IdentifyError`.

    ``source`` ("camera", "keyboard", …) only changes the advice when the text was
    mangled: a keyboard-wedge scanner is told to give way to the camera.
    """
    rules = rules or IdentifyRules()
    today = today or date.today()
    variant, f = split_fields(text.strip("\r\n"))
    raw_id, raw_old, raw_name, raw_dob, raw_sex, raw_addr, raw_issue = (
        s.strip() for s in f[:7])
    name, sex_text, address = _clean_text(raw_name), _clean_text(raw_sex), _clean_text(raw_addr)

    # Damage first: a mangled name must say "use the camera", not "invalid name".
    _check_mangled(source, name, sex_text, address)
    if lost_diacritics(name, sex_text, address):
        raise ScannerMangledText(reason="diacritics_lost", next_step=_mangled_next(source))

    try:
        id_number = validate_id_number(raw_id, extra_province_codes=rules.extra_province_codes,
                                       today=today)
    except IdNumberError as exc:
        if exc.code == "id.digits" and source == "keyboard":
            # Digits typed as symbols: the scanner's keyboard layout differs from the host's.
            raise ScannerMangledText(reason="layout", next_step="next.use_camera") from None
        raise
    if raw_old and not _OLD_ID.fullmatch(raw_old):
        raise CardQrError("card_qr.old_id", field="old_id_number")
    if not name or len(name) > _MAX_NAME or not any(ch.isalpha() for ch in name) or not all(
            ch.isalpha() or ch in _NAME_EXTRA for ch in name):
        raise CardQrError("card_qr.name", field="full_name")
    sex = _SEX.get(sex_text.lower())
    if sex is None:
        raise CardQrError("card_qr.sex", field="sex")

    birth_year, dob = _parse_date(raw_dob, "date_of_birth", allow_partial=True)
    if birth_year < _MIN_BIRTH_YEAR or (dob or date(birth_year, 1, 1)) > today:
        raise CardQrError("card_qr.date", field="date_of_birth", reason="range")
    _, issued = _parse_date(raw_issue, "date_of_issue", allow_partial=False)
    # One day of slack: the kiosk clock may lag the issuing office's time zone.
    if issued is None or issued > today + timedelta(days=1) or issued.year < birth_year:
        raise CardQrError("card_qr.date", field="date_of_issue", reason="range")

    warnings: list[str] = []
    for problem in check_id_against_person(id_number, birth_year, sex):
        if rules.strict_id_digits:
            raise IdNumberError(problem, field="id_number", reason="inconsistent",
                                next_step="next.ask_staff")
        warnings.append(problem)

    return CardQr(id_number=id_number, full_name=name, birth_year=birth_year,
                  date_of_birth=dob, sex=sex, place_of_residence=address,
                  date_of_issue=issued, old_id_number=raw_old, variant=variant,
                  extras=tuple(nfc(x) for x in f[7:]), warnings=tuple(warnings))


def make_card_qr_payload(citizen: Citizen, *, variant: str = "7-field",
                         extras: tuple[str, ...] = ()) -> str:
    """The card QR text for ``citizen`` (demo cards, tests): the inverse of
    :func:`parse_card_qr`. ``variant="6-field"`` omits the old ID field."""
    if citizen.date_of_birth is None or citizen.date_of_issue is None:
        raise ValueError("a card QR needs a date of birth and a date of issue")
    fields = [citizen.id_number]
    if variant == "7-field":
        fields.append(citizen.old_id_number)
    fields += [nfc(citizen.full_name), citizen.date_of_birth.strftime("%d%m%Y"),
               _SEX_TEXT.get(citizen.sex, ""), nfc(citizen.place_of_residence),
               citizen.date_of_issue.strftime("%d%m%Y"), *extras]
    return SEPARATOR.join(fields)
