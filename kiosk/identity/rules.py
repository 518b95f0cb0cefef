"""The configurable part of identification, read once from :class:`kiosk.config.Config`.

The booking and dossier code formats have no public specification (DOMAIN.md §3), so
they are regular expressions in the configuration; a wrong expression is reported as a
:class:`~kiosk.config.ConfigError` naming the option, not as a crash while scanning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kiosk.config import ConfigError

#: Defaults, repeated in kiosk/config.py OPTIONS (that file is the one users see).
DEFAULT_BOOKING_CODE_PATTERN = r"(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*[0-9])[A-Z0-9]{8,20}"
DEFAULT_DOSSIER_CODE_PATTERN = r"[A-Z0-9]{1,6}(?:\.[A-Z0-9]{1,6}){1,4}-[0-9]{6}-[0-9]{4,6}"
DEFAULT_CODE_URL_PARAMS = ("code", "ma", "mahoso", "madatlich", "booking", "id")


def _compile(option: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"option {option!r}: not a valid regular expression ({exc})") from None


@dataclass(frozen=True)
class IdentifyRules:
    """Everything the payload parsers may be configured with."""

    booking_code_pattern: str = DEFAULT_BOOKING_CODE_PATTERN
    dossier_code_pattern: str = DEFAULT_DOSSIER_CODE_PATTERN
    booking_url_hosts: tuple[str, ...] = ()  # empty: a code in any https URL is accepted
    code_url_params: tuple[str, ...] = DEFAULT_CODE_URL_PARAMS
    extra_province_codes: tuple[str, ...] = ()
    strict_id_digits: bool = True
    max_payload_chars: int = 1024
    _compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False,
                                                  repr=False)

    def __post_init__(self) -> None:
        # Compile now so that a bad pattern fails when the kiosk starts, not mid-scan.
        self._compiled["booking"] = _compile("identify.booking_code_pattern",
                                             self.booking_code_pattern)
        self._compiled["dossier"] = _compile("identify.dossier_code_pattern",
                                             self.dossier_code_pattern)
        for code in self.extra_province_codes:
            if not re.fullmatch(r"[0-9]{3}", code):
                raise ConfigError("option 'identify.extra_province_codes': "
                                  f"{code!r} is not a 3-digit code")

    @property
    def booking_re(self) -> re.Pattern[str]:
        return self._compiled["booking"]

    @property
    def dossier_re(self) -> re.Pattern[str]:
        return self._compiled["dossier"]

    @classmethod
    def from_config(cls, config: Any = None) -> "IdentifyRules":
        """Rules from a :class:`~kiosk.config.Config`, a plain mapping of dotted names,
        an :class:`IdentifyRules` (returned as is) or ``None`` (defaults)."""
        if config is None:
            return cls()
        if isinstance(config, IdentifyRules):
            return config
        get = config.get  # Config and plain dicts both have .get(name, default)

        def opt(name: str, default: Any) -> Any:
            value = get(f"identify.{name}", None)
            return default if value is None else value

        return cls(
            booking_code_pattern=opt("booking_code_pattern", DEFAULT_BOOKING_CODE_PATTERN),
            dossier_code_pattern=opt("dossier_code_pattern", DEFAULT_DOSSIER_CODE_PATTERN),
            booking_url_hosts=tuple(h.lower() for h in opt("booking_url_hosts", ())),
            code_url_params=tuple(p.lower() for p in opt("code_url_params",
                                                         DEFAULT_CODE_URL_PARAMS)),
            extra_province_codes=tuple(opt("extra_province_codes", ())),
            strict_id_digits=bool(opt("strict_id_digits", True)),
            max_payload_chars=int(opt("max_payload_chars", 1024)),
        )
