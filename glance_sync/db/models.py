"""SQLAlchemy models of the task journal.

The schema is owned by the alembic migrations in
:mod:`glance_sync.db.migration`; these models must describe the same schema
(a functional test compares them on SQLite, MySQL and PostgreSQL). Only
:mod:`glance_sync.db.repositories` uses them.

Timestamps are naive UTC, stored with microseconds (``DATETIME(6)`` on
MySQL, whose plain ``DATETIME`` drops fractions of a second and would make
just-enqueued tasks look not yet due).
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql

from glance_sync.db import data_models

__all__ = ['TIMESTAMP', 'Base', 'ProcessedEvent', 'SyncTask']

#: Deterministic constraint and index names on every backend.
NAMING_CONVENTION = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

#: A microsecond-precision timestamp on every backend.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')

#: InnoDB for row locks and transactions, utf8mb4 for any image name.
MYSQL_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}

STATE_VALUES = tuple(state.value for state in data_models.TaskState)


class Base(orm.DeclarativeBase):
    """Declarative base of the journal's models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class SyncTask(Base):
    """One sync task: bring a master image to one region.

    ``(image_id, region)`` is unique: a pair has one task, reopened by new
    events once it is finished. ``lease_token`` is a fresh uuid per claim so
    that a worker whose lease expired cannot finish a task claimed again.
    """

    __tablename__ = 'sync_tasks'
    __table_args__ = (
        sa.UniqueConstraint('image_id', 'region'),
        sa.Index(None, 'state', 'next_attempt_at'),
        sa.Index(None, 'region'),
        sa.Index(None, 'request_id'),
        # The claim's order (an index range on state cannot give it for
        # two states: a million queued tasks were sorted per claim), pages
        # of the task list (ordered by creation), the per-region status
        # and errors, and the retention purge: see migration 0003.
        sa.Index(None, 'next_attempt_at', 'created_at', 'id'),
        sa.Index(None, 'created_at', 'id'),
        sa.Index(None, 'region', 'state'),
        sa.Index(None, 'state', 'updated_at'),
        sa.CheckConstraint(sa.column('state').in_(STATE_VALUES),
                           name='state'),
        MYSQL_TABLE_ARGS,
    )

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    image_id: orm.Mapped[str] = orm.mapped_column(sa.String(36))
    image_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    region: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    reason: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    state: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    attempts: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    last_error: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    recheck: orm.Mapped[bool] = orm.mapped_column(sa.Boolean)
    request_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIMESTAMP)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIMESTAMP)
    next_attempt_at: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(TIMESTAMP))
    lease_owner: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    lease_token: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    lease_expires_at: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(TIMESTAMP))
    #: When the pair last became pending after being finished (created,
    #: reopened, or rechecked): its region is behind since then.
    pending_since: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(TIMESTAMP))
    #: The last copy of this task (migration 0004): the bytes it wrote to
    #: the region (0 for a zero-copy location), its duration, and the
    #: region the bytes came from. None until the task first copies.
    bytes: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    seconds: orm.Mapped[float | None] = orm.mapped_column(sa.Float)
    source: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))

    def to_data_model(self) -> data_models.Task:
        """An immutable snapshot of this row."""
        return data_models.Task(
            id=self.id, image_id=self.image_id, image_name=self.image_name,
            region=self.region, reason=self.reason,
            state=data_models.TaskState(self.state), attempts=self.attempts,
            last_error=self.last_error, recheck=bool(self.recheck),
            request_id=self.request_id, created_at=self.created_at,
            updated_at=self.updated_at, next_attempt_at=self.next_attempt_at,
            lease_owner=self.lease_owner, lease_token=self.lease_token,
            lease_expires_at=self.lease_expires_at, bytes=self.bytes,
            seconds=self.seconds, source=self.source)


class ProcessedEvent(Base):
    """The id of a message already recorded: replays are no-ops."""

    __tablename__ = 'processed_events'
    __table_args__ = (sa.Index(None, 'received_at'), MYSQL_TABLE_ARGS)

    event_id: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                  primary_key=True)
    image_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    received_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIMESTAMP)
