"""Online booking / registration codes and application receipt (dossier) codes.

Neither has a public specification (DOMAIN.md §3): both are opaque codes matched by the
regular expressions in the configuration, given bare or inside an https URL (in a query
parameter or the last path segment). The centre service looks the code up; the kiosk
only recognises it. A pattern may hold a named group ``code`` to extract the part that
the centre service expects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from kiosk.identity.errors import BookingCodeError
from kiosk.identity.rules import IdentifyRules


@dataclass(frozen=True)
class BookingCode:
    """An online booking / registration code. ``url_host`` is set when it came in a URL."""

    code: str
    url_host: str | None = None

    def to_dict(self, show_id: bool = False) -> dict[str, object]:
        return {"type": "booking_code", "code": self.code, "url_host": self.url_host}


@dataclass(frozen=True)
class DossierCode:
    """An application receipt / dossier code (mã hồ sơ), for status look-up and collection."""

    code: str
    url_host: str | None = None

    def to_dict(self, show_id: bool = False) -> dict[str, object]:
        return {"type": "dossier_code", "code": self.code, "url_host": self.url_host}


def _match(pattern: re.Pattern[str], candidate: str) -> str | None:
    m = pattern.fullmatch(candidate)
    if m is None:
        return None
    return m.groupdict().get("code") or m.group(0)


def match_code(candidate: str, rules: IdentifyRules,
               url_host: str | None = None) -> BookingCode | DossierCode | None:
    """The code ``candidate`` is, by the configured patterns (dossier first: its default
    pattern is the more specific one), or ``None``."""
    code = _match(rules.dossier_re, candidate)
    if code:
        return DossierCode(code, url_host)
    code = _match(rules.booking_re, candidate)
    if code:
        return BookingCode(code, url_host)
    return None


def parse_code_url(text: str, rules: IdentifyRules) -> BookingCode | DossierCode | None:
    """A code carried by an http(s) URL, or ``None`` when ``text`` is not such a URL.

    Raises :class:`BookingCodeError` for a URL of a configured booking host that holds no
    valid code (the citizen has the right kind of QR, but it is damaged or outdated).
    """
    if not re.match(r"https?://", text, re.IGNORECASE) or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        query = parse_qsl(parts.query, keep_blank_values=False)
    except ValueError:  # malformed netloc / port
        return None
    if not host:
        return None
    known_host = any(host == h or host.endswith("." + h) for h in rules.booking_url_hosts)
    if rules.booking_url_hosts and not known_host:
        return None  # a URL from anywhere else: not ours to follow or trust
    candidates = [v for k, v in query if k.lower() in rules.code_url_params]
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments:
        candidates.append(segments[-1])
    if parts.fragment:
        candidates.append(unquote(parts.fragment))
    for candidate in candidates:
        found = match_code(candidate.strip(), rules, host)
        if found:
            return found
    if known_host:
        raise BookingCodeError(reason="no_code_in_url")
    return None
