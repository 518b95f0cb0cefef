"""Cross-check ID number, name and date of birth between DG1, DG13 and (optionally) the QR."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .dg13 import Dg13, parse_vn_date
from .mrz import Td1


@dataclass(frozen=True)
class CrossCheck:
    """``None`` = could not compare (a side missing).  ``mismatches`` names fields only."""

    id_match: bool | None
    name_match: bool | None
    dob_match: bool | None
    mismatches: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def fold_name(text: str) -> str:
    """Uppercase A-Z form of a Vietnamese name, as the MRZ writes it (Đ → D, no accents)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalpha() and c.isascii() else " " for c in stripped.upper())
    return " ".join(cleaned.split())


def _names_match(mrz_name: str, full_name: str, mrz_truncated: bool) -> bool:
    a, b = fold_name(mrz_name), fold_name(full_name)
    return a == b or (mrz_truncated and b.startswith(a))


def cross_check(dg1: Td1, dg13: Dg13 | None, qr: dict[str, str] | None = None) -> CrossCheck:
    """Compare DG1 ↔ DG13 (↔ QR: keys ``id``, ``name``, ``dob`` as ddmmyyyy)."""
    mismatches: list[str] = []
    ids, names, dobs = [], [], []
    if dg13 is not None:
        if dg13.id_number:
            ids.append(("DG13", dg13.id_number))
        if dg13.full_name:
            names.append(("DG13", dg13.full_name))
        date = parse_vn_date(dg13.date_of_birth)
        if date:
            dobs.append(("DG13", date.strftime("%d%m%Y")))
    if qr:
        if qr.get("id"):
            ids.append(("QR", qr["id"]))
        if qr.get("name"):
            names.append(("QR", qr["name"]))
        if qr.get("dob"):
            dobs.append(("QR", qr["dob"]))

    id_match = None
    if ids:
        full = dg1.full_id_number
        id_match = all(value == full or (not full and value[-9:] == dg1.document_number)
                       for _src, value in ids)
        id_match = id_match and all(value[-9:] == dg1.document_number for _src, value in ids)
        id_match = id_match and len({v for _s, v in ids}) == 1
        if not id_match:
            mismatches.append("id_number")
    name_match = None
    if names:
        truncated = not dg1.raw[60:90].endswith("<")
        name_match = all(_names_match(dg1.name, n, truncated) for _s, n in names)
        name_match = name_match and len({fold_name(n) for _s, n in names}) == 1
        if not name_match:
            mismatches.append("name")
    dob_match = None
    if dobs:
        mrz = dg1.date_of_birth  # YYMMDD
        dob_match = all(d[4:8][-2:] == mrz[:2] and d[2:4] == mrz[2:4] and d[:2] == mrz[4:6]
                        for _s, d in dobs) and len({d for _s, d in dobs}) == 1
        if not dob_match:
            mismatches.append("date_of_birth")
    return CrossCheck(id_match, name_match, dob_match, tuple(mismatches))
