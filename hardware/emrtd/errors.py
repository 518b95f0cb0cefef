"""Typed errors of the eMRTD layer and the one place that maps status words to them.

Messages never contain personal data: they name the operation, the file id and the
status word only (file ids and status words are protocol constants, not citizen data).

``ChipError``, ``StatusWordError`` and ``WrongAccessKey`` are defined in
:mod:`hardware.shared_types` (``WrongAccessKey`` is also the card-reader port's error, so
it and its bases live on neutral ground) and re-exported here.
"""

from __future__ import annotations

from hardware.shared_types import ChipError, StatusWordError, WrongAccessKey


class CardRemoved(ChipError):
    """The card left the field (or the reader reported it gone).

    Transports raise this themselves (pyscard's ``CardConnectionException`` "card
    removed", a vpcd disconnect, the virtual chip's fault injection); the protocol
    layer never wraps or swallows it.
    """


class CommunicationError(ChipError):
    """The transport failed or the card answered something unusable."""


class AuthenticationFailed(StatusWordError):
    """An authentication protocol failed for a reason other than a wrong key
    (blocked key, malformed chip answer, chip failed to prove itself)."""


class FileNotFound(StatusWordError):
    """The file or application does not exist on the card (6A82)."""


class SecurityStatusNotSatisfied(StatusWordError):
    """The file needs an access right we do not have (6982), e.g. DG3 without EAC."""


class SecureMessagingError(StatusWordError):
    """Secure messaging broke: bad MAC, missing SM objects (6987/6988) or a response
    whose MAC does not verify."""


class UnexpectedStatus(StatusWordError):
    """Any other error status word."""


class ParseError(ChipError):
    """Malformed data read from the card."""


class TlvError(ParseError):
    """Malformed BER-TLV (length past the end, indefinite length, too deep, too big)."""


class MrzError(ParseError):
    """DG1 does not hold a parsable MRZ."""


class PassiveAuthFailed(ChipError):
    """Passive authentication proved the data was altered or not signed as claimed."""


class ActiveAuthFailed(AuthenticationFailed):
    """The chip failed active authentication (possible clone)."""


SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than Le were available: data is still valid

_EXACT: dict[int, type[StatusWordError]] = {
    0x6982: SecurityStatusNotSatisfied,
    0x6A82: FileNotFound,
    0x6987: SecureMessagingError,
    0x6988: SecureMessagingError,
    0x6983: AuthenticationFailed,  # authentication method blocked
    0x6984: AuthenticationFailed,  # reference data not usable
}


def is_success(sw: int) -> bool:
    """True for 9000 and the 62xx/63xx warnings that still carry valid data."""
    return sw == SW_OK or sw == SW_END_OF_FILE


def error_for_status(sw: int, operation: str, *, authenticating: bool = False) -> StatusWordError:
    """Return (not raise) the typed error for an error status word.

    ``authenticating`` marks the last step of BAC/PACE, where 6300/63Cx/6A80 mean that
    the key the terminal derived from the CAN/MRZ does not match the card's.
    """
    if authenticating and (sw == 0x6300 or sw & 0xFFF0 == 0x63C0 or sw in (0x6A80, 0x6982)):
        return WrongAccessKey(f"{operation}: access key rejected by the card", sw)
    cls = _EXACT.get(sw)
    if cls is not None:
        return cls(f"{operation} failed", sw)
    return UnexpectedStatus(f"{operation} failed", sw)


def check_status(sw: int, operation: str, *, authenticating: bool = False) -> None:
    """Raise the typed error for ``sw`` unless it is a success status."""
    if not is_success(sw):
        raise error_for_status(sw, operation, authenticating=authenticating)
