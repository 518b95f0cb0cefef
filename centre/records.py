"""Applications (dossiers), bookings and kiosk heartbeats as the centre stores them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time as dtime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from centre.domain.applications import (FINAL_STATUSES, STATUS_EN, STATUS_VI, add_working_days, is_overdue, is_status,
                                        next_step)
from centre.domain.appointments import Arrival, best_slot, judge_arrival
from centre.domain.errors import CentreError, Conflict, Forbidden, Invalid, NotFound
from centre.principals import Principal
from centre.service import Centre
from centre.store.events import emit
from centre.store.schema import application, application_status, appointment, kiosk_heartbeat


@dataclass(frozen=True)
class ApplicationRow:
    """One application as an import file or an adapter gives it (portal field names)."""

    code: str                 # MaHoSo
    status: int               # TrangThaiHoSo 1-10
    procedure: str = ""       # MaTTHC
    receipt_no: str = ""      # SoBienNhan
    id_number: str = ""       # SoDinhDanh (12 digits), stored only as a keyed hash
    received_on: date | None = None   # NgayTiepNhan
    due_on: date | None = None        # NgayHenTra
    returned_on: date | None = None   # NgayTra
    unit: str = ""            # DonViXuLy


def upsert_application(centre: Centre, conn: Connection, row: ApplicationRow, source: str) -> str:
    """Insert or update a dossier; a new status is appended to its timeline.
    Returns 'created', 'updated' or 'unchanged'."""
    if not is_status(row.status):
        raise Invalid(f"TrangThaiHoSo must be 1-10, got {row.status}")
    now = centre.clock()
    due = row.due_on
    if due is None and row.received_on is not None:
        due = add_working_days(row.received_on, centre.settings.due_working_days, centre.settings.holidays)
    values = {
        "procedure": row.procedure, "receipt_no": row.receipt_no,
        "id_hmac": centre.sealer.id_hash(row.id_number) if row.id_number else "",
        "received_on": row.received_on.isoformat() if row.received_on else "",
        "due_on": due.isoformat() if due else "",
        "returned_on": row.returned_on.isoformat() if row.returned_on else "",
        "status": row.status, "unit": row.unit, "updated_at": now,
    }
    old = conn.execute(select(application).where(application.c.code == row.code)).first()
    if old is None:
        conn.execute(application.insert().values(code=row.code, **values))
        outcome = "created"
    else:
        changed = any(getattr(old, k) != v for k, v in values.items() if k != "updated_at")
        if not changed:
            return "unchanged"
        conn.execute(update(application).where(application.c.code == row.code).values(**values))
        outcome = "updated"
    if old is None or old.status != row.status:
        conn.execute(application_status.insert().values(code=row.code, status=row.status, at=now,
                                                        source=source[:200]))
        emit(conn, "application.status", {"code": row.code, "status": row.status}, now)
    return outcome


def application_view(centre: Centre, conn: Connection, row: Any) -> dict[str, Any]:
    s = centre.settings
    timeline = [{"status": r.status, "vi": STATUS_VI[r.status], "en": STATUS_EN[r.status],
                 "at": centre.iso(r.at)}
                for r in conn.execute(select(application_status).where(application_status.c.code == row.code)
                                      .order_by(application_status.c.id))]
    due = date.fromisoformat(row.due_on) if row.due_on else None
    today = date.fromisoformat(centre.day_of(centre.clock()))
    vi, en = next_step(row.status, due, today)
    return {
        "code": row.code, "procedure": row.procedure, "receipt_no": row.receipt_no,
        "status": row.status, "status_vi": STATUS_VI[row.status], "status_en": STATUS_EN[row.status],
        "final": row.status in FINAL_STATUSES, "next_step_vi": vi, "next_step_en": en,
        "received_on": row.received_on or None, "due_on": row.due_on or None,
        "returned_on": row.returned_on or None, "overdue": is_overdue(row.status, due, today), "unit": row.unit,
        "collect_vi": s.collect_vi if row.status == 9 else "", "collect_en": s.collect_en if row.status == 9 else "",
        "timeline": timeline, "updated_at": centre.iso(row.updated_at),
    }


def find_application(centre: Centre, conn: Connection, code: str) -> dict[str, Any]:
    """By dossier code (MaHoSo) or receipt number (SoBienNhan)."""
    row = conn.execute(select(application).where(or_(application.c.code == code,
                                                     application.c.receipt_no == code))).first()
    if row is None:
        raise NotFound("no application with this code", code="no_application")
    return application_view(centre, conn, row)


def applications_of(centre: Centre, conn: Connection, id_number: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(application).where(application.c.id_hmac == centre.sealer.id_hash(id_number))
                        .order_by(application.c.received_on.desc()))
    return [application_view(centre, conn, r) for r in rows]


def upsert_appointment(centre: Centre, conn: Connection, *, code: str, service_code: str, slot_at: float,
                       slot_end: float, id_number: str, source: str) -> str:
    if centre.settings.service(service_code) is None:
        raise Invalid(f"unknown service {service_code!r}")
    if slot_end < slot_at:
        raise Invalid("the slot ends before it starts")
    values = {"service_code": service_code, "slot_at": slot_at, "slot_end": slot_end,
              "id_hmac": centre.sealer.id_hash(id_number) if id_number else "", "source": source[:200]}
    old = conn.execute(select(appointment).where(appointment.c.code == code)).first()
    if old is None:
        conn.execute(appointment.insert().values(code=code, state="booked", **values))
        return "created"
    if old.state != "booked":
        raise Conflict("this booking has already checked in")
    conn.execute(update(appointment).where(appointment.c.code == code).values(**values))
    return "updated"


def _open_booking(centre: Centre, conn: Connection, code: str, id_number: str, at: float) -> Any:
    """The booking ``code`` (without a code: the first open one of ``id_number`` on the day of
    ``at``, a card tap) if it can be checked in on that day by that person; typed refusals."""
    if code:
        row = conn.execute(select(appointment).where(appointment.c.code == code)).first()
    elif id_number:
        row = _todays_booking(centre, conn, id_number, at)
    else:
        raise Invalid("a booking code or an ID number is needed")
    if row is None:
        raise NotFound("no booking with this code", code="no_booking")
    if row.state != "booked":
        raise Conflict("this booking has already been used", code="booking_used")
    if centre.day_of(row.slot_at) != centre.day_of(at):
        raise Conflict(f"this booking is for {centre.day_of(row.slot_at)}", code="booking_other_day")
    if row.id_hmac and id_number and centre.sealer.id_hash(id_number) != row.id_hmac:
        raise Forbidden("the identity card does not match this booking; please see a member of staff",
                        code="identity_mismatch")
    return row


def _mismatch_said(conn: Connection, refused: CentreError, code: str, id_number: str, now: float) -> None:
    """Staff are told of a card that does not match a booking (row ids only)."""
    if refused.code == "identity_mismatch":
        row = conn.execute(select(appointment.c.id).where(appointment.c.code == code)).first() if code else None
        emit(conn, "booking.identity_mismatch", {"booking": row.id if row else None}, now)


def check_in(centre: Centre, conn: Connection, kiosk: Principal, code: str, id_number: str,
             priority_group: str = "", flags: list[str] | None = None) -> dict[str, Any]:
    """Check a booking in: identity match, the early/late rule, then a ticket. Without a
    code, the booking is today's first open one of ``id_number`` (a card tap)."""
    now = centre.clock()
    try:
        row = _open_booking(centre, conn, code, id_number, now)
    except CentreError as refused:
        _mismatch_said(conn, refused, code, id_number, now)
        raise
    verdict = judge_arrival(row.slot_at, now, centre.settings.appointments)
    rule = {"arrival": verdict.arrival.value, "slot_at": centre.iso(row.slot_at),
            "come_back_at": centre.iso(verdict.come_back_at)}
    if not verdict.issues_ticket:
        return {"checked_in": False, "rule": rule, "ticket": None}
    booked = verdict.checks_in
    view = centre.issue(conn, kiosk, row.service_code, priority_group, flags,
                        appointment_id=row.id if booked else None,
                        appointment_at=row.slot_at if booked else None)
    conn.execute(update(appointment).where(appointment.c.id == row.id).values(
        state="checked_in" if booked else "lapsed", ticket_id=view["id"], checked_in_at=now))
    return {"checked_in": booked, "rule": rule, "ticket": view,
            "identity_checked": bool(row.id_hmac and id_number)}


@dataclass(frozen=True)
class ClaimedBooking:
    """A booking a ticket claims: the citizen's check-in could not reach the centre, so the
    kiosk sent the booking with the ticket it then issued (offline, or online once the centre
    answered again); judged at the ticket's issue time. ``outcome``: ``checked_in`` (the ticket becomes the appointment's: called
    ahead of walk-ins from the slot on, also when the citizen came early), ``late`` (the
    booking lapses, the ticket stays a walk-in, as online), or why it was not taken:
    ``no_booking``, ``booking_used``, ``booking_other_day``, ``identity_mismatch``,
    ``booking_other_service`` (the citizen chose another service at the kiosk). Not taken,
    the ticket stays a walk-in; its flags say why, so the counter checks the booking."""

    outcome: str
    row: Any = None

    @property
    def flag(self) -> str:
        return f"appointment.claim.{self.outcome}"

    @property
    def checks_in(self) -> bool:
        return self.outcome == "checked_in"


def judge_claimed_booking(centre: Centre, conn: Connection, service_code: str, code: str, id_number: str,
                          at: float) -> ClaimedBooking:
    """Judge the booking a ticket claims, as a check-in at ``at`` would have been (no writes:
    see :func:`settle_claimed_booking`)."""
    try:
        row = _open_booking(centre, conn, code, id_number, at)
    except CentreError as refused:
        return ClaimedBooking(refused.code)
    if row.service_code != service_code:
        return ClaimedBooking("booking_other_service")
    late = judge_arrival(row.slot_at, at, centre.settings.appointments).arrival is Arrival.LATE
    return ClaimedBooking("late" if late else "checked_in", row)


def settle_claimed_booking(centre: Centre, conn: Connection, judged: ClaimedBooking, code: str,
                           ticket_id: int, at: float) -> None:
    """The ticket ``ticket_id`` was made: the booking it claimed is checked in (or lapsed) at
    ``at`` with it; a mismatching card is told to staff."""
    if judged.outcome == "identity_mismatch":
        _mismatch_said(conn, Forbidden("", code="identity_mismatch"), code, "", centre.clock())
    if judged.row is not None:
        conn.execute(update(appointment).where(appointment.c.id == judged.row.id).values(
            state="checked_in" if judged.checks_in else "lapsed", ticket_id=ticket_id, checked_in_at=at))


def _todays_booking(centre: Centre, conn: Connection, id_number: str, at: float) -> Any:
    """The open booking of ``id_number`` today that a card tap means (see ``best_slot``)."""
    today = centre.day_of(at)
    rows = [row for row in conn.execute(select(appointment).where(
                appointment.c.id_hmac == centre.sealer.id_hash(id_number), appointment.c.state == "booked"))
            if centre.day_of(row.slot_at) == today]
    pick = best_slot([row.slot_at for row in rows], at, centre.settings.appointments)
    return rows[pick] if pick is not None else None


def heartbeat(centre: Centre, conn: Connection, kiosk: Principal, state: str, data: dict[str, Any]) -> None:
    now = centre.clock()
    payload = json.dumps(data, ensure_ascii=False)[:4000]
    if conn.execute(select(kiosk_heartbeat.c.kiosk).where(kiosk_heartbeat.c.kiosk == kiosk.name)).first():
        conn.execute(update(kiosk_heartbeat).where(kiosk_heartbeat.c.kiosk == kiosk.name)
                     .values(at=now, state=state[:40], data=payload))
    else:
        conn.execute(kiosk_heartbeat.insert().values(kiosk=kiosk.name, at=now, state=state[:40], data=payload))


def kiosks(centre: Centre, conn: Connection) -> list[dict[str, Any]]:
    now = centre.clock()
    return [{"kiosk": r.kiosk, "last_seen": centre.iso(r.at), "state": r.state,
             "silent": now - r.at > centre.settings.kiosk_silent_s, "health": json.loads(r.data or "{}")}
            for r in conn.execute(select(kiosk_heartbeat).order_by(kiosk_heartbeat.c.kiosk))]


def slot_epoch(centre: Centre, day: date, at: dtime) -> float:
    return datetime.combine(day, at, centre.settings.tz).timestamp()
