"""DG13: Vietnamese personal data, walked generically (see DOMAIN.md §2).

A *field* is any SEQUENCE whose first child is an INTEGER 1..16 and which contains no
other field; its value is every string leaf below it, in order.  That tolerates the
two known nestings of field 13 (parents), missing fields, PrintableString vs
UTF8String and extra wrapping.  Text is NFC-normalised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .asn1 import (INTEGER, OID, OID_UTF8_MARKER, SEQUENCE, SET, STRING_TAGS, decode_string,
                   encode_int, encode_oid, encode_printable, encode_utf8)
from .tlv import Tlv, encode_seq, parse

FIELD_NAMES = {
    1: "id_number", 2: "full_name", 3: "date_of_birth", 4: "sex", 5: "nationality",
    6: "ethnicity", 7: "religion", 8: "place_of_origin", 9: "place_of_residence",
    10: "identifying_marks", 11: "date_of_issue", 12: "date_of_expiry", 13: "parents",
    14: "spouse", 15: "old_id_number", 16: "field_16",
}


def _field_number(item: Tlv) -> int | None:
    if item.tag != SEQUENCE or not item.children or item.children[0].tag != INTEGER:
        return None
    value = item.children[0].value
    if len(value) != 1 or not 1 <= value[0] <= 16:
        return None
    if any(child.tag in (OID, SET) for child in item.children[1:]):
        return None  # the outer {version, OID, SET} wrapper, not a field
    return value[0]


def _contains_field(item: Tlv) -> bool:
    return any(_field_number(d) is not None for d in item.walk() if d is not item)


def _strings(item: Tlv) -> list[str]:
    return [decode_string(leaf) for leaf in item.walk() if leaf.tag in STRING_TAGS]


def _collect(item: Tlv, out: dict[int, Tlv]) -> None:
    number = _field_number(item)
    if number is not None and not _contains_field(item):
        out.setdefault(number, item)  # first occurrence wins
        return
    for child in item.children:
        _collect(child, out)


def _people(item: Tlv) -> list[str | None]:
    """Split a parents/spouse field into one entry per person, keeping empty slots."""
    children = list(item.children[1:])
    while len(children) == 1 and children[0].constructed:
        children = list(children[0].children)
    people: list[str | None] = []
    for child in children:
        text = " ".join(s for s in _strings(child) if s.strip()) if child.constructed else \
            (decode_string(child) if child.tag in STRING_TAGS else "")
        people.append(text.strip() or None)
    return people


@dataclass(frozen=True)
class Dg13:
    """Parsed DG13.  ``fields`` maps field number → every string in it, in order."""

    fields: dict[int, tuple[str, ...]]
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    raw_fields: dict[int, bytes] = field(default_factory=dict, repr=False)

    def get(self, number: int) -> str | None:
        """First non-empty string of a field, or None when missing/empty."""
        for text in self.fields.get(number, ()):
            if text.strip():
                return text.strip()
        return None

    id_number = property(lambda self: self.get(1))
    full_name = property(lambda self: self.get(2))
    date_of_birth = property(lambda self: self.get(3))
    sex = property(lambda self: self.get(4))
    nationality = property(lambda self: self.get(5))
    ethnicity = property(lambda self: self.get(6))
    religion = property(lambda self: self.get(7))
    place_of_origin = property(lambda self: self.get(8))
    place_of_residence = property(lambda self: self.get(9))
    identifying_marks = property(lambda self: self.get(10))
    date_of_issue = property(lambda self: self.get(11))
    date_of_expiry = property(lambda self: self.get(12))
    old_id_number = property(lambda self: self.get(15))
    field_16 = property(lambda self: self.get(16))

    def as_dict(self) -> dict[str, str | None]:
        """Named view of every known field (for JSON output; contains personal data)."""
        out = {FIELD_NAMES[n]: self.get(n) for n in FIELD_NAMES if n not in (13, 14)}
        out.update(father_name=self.father_name, mother_name=self.mother_name,
                   spouse_name=self.spouse_name)
        return out


def parse_dg13(data: bytes) -> Dg13:
    """Parse DG13 bytes (6D …) generically; missing fields are simply absent."""
    root = parse(data, 0x6D, allow_trailing=True)
    found: dict[int, Tlv] = {}
    _collect(root, found)
    fields = {n: tuple(_strings(item)) for n, item in sorted(found.items())}
    parents = _people(found[13]) if 13 in found else []
    spouse = _people(found[14]) if 14 in found else []
    return Dg13(
        fields=fields,
        father_name=parents[0] if parents else None,
        mother_name=parents[1] if len(parents) > 1 else None,
        spouse_name=next((s for s in spouse if s), None),
        raw_fields={n: item.raw for n, item in found.items()},
    )


def parse_vn_date(text: str | None) -> dt.date | None:
    """'dd/mm/yyyy' → date; None for anything else (e.g. 'Không thời hạn')."""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


ParentNesting = Literal["flat", "nested"]


def encode_dg13(values: dict[int, str], *, father: str | None = None, mother: str | None = None,
                spouse: str | None = None, parents_nesting: ParentNesting = "flat",
                printable_ids: bool = True) -> bytes:
    """Build DG13.  ``flat``: {13, SEQ{father}, SEQ{mother}}; ``nested``: {13, SEQ{SEQ{father},
    SEQ{mother}}}.  Fields absent from ``values`` (and parents/spouse when None) are omitted."""
    items = []
    for number in range(1, 17):
        if number == 13:
            if father is None and mother is None:
                continue
            people = [encode_seq(SEQUENCE, *([encode_utf8(p)] if p else [])) for p in (father, mother)]
            body = people if parents_nesting == "flat" else [encode_seq(SEQUENCE, *people)]
            items.append(encode_seq(SEQUENCE, encode_int(13), *body))
        elif number == 14:
            spouse_seq = encode_seq(SEQUENCE, *([encode_utf8(spouse)] if spouse else []))
            items.append(encode_seq(SEQUENCE, encode_int(14), spouse_seq))
        elif number in values:
            text = values[number]
            is_id = number in (1, 15) and printable_ids and text.isascii()
            leaf = encode_printable(text) if is_id else encode_utf8(text)
            items.append(encode_seq(SEQUENCE, encode_int(number), leaf))
    body = encode_seq(SEQUENCE, encode_int(1), encode_oid(OID_UTF8_MARKER), encode_seq(SET, *items))
    return encode_seq(0x6D, body)
