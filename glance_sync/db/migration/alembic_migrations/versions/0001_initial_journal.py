"""Initial journal: sync tasks and processed events.

Revision ID: 0001_initial_journal
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0001_initial_journal'
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
STATES = ('queued', 'running', 'retrying', 'done', 'failed', 'cancelled')


def upgrade() -> None:
    op.create_table(
        'sync_tasks',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('image_id', sa.String(36), nullable=False),
        sa.Column('image_name', sa.String(255), nullable=True),
        sa.Column('region', sa.String(255), nullable=False),
        sa.Column('reason', sa.String(64), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('last_error', sa.Text, nullable=True),
        sa.Column('recheck', sa.Boolean, nullable=False),
        sa.Column('request_id', sa.String(64), nullable=True),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.Column('updated_at', TIMESTAMP, nullable=False),
        sa.Column('next_attempt_at', TIMESTAMP, nullable=True),
        sa.Column('lease_owner', sa.String(255), nullable=True),
        sa.Column('lease_token', sa.String(36), nullable=True),
        sa.Column('lease_expires_at', TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_tasks')),
        sa.UniqueConstraint('image_id', 'region',
                            name=op.f('uq_sync_tasks_image_id_region')),
        sa.CheckConstraint(sa.column('state').in_(STATES),
                           name=op.f('ck_sync_tasks_state')),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index(op.f('ix_sync_tasks_state_next_attempt_at'), 'sync_tasks',
                    ['state', 'next_attempt_at'])
    op.create_index(op.f('ix_sync_tasks_region'), 'sync_tasks', ['region'])
    op.create_index(op.f('ix_sync_tasks_request_id'), 'sync_tasks',
                    ['request_id'])

    op.create_table(
        'processed_events',
        sa.Column('event_id', sa.String(255), nullable=False),
        sa.Column('image_id', sa.String(36), nullable=True),
        sa.Column('received_at', TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint('event_id',
                                name=op.f('pk_processed_events')),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index(op.f('ix_processed_events_received_at'),
                    'processed_events', ['received_at'])
