"""Plumbing shared by the routes: who is calling, idempotent writes, errors."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, select

from centre import access
from centre.api.models import ErrorBody
from centre.domain.errors import Conflict, Unauthorized
from centre.principals import CounterSession, Principal
from centre.service import Centre
from centre.store.events import lock_centre
from centre.store.schema import idempotency

bearer = HTTPBearer(auto_error=False, description="the device's token (python -m kiosk centre token add)")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in (
        (400, "bad request"), (401, "unknown or revoked token"), (403, "wrong role or not allowed"),
        (404, "not found"), (409, "conflicts with the current state"), (423, "locked"))
}


def centre_of(request: Request) -> Centre:
    return request.app.state.centre


def principal(request: Request,
              cred: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    """The caller's token: ``Authorization: Bearer``, else the ``centre_token`` cookie (pages)."""
    token = cred.credentials if cred else request.cookies.get("centre_token", "")
    if not token:
        raise Unauthorized("a token is required (Authorization: Bearer …)", code="no_token")
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


def idempotent(centre: Centre, p: Principal, key: str, request_body: Any,
               fn: Callable[[Connection], Any], status: int = 200) -> JSONResponse:
    """Run ``fn`` in one write transaction; with an idempotency key, a repeat of the same
    request returns the stored first answer (and never writes twice)."""
    digest = hashlib.sha256(json.dumps(jsonable_encoder(request_body), sort_keys=True).encode()).hexdigest()
    with centre.db.write() as conn:
        lock_centre(conn)
        if key:
            row = conn.execute(select(idempotency).where(idempotency.c.token_id == p.token_id,
                                                         idempotency.c.key == key)).first()
            if row is not None:
                if row.request_hash != digest:
                    raise Conflict("this Idempotency-Key was used for a different request",
                                   code="idempotency_key_reused")
                return JSONResponse(json.loads(row.body), status_code=row.status,
                                    headers={"Idempotent-Replay": "true"})
        body = jsonable_encoder(fn(conn))
        if key:
            conn.execute(idempotency.insert().values(
                token_id=p.token_id, key=key, request_hash=digest, status=status,
                body=json.dumps(body, ensure_ascii=False), created_at=centre.clock()))
    centre.notify()
    return JSONResponse(body, status_code=status)
