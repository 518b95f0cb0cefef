"""Plumbing shared by the routes: who is calling, idempotent writes, errors."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Connection, and_, bindparam, select

from centre import access
from centre.api.models import ErrorBody
from centre.domain.errors import CentreError, Conflict, Unauthorized
from centre.principals import CounterSession, Principal
from centre.replaced import TOMBSTONE_HASH
from centre.service import Centre
from centre.store.events import lock_centre
from centre.security import token_hash
from centre.store.schema import api_token, idempotency

bearer = HTTPBearer(auto_error=False, description="the device's token (python -m kiosk centre token add)")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in (
        (400, "bad request"), (401, "unknown or revoked token"), (403, "wrong role or not allowed"),
        (404, "not found"), (409, "conflicts with the current state"), (423, "locked"))
}


async def centre_of(request: Request) -> Centre:
    return request.app.state.centre


def token_of(request: Request, cred: HTTPAuthorizationCredentials | None) -> str:
    """The caller's token: ``Authorization: Bearer``, else the ``centre_token`` cookie (pages)."""
    token = cred.credentials if cred else request.cookies.get("centre_token", "")
    if not token:
        raise Unauthorized("a token is required (Authorization: Bearer …)", code="no_token")
    return token


def principal(request: Request,
              cred: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    """The caller's device token, checked against the stored hashes."""
    token = token_of(request, cred)
    centre: Centre = request.app.state.centre
    with centre.db.read() as conn:
        return access.authenticate(conn, token)


def role(*roles: str) -> Callable[..., Principal]:
    def dep(p: Principal = Depends(principal)) -> Principal:
        access.require_role(p, *roles)
        return p
    return dep


def counter_session(request: Request, p: Principal = Depends(role("counter")),
                    x_counter_session: str = Header(default="", max_length=100)) -> CounterSession:
    centre: Centre = request.app.state.centre
    with centre.db.read() as conn:
        return access.session_for(conn, p, x_counter_session)


IdemKey = Header(default="", alias="Idempotency-Key", max_length=200,
                 description="a unique key per logical write; a retry with the same key returns the first answer")


_IDEM_GET = select(idempotency.c.request_hash, idempotency.c.status, idempotency.c.body).where(
    idempotency.c.token_id == bindparam("b_token"), idempotency.c.key == bindparam("b_key"))
_IDEM_PUT = idempotency.insert()
# the caller's token and the answer stored under its key, in one statement (one round trip)
_CALLER_AND_ANSWER = select(
    api_token.c.id, api_token.c.name, api_token.c.role, api_token.c.revoked_at,
    idempotency.c.request_hash, idempotency.c.status, idempotency.c.body,
).select_from(api_token.outerjoin(idempotency, and_(
    idempotency.c.token_id == api_token.c.id, idempotency.c.key == bindparam("b_key")))
).where(api_token.c.token_hash == bindparam("b_hash"))
Answer = tuple[int, str, bool]     # status, JSON body, replayed
_LOOK_UP = object()                # the stored answer is not known yet: the job reads it


def _request_digest(request_body: Any) -> str:
    data = (request_body.model_dump(mode="json") if isinstance(request_body, BaseModel)
            else jsonable_encoder(request_body))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _answer_job(centre: Centre, key: str, digest: str, fn: Callable[[Connection, Any], Any],
                status: int) -> Callable[[Connection, Any], Answer]:
    """The write as one job for the writer: a replay of the first answer when the key was
    seen, else ``fn`` and the answer stored under the key."""
    def job(conn: Connection, p: Principal | CounterSession, stored: Any = _LOOK_UP) -> Answer:
        if key:
            row = (conn.execute(_IDEM_GET, {"b_token": p.token_id, "b_key": key}).first()
                   if stored is _LOOK_UP else stored)
            if row is not None:
                if row.request_hash == TOMBSTONE_HASH:   # replaced by an offline ticket: any request
                    return row.status, row.body, True
                if row.request_hash != digest:
                    raise Conflict("this Idempotency-Key was used for a different request",
                                   code="idempotency_key_reused")
                return row.status, row.body, True
        body = json.dumps(jsonable_encoder(fn(conn, p)), ensure_ascii=False)
        if key:
            conn.execute(_IDEM_PUT, {"token_id": p.token_id, "key": key, "request_hash": digest,
                                     "status": status, "body": body, "created_at": centre.clock()})
        return status, body, False
    return job


def _response(answer: Answer) -> Response:
    status, body, replayed = answer
    return Response(body, status_code=status, media_type="application/json",
                    headers={"Idempotent-Replay": "true"} if replayed else None)


def _run_write(centre: Centre, job: Callable[[Connection], Answer]) -> Answer:
    batcher = centre.batcher
    if batcher is not None and batcher.running:
        return batcher.call(job)
    with centre.db.write() as conn:      # no HTTP app running the writer (tools, tests)
        lock_centre(conn)
        answer = job(conn)
    centre.notify()
    return answer


def idempotent(centre: Centre, p: Principal, key: str, request_body: Any,
               fn: Callable[[Connection], Any], status: int = 200) -> Response:
    """Run ``fn`` in one write transaction (the writer's next batch); with an idempotency
    key, a repeat of the same request returns the stored first answer (and never writes
    twice)."""
    job = _answer_job(centre, key, _request_digest(request_body), lambda c, _p: fn(c), status)
    return _response(_run_write(centre, lambda conn: job(conn, p)))


SessionHeader = Header(default="", alias="X-Counter-Session", max_length=100,
                       description="the counter session from /api/v1/counter/signin")


async def write_as(request: Request, cred: HTTPAuthorizationCredentials | None, roles: tuple[str, ...],
                   key: str, request_body: Any, fn: Callable[[Connection, Any], Any],
                   status: int = 200, *, counter_secret: str | None = None) -> Response:
    """:func:`idempotent` for the busy writes, without a worker thread: the writer checks
    the token (and, with ``counter_secret``, the counter session: ``fn`` then gets the
    :class:`CounterSession` instead of the :class:`Principal`) in the same job — one
    hand-over per request instead of three or four."""
    centre: Centre = request.app.state.centre
    token = token_of(request, cred)
    job = _answer_job(centre, key, _request_digest(request_body), fn, status)

    def checked(conn: Connection) -> Answer | CentreError:
        try:
            found = conn.execute(_CALLER_AND_ANSWER, {"b_hash": token_hash(token), "b_key": key}).first()
            p = access.principal_of(found)
            access.require_role(p, *roles)
            caller = p if counter_secret is None else access.session_for(conn, p, counter_secret)
        except CentreError as refused:   # a value, not a raise: the batch is not rolled back for it
            return refused
        return job(conn, caller, found if found.request_hash is not None else None)

    batcher = centre.batcher
    if batcher is not None and batcher.running:
        outcome = await batcher.run(checked)
    else:
        outcome = await run_in_threadpool(_run_write, centre, checked)
    if isinstance(outcome, CentreError):
        raise outcome
    return _response(outcome)
