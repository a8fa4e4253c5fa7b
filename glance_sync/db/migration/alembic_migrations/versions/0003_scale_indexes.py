"""Indexes for a journal of a million tasks.

The claim takes the due tasks in ``next_attempt_at`` order (with two due
states, the ``(state, next_attempt_at)`` index cannot give that order:
every queued task was sorted at each claim); the task list is paged in
creation order; the API's region status counts
and lists a region's tasks by state; the retention purge finds finished
tasks by state and age. Each of these was a full scan of ``sync_tasks``
(checked with EXPLAIN on PostgreSQL and MariaDB; see the "sizing" page).

Revision ID: 0003_scale_indexes
Revises: 0002_pending_since
Create Date: 2026-12-06
"""

from alembic import op

revision = '0003_scale_indexes'
down_revision = '0002_pending_since'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_sync_tasks_next_attempt_at_created_at_id',
                    'sync_tasks', ['next_attempt_at', 'created_at', 'id'])
    op.create_index('ix_sync_tasks_created_at_id', 'sync_tasks',
                    ['created_at', 'id'])
    op.create_index('ix_sync_tasks_region_state', 'sync_tasks',
                    ['region', 'state'])
    op.create_index('ix_sync_tasks_state_updated_at', 'sync_tasks',
                    ['state', 'updated_at'])
