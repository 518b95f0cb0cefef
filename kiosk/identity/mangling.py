"""Recognise Vietnamese text damaged on its way in (mostly by keyboard-wedge scanners).

A HID scanner "types" the payload; with a non-UTF-8 host setting it may type each UTF-8
byte as a Windows-1252 character (``Nguyá»…n`` for ``Nguyễn``), drop every non-ASCII
character (``Nguyn``), strip the accents (``Nguyen``), or send replacement characters. A
camera decode keeps the bytes, so the remedy is always "use the camera".
"""
from __future__ import annotations

import re
import unicodedata

#: Lower-case letters of the Vietnamese alphabet beyond ASCII, precomposed (NFC).
_VI_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)

#: Byte sequences that UTF-8 Vietnamese turns into when read as Windows-1252/Latin-1:
#: lead bytes C3/C4/C6/E1 followed by a continuation byte 80-BF shown as a Latin-1 symbol.
_MOJIBAKE = re.compile("[ÃÄÆá][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026"
                       "\u2030\u2039\u203a\u20ac\u2122]")

# Windows-1252 characters of the 0x80-0x9F range, mapped back to their bytes.
_CP1252_BACK = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252_BACK[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass


def is_vietnamese_letter(ch: str) -> bool:
    """True for ASCII letters and the precomposed letters of the Vietnamese alphabet."""
    low = ch.lower()
    return ("a" <= low <= "z") or low in _VI_LETTERS


def has_diacritics(text: str) -> bool:
    """True when ``text`` holds at least one Vietnamese letter beyond ASCII."""
    return any(ch.lower() in _VI_LETTERS for ch in unicodedata.normalize("NFC", text))


def repair_mojibake(text: str) -> str | None:
    """Undo a UTF-8-read-as-Windows-1252 round trip, or ``None`` when it is not one.

    Used only to *recognise* the damage with certainty; the kiosk never trusts the
    repaired text (a byte may have been lost), it asks for the camera instead.
    """
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if o < 0x100:
            out.append(o)
        elif ch in _CP1252_BACK:
            out.append(_CP1252_BACK[ch])
        else:
            return None
    try:
        fixed = out.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if fixed != text else None


def mangling_reason(text: str) -> str | None:
    """Why ``text`` looks damaged ("replacement_char", "mojibake", "foreign_letters"),
    or ``None`` when it looks like ordinary Vietnamese/ASCII text.

    "foreign_letters" means letters outside the Vietnamese alphabet, such as the Latin-1
    look-alikes (Ð, ð, Ä) of a wrong code page; use it only for fields that must be
    Vietnamese (names, addresses), not for opaque codes.
    """
    if "\ufffd" in text or "\x1a" in text:  # U+FFFD, or the SUB control of ASCII
        return "replacement_char"
    if _MOJIBAKE.search(text) or repair_mojibake(text) is not None:
        return "mojibake"
    for ch in unicodedata.normalize("NFC", text):
        if ch.isalpha() and not is_vietnamese_letter(ch):
            return "foreign_letters"
    return None


def lost_diacritics(name: str, sex: str, address: str) -> bool:
    """True when the accents of a card QR's Vietnamese fields were stripped or dropped.

    The sex field is "Nam" or "Nữ": "Nu" or "N" can only be a damaged "Nữ". Otherwise a
    name *and* an address (which always holds words like Xã, Phường, Huyện, Tỉnh, Thành
    phố) that are both plain ASCII mean the accents were lost; one ASCII field alone is
    possible (some names have no accent), so it is not taken as damage.
    """
    if sex.strip().lower() in ("nu", "n", "n?"):
        return True
    return bool(name.strip() and address.strip()) and not has_diacritics(name) \
        and not has_diacritics(address)
