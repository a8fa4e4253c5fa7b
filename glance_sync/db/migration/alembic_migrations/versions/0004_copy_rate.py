"""Sync tasks record their last copy: bytes, seconds and source region.

``bytes`` are the bytes the task's last copy wrote to the region (none
for a zero-copy location), ``seconds`` how long that copy took and
``source`` the region the bytes came from: together, the copy's rate
(``glance-sync-manage tasks``). All nullable: a task that never copied
has none, and an older daemon that still runs simply does not fill them.

Revision ID: 0004_copy_rate
Revises: 0003_scale_indexes
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_copy_rate'
down_revision = '0003_scale_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_tasks') as batch:
        batch.add_column(sa.Column('bytes', sa.BigInteger, nullable=True))
        batch.add_column(sa.Column('seconds', sa.Float, nullable=True))
        batch.add_column(sa.Column('source', sa.String(255), nullable=True))


def downgrade() -> None:
    # Only these columns go: the rates recorded are lost, nothing else.
    with op.batch_alter_table('sync_tasks') as batch:
        batch.drop_column('source')
        batch.drop_column('seconds')
        batch.drop_column('bytes')
