"""Issuing queue tickets. The kiosk talks to a :class:`TicketIssuer`; the local one numbers
tickets itself (per prefix, daily reset, SQLite), the centre service can replace it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hardware.shared_types import TicketJob
from offline_cache.ticket_store import TicketStore


class TicketError(Exception):
    """A ticket could not be issued (unknown service, store unwritable)."""


@dataclass(frozen=True)
class ServiceInfo:
    code: str
    prefix: str
    vi: str
    en: str
    photo: bool = False  # the service needs a portrait (the assisted photo step)

    def name(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class ServiceCatalog:
    """Services and priority groups offered at this kiosk (from ``services.*`` config)."""

    def __init__(self, services: list[dict[str, Any]], priority_groups: list[dict[str, Any]]) -> None:
        self.services = [ServiceInfo(s["code"], s["prefix"], s["vi"], s["en"], bool(s.get("photo", False)))
                         for s in services]
        self.priority_groups = [dict(g) for g in priority_groups]
        self._by_code = {s.code: s for s in self.services}

    def get(self, code: str) -> ServiceInfo:
        try:
            return self._by_code[code]
        except KeyError:
            raise TicketError(f"unknown service {code!r}") from None

    def priority_name(self, code: str, language: str) -> str:
        for g in self.priority_groups:
            if g["code"] == code:
                return g["en"] if language == "en" else g["vi"]
        return ""


@dataclass(frozen=True)
class Ticket:
    """An issued ticket as the kiosk shows and prints it."""

    number: str
    service: ServiceInfo
    priority_group: str
    issued_at: datetime
    waiting_ahead: int | None = None       # unknown without the centre service
    wait_minutes: tuple[int, int] | None = None
    counter_group: str = ""
    follow_code: str = ""                  # what the ticket's QR carries
    flags: tuple[str, ...] = ()            # for counter staff (Session.ticket_flags): no personal data
    centre_id: int | None = None           # the centre's ticket id (None: local or not yet synced)
    offline: bool = False                  # numbered from this kiosk's leased range, centre unreachable
    client_key: str = ""                   # idempotency key of the issue (links outbox items)
    appointment: str = ""                  # "checked_in" / "early" when issued for a booking
    appointment_at: datetime | None = None  # the booking's slot (local time), for the ticket


class TicketIssuer(Protocol):
    def issue(self, service_code: str, priority_group: str = "",
              flags: tuple[str, ...] = ()) -> Ticket: ...

    def record_print(self, ticket: Ticket, error: str = "") -> None: ...


class LocalTicketIssuer:
    """Numbers tickets on this kiosk alone (no centre): ``A001``, ``A002`` … per day."""

    def __init__(self, catalog: ServiceCatalog, store: TicketStore, kiosk_id: str) -> None:
        self.catalog = catalog
        self.store = store
        self.kiosk_id = kiosk_id

    def issue(self, service_code: str, priority_group: str = "",
              flags: tuple[str, ...] = ()) -> Ticket:
        service = self.catalog.get(service_code)
        stored = self.store.next_ticket(service.prefix, service.code, priority_group, flags)
        follow = f"{self.kiosk_id}/{stored.issued_at:%Y%m%d}/{stored.number}"
        return Ticket(stored.number, service, priority_group, stored.issued_at, follow_code=follow,
                      flags=tuple(flags))

    def record_print(self, ticket: Ticket, error: str = "") -> None:
        self.store.mark_printed(ticket.number, error)


def ticket_job(ticket: Ticket, *, language: str, centre_name: str, masked_id: str = "",
               reprint: bool = False) -> TicketJob:
    """The printer's view of a ticket (no personal data beyond a masked ID)."""
    return TicketJob(
        number=ticket.number,
        service_code=ticket.service.code,
        service_vi=ticket.service.vi,
        service_en=ticket.service.en,
        language=language,
        centre_name=centre_name,
        priority=bool(ticket.priority_group),
        issued_at=ticket.issued_at,
        waiting_ahead=ticket.waiting_ahead,
        wait_minutes=ticket.wait_minutes,
        counter_group=ticket.counter_group,
        qr_payload=ticket.follow_code,
        masked_id=masked_id,
        reprint=reprint,
        flags=ticket.flags,
        notes=ticket_notes(ticket, language),
    )


def ticket_notes(ticket: Ticket, language: str) -> tuple[str, ...]:
    """The printed ticket's extra lines: the appointment, and "kept at this kiosk" when
    numbered offline (Vietnamese always, English too when the citizen reads English)."""
    from kiosk.visit_texts import appointment_line, offline_line

    notes: list[tuple[str, str]] = []
    if ticket.appointment:
        notes.append(appointment_line(ticket.appointment, ticket.appointment_at))
    if ticket.offline:
        notes.append(offline_line())
    out: list[str] = []
    for vi, en in notes:
        out.append(vi)
        if language == "en":
            out.append(en)
    return tuple(out)
