"""The citizen's identity data, whichever way it was obtained (chip, QR, keypad).

Shared by hardware/ (card readers build it) and kiosk/ (the flow shows it); it imports
neither, so the two layers have no import cycle."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from datetime import date


def nfc(text: str | None) -> str:
    """Normalise text to NFC: decomposed Vietnamese accents render badly."""
    return unicodedata.normalize("NFC", text or "").strip()


def mask_id(id_number: str | None) -> str:
    """Show only the last 4 digits of an ID number (e.g. ``********7064``)."""
    digits = (id_number or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


@dataclass(frozen=True)
class Citizen:
    """Personal data of one citizen. Never log an instance: ``repr`` hides every value."""

    id_number: str
    full_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""  # "M" / "F" / "" (unknown)
    nationality: str = ""
    ethnicity: str = ""
    religion: str = ""
    place_of_origin: str = ""
    place_of_residence: str = ""
    identifying_marks: str = ""
    date_of_issue: date | None = None
    date_of_expiry: str = ""  # "dd/mm/yyyy" or text such as "Không thời hạn"
    father_name: str = ""
    mother_name: str = ""
    spouse_name: str = ""
    old_id_number: str = ""

    def __repr__(self) -> str:  # privacy: keep personal data out of logs and tracebacks
        return "Citizen(<redacted>)"

    __str__ = __repr__

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def can(self) -> str:
        """PACE card access number: the last 6 digits of the 12-digit ID."""
        return self.id_number[-6:]

    def field_names(self) -> list[str]:
        return [f.name for f in fields(self)]
