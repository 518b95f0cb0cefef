"""Turns a scanned QR payload into a flow event, depending on where the citizen is."""
from __future__ import annotations

import logging
from typing import Any, Callable

from kiosk import flow as f
from kiosk.config import Config

log = logging.getLogger(__name__)


class QrInterpreter:
    """Card QR -> access key (+ printed identity); dossier code -> status query;
    booking code -> a check-in; anything else -> a typed rejection carrying the
    error's message key and its next step (both :mod:`kiosk.identity.messages` keys).

    ``source`` ("camera", "keyboard", "simulated") is passed on to the parser: only a
    keyboard-wedge scanner can mangle Vietnamese text, and the advice differs."""

    def __init__(self, config: Config, state: Callable[[], f.State]) -> None:
        self._config = config
        self._state = state
        self._rules: Any = None

    def to_event(self, text: str, raw: bytes, source: str = "camera") -> object:
        """The flow event for one scanned payload (never raises)."""
        from kiosk.identity import (BookingCode, CardQr, DossierCode, IdentifyError,
                                    IdentifyRules, parse_payload)

        if self._rules is None:
            self._rules = IdentifyRules.from_config(self._config)
        try:
            result = parse_payload(raw if raw else text, self._rules, source=source)
        except IdentifyError as exc:
            log.info("QR rejected: %s (%s)", exc.code, source)  # codes only, never the payload
            return f.QrRejected(exc.code, exc.next_step)
        if isinstance(result, CardQr):
            return f.KeyProvided(result.access_key(), "qr", result.to_citizen())
        if isinstance(result, DossierCode):
            # on the status screen, or straight at the welcome screen: its status
            return f.StatusQuery(result.code) if self._state() in (f.State.STATUS, f.State.ATTRACT) \
                else f.QrRejected("qr.dossier_here")
        if isinstance(result, BookingCode):
            from kiosk.visit_events import BookingScanned
            return BookingScanned(result.code)   # checked in through the centre (kiosk.flow_visit)
        return f.QrRejected("qr.unknown")
