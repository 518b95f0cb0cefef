"""Identification from what the citizen brings: card QR, booking / dossier code, typed ID.

Pure Python (no device, no UI). The identify screen calls:

- :func:`parse_payload` on each scanned payload -> :class:`CardQr` | :class:`BookingCode`
  | :class:`DossierCode`, or raises an :class:`IdentifyError` (``code``, ``next_step``,
  ``message(lang)``, ``next_step_message(lang)``);
- :func:`check_id_input` on every keypad change (live state with a message key) and
  :func:`access_key_for_id` on "Continue";
- :meth:`CardQr.access_key` / :meth:`CardQr.to_citizen`, then :func:`cross_check`
  against the chip's :class:`~hardware.shared_types.Citizen`.
"""
from kiosk.identity.card_qr import CardQr, make_card_qr_payload, parse_card_qr
from kiosk.identity.codes import BookingCode, DossierCode
from kiosk.identity.crosscheck import (CROSS_CHECK_FIELDS, cross_check, mismatch_message_keys,
                                       names_match)
from kiosk.identity.dispatch import Payload, parse_payload
from kiosk.identity.errors import (BookingCodeError, CardQrError, IdentifyError,
                                   IdNumberError, ScannerMangledText, UnknownPayload)
from kiosk.identity.id_number import (IdInputState, access_key_for_id, check_id_input,
                                      province_codes, validate_id_number)
from kiosk.identity.messages import MESSAGES, message
from kiosk.identity.rules import IdentifyRules

__all__ = [
    "BookingCode", "BookingCodeError", "CROSS_CHECK_FIELDS", "CardQr", "CardQrError",
    "DossierCode", "IdInputState", "IdNumberError", "IdentifyError", "IdentifyRules",
    "MESSAGES", "Payload", "ScannerMangledText", "UnknownPayload", "access_key_for_id",
    "check_id_input", "cross_check", "make_card_qr_payload", "message",
    "mismatch_message_keys", "names_match", "parse_card_qr", "parse_payload",
    "province_codes", "validate_id_number",
]
