"""Set-based reads and inserts of many tasks at once, per backend.

:meth:`~glance_sync.db.repositories.Journal.enqueue_many` looks up which
of a batch of pairs already have a task and inserts the others. A million
pairs (the initial sync of 10,000 images to 100 regions) must take well
under two minutes on PostgreSQL; the generic statements did not:

- the lookup by two IN lists (image ids, regions) was planned as a scan of
  ``sync_tasks`` whenever the table's statistics were behind its size
  (always, inside the one transaction of a large enqueue): quadratic;
- a multi-row ``INSERT … VALUES`` of 17 bound columns a row spent most of
  its time having PostgreSQL parse and plan the values.

On PostgreSQL both statements take the batch as a few arrays instead
(``unnest``): the lookup joins the pairs to the ``(image_id, region)``
unique index, one probe per pair whatever the statistics, and the insert
sends the four columns that differ between the rows of a batch as arrays
and the others once. MySQL (whose planner probes the unique index for
IN lists with index dives) and SQLite (no statistics: it always takes the
index) keep the portable statements. Both paths go through SQLAlchemy, so
oslo.db turns a concurrent insert of a pair into ``DBDuplicateEntry``
(the caller's transaction is retried) on every backend.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql

from glance_sync.db import data_models as dm
from glance_sync.db import transitions

__all__ = ['existing_tasks', 'insert_tasks', 'takes_arrays', 'task_row']

_TASKS = transitions.TASKS
_TEXTS = postgresql.ARRAY(sa.Text)

#: The columns that differ between the tasks of one insert.
_PER_ROW = ('id', 'image_id', 'image_name', 'region')

Pair = tuple[str, str]


def task_row(req: dm.TaskRequest, reason: str, request_id: str | None,
             now: datetime.datetime) -> dict[str, Any]:
    """The columns of a new, queued task for ``req``."""
    return {'id': str(uuid.uuid4()), 'image_id': req.image_id,
            'image_name': req.image_name, 'region': req.region,
            'reason': reason, 'state': dm.TaskState.QUEUED.value,
            'attempts': 0, 'last_error': None, 'recheck': False,
            'request_id': request_id, 'created_at': now, 'updated_at': now,
            'next_attempt_at': now, 'lease_owner': None,
            'lease_token': None, 'lease_expires_at': None,
            'pending_since': now}


def takes_arrays(session: orm.Session) -> bool:
    """Whether the batch goes as arrays (PostgreSQL) on this session."""
    return session.get_bind().dialect.name == 'postgresql'


def _arrays(*columns: tuple[str, Sequence[Any]]) -> Any:
    """``unnest(:a, :b, …) AS (a, b, …)``: rows from parallel arrays."""
    return sa.func.unnest(*(
        sa.bindparam(name, list(values), type_=_TEXTS)
        for name, values in columns)).table_valued(
            *(name for name, _ in columns)).render_derived()


def existing_tasks(session: orm.Session,
                   batch: Sequence[dm.TaskRequest]) -> dict[Pair, Any]:
    """The tasks of the batch's pairs that exist: id and state per pair."""
    columns = (_TASKS.c.id, _TASKS.c.state, _TASKS.c.image_id,
               _TASKS.c.region)
    if takes_arrays(session):
        pairs = _arrays(('image_id', [req.image_id for req in batch]),
                        ('region', [req.region for req in batch]))
        query = sa.select(*columns).join(pairs, sa.and_(
            _TASKS.c.image_id == pairs.c.image_id,
            _TASKS.c.region == pairs.c.region))
    else:
        # Two plain IN lists, not a row-value IN of the pairs: MariaDB and
        # SQLite scan the table for the latter (quadratic at a million
        # rows); these use the (image_id, region) unique index. A few rows
        # of the cross product may come back; the caller only looks up the
        # batch's pairs.
        query = sa.select(*columns).where(
            _TASKS.c.image_id.in_(sorted({req.image_id for req in batch})),
            _TASKS.c.region.in_(sorted({req.region for req in batch})))
    return {(row.image_id, row.region): row for row in session.execute(query)}


def insert_tasks(session: orm.Session, batch: Sequence[dm.TaskRequest],
                 reason: str, request_id: str | None,
                 now: datetime.datetime) -> None:
    """Insert a new, queued task for each pair of ``batch``.

    :raises oslo_db.exception.DBDuplicateEntry: a pair has a task (a
        concurrent insert won): the caller's transaction is retried.
    """
    rows = [task_row(req, reason, request_id, now) for req in batch]
    if not rows:
        return
    if not takes_arrays(session):
        session.execute(sa.insert(_TASKS), rows)
        return
    pairs = _arrays(*((name, [row[name] for row in rows])
                      for name in _PER_ROW))
    shared = [name for name in rows[0] if name not in _PER_ROW]
    session.execute(sa.insert(_TASKS).from_select(
        [*_PER_ROW, *shared], sa.select(
            *(pairs.c[name] for name in _PER_ROW),
            *(sa.literal(rows[0][name], _TASKS.c[name].type).label(name)
              for name in shared))))
