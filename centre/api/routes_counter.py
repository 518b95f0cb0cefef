"""Routes of the counter console: sign in, call, recall, serve, hold, transfer, no-show,
finish, rating, the handover of the called ticket, the waiting list and the day's figures."""
from __future__ import annotations

import json
from typing import Any

from typing import Annotated, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Connection

from centre import access, views
from centre.api.models import TicketId
from centre.api.deps import (ERRORS, IdemKey, SessionHeader, bearer, centre_of, counter_session, idempotent,
                              role, write_as)
from centre.api.models import Ok, RatingIn, SignInIn, SignInOut, TicketOut, TransferIn
from centre.domain.tickets import Action
from centre.principals import CounterSession, Principal
from centre.service import Centre
from centre.store.events import emit

router = APIRouter(prefix="/api/v1/counter", responses=ERRORS, tags=["counter"])


@router.post("/signin", response_model=SignInOut)
def sign_in(body: SignInIn, p: Principal = Depends(role("counter")),
            centre: Centre = Depends(centre_of)) -> dict:
    """The officer signs in at a counter with the services served and a PIN."""
    now = centre.clock()
    with centre.db.write() as conn:
        outcome = access.sign_in(conn, centre.settings, p, counter=body.counter, services=body.services,
                                 officer_name=body.officer, pin=body.pin, now=now)
        if not isinstance(outcome, Exception):
            emit(conn, "counter.signin", {"counter": outcome[1].counter,
                                          "services": list(outcome[1].services)}, now)
    if isinstance(outcome, Exception):
        raise outcome
    secret, s = outcome
    centre.notify()
    return {"session": secret, "counter": s.counter, "officer": s.officer, "services": list(s.services)}


@router.post("/signout", response_model=Ok)
def sign_out(s: CounterSession = Depends(counter_session), centre: Centre = Depends(centre_of)) -> dict:
    now = centre.clock()
    with centre.db.write() as conn:
        access.sign_out(conn, s, now)
        emit(conn, "counter.signout", {"counter": s.counter}, now)
    centre.notify()
    return {"ok": True}


@router.get("/me")
def me(s: CounterSession = Depends(counter_session)) -> dict:
    return {"counter": s.counter, "officer": s.officer, "services": list(s.services)}


def _principal(s: CounterSession) -> Principal:
    return Principal(s.token_id, f"counter-{s.counter}", "counter")


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def _counter_write(request: Request, cred: HTTPAuthorizationCredentials | None, secret: str, key: str,
                         request_body: dict[str, Any], fn: Callable[[Connection, CounterSession], Any]) -> Response:
    """A counter action: token, role and session are checked by the writer, in the job."""
    body = {**request_body, "s": access.session_id(secret)}
    return await write_as(request, cred, ("counter",), key, body, fn, counter_secret=secret)


@router.post("/call-next", response_model=TicketOut)
async def call_next(request: Request, cred: Bearer, key: str = IdemKey, secret: str = SessionHeader) -> Response:
    """Call the next ticket under the centre's ordering policy (404 when nobody waits)."""
    centre: Centre = request.app.state.centre
    return await _counter_write(request, cred, secret, key, {"op": "call-next"}, centre.call_next)


@router.post("/tickets/{ticket_id}/call", response_model=TicketOut)
async def call_ticket(request: Request, ticket_id: TicketId, cred: Bearer, key: str = IdemKey,
                      secret: str = SessionHeader) -> Response:
    """Call a specific waiting ticket."""
    centre: Centre = request.app.state.centre
    return await _counter_write(request, cred, secret, key, {"op": "call", "t": ticket_id},
                                lambda c, s: centre.call_ticket(c, s, ticket_id))


def _action_route(path: str, action: Action, doc: str) -> None:
    async def handler(request: Request, ticket_id: TicketId, cred: Bearer, key: str = IdemKey,
                      secret: str = SessionHeader) -> Response:
        centre: Centre = request.app.state.centre
        return await _counter_write(request, cred, secret, key, {"op": path, "t": ticket_id},
                                    lambda c, s: centre.act(c, s, ticket_id, action))
    handler.__doc__ = doc
    router.add_api_route(f"/tickets/{{ticket_id}}/{path}", handler, methods=["POST"],
                         response_model=TicketOut, name=f"counter_{path.replace('-', '_')}")


for _path, _action, _doc in (
        ("recall", Action.RECALL, "Call the ticket again (announced again)."),
        ("start", Action.START, "The citizen has come: start serving."),
        ("hold", Action.HOLD, "Park the ticket (the citizen fetches a document…)."),
        ("resume", Action.RESUME, "Take a held ticket back at this counter."),
        ("no-show", Action.NO_SHOW, "The citizen did not come after the configured number of calls."),
        ("finish", Action.FINISH, "Service done."),
        ("cancel", Action.CANCEL, "Cancel the ticket.")):
    _action_route(_path, _action, _doc)


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketOut)
def transfer(ticket_id: TicketId, body: TransferIn, s: CounterSession = Depends(counter_session),
             key: str = IdemKey, centre: Centre = Depends(centre_of)) -> JSONResponse:
    """Send the ticket to another service and/or counter; it waits there keeping its issue time."""
    return idempotent(centre, _principal(s), key, {"op": "transfer", "t": ticket_id, "b": body.model_dump()},
                      lambda c: centre.transfer(c, s, ticket_id, to_service=body.service,
                                                to_counter=body.counter))


@router.post("/tickets/{ticket_id}/rating", response_model=Ok)
def rate(ticket_id: TicketId, body: RatingIn, s: CounterSession = Depends(counter_session), key: str = IdemKey,
         centre: Centre = Depends(centre_of)) -> JSONResponse:
    """The citizen's satisfaction rating (1-5) after service."""
    def run(c):  # type: ignore[no-untyped-def]
        centre.rate(c, s, ticket_id, body.score, body.reasons)
        return {"ok": True}
    return idempotent(centre, _principal(s), key, {"op": "rate", "t": ticket_id, "b": body.model_dump()}, run)


@router.get("/tickets/{ticket_id}/handover")
def handover(ticket_id: TicketId, s: CounterSession = Depends(counter_session),
             centre: Centre = Depends(centre_of)) -> dict[str, Any]:
    """What the citizen confirmed at the kiosk — only for the counter that has called the ticket."""
    with centre.db.read() as conn:
        return json.loads(centre.get_handover(conn, s, ticket_id))


@router.get("/queue")
def queue(s: CounterSession = Depends(counter_session), centre: Centre = Depends(centre_of)) -> dict:
    """The waiting list of this counter's services in call order, appointments due, and the
    counter's own figures for the day."""
    with centre.db.read() as conn:
        return {"waiting": views.queue_view(centre, conn, list(s.services), s.counter),
                "appointments_due": views.appointments_due(centre, conn, list(s.services)),
                "stats": views.counter_stats(centre, conn, s.counter),
                "current": views.current_of(centre, conn, s.counter)}
