"""MRZ check digits, BAC/PACE MRZ information, and TD1 (ID card, 3 × 30) parsing/building."""

from __future__ import annotations

from dataclasses import dataclass

from hardware.shared_types import BacData

from .errors import MrzError
from .tlv import Tlv, encode, parse

_WEIGHTS = (7, 3, 1)


def char_value(ch: str) -> int:
    """MRZ character value: digits as is, A..Z = 10..35, '<' = 0."""
    if ch.isdigit() and ch.isascii():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    if ch == "<":
        return 0
    raise MrzError("invalid MRZ character")


def check_digit(text: str) -> str:
    """ICAO 9303 check digit (weights 7,3,1) as a one-character string."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def mrz_information(document_number: str, dob: str, expiry: str) -> str:
    """The BAC / PACE-MRZ key input: docnum+cd + DOB+cd + expiry+cd.

    Document numbers shorter than 9 characters are padded with '<' (ICAO rule).
    """
    docnum = document_number.ljust(9, "<")
    if len(dob) != 6 or not dob.isdigit():
        raise MrzError("date of birth must be YYMMDD")
    if len(expiry) != 6 or not (expiry.isdigit() or expiry == "<<<<<<"):
        raise MrzError("expiry must be YYMMDD or <<<<<< (no expiry)")
    return docnum + check_digit(docnum) + dob + check_digit(dob) + expiry + check_digit(expiry)


def mrz_infos(bac: BacData) -> list[str]:
    """MRZ information strings for ``bac``, one per expiry candidate (BAC / PACE-MRZ keys)."""
    return [mrz_information(bac.document_number, bac.date_of_birth, e) for e in bac.expiry_candidates]


@dataclass(frozen=True)
class Td1:
    """A parsed TD1 MRZ.  ``bad_check_digits`` lists fields whose check digit failed."""

    document_code: str
    issuing_state: str
    document_number: str
    optional_data_1: str
    date_of_birth: str
    sex: str
    date_of_expiry: str
    nationality: str
    optional_data_2: str
    primary_identifier: str
    secondary_identifier: str
    bad_check_digits: tuple[str, ...]
    raw: str

    @property
    def check_digits_ok(self) -> bool:
        return not self.bad_check_digits

    @property
    def full_id_number(self) -> str:
        """CCCD: the 12-digit ID sits at the start of optional data 1."""
        return self.optional_data_1[:12].rstrip("<")

    @property
    def name(self) -> str:
        """Name as printed in the MRZ order: primary then secondary identifiers."""
        return " ".join(p for p in (self.primary_identifier, self.secondary_identifier) if p)


def parse_td1(mrz: str) -> Td1:
    """Parse a 90-character TD1 MRZ (line breaks allowed) and validate check digits."""
    text = mrz.replace("\n", "").replace("\r", "")
    if len(text) != 90:
        raise MrzError("TD1 MRZ must have 90 characters")
    for ch in text:
        char_value(ch)
    l1, l2, l3 = text[:30], text[30:60], text[60:90]
    bad: list[str] = []
    docnum, doc_cd, opt1 = l1[5:14], l1[14], l1[15:30]
    if doc_cd == "<" and opt1.rstrip("<"):
        # Long document number: continues in optional data, check digit after it.
        tail = opt1.rstrip("<")
        docnum, doc_cd, opt1 = docnum + tail[:-1], tail[-1], opt1[len(tail):]
    if check_digit(docnum) != doc_cd:
        bad.append("document_number")
    dob, dob_cd = l2[0:6], l2[6]
    expiry, exp_cd = l2[8:14], l2[14]
    if check_digit(dob) != dob_cd:
        bad.append("date_of_birth")
    if check_digit(expiry) != exp_cd and not (expiry == "<<<<<<" and exp_cd == "<"):  # both seen
        bad.append("date_of_expiry")
    composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    if check_digit(composite) != l2[29]:
        bad.append("composite")
    names = l3.split("<<", 1)
    primary = names[0].replace("<", " ").strip()
    secondary = names[1].replace("<", " ").strip() if len(names) > 1 else ""
    return Td1(
        document_code=l1[0:2].rstrip("<"), issuing_state=l1[2:5], document_number=docnum.rstrip("<"),
        optional_data_1=opt1, date_of_birth=dob, sex=l2[7], date_of_expiry=expiry,
        nationality=l2[15:18], optional_data_2=l2[18:29], primary_identifier=primary,
        secondary_identifier=secondary, bad_check_digits=tuple(bad), raw=text,
    )


def parse_dg1(data: bytes) -> Td1:
    """Parse DG1 (61 { 5F1F MRZ })."""
    root: Tlv = parse(data, 0x61, allow_trailing=True)
    mrz = root.child(0x5F1F).value
    try:
        return parse_td1(mrz.decode("ascii"))
    except UnicodeDecodeError as exc:
        raise MrzError("MRZ is not ASCII") from exc


def _field(text: str, width: int) -> str:
    cleaned = "".join(c if c.isalnum() else "<" for c in text.upper())
    if len(cleaned) > width:
        cleaned = cleaned[:width]
    return cleaned.ljust(width, "<")


def build_td1(*, id12: str, dob: str, sex: str, expiry: str, surname: str, given: str,
              state: str = "VNM", doc_code: str = "ID") -> str:
    """Build a CCCD-style TD1 MRZ (docnum = last 9 of the ID, full ID in optional data).

    ``surname``/``given`` must already be transliterated to A-Z (no diacritics).
    """
    docnum = id12[-9:]
    opt1 = _field(id12 + "<<" + check_digit(id12), 15)
    l1 = _field(doc_code, 2) + state + docnum + check_digit(docnum) + opt1
    exp_cd = check_digit(expiry)
    opt2 = "<" * 11
    l2_wo = dob + check_digit(dob) + (sex or "<") + expiry + exp_cd + state + opt2
    composite = l1[5:30] + l2_wo[0:7] + l2_wo[8:15] + l2_wo[18:29]
    l2 = l2_wo + check_digit(composite)
    l3 = _field(surname.replace(" ", "<") + "<<" + given.replace(" ", "<"), 30)
    return l1 + l2 + l3


def encode_dg1(mrz: str) -> bytes:
    """DG1 bytes for an MRZ string."""
    return encode(0x61, encode(0x5F1F, mrz.encode("ascii")))
