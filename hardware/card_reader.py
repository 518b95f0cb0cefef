"""Card reader port: observe card taps and read the chip ID card (CCCD)."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from hardware.base import Device
# The key in, the result out and the base error are data the kiosk core shares: they live
# in the neutral module.
from hardware.shared_types import AccessKey, CardError, CardReadResult


# -- errors ------------------------------------------------------------------------
# CardError (the base) and WrongAccessKey (the chip refused the CAN / MRZ data) live in
# hardware.shared_types: the eMRTD layer raises the same WrongAccessKey class.
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
