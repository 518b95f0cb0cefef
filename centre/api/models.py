"""Request and response bodies of the centre's API (pydantic; they make /openapi.json)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TicketId = Annotated[int, Path(ge=1, le=2_147_483_647, description="ticket id")]


def _encodable(value: Any) -> Any:
    """Reject text that is not valid Unicode (lone surrogates from JSON escapes)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode") from None
    elif isinstance(value, dict):
        for k, v in value.items():
            _encodable(k)
            _encodable(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _encodable(v)
    return value


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, text must be valid Unicode."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _unicode(cls, value: Any) -> Any:
        return _encodable(value)


class ErrorBody(BaseModel):
    error: str = Field(description="stable machine-readable reason")
    detail: str = Field(description="what is wrong, in plain English")


class Wait(BaseModel):
    low_min: int
    high_min: int


class TicketOut(BaseModel):
    id: int
    number: str
    service: str
    day: str
    priority_group: str
    priority: bool
    appointment: bool
    state: str
    issued_at: str | None
    kiosk: str
    offline: bool
    counter: int | None
    target_counter: int | None
    calls: int
    print_state: str
    flags: list[str]
    people_ahead: int | None = None
    wait: Wait | None = None


class BookingClaim(Strict):
    """A booking the citizen scanned (or the card they tapped) when the kiosk could not reach
    the centre to check it in; it travels with the ticket the kiosk then issued."""

    code: str = Field(default="", max_length=80, description="the booking code; empty: the first open "
                      "booking of id_number on the ticket's day")
    id_number: str = Field(default="", pattern=r"^(\d{12})?$")

    @model_validator(mode="after")
    def _names_a_booking(self) -> "BookingClaim":
        if not self.code and not self.id_number:
            raise ValueError("a booking code or an ID number is needed")
        return self


class IssueIn(Strict):
    service: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    priority_group: str = Field(default="", max_length=40, pattern=r"^[a-z0-9_]*$")
    flags: list[str] = Field(default_factory=list, max_length=20)
    booking: BookingClaim | None = Field(default=None, description=(
        "a booking whose check-in could not reach the centre, checked in with this ticket (judged at its issue "
        "time): taken, the ticket is the appointment's (flag appointment.claim.checked_in; appointment.claim.late "
        "lapses the booking, the ticket stays a walk-in); otherwise the ticket stays a walk-in flagged "
        "appointment.claim.<why> (no_booking, booking_used, booking_other_day, identity_mismatch, "
        "booking_other_service)"))


class OfflineIssueIn(IssueIn):
    seq: int = Field(ge=1, le=99999)
    issued_at: datetime = Field(description="when the kiosk issued it (with time zone)")
    client_ref: str = Field(min_length=1, max_length=80)
    replaces: str = Field(default="", max_length=200,
                          description="the Idempotency-Key of the online attempt this ticket replaces (its "
                                      "answer was lost): a ticket made under it is cancelled, a late one refused")


class VoidIn(Strict):
    replaces: str = Field(min_length=1, max_length=200,
                          description="the Idempotency-Key of this kiosk's online issue (or booking check-in) "
                                      "attempt that nobody holds (the kiosk restarted before showing its "
                                      "number, or lost the check-in's answer)")


class VoidOut(BaseModel):
    outcome: Literal["cancelled", "tombstoned", "left_called", "already_ended", "no_ticket"] = Field(
        description="cancelled: its ticket was waiting; tombstoned: no request under the key yet (a late one "
                    "gets 409 attempt_abandoned); left_called: a counter called it already; already_ended; "
                    "no_ticket: the attempt made no ticket")


class LeaseIn(Strict):
    day: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    prefixes: list[str] = Field(default_factory=list, max_length=30)
    extra: bool = False


class LeaseOut(BaseModel):
    day: str
    prefix: str
    lo: int
    hi: int


class PrintIn(Strict):
    ok: bool
    error: str = Field(default="", max_length=30)


class HandoverIn(Strict):
    """What the citizen confirmed at the kiosk. Free-form inside each part; encrypted at rest."""

    chip: dict[str, Any] = Field(default_factory=dict, description="chip data as read")
    passive_auth: dict[str, Any] = Field(default_factory=dict, description="verdict code, reason")
    flagged: list[str] = Field(default_factory=list, max_length=40)
    corrections: dict[str, str] = Field(default_factory=dict)
    portrait_jpeg_b64: str = Field(default="", max_length=2_000_000)
    priority_reason: str = Field(default="", max_length=200)
    source: str = Field(default="", max_length=40, description="card, qr, typed")


class CheckInIn(Strict):
    code: str = Field(default="", max_length=80, description="the booking code; empty: today's booking "
                      "of id_number (the card of the person who booked)")
    id_number: str = Field(default="", pattern=r"^(\d{12})?$")
    priority_group: str = Field(default="", max_length=40, pattern=r"^[a-z0-9_]*$")
    flags: list[str] = Field(default_factory=list, max_length=20)


class ArrivalRule(BaseModel):
    arrival: Literal["early", "on_time", "too_early", "late"]
    slot_at: str | None
    come_back_at: str | None


class CheckInOut(BaseModel):
    checked_in: bool
    rule: ArrivalRule
    ticket: TicketOut | None
    identity_checked: bool = False


class LookupIn(Strict):
    id_number: str = Field(pattern=r"^\d{12}$")


class StatusEntry(BaseModel):
    status: int
    vi: str
    en: str
    at: str | None


class ApplicationOut(BaseModel):
    code: str
    procedure: str
    receipt_no: str
    status: int
    status_vi: str
    status_en: str
    final: bool
    next_step_vi: str
    next_step_en: str
    received_on: str | None
    due_on: str | None
    returned_on: str | None
    overdue: bool = Field(description="past due_on while still with the office (status 1, 2 or 4)")
    unit: str
    collect_vi: str
    collect_en: str
    timeline: list[StatusEntry]
    updated_at: str | None


class HeartbeatIn(Strict):
    state: str = Field(default="ok", max_length=40)
    health: dict[str, Any] = Field(default_factory=dict)


class SignInIn(Strict):
    counter: int = Field(ge=1, le=999)
    services: list[str] = Field(min_length=1, max_length=30)
    officer: str = Field(min_length=1, max_length=80)
    pin: str = Field(min_length=1, max_length=12)


class SignInOut(BaseModel):
    session: str
    counter: int
    officer: str
    services: list[str]


class TransferIn(Strict):
    service: str | None = Field(default=None, max_length=40)
    counter: int | None = Field(default=None, ge=1, le=999)


class RatingIn(Strict):
    score: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list, max_length=10)


class Ok(BaseModel):
    ok: bool = True
