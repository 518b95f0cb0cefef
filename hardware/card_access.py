"""What opens the chip ID card, and the error when the chip refuses it.

One :class:`AccessKey` (the PACE CAN and/or the BAC / PACE-MRZ data a citizen's ID
number, date of birth or MRZ give) and one :class:`WrongAccessKey`, shared by the eMRTD
protocol layer (``hardware.emrtd``), the card-reader port and its backends, and the
kiosk core. Like :mod:`hardware.citizen` this module is neutral ground: it imports the
standard library and :mod:`hardware.base` only (no device backend, no protocol code, no
kiosk code), so every layer can use it without an import cycle
(``tests/unit/test_layering.py`` checks both).

:class:`WrongAccessKey` belongs to two hierarchies at once: the port promises that
``read_card`` raises :class:`CardError` only, and the protocol layer maps status words to
:class:`StatusWordError` (a :class:`ChipError`). One class with both bases is caught by
either, so the chip's "wrong key" answer reaches the screen without being translated.
That is why the two bases are defined here rather than in ``hardware.card_reader`` and
``hardware.emrtd.errors`` (which re-export them): this module cannot import either.

The 14/25/40/60 expiry rule lives here too: it is the law on the card, not protocol
code, and turning an ID and a birth date into a key needs it. The protocol derivation
(MRZ information with check digits) stays in :mod:`hardware.emrtd.mrz`.
``repr`` of a key never shows its values (they are personal data).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hardware.base import HardwareError


# -- errors --------------------------------------------------------------------------
class CardError(HardwareError):
    """Base of the card-reader port's errors (``hardware.card_reader`` adds the others)."""


class ChipError(Exception):
    """Base class of every error raised by the eMRTD layer (``hardware.emrtd.errors``)."""


class StatusWordError(ChipError):
    """The card answered with an error status word."""

    def __init__(self, message: str, sw: int | None = None) -> None:
        super().__init__(message if sw is None else f"{message} (SW {sw:04X})")
        self.sw = sw


class WrongAccessKey(CardError, StatusWordError):
    """PACE/BAC authentication failed: the CAN or MRZ data do not fit this card.

    ``sw`` is the chip's status word when the chip said so (None when the key was
    refused before or without one, e.g. by the simulated reader).
    """


# -- the CCCD expiry rule -------------------------------------------------------------
# Ages at which a CCCD expires (Law on Identification 2023 adds 14). Keep the rule here.
EXPIRY_AGES = (14, 25, 40, 60)
NO_EXPIRY = "<<<<<<"  # DG1 encoding of "no expiry" is unconfirmed; tried last for 58+


def _birthday(dob: dt.date, age: int) -> list[dt.date]:
    try:
        return [dob.replace(year=dob.year + age)]
    except ValueError:  # 29 February in a non-leap year: either convention may be used
        return [dt.date(dob.year + age, 2, 28), dt.date(dob.year + age, 3, 1)]


def expiry_candidates(dob: dt.date, today: dt.date | None = None) -> list[str]:
    """Possible CCCD expiry dates (YYMMDD), most likely first.

    Future thresholds first (nearest first: a card issued within 2 years of a threshold
    runs to the next one, so later ones stay possible), then past ones (expired cards),
    most recent first; "no expiry" last for people aged 58 or more.
    """
    today = today or dt.date.today()
    dates = [d for age in EXPIRY_AGES for d in _birthday(dob, age)]
    future = sorted(d for d in dates if d >= today)
    past = sorted((d for d in dates if d < today), reverse=True)
    out = [d.strftime("%y%m%d") for d in future + past]
    if _birthday(dob, 58)[0] <= today:
        out.append(NO_EXPIRY)
    return out


# -- the key --------------------------------------------------------------------------
@dataclass(frozen=True)
class BacData:
    """Document number (9 chars), DOB (YYMMDD) and the expiry candidates (YYMMDD) to try.

    :func:`hardware.emrtd.mrz.mrz_infos` turns them into the BAC / PACE-MRZ key inputs.
    """

    document_number: str = field(repr=False)
    date_of_birth: str = field(repr=False)
    expiry_candidates: tuple[str, ...] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.expiry_candidates:  # the chip needs one; from_id derives them from the DOB
            raise ValueError("BAC data need at least one expiry candidate")


@dataclass(frozen=True)
class AccessKey:
    """What the terminal knows to open the chip: a CAN (PACE) and/or BAC data."""

    can: str | None = field(default=None, repr=False)
    bac: BacData | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.can is not None and (len(self.can) != 6 or not self.can.isdigit()):
            raise ValueError("CAN must be 6 digits")
        if self.can is None and self.bac is None:
            raise ValueError("an access key needs a CAN or BAC data")

    def __repr__(self) -> str:
        bac = f"{len(self.bac.expiry_candidates)} expiry candidates" if self.bac else "no BAC data"
        return f"AccessKey(can={'set' if self.can else 'none'}, {bac})"

    @classmethod
    def from_can(cls, can: str) -> "AccessKey":
        """PACE with the card access number only (6 digits)."""
        return cls(can=can)

    @classmethod
    def from_mrz(cls, document_number: str, dob: str, expiry: str | list[str]) -> "AccessKey":
        """BAC data from MRZ fields (YYMMDD dates); ``expiry`` may be a list to try."""
        expiries = (expiry,) if isinstance(expiry, str) else tuple(expiry)
        return cls(bac=BacData(document_number, dob, expiries))

    @classmethod
    def from_id(cls, id_number: str, dob: dt.date | str | None = None, *,
                today: dt.date | None = None) -> "AccessKey":
        """CAN = last 6 digits of the 12-digit ID; with the DOB also BAC data: document
        number = last 9 digits, expiry candidates by the age rule.

        ``dob`` is a date, 'YYYY-MM-DD', 'dd/mm/yyyy' or 'ddmmyyyy'; None gives a
        CAN-only key (chips that offer PACE need no more).
        """
        id12 = id_number.strip()
        if len(id12) != 12 or not id12.isdigit():
            raise ValueError("ID number must be 12 digits")
        if dob is None:
            return cls(can=id12[-6:])
        dob_date = _parse_dob(dob)
        bac = BacData(id12[-9:], dob_date.strftime("%y%m%d"), tuple(expiry_candidates(dob_date, today)))
        return cls(can=id12[-6:], bac=bac)


def _parse_dob(dob: dt.date | str) -> dt.date:
    if isinstance(dob, dt.date):
        return dob
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d%m%Y"):
        try:
            return dt.datetime.strptime(dob, fmt).date()
        except ValueError:
            continue
    raise ValueError("unrecognised date of birth format")
