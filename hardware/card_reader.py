"""Card reader port: observe card taps and read the chip ID card (CCCD)."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from hardware.base import Device, HardwareError
from hardware.citizen import Citizen

if TYPE_CHECKING:  # the verdict module is light, but importing hardware.emrtd is not
    from hardware.emrtd.verdict import AuthVerdict


# -- errors ------------------------------------------------------------------------
class CardError(HardwareError):
    """Base of chip-card errors."""


class NoCardPresent(CardError):
    """A read was asked for but no card lies on the reader."""


class CardRemovedDuringRead(CardError):
    """The card left the reader's field while it was being read."""


class WrongAccessKey(CardError):
    """PACE/BAC authentication failed: the CAN or MRZ data do not fit this card."""


class CardNotSupported(CardError):
    """The card is not an ICAO eMRTD / CCCD (no eMRTD application)."""


class CardReadError(CardError):
    """Any other failure while talking to the chip (communication, malformed data)."""


class ReaderUnavailable(CardError):
    """No PC/SC reader is attached or the reader stopped answering."""


# -- data --------------------------------------------------------------------------
@dataclass(frozen=True)
class AccessKey:
    """What the chip needs before it lets anything be read.

    ``can``: PACE card access number (last 6 digits of the ID). BAC data: 9-digit document
    number (last 9 digits of the ID), birth date and expiry candidates as YYMMDD.
    """

    can: str | None = None
    document_number: str | None = None
    birth_date: str | None = None
    expiry_candidates: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return "AccessKey(<redacted>)"

    @classmethod
    def from_id(cls, id_number: str, dob: date | None = None) -> "AccessKey":
        """Derive CAN and (when the DOB is known) BAC candidates from the 12-digit ID."""
        id_number = id_number.strip()
        if dob is None:
            return cls(can=id_number[-6:])
        from hardware.emrtd.access_key import expiry_candidates  # the one 14/25/40/60 rule

        return cls(
            can=id_number[-6:],
            document_number=id_number[-9:],
            birth_date=dob.strftime("%y%m%d"),
            expiry_candidates=tuple(expiry_candidates(dob)),
        )


@dataclass(frozen=True)
class CardReadResult:
    """Everything the kiosk needs from one chip read."""

    citizen: Citizen
    access_method: str  # "PACE-CAN", "PACE-MRZ", "BAC", "simulated"
    portrait_jpeg: bytes | None = None
    # True: hashes, signature and chain verified; False: proved wrong; None: not (fully) checked
    passive_auth_ok: bool | None = None
    passive_auth_summary: str = ""
    active_auth_ok: bool | None = None
    apdu_count: int = 0
    duration_s: float = 0.0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # The chip check's one answer (verified / signature_only / failed + reason, possibly
    # cloned); None when no chip check ran (simulated card).
    verdict: AuthVerdict | None = None

    def __repr__(self) -> str:
        return f"CardReadResult(<redacted>, method={self.access_method})"

    @property
    def authenticity_failed(self) -> bool:
        """True when a security check proved the chip's data altered or the chip cloned."""
        if self.verdict is not None:
            return self.verdict.failed
        return self.passive_auth_ok is False or self.active_auth_ok is False


# -- events ------------------------------------------------------------------------
@dataclass(frozen=True)
class CardInserted:
    """A card entered the field of ``reader``."""

    reader: str
    atr: bytes = b""


@dataclass(frozen=True)
class CardRemoved:
    """The card left the field of ``reader``."""

    reader: str


@dataclass(frozen=True)
class ReaderChanged:
    """The set of attached readers changed."""

    readers: tuple[str, ...]


CardEvent = CardInserted | CardRemoved | ReaderChanged


class CardReader(Device[CardEvent]):
    """Port of a contactless reader for the chip ID card.

    Card insert/remove arrive as events on the backend's thread. :meth:`read_card`
    blocks (call it from a worker thread, never from the UI thread).
    """

    kind = "card_reader"

    @abstractmethod
    def card_present(self) -> bool:
        """True while a card lies on the reader."""

    @abstractmethod
    def read_card(self, key: AccessKey) -> CardReadResult:
        """Authenticate with ``key`` and read the citizen's data; raises :class:`CardError`."""
