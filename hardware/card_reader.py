"""Card reader port: observe card taps and read the chip ID card (CCCD)."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hardware.base import Device
from hardware.card_access import AccessKey, CardError
from hardware.citizen import Citizen

if TYPE_CHECKING:  # the verdict module is light, but importing hardware.emrtd is not
    from hardware.emrtd.verdict import AuthVerdict


# -- errors ------------------------------------------------------------------------
# CardError (the base) and WrongAccessKey (the chip refused the CAN / MRZ data) live in
# hardware.card_access: the eMRTD layer raises the same WrongAccessKey class.
class NoCardPresent(CardError):
    """A read was asked for but no card lies on the reader."""


class CardRemovedDuringRead(CardError):
    """The card left the reader's field while it was being read."""


class CardNotSupported(CardError):
    """The card is not an ICAO eMRTD / CCCD (no eMRTD application)."""


class CardReadError(CardError):
    """Any other failure while talking to the chip (communication, malformed data)."""


class ReaderUnavailable(CardError):
    """No PC/SC reader is attached or the reader stopped answering."""


# -- data --------------------------------------------------------------------------
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
