"""Typed identify errors: a stable code, the field concerned, and the next step.

``str(error)`` is for technicians and logs: it holds the code, the field and a reason
word, never a value from the payload (payloads carry names, ID numbers, addresses).
Screens show ``error.message(lang)`` and ``error.next_step_message(lang)``.
"""
from __future__ import annotations

from kiosk.identity.messages import message


class IdentifyError(Exception):
    """Base of every payload / ID number error.

    ``code``: message key (see :mod:`kiosk.identity.messages`); ``field``: the payload
    field at fault (``"id_number"``, ``"date_of_birth"`` …) or ``None``; ``next_step``:
    message key of what the citizen should do; ``reason``: a short technical word.
    """

    default_code = "qr.unknown"
    default_next_step = "next.show_card_qr"

    def __init__(self, code: str | None = None, *, field: str | None = None,
                 next_step: str | None = None, reason: str = "") -> None:
        self.code = code or self.default_code
        self.field = field
        self.next_step = next_step or self.default_next_step
        self.reason = reason
        parts = [self.code]
        if field:
            parts.append(f"field={field}")
        if reason:
            parts.append(f"reason={reason}")
        super().__init__(" ".join(parts))

    def message(self, lang: str = "vi") -> str:
        """What went wrong, in one plain sentence."""
        return message(self.code, lang)

    def next_step_message(self, lang: str = "vi") -> str:
        """What the citizen should do now."""
        return message(self.next_step, lang)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly description (no personal data)."""
        return {"error": type(self).__name__, "code": self.code, "field": self.field,
                "reason": self.reason, "next_step": self.next_step,
                "message_vi": self.message("vi"), "message_en": self.message("en"),
                "next_step_vi": self.next_step_message("vi"),
                "next_step_en": self.next_step_message("en")}


class UnknownPayload(IdentifyError):
    """Not a card QR, booking code or dossier code (or empty, too long, not text)."""


class ScannerMangledText(IdentifyError):
    """The text was damaged on its way in (keyboard-wedge encoding, lost diacritics)."""

    default_code = "qr.mangled"
    default_next_step = "next.use_camera"


class CardQrError(IdentifyError):
    """The payload is a card QR but one of its fields is wrong."""

    default_code = "card_qr.fields"
    default_next_step = "next.use_keypad"


class IdNumberError(IdentifyError):
    """The 12-digit personal ID number breaks one of its digit rules."""

    default_code = "id.length"
    default_next_step = "next.fix_digits"


class BookingCodeError(IdentifyError):
    """A booking URL from a known host whose code does not match the configured pattern."""

    default_code = "booking.invalid"
    default_next_step = "next.ask_staff"
