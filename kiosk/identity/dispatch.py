"""One entry point for whatever a QR source delivered: :func:`parse_payload`."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Union

from kiosk.identity.card_qr import CardQr, looks_like_card_qr, parse_card_qr
from kiosk.identity.codes import BookingCode, DossierCode, match_code, parse_code_url
from kiosk.identity.errors import ScannerMangledText, UnknownPayload
from kiosk.identity.mangling import mangling_reason
from kiosk.identity.rules import IdentifyRules

Payload = Union[CardQr, BookingCode, DossierCode]

# Control characters other than tab/CR/LF never occur in a usable payload.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What a card QR looks like when the scanner's keyboard layout differs from the host's:
# the separator "|" became another mark and/or the ID's digits became symbols (AZERTY),
# so: 12 characters, then one punctuation mark repeated between the fields.
_SEPARATOR_DAMAGE = re.compile(r"^\S{12}([^\w\s])")


def _decode(payload: str | bytes) -> str:
    if isinstance(payload, str):
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        raise UnknownPayload("qr.not_text", reason="not_utf8") from None


def _separator_damage(text: str) -> bool:
    m = _SEPARATOR_DAMAGE.match(text)
    return m is not None and text.count(m.group(1)) >= 5


def parse_payload(payload: str | bytes, config: Any = None, *, source: str = "camera",
                  today: date | None = None) -> Payload:
    """Recognise and parse a scanned payload.

    ``payload``: the decoded text (or raw bytes, decoded as UTF-8). ``config``: a
    :class:`~kiosk.config.Config`, an :class:`IdentifyRules` or ``None`` for defaults.
    ``source``: "camera", "keyboard" or "simulated" (only changes the advice given when
    the text was mangled). Returns a :class:`CardQr`, :class:`BookingCode` or
    :class:`DossierCode`; raises an :class:`~kiosk.identity.errors.IdentifyError`
    subclass for anything else, never another exception.
    """
    rules = IdentifyRules.from_config(config)
    text = _decode(payload).lstrip("\ufeff").strip()
    if not text:
        raise UnknownPayload("qr.empty", next_step="next.try_again")
    if len(text) > rules.max_payload_chars:
        raise UnknownPayload("qr.too_long")
    if _CONTROL.search(text):
        raise UnknownPayload(reason="control_chars")
    if looks_like_card_qr(text):
        return parse_card_qr(text, rules, source=source, today=today)
    found = match_code(text, rules) or parse_code_url(text, rules)
    if found:
        return found
    if source == "keyboard":
        if _separator_damage(text):
            raise ScannerMangledText(reason="layout")
        reason = mangling_reason(text)
        if reason in ("mojibake", "replacement_char"):
            raise ScannerMangledText(reason=reason)
    raise UnknownPayload()
