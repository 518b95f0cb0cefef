"""Routes for displays and everyone signed in: services with waits, the hall display's
state, the event stream (Server-Sent Events, resumable), tickets and health."""
from __future__ import annotations

import json
from typing import AsyncIterator

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from centre import records, views
from centre.api.models import TicketId
from centre.api.deps import ERRORS, centre_of, principal, role
from centre.principals import Principal
from centre.service import Centre
from centre.store.events import events_after, last_event_id

router = APIRouter(prefix="/api/v1", responses=ERRORS)

KEEPALIVE_S = 15.0


@router.get("/services", tags=["public"])
def services(p: Principal = Depends(principal), centre: Centre = Depends(centre_of)) -> list[dict]:
    """Services with people waiting, counters serving them and the wait estimate (a range,
    or null while there are too few samples)."""
    with centre.db.read() as conn:
        return views.services_view(centre, conn)


@router.get("/display", tags=["display"])
def display(p: Principal = Depends(role("display", "counter")), centre: Centre = Depends(centre_of)) -> dict:
    """What the hall display shows: the ticket at each counter, recent calls, waits."""
    with centre.db.read() as conn:
        return views.display_view(centre, conn)


@router.get("/tickets/{ticket_id}", tags=["public"])
def ticket_detail(ticket_id: TicketId, p: Principal = Depends(role("kiosk", "counter")),
                  centre: Centre = Depends(centre_of)) -> dict:
    """A ticket with its full state history."""
    with centre.db.read() as conn:
        return views.ticket_history(centre, conn, ticket_id)


@router.get("/tickets", tags=["admin"])
def tickets(day: str | None = Query(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
            p: Principal = Depends(role("admin")), centre: Centre = Depends(centre_of)) -> list[dict]:
    """The day's tickets in issue order."""
    with centre.db.read() as conn:
        return views.tickets_of_day(centre, conn, day or centre.day_of(centre.clock()))


@router.get("/kiosks", tags=["admin"])
def kiosks(p: Principal = Depends(role("admin")), centre: Centre = Depends(centre_of)) -> list[dict]:
    """Kiosks with their last heartbeat; those silent too long are flagged."""
    with centre.db.read() as conn:
        return records.kiosks(centre, conn)


@router.get("/events", tags=["public"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "event stream"}})
async def events(request: Request, p: Principal = Depends(role("display", "counter")),
                 after: int | None = Query(default=None, ge=0, description="resume after this event id"),
                 last_event_id_header: str | None = Header(default=None, alias="Last-Event-ID", max_length=20),
                 centre: Centre = Depends(centre_of)) -> StreamingResponse:
    """Queue changes as Server-Sent Events. Each has an ``id``; reconnecting with
    ``Last-Event-ID`` (browsers do it by themselves) or ``?after=`` resumes with nothing lost.
    Without either, the stream starts at the current end."""
    start = after
    if last_event_id_header and last_event_id_header.isdigit():
        # the browser's own reconnect sends Last-Event-ID and repeats the URL's old ?after=:
        # the header is the newer position
        start = int(last_event_id_header)
    notifier = request.app.state.notifier

    def read_from(cursor: int | None) -> tuple[int, list[dict]]:
        with centre.db.read() as conn:
            if cursor is None:
                return last_event_id(conn), []
            return cursor, events_after(conn, cursor)

    async def stream() -> AsyncIterator[bytes]:
        cursor, _ = await run_in_threadpool(read_from, start)
        yield f"retry: 1000\nevent: hello\ndata: {json.dumps({'last_event_id': cursor})}\n\n".encode()
        poll = 1.0 if centre.db.is_sqlite else KEEPALIVE_S
        idle = 0.0
        while not await request.is_disconnected():
            cursor, batch = await run_in_threadpool(read_from, cursor)
            for ev in batch:
                cursor = ev["id"]
                data = json.dumps({"kind": ev["kind"], "at": centre.iso(ev["at"]), **ev["data"]},
                                  ensure_ascii=False)
                yield f"id: {ev['id']}\nevent: {ev['kind']}\ndata: {data}\n\n".encode()
            if batch and len(batch) >= 500:
                continue
            if idle >= KEEPALIVE_S:
                idle = 0.0
                yield b": keep-alive\n\n"
            await notifier.wait(poll)
            idle += poll
    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/health", tags=["public"])
def health(centre: Centre = Depends(centre_of)) -> dict:
    """Liveness and the database engine (no token needed)."""
    with centre.db.read() as conn:
        last = last_event_id(conn)
    return {"ok": True, "engine": centre.db.dialect, "last_event_id": last}
