"""Device tokens, officers and counter sign-in (hashed secrets, PIN lockout)."""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from centre.domain.errors import Conflict, Forbidden, Invalid, Locked, NotFound, Unauthorized
from centre.principals import CounterSession, Principal
from centre.security import ROLES, check_pin, hash_pin, new_token, token_hash
from centre.settings import CentreSettings
from centre.store.schema import api_token, counter_session, officer


def add_token(conn: Connection, role: str, name: str, now: float) -> str:
    """Create a token; returns the secret (shown once, stored hashed)."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise Invalid("a token needs a name")
    if conn.execute(select(api_token.c.id).where(api_token.c.name == name)).first():
        raise Conflict(f"a token named {name!r} exists (revoke it first)")
    token = new_token()
    conn.execute(api_token.insert().values(name=name, role=role, token_hash=token_hash(token),
                                           created_at=now, revoked_at=None))
    return token


def revoke_token(conn: Connection, name: str, now: float) -> None:
    n = conn.execute(update(api_token).where(api_token.c.name == name, api_token.c.revoked_at.is_(None))
                     .values(revoked_at=now, name=f"{name}#revoked-{int(now)}")).rowcount
    if not n:
        raise NotFound(f"no active token named {name!r}")


def list_tokens(conn: Connection) -> list[dict[str, Any]]:
    return [{"name": r.name, "role": r.role, "created_at": r.created_at, "revoked": r.revoked_at is not None}
            for r in conn.execute(select(api_token).order_by(api_token.c.id))]


_BY_HASH = select(api_token.c.id, api_token.c.name, api_token.c.role, api_token.c.revoked_at).where(
    api_token.c.token_hash == bindparam("b_hash"))


def authenticate(conn: Connection, token: str) -> Principal:
    return principal_of(conn.execute(_BY_HASH, {"b_hash": token_hash(token)}).first())


def principal_of(row: Any) -> Principal:
    """The caller of a token's row (``id``, ``name``, ``role``, ``revoked_at``) as looked
    up by its hash; ``None`` (no such token) or a revoked token is refused."""
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked token")
    return Principal(row.id, row.name, row.role)


def add_officer(conn: Connection, name: str, pin: str, now: float) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise Invalid("a PIN is 4 to 12 digits")
    if conn.execute(select(officer.c.id).where(officer.c.name == name)).first():
        conn.execute(update(officer).where(officer.c.name == name)
                     .values(pin_hash=hash_pin(pin), failures=0, locked_until=None))
    else:
        conn.execute(officer.insert().values(name=name, pin_hash=hash_pin(pin), failures=0,
                                             locked_until=None, created_at=now))


def sign_in(conn: Connection, settings: CentreSettings, principal: Principal, *, counter: int,
            services: list[str], officer_name: str, pin: str, now: float
            ) -> tuple[str, CounterSession] | Unauthorized:
    """Check the officer's PIN (lockout after repeated failures) and open a counter session.
    Returns the session secret (sent back on every counter action) and the session, or —
    for a wrong PIN — the error to raise once the failure count is committed."""
    known = {c.number: c for c in settings.counters}
    if counter not in known:
        raise Invalid(f"no counter {counter}", code="unknown_counter")
    bad = [s for s in services if settings.service(s) is None]
    if bad or not services:
        raise Invalid("choose at least one service the centre offers", code="unknown_service")
    row = conn.execute(select(officer).where(officer.c.name == officer_name)).first()
    if row is None:
        raise Unauthorized("unknown officer or wrong PIN", code="bad_pin")
    if row.locked_until is not None and row.locked_until > now:
        raise Locked(f"too many wrong PINs; try again after {int((row.locked_until - now) // 60) + 1} min",
                     code="pin_locked")
    if not check_pin(pin, row.pin_hash):
        failures = row.failures + 1
        locked = now + settings.pin_lockout_s if failures >= settings.pin_max_failures else None
        conn.execute(update(officer).where(officer.c.id == row.id)
                     .values(failures=0 if locked else failures, locked_until=locked))
        # returned, not raised: the failure count must commit (the caller raises it after)
        return Unauthorized("unknown officer or wrong PIN", code="bad_pin")
    conn.execute(update(officer).where(officer.c.id == row.id).values(failures=0, locked_until=None))
    # One officer session per counter: a new sign-in ends the previous one.
    conn.execute(update(counter_session).where(counter_session.c.counter == counter,
                                               counter_session.c.ended_at.is_(None)).values(ended_at=now))
    secret = secrets.token_urlsafe(24)
    sid = _session_hash(secret)
    conn.execute(counter_session.insert().values(id=sid, counter=counter, officer_id=row.id,
                                                 services=" ".join(services), token_id=principal.token_id,
                                                 started_at=now, ended_at=None))
    return secret, CounterSession(sid, counter, row.id, row.name, tuple(services), principal.token_id)


def session_for(conn: Connection, principal: Principal, secret: str) -> CounterSession:
    if not secret:
        raise Unauthorized("sign in at the counter first (X-Counter-Session missing)", code="no_session")
    row = conn.execute(select(counter_session, officer.c.name.label("officer_name"))
                       .join(officer, officer.c.id == counter_session.c.officer_id)
                       .where(counter_session.c.id == _session_hash(secret))).first()
    if row is None or row.ended_at is not None:
        raise Unauthorized("the counter session has ended; sign in again", code="session_ended")
    if row.token_id != principal.token_id:
        raise Forbidden("this session belongs to another console", code="other_console")
    return CounterSession(row.id, row.counter, row.officer_id, row.officer_name,
                          tuple(row.services.split(" ")), row.token_id)


def sign_out(conn: Connection, session: CounterSession, now: float) -> None:
    conn.execute(update(counter_session).where(counter_session.c.id == session.id).values(ended_at=now))


def session_id(secret: str) -> str:
    """The stored id of a counter session (a hash: the secret itself is never stored)."""
    return _session_hash(secret)


def _session_hash(secret: str) -> str:
    return token_hash("counter-session:" + secret)


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles and principal.role != "admin":
        raise Forbidden(f"a {principal.role} token cannot do this (needs {' or '.join(roles)})",
                        code="wrong_role")

