"""Sync tasks record since when their pair is pending (the sync lag).

Revision ID: 0002_pending_since
Revises: 0001_initial_journal
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0002_pending_since'
down_revision = '0001_initial_journal'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade() -> None:
    with op.batch_alter_table('sync_tasks') as batch:
        batch.add_column(sa.Column('pending_since', TIMESTAMP,
                                   nullable=True))
    # Existing rows: their last change is the best guess there is.
    tasks = sa.table('sync_tasks', sa.column('pending_since', TIMESTAMP),
                     sa.column('updated_at', TIMESTAMP))
    op.execute(tasks.update().values(pending_since=tasks.c.updated_at))
