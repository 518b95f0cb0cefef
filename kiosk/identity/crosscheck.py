"""Cross-checks between what the citizen showed (QR, typed ID) and what the chip says.

A mismatch is never silently accepted: the identify flow shows it plainly
(``mismatch.<field>`` messages) and sends it to counter staff.
"""
from __future__ import annotations

import unicodedata
from typing import Iterable

from hardware.shared_types import Citizen
from kiosk.identity.card_qr import CardQr
from kiosk.identity.mangling import has_diacritics

CROSS_CHECK_FIELDS = ("id_number", "full_name", "date_of_birth")


def normalise_name(name: str) -> str:
    """NFC, case-folded, inner whitespace collapsed (the form names are compared in)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def strip_accents(text: str) -> str:
    """Remove Vietnamese diacritics ("Nguyễn Đức" -> "Nguyen Duc") to compare with an MRZ."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def names_match(a: str, b: str) -> bool:
    """True when two names are the same up to NFC, case and spacing.

    When one side has no diacritics at all (a name taken from the chip's MRZ, which is
    ASCII, e.g. ``UNG<<HOANG<HIEP``), accents are ignored on both sides: the MRZ cannot
    hold them, so their absence is not a mismatch. ``<`` filler counts as a space.
    """
    na, nb = normalise_name(a.replace("<", " ")), normalise_name(b.replace("<", " "))
    if na == nb:
        return True
    if not has_diacritics(na) or not has_diacritics(nb):
        return strip_accents(na) == strip_accents(nb)
    return False


def cross_check(shown: CardQr | Citizen, chip: Citizen,
                fields: Iterable[str] = CROSS_CHECK_FIELDS) -> list[str]:
    """Names of the fields that differ between ``shown`` (card QR or typed data) and the
    chip's :class:`Citizen`. A field unknown on either side (empty / ``None``) is not
    compared. An empty list means they agree."""
    a = shown.to_citizen() if isinstance(shown, CardQr) else shown
    mismatches: list[str] = []
    for name in fields:
        va, vb = getattr(a, name), getattr(chip, name)
        if va in (None, "") or vb in (None, ""):
            continue
        if name == "full_name":
            same = names_match(va, vb)
        elif name == "id_number":
            same = str(va).strip() == str(vb).strip()
        else:
            same = va == vb
        if not same:
            mismatches.append(name)
    return mismatches


def mismatch_message_keys(mismatches: Iterable[str]) -> list[str]:
    """Message keys (``mismatch.<field>``) for the fields :func:`cross_check` returned."""
    return [f"mismatch.{name}" for name in mismatches]
