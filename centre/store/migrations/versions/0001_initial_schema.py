"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-05 13:01:40.345813
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('revoked_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('name', name=op.f('uq_api_token_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_table('application',
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('procedure', sa.String(length=80), nullable=False),
    sa.Column('receipt_no', sa.String(length=80), nullable=False),
    sa.Column('id_hmac', sa.String(length=64), nullable=False),
    sa.Column('received_on', sa.String(length=10), nullable=False),
    sa.Column('due_on', sa.String(length=10), nullable=False),
    sa.Column('returned_on', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_application'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_id_hmac'), ['id_hmac'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_receipt_no'), ['receipt_no'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('slot_at', sa.Float(), nullable=False),
    sa.Column('slot_end', sa.Float(), nullable=False),
    sa.Column('id_hmac', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('code', name=op.f('uq_appointment_code'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_id_hmac'), ['id_hmac'], unique=False)

    op.create_table('centre_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_event', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_state'))
    )
    op.create_table('day_counter',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('next_online', sa.Integer(), nullable=False),
    sa.Column('next_offline', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'prefix', name=op.f('pk_day_counter'))
    )
    op.create_table('event',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    op.create_table('idempotency',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('token_id', 'key', name=op.f('pk_idempotency'))
    )
    op.create_table('kiosk_heartbeat',
    sa.Column('kiosk', sa.String(length=80), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('kiosk', name=op.f('pk_kiosk_heartbeat'))
    )
    op.create_table('officer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.Float(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer')),
    sa.UniqueConstraint('name', name=op.f('uq_officer_name'))
    )
    op.create_table('offline_lease',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('kiosk', sa.String(length=80), nullable=False),
    sa.Column('lo', sa.Integer(), nullable=False),
    sa.Column('hi', sa.Integer(), nullable=False),
    sa.Column('leased_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_lease'))
    )
    with op.batch_alter_table('offline_lease', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_lease_day_prefix'), ['day', 'prefix'], unique=False)

    op.create_table('service',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('vi', sa.String(length=200), nullable=False),
    sa.Column('en', sa.String(length=200), nullable=False),
    sa.Column('walk_ins_since_priority', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service')),
    sa.UniqueConstraint('prefix', name=op.f('uq_service_prefix'))
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('prefix', sa.String(length=4), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('priority_group', sa.String(length=40), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('appointment_at', sa.Float(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sa.Float(), nullable=False),
    sa.Column('kiosk', sa.String(length=80), nullable=False),
    sa.Column('offline', sa.Boolean(), nullable=False),
    sa.Column('client_ref', sa.String(length=80), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('target_counter', sa.Integer(), nullable=True),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('flags', sa.String(length=400), nullable=False),
    sa.Column('print_state', sa.String(length=40), nullable=False),
    sa.Column('first_called_at', sa.Float(), nullable=True),
    sa.Column('called_at', sa.Float(), nullable=True),
    sa.Column('serving_at', sa.Float(), nullable=True),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('day', 'prefix', 'seq', name=op.f('uq_ticket_day_prefix_seq'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_state_service_code'), ['state', 'service_code'], unique=False)

    op.create_table('application_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['application.code'], name=op.f('fk_application_status_code_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_status'))
    )
    with op.batch_alter_table('application_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_status_code'), ['code'], unique=False)

    op.create_table('counter_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('services', sa.String(length=400), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], name=op.f('fk_counter_session_officer_id_officer')),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_counter_session_token_id_api_token')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_session'))
    )
    op.create_table('handover',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.Column('stored_at', sa.Float(), nullable=False),
    sa.Column('purge_after', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_handover_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_handover'))
    )
    op.create_table('rating',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.String(length=400), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_rating_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_rating'))
    )
    op.create_table('ticket_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=True),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_history_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_history'))
    )
    with op.batch_alter_table('ticket_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_history_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_history_ticket_id'))

    op.drop_table('ticket_history')
    op.drop_table('rating')
    op.drop_table('handover')
    op.drop_table('counter_session')
    with op.batch_alter_table('application_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_status_code'))

    op.drop_table('application_status')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_state_service_code'))
        batch_op.drop_index(batch_op.f('ix_ticket_day'))

    op.drop_table('ticket')
    op.drop_table('service')
    with op.batch_alter_table('offline_lease', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_lease_day_prefix'))

    op.drop_table('offline_lease')
    op.drop_table('officer')
    op.drop_table('kiosk_heartbeat')
    op.drop_table('idempotency')
    op.drop_table('event')
    op.drop_table('day_counter')
    op.drop_table('centre_state')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_id_hmac'))

    op.drop_table('appointment')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_receipt_no'))
        batch_op.drop_index(batch_op.f('ix_application_id_hmac'))

    op.drop_table('application')
    op.drop_table('api_token')
