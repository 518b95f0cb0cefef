"""The event log: every queue change is a numbered row, written in the same transaction
as the change. Readers resume after the last id they saw, so a reconnect loses nothing;
on PostgreSQL a NOTIFY wakes every centre process's listeners when the row commits."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Float, String, bindparam, insert, select, text, update

from centre.store.schema import centre_state, event

CHANNEL = "centre_events"
PENDING_NOTIFY = "centre_pending_notify"   # key in the connection's info: last event id to announce


_LOCK = select(centre_state.c.last_event).where(centre_state.c.id == 1).with_for_update()
_NEXT_EVENT = (update(centre_state).where(centre_state.c.id == 1)
               .values(last_event=centre_state.c.last_event + 1).returning(centre_state.c.last_event))
_INSERT_EVENT = insert(event)
# PostgreSQL: the id's bump and the row in one statement (one round trip instead of two)
_BUMPED = _NEXT_EVENT.cte("bumped")
_EMIT_PG = insert(event).from_select(
    ["id", "at", "kind", "data"],
    select(_BUMPED.c.last_event, bindparam("at", type_=Float), bindparam("kind", type_=String),
           bindparam("data", type_=String))).returning(event.c.id)
_NOTIFY = text("SELECT pg_notify(:c, :p)")


def lock_centre(conn: Connection) -> None:
    """Take the centre's write lock (the ``centre_state`` row) for this transaction.

    On SQLite the write transaction's ``BEGIN IMMEDIATE`` already holds the database's
    one write lock (across processes too), so there is nothing more to take."""
    if conn.dialect.name != "sqlite":
        conn.execute(_LOCK)


def emit(conn: Connection, kind: str, data: dict[str, Any], at: float) -> int:
    """Append an event (no personal data in ``data``) and return its id."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if conn.dialect.name == "postgresql":
        new_id = int(conn.execute(_EMIT_PG, {"at": at, "kind": kind, "data": payload}).scalar_one())
        conn.info[PENDING_NOTIFY] = new_id   # one NOTIFY per transaction: see notify_pending
        return new_id
    new_id = int(conn.execute(_NEXT_EVENT).scalar_one())
    conn.execute(_INSERT_EVENT, {"id": new_id, "at": at, "kind": kind, "data": payload})
    return new_id


def notify_pending(conn: Connection) -> None:
    """Send the transaction's one NOTIFY (PostgreSQL delivers it at commit), naming the last
    event it wrote; listeners read everything after the id they saw, so one wake-up is enough."""
    last = conn.info.pop(PENDING_NOTIFY, None)
    if last is not None:
        conn.execute(_NOTIFY, {"c": CHANNEL, "p": str(last)})


def events_after(conn: Connection, after: int, limit: int = 500) -> list[dict[str, Any]]:
    rows = conn.execute(select(event).where(event.c.id > after).order_by(event.c.id).limit(limit))
    return [{"id": int(r.id), "at": r.at, "kind": r.kind, "data": json.loads(r.data)} for r in rows]


def last_event_id(conn: Connection) -> int:
    return int(conn.execute(select(centre_state.c.last_event).where(centre_state.c.id == 1)).scalar_one())
