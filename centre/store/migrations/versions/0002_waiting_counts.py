"""waiting counts kept by the database, and indexes for due bookings and queue heads

A new walk-in's "people ahead" needs how many priority and ordinary walk-ins wait for
its service. Counting them each time costs a scan of the whole waiting queue (0.8 ms at
3,400 waiting on SQLite, on every issue). Triggers on ``ticket`` keep the two numbers in
``waiting_count`` instead, in the same transaction as every change, whatever code path
or process makes it; due bookings (few) are counted through their own index.

A ticket counts when it waits for anybody (no target counter) and is not a booking:
(service_code, priority_group != '') of such rows is the key.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

COUNTS = "{r}.state = 'waiting' AND {r}.target_counter IS NULL AND {r}.appointment_at IS NULL"
WATCHED = "state, target_counter, appointment_at, priority_group, service_code"

# what a ticket row's arrival in / departure from the counted set does (both engines)
ENTER = """INSERT INTO waiting_count (service_code, priority, n)
        VALUES (NEW.service_code, NEW.priority_group <> '', 1)
        ON CONFLICT (service_code, priority) DO UPDATE SET n = waiting_count.n + 1;"""
LEAVE = """UPDATE waiting_count SET n = n - 1
        WHERE service_code = OLD.service_code AND priority = (OLD.priority_group <> '');"""

SQLITE = [
    f"CREATE TRIGGER ticket_waiting_count_insert AFTER INSERT ON ticket "
    f"WHEN {COUNTS.format(r='NEW')} BEGIN {ENTER} END",
    f"CREATE TRIGGER ticket_waiting_count_leave AFTER UPDATE OF {WATCHED} ON ticket "
    f"WHEN {COUNTS.format(r='OLD')} BEGIN {LEAVE} END",
    f"CREATE TRIGGER ticket_waiting_count_enter AFTER UPDATE OF {WATCHED} ON ticket "
    f"WHEN {COUNTS.format(r='NEW')} BEGIN {ENTER} END",
    f"CREATE TRIGGER ticket_waiting_count_delete AFTER DELETE ON ticket "
    f"WHEN {COUNTS.format(r='OLD')} BEGIN {LEAVE} END",
]

POSTGRESQL = [
    f"""CREATE FUNCTION ticket_waiting_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND {COUNTS.format(r='OLD')} THEN
            {LEAVE}
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND {COUNTS.format(r='NEW')} THEN
            {ENTER}
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER ticket_waiting_count AFTER INSERT OR UPDATE OF {WATCHED} OR DELETE ON ticket
    FOR EACH ROW EXECUTE FUNCTION ticket_waiting_count()""",
]


def upgrade() -> None:
    op.create_table(
        'waiting_count',
        sa.Column('service_code', sa.String(length=40), nullable=False),
        sa.Column('priority', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('service_code', 'priority', name=op.f('pk_waiting_count')),
    )
    op.create_index(op.f('ix_ticket_service_code_state_appointment_at'), 'ticket',
                    ['service_code', 'state', 'appointment_at'])
    # the oldest waiting walk-in of a service (what a counter may call next)
    op.create_index(op.f('ix_ticket_service_code_state_issued_at'), 'ticket',
                    ['service_code', 'state', 'issued_at'])
    # the tickets already waiting when this runs
    op.execute(f"""INSERT INTO waiting_count (service_code, priority, n)
                   SELECT service_code, priority_group <> '', count(*) FROM ticket
                   WHERE {COUNTS.format(r='ticket')} GROUP BY service_code, priority_group <> ''""")
    for statement in (POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER ticket_waiting_count ON ticket")
        op.execute("DROP FUNCTION ticket_waiting_count()")
    else:
        for name in ('insert', 'leave', 'enter', 'delete'):
            op.execute(f"DROP TRIGGER ticket_waiting_count_{name}")
    op.drop_index(op.f('ix_ticket_service_code_state_issued_at'), table_name='ticket')
    op.drop_index(op.f('ix_ticket_service_code_state_appointment_at'), table_name='ticket')
    op.drop_table('waiting_count')
