"""Tables of the centre (SQLAlchemy Core). Times are epoch seconds (float): portable
between SQLite and PostgreSQL and ordered as numbers. Changing a table means a new
Alembic revision under ``centre/store/migrations/versions``."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, PrimaryKeyConstraint, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# One row: the last event id. Every queue write locks it first, which serialises writers
# (so event ids commit in order, and two counters never take the same ticket).
centre_state = Table(
    "centre_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_event", BigInteger, nullable=False, default=0),
)

service = Table(
    "service", metadata,
    Column("code", String(40), primary_key=True),
    Column("prefix", String(4), nullable=False, unique=True),
    Column("vi", String(200), nullable=False),
    Column("en", String(200), nullable=False),
    Column("walk_ins_since_priority", Integer, nullable=False, default=0),
)

day_counter = Table(
    "day_counter", metadata,
    Column("day", String(10), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("next_online", Integer, nullable=False),
    Column("next_offline", Integer, nullable=False),
    PrimaryKeyConstraint("day", "prefix"),
)

offline_lease = Table(
    "offline_lease", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", String(10), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("kiosk", String(80), nullable=False),
    Column("lo", Integer, nullable=False),
    Column("hi", Integer, nullable=False),
    Column("leased_at", Float, nullable=False),
    Index(None, "day", "prefix"),
)

ticket = Table(
    "ticket", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", String(10), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(12), nullable=False),
    Column("service_code", String(40), nullable=False),
    Column("priority_group", String(40), nullable=False, default=""),
    Column("appointment_id", Integer, nullable=True),
    Column("appointment_at", Float, nullable=True),
    Column("state", String(16), nullable=False),
    Column("issued_at", Float, nullable=False),
    Column("kiosk", String(80), nullable=False),
    Column("offline", Boolean, nullable=False, default=False),
    Column("client_ref", String(80), nullable=False, default=""),
    Column("counter", Integer, nullable=True),
    Column("target_counter", Integer, nullable=True),
    Column("calls", Integer, nullable=False, default=0),
    Column("flags", String(400), nullable=False, default=""),
    Column("print_state", String(40), nullable=False, default="pending"),
    Column("first_called_at", Float, nullable=True),
    Column("called_at", Float, nullable=True),
    Column("serving_at", Float, nullable=True),
    Column("ended_at", Float, nullable=True),
    UniqueConstraint("day", "prefix", "seq"),
    Index(None, "state", "service_code"),
    Index(None, "day"),
    Index(None, "service_code", "state", "appointment_at"),   # due bookings (migration 0002)
    Index(None, "service_code", "state", "issued_at"),        # queue heads (migration 0002)
)

# Walk-ins waiting for anybody, per service and priority: kept by triggers on ``ticket``
# (migration 0002) in the transaction of every change, so a new ticket's "people ahead"
# needs no scan of the queue.
waiting_count = Table(
    "waiting_count", metadata,
    Column("service_code", String(40), nullable=False),
    Column("priority", Boolean, nullable=False),
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint("service_code", "priority"),
)

ticket_history = Table(
    "ticket_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("ticket.id"), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("action", String(16), nullable=True),
    Column("at", Float, nullable=False),
    Column("counter", Integer, nullable=True),
    Column("detail", String(200), nullable=False, default=""),
)

handover = Table(
    "handover", metadata,
    Column("ticket_id", Integer, ForeignKey("ticket.id"), primary_key=True, autoincrement=False),
    Column("blob", LargeBinary, nullable=False),          # AES-GCM: nonce + ciphertext
    Column("stored_at", Float, nullable=False),
    Column("purge_after", Float, nullable=True),          # set when the ticket ends
)

appointment = Table(
    "appointment", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(80), nullable=False, unique=True),
    Column("service_code", String(40), nullable=False),
    Column("slot_at", Float, nullable=False),
    Column("slot_end", Float, nullable=False),
    Column("id_hmac", String(64), nullable=False, default="", index=True),
    Column("state", String(16), nullable=False, default="booked"),
    Column("ticket_id", Integer, nullable=True),
    Column("checked_in_at", Float, nullable=True),
    Column("source", String(200), nullable=False, default=""),
)

application = Table(
    "application", metadata,
    Column("code", String(80), primary_key=True),                 # MaHoSo
    Column("procedure", String(80), nullable=False, default=""),  # MaTTHC
    Column("receipt_no", String(80), nullable=False, default="", index=True),  # SoBienNhan
    Column("id_hmac", String(64), nullable=False, default="", index=True),     # SoDinhDanh, keyed hash
    Column("received_on", String(10), nullable=False, default=""),
    Column("due_on", String(10), nullable=False, default=""),
    Column("returned_on", String(10), nullable=False, default=""),
    Column("status", Integer, nullable=False),
    Column("unit", String(200), nullable=False, default=""),      # DonViXuLy
    Column("updated_at", Float, nullable=False),
)

application_status = Table(
    "application_status", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(80), ForeignKey("application.code"), nullable=False, index=True),
    Column("status", Integer, nullable=False),
    Column("at", Float, nullable=False),
    Column("source", String(200), nullable=False, default=""),
)

api_token = Table(
    "api_token", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

officer = Table(
    "officer", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("pin_hash", String(200), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=True),
    Column("created_at", Float, nullable=False),
)

counter_session = Table(
    "counter_session", metadata,
    Column("id", String(64), primary_key=True),          # hash of the session secret
    Column("counter", Integer, nullable=False),
    Column("officer_id", Integer, ForeignKey("officer.id"), nullable=False),
    Column("services", String(400), nullable=False),
    Column("token_id", Integer, ForeignKey("api_token.id"), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float, nullable=True),
)

idempotency = Table(
    "idempotency", metadata,
    Column("token_id", Integer, nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    PrimaryKeyConstraint("token_id", "key"),
)

event = Table(
    "event", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", Float, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("data", Text, nullable=False),                # JSON, never personal data
)

kiosk_heartbeat = Table(
    "kiosk_heartbeat", metadata,
    Column("kiosk", String(80), primary_key=True),
    Column("at", Float, nullable=False),
    Column("state", String(40), nullable=False, default=""),
    Column("data", Text, nullable=False, default="{}"),
)

rating = Table(
    "rating", metadata,
    Column("ticket_id", Integer, ForeignKey("ticket.id"), primary_key=True, autoincrement=False),
    Column("score", Integer, nullable=False),
    Column("reasons", String(400), nullable=False, default=""),
    Column("counter", Integer, nullable=True),
    Column("at", Float, nullable=False),
)
