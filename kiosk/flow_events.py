"""Events (inputs) and effects (outputs) of the citizen flow, and its states.

Plain frozen dataclasses: the vocabulary shared by :mod:`kiosk.flow`, the controller and
the screens (``from kiosk import flow as f; f.CardPresent()`` keeps working: the flow
module re-exports every name).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from hardware.shared_types import AccessKey, CardReadResult, Citizen
from kiosk.photo.session import AcceptedPhoto


class State(str, enum.Enum):
    ATTRACT = "attract"
    IDENTIFY = "identify"
    READING = "reading"
    CONFIRM = "confirm"
    SERVICE = "service"
    PHOTO = "photo"
    TICKET = "ticket"
    DONE = "done"
    STATUS = "status"
    CHECKIN = "checkin"   # an online booking checking in (see kiosk.flow_visit)
    OUT_OF_SERVICE = "out_of_service"


# -- events (inputs) -------------------------------------------------------------------
@dataclass(frozen=True)
class StartIdentify:
    """Citizen chose "tap card / scan QR" on the attract screen."""


@dataclass(frozen=True)
class StartWalkIn:
    """Citizen chose "get a ticket" without identifying."""


@dataclass(frozen=True)
class StartStatus:
    """Citizen chose "check the status of my application"."""


@dataclass(frozen=True)
class CardPresent:
    """A card lies on the reader (inserted now or already there)."""


@dataclass(frozen=True)
class CardGone:
    """The card left the reader."""


@dataclass(frozen=True)
class IdDigitsEntered:
    """The citizen typed a complete 12-digit ID number (an intent: the flow derives the
    chip's access key; screens never build device objects)."""

    digits: str

    def __repr__(self) -> str:
        return "IdDigitsEntered(<redacted>)"


@dataclass(frozen=True)
class KeyProvided:
    """The access key (and, from the card QR, the printed identity) became known."""

    key: AccessKey
    source: str  # "qr" or "keypad"
    qr_citizen: Citizen | None = None


@dataclass(frozen=True)
class QrRejected:
    """A QR code was seen but cannot be used; ``code`` names the reason (message key),
    ``next_step`` what the citizen should do (a :mod:`kiosk.identity.messages` key, or ""
    when ``code`` carries its own next step)."""

    code: str
    next_step: str = ""


@dataclass(frozen=True)
class ContinueWithoutChip:
    """Use the card QR's data when the chip cannot be read (it is marked as such)."""


@dataclass(frozen=True)
class CardReadOk:
    result: CardReadResult


@dataclass(frozen=True)
class CardReadFailed:
    code: str  # "wrong_key", "card_removed", "not_supported", "read_error", "no_reader", …


@dataclass(frozen=True)
class Confirmed:
    """Citizen confirmed that the data shown are correct."""


@dataclass(frozen=True)
class CorrectionsRequested:
    """Citizen flagged fields as wrong; counter staff will correct them. ``values``
    optionally maps a flagged field to the value the citizen typed (NFC text)."""

    fields: tuple[str, ...]
    values: tuple[tuple[str, str], ...] = ()  # (field, corrected text); a tuple keeps the event hashable


@dataclass(frozen=True)
class ServiceChosen:
    service_code: str
    priority_group: str = ""


@dataclass(frozen=True)
class PhotoAccepted:
    """The citizen accepted the reviewed portrait (a :class:`kiosk.photo.session.AcceptedPhoto`)."""

    photo: AcceptedPhoto = field(repr=False)


@dataclass(frozen=True)
class PhotoSkipped:
    """Continue without a photo; the counter takes it. ``reason``: "citizen" (skip),
    "counter" (after the failed tries), "camera_unavailable"."""

    reason: str


@dataclass(frozen=True)
class TicketIssued:
    ticket: Any


@dataclass(frozen=True)
class TicketIssueFailed:
    code: str


@dataclass(frozen=True)
class PrintFinished:
    """The printer finished; ``error`` is "" on success or the fault's code."""

    error: str = ""


@dataclass(frozen=True)
class StatusQuery:
    code: str


@dataclass(frozen=True)
class StatusAnswered:
    result: Any


@dataclass(frozen=True)
class StatusFailed:
    """The status lookup could not be done (service unreachable, store error)."""

    code: str = "status_unavailable"


@dataclass(frozen=True)
class DevicesChanged:
    """The periodic device check: ``missing`` names the required devices that are
    unusable now (empty: all back)."""

    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finish:
    """Citizen pressed "done" (or the ticket screen timed out)."""


@dataclass(frozen=True)
class Cancel:
    """Citizen pressed "start over": wipe and go back to the attract screen."""


@dataclass(frozen=True)
class Back:
    """Citizen pressed "back"."""


@dataclass(frozen=True)
class UserActivity:
    """Any touch: resets the idle timer and dismisses the idle warning."""


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class ToggleLargeText:
    pass


@dataclass(frozen=True)
class Fault:
    """Something went wrong outside the flow (a crashed worker, a broken device)."""

    reason: str


# -- effects (outputs) -----------------------------------------------------------------
@dataclass(frozen=True)
class ReadCard:
    key: AccessKey


@dataclass(frozen=True)
class IssueTicket:
    service_code: str
    priority_group: str
    flags: tuple[str, ...] = ()  # for counter staff, no personal data: see Session.ticket_flags


@dataclass(frozen=True)
class PrintTicket:
    ticket: Any


@dataclass(frozen=True)
class LookupStatus:
    code: str


@dataclass(frozen=True)
class StartPhoto:
    """The PHOTO state was entered: start taking and analysing camera frames."""


@dataclass(frozen=True)
class StopPhoto:
    """The PHOTO state was left (by any way, wipes included): stop the camera work."""


@dataclass(frozen=True)
class SessionWiped:
    """Every personal field was dropped; views must clear what they show."""


from kiosk.visit_events import CheckIn, PrintStatusSlip  # noqa: E402 - the visit's effects

Effect = (ReadCard | IssueTicket | PrintTicket | LookupStatus | StartPhoto | StopPhoto | SessionWiped
          | CheckIn | PrintStatusSlip)
