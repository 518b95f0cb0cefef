"""Routes a kiosk uses: tickets (online and offline), leases, print outcomes, handovers,
application look-ups, booking check-in, heartbeats."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Path as FPath, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Connection

from centre import records, replaced
from centre.api.models import TicketId
from centre.api.deps import ERRORS, IdemKey, bearer, centre_of, idempotent, principal, role, write_as
from centre.api.models import (ApplicationOut, CheckInIn, CheckInOut, HandoverIn, HeartbeatIn, IssueIn,
                               LeaseIn, LeaseOut, LookupIn, OfflineIssueIn, Ok, PrintIn, TicketOut, VoidIn,
                               VoidOut)
from centre.domain.errors import Invalid
from centre.principals import Principal
from centre.service import Centre

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.post("/tickets", response_model=TicketOut, status_code=201, tags=["kiosk"])
async def issue_ticket(request: Request, body: IssueIn, key: str = IdemKey,
                       cred: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Response:
    """Issue a ticket numbered by the centre (kiosk token). An attempt that an offline
    ticket already replaced answers 409 ``replaced_by_offline`` and makes nothing."""
    centre: Centre = request.app.state.centre

    def run(c, p):  # type: ignore[no-untyped-def]
        return _claiming(centre, c, body, centre.clock(), lambda flags, appt: (centre.issue(
            c, p, body.service, body.priority_group, flags, appointment_id=appt.id if appt else None,
            appointment_at=appt.slot_at if appt else None), True))
    return await write_as(request, cred, ("kiosk",), key, _fingerprint(body), run, 201)


@router.post("/tickets/offline", response_model=TicketOut, status_code=201, tags=["kiosk"])
def issue_offline(body: OfflineIssueIn, p: Principal = Depends(role("kiosk")), key: str = IdemKey,
                  centre: Centre = Depends(centre_of)) -> JSONResponse:
    """Hand in a ticket the kiosk numbered from its leased range while offline (exactly once;
    queued at its original issue time). With ``replaces``, the online attempt it stands in
    for is settled in the same transaction (see :mod:`centre.replaced`). With ``booking``,
    the booking the kiosk could not check in is checked in with this ticket, judged at its
    issue time (see :class:`centre.records.ClaimedBooking`)."""
    at = body.issued_at.timestamp() if body.issued_at.tzinfo else body.issued_at.replace(
        tzinfo=centre.settings.tz).timestamp()

    def run(c):  # type: ignore[no-untyped-def]
        if body.replaces and body.replaces != key:   # the attempt whose answer was lost: no ghost
            replaced.settle_replaced(c, centre, p, body.replaces, centre.clock())
        return _claiming(centre, c, body, at, lambda flags, appt: centre.issue_offline(
            c, p, body.service, body.seq, at, body.priority_group, flags, body.client_ref,
            appointment_id=appt.id if appt else None, appointment_at=appt.slot_at if appt else None))
    return idempotent(centre, p, key, _fingerprint(body), run, 201)


def _claiming(centre: Centre, conn: Connection, body: IssueIn, at: float,
              issue: Callable[[list[str], Any], tuple[dict[str, Any], bool]]) -> dict[str, Any]:
    """``issue(flags, booking row or None) -> (ticket, created)`` with the booking the request
    claims (if any) judged at ``at``: the flags say the outcome, a booking taken makes the
    ticket its appointment's and is checked in (or lapsed) with it in the same transaction."""
    claim = body.booking
    if claim is None:
        return issue(body.flags, None)[0]
    judged = records.judge_claimed_booking(centre, conn, body.service, claim.code, claim.id_number, at)
    view, created = issue(body.flags + [judged.flag], judged.row if judged.checks_in else None)
    if created:
        records.settle_claimed_booking(centre, conn, judged, claim.code, view["id"], at)
    return view


def _fingerprint(body: IssueIn) -> dict[str, Any]:
    """The request as its idempotency fingerprint: a claimed booking's ID number hashed (the
    stored fingerprint is a digest anyway; this keeps the number out of every input to it)."""
    request = body.model_dump(mode="json", exclude={"booking"})
    if body.booking is not None:
        request["booking"] = {"code": body.booking.code, "id": _digest(body.booking.id_number.encode())}
    return request


@router.post("/tickets/void", response_model=VoidOut, tags=["kiosk"])
def void_attempt(body: VoidIn, p: Principal = Depends(role("kiosk")), key: str = IdemKey,
                 centre: Centre = Depends(centre_of)) -> JSONResponse:
    """An online issue attempt of this kiosk that nobody holds: the kiosk was killed before
    showing its number and says so when it restarts. A waiting ticket made under
    ``replaces`` is cancelled (``attempt_abandoned`` in its history), one a counter called
    is left (and logged), and a request still on its way gets 409 ``attempt_abandoned``
    and makes nothing (see :mod:`centre.replaced`). A booking check-in is voided the same
    way (also when the kiosk lost its answer): its booking is open again for a new check-in."""
    if body.replaces == key:   # its own answer would be stored under the key it settles
        raise Invalid("replaces names this request's own Idempotency-Key", code="void_names_itself")
    return idempotent(centre, p, key, body, lambda c: {"outcome": replaced.settle_replaced(
        c, centre, p, body.replaces, centre.clock(), replaced.ABANDONED).value})


@router.post("/leases", response_model=list[LeaseOut], tags=["kiosk"])
def lease(body: LeaseIn, p: Principal = Depends(role("kiosk")), key: str = IdemKey,
          centre: Centre = Depends(centre_of)) -> JSONResponse:
    """The kiosk's offline number blocks for a day (today by default), one per prefix."""
    day = body.day or centre.day_of(centre.clock())
    return idempotent(centre, p, key, body, lambda c: centre.lease(c, p, day, body.prefixes, extra=body.extra))


@router.post("/tickets/{ticket_id}/print", response_model=TicketOut, tags=["kiosk"])
def record_print(ticket_id: TicketId, body: PrintIn, p: Principal = Depends(role("kiosk")), key: str = IdemKey,
                 centre: Centre = Depends(centre_of)) -> JSONResponse:
    """Record whether the ticket came out of the printer."""
    return idempotent(centre, p, key, body, lambda c: centre.record_print(c, p, ticket_id, body.ok, body.error))


@router.put("/tickets/{ticket_id}/handover", response_model=Ok, tags=["kiosk"])
def put_handover(ticket_id: TicketId, body: HandoverIn, p: Principal = Depends(role("kiosk")), key: str = IdemKey,
                 centre: Centre = Depends(centre_of)) -> JSONResponse:
    """Attach what the citizen confirmed (stored encrypted; only the calling counter reads it)."""
    payload = json.dumps(body.model_dump(), ensure_ascii=False).encode()

    def run(c):  # type: ignore[no-untyped-def]
        centre.put_handover(c, p, ticket_id, payload)
        return {"ok": True}
    # the request hash covers the whole handover, so the stored idempotency row holds no personal data
    return idempotent(centre, p, key, {"ticket": ticket_id, "digest": _digest(payload)}, run)


@router.get("/applications/{code}", response_model=ApplicationOut, tags=["kiosk"])
def application(code: Annotated[str, FPath(min_length=1, max_length=80)], p: Principal = Depends(role("kiosk", "counter")),
                centre: Centre = Depends(centre_of)) -> dict:
    """An application's status timeline by dossier code (MaHoSo) or receipt number."""
    with centre.db.read() as conn:
        return records.find_application(centre, conn, code)


@router.post("/applications/lookup", response_model=list[ApplicationOut], tags=["kiosk"])
def applications_of(body: LookupIn, p: Principal = Depends(role("kiosk", "counter")),
                    centre: Centre = Depends(centre_of)) -> list:
    """Applications of a citizen by ID number (sent in the body, never in a URL)."""
    with centre.db.read() as conn:
        return records.applications_of(centre, conn, body.id_number)


@router.post("/appointments/checkin", response_model=CheckInOut, tags=["kiosk"])
def check_in(body: CheckInIn, p: Principal = Depends(role("kiosk")), key: str = IdemKey,
             centre: Centre = Depends(centre_of)) -> JSONResponse:
    """Check a booking in: identity, the early/late rule, and a ticket."""
    request = {"code": body.code, "id": _digest(body.id_number.encode()), "pg": body.priority_group,
               "flags": body.flags}
    return idempotent(centre, p, key, request, lambda c: records.check_in(
        centre, c, p, body.code, body.id_number, body.priority_group, body.flags))


@router.post("/heartbeat", response_model=Ok, tags=["kiosk"])
def heartbeat(body: HeartbeatIn, p: Principal = Depends(role("kiosk")),
              centre: Centre = Depends(centre_of)) -> dict:
    """The kiosk is alive; its health summary (no personal data)."""
    with centre.db.write() as conn:
        records.heartbeat(centre, conn, p, body.state, body.health)
    return {"ok": True}


@router.get("/time", tags=["kiosk"])
def server_time(p: Principal = Depends(principal),
                centre: Centre = Depends(centre_of)) -> dict:
    """The centre's clock and day (kiosks check their own against it)."""
    now = centre.clock()
    return {"now": datetime.fromtimestamp(now, centre.settings.tz).isoformat(), "day": centre.day_of(now)}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
