"""The access key a terminal needs: a CAN for PACE and/or BAC data (MRZ information).

A CCCD's expiry follows the 25/40/60 rule (and 14 under the 2023 law), so knowing
only the ID and the date of birth gives a short *list* of possible expiry dates; the
reader tries each.  ``repr`` never shows the values (they are personal data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .mrz import mrz_information

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


@dataclass(frozen=True)
class BacData:
    """Document number (9 chars), DOB (YYMMDD) and the expiry candidates to try."""

    document_number: str = field(repr=False)
    date_of_birth: str = field(repr=False)
    expiry_candidates: tuple[str, ...] = field(repr=False)

    def mrz_infos(self) -> list[str]:
        """MRZ information strings, one per expiry candidate (BAC / PACE-MRZ keys)."""
        return [mrz_information(self.document_number, self.date_of_birth, e) for e in self.expiry_candidates]


@dataclass(frozen=True)
class AccessKey:
    """What the terminal knows to open the chip."""

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
        return cls(can=can)

    @classmethod
    def from_mrz(cls, document_number: str, dob: str, expiry: str | list[str]) -> "AccessKey":
        """BAC data from MRZ fields (YYMMDD dates); ``expiry`` may be a list to try."""
        expiries = (expiry,) if isinstance(expiry, str) else tuple(expiry)
        return cls(bac=BacData(document_number, dob, expiries))

    @classmethod
    def from_id_and_dob(cls, id12: str, dob: dt.date | str, *, today: dt.date | None = None) -> "AccessKey":
        """CAN = last 6 digits of the ID; BAC docnum = last 9; expiry from the age rule.

        ``dob`` is a date, 'YYYY-MM-DD', 'dd/mm/yyyy' or 'ddmmyyyy'.
        """
        if len(id12) != 12 or not id12.isdigit():
            raise ValueError("ID number must be 12 digits")
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
