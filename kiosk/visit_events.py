"""Events and effects of the visit on the centre: appointment check-in and the status
extras (status for the identified citizen, the printed status slip). Handled by
:mod:`kiosk.flow_visit`; plain frozen dataclasses like :mod:`kiosk.flow_events`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# -- events (inputs) -------------------------------------------------------------------
@dataclass(frozen=True)
class BookingScanned:
    """The QR of an online booking (or its code) was read."""

    code: str = field(repr=False)


@dataclass(frozen=True)
class CheckInByCard:
    """The identified citizen says they booked: the centre finds today's booking by ID."""


@dataclass(frozen=True)
class CheckInWithoutCard:
    """Check the booking in without an ID card: staff check the identity at the counter."""


@dataclass(frozen=True)
class CheckInAnswered:
    """The centre's answer (a :class:`kiosk.visit.CheckInOutcome`)."""

    outcome: Any = field(repr=False)


@dataclass(frozen=True)
class CheckInFailed:
    """The check-in was refused or could not be done; ``code`` is a message key."""

    code: str


@dataclass(frozen=True)
class WalkInInstead:
    """Take an ordinary ticket instead of checking the booking in."""


@dataclass(frozen=True)
class StatusForMe:
    """The identified citizen asks for the status of their own applications."""


@dataclass(frozen=True)
class PrintStatus:
    """Print the status shown on a slip."""


@dataclass(frozen=True)
class StatusPrinted:
    """The status slip printed (``error`` "") or failed (a printer error code)."""

    error: str = ""


# -- effects (outputs) -----------------------------------------------------------------
@dataclass(frozen=True)
class CheckIn:
    """Check ``code`` in through the centre; ``id_number`` "" when not identified."""

    code: str = field(repr=False)
    id_number: str = field(repr=False)
    priority_group: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintStatusSlip:
    result: Any = field(repr=False)
    language: str = "vi"
