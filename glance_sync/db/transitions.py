"""The column changes of each task transition, as ordered SET clauses.

Pure helpers of :mod:`glance_sync.db.repositories`: they build, never run.
Each returns ``(column, value)`` pairs for ``UPDATE … ordered_values()``:
MySQL evaluates SET assignments left to right and later ones see the new
values, so an assignment that reads a column comes before the one that
changes it (``recheck`` is always last).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from oslo_utils import strutils

from glance_sync.db import data_models as dm
from glance_sync.db import models

__all__ = ['MAX_ERROR_LENGTH', 'TASKS', 'clean_error', 'cleared_lease',
           'copy_values', 'finish_values', 'requeue_values', 'retry_values',
           'values']

TASKS = models.Base.metadata.tables[models.SyncTask.__tablename__]
States = Iterable[dm.TaskState]
Assignments = list[tuple[Any, Any]]

#: Longest ``last_error`` kept (characters).
MAX_ERROR_LENGTH = 4000
_URL_CREDENTIALS = re.compile(r'(\w+://[^:/@\s]+:)[^@\s]+@')


def clean_error(error: object) -> str:
    """The message to store: passwords masked, length bounded."""
    text = _URL_CREDENTIALS.sub(r'\1***@', strutils.mask_password(error))
    return text[:MAX_ERROR_LENGTH]


def values(states: States) -> list[str]:
    """The stored values of ``states``, sorted."""
    return sorted(state.value for state in states)


def cleared_lease() -> Assignments:
    """SET clause dropping the lease."""
    return [(TASKS.c.lease_owner, None), (TASKS.c.lease_token, None),
            (TASKS.c.lease_expires_at, None)]


def copy_values(copy: dm.CopyRecord) -> Assignments:
    """SET clause recording the copy a run made."""
    return [(TASKS.c.bytes, copy.bytes), (TASKS.c.seconds, copy.seconds),
            (TASKS.c.source, copy.source)]


def finish_values(state: dm.TaskState, error: str | None,
                  now: datetime.datetime) -> Assignments:
    """SET clause ending a run: ``state``, or ``queued`` if a recheck waits.

    A requeued task gets a fresh attempt budget and is due ``now``.
    """
    recheck = TASKS.c.recheck == sa.true()
    return [
        # A recheck means a change came during the run: pending anew.
        (TASKS.c.pending_since, sa.case((recheck, now),
                                        else_=TASKS.c.pending_since)),
        (TASKS.c.state, sa.case((recheck, dm.TaskState.QUEUED.value),
                                else_=state.value)),
        (TASKS.c.attempts, sa.case((recheck, 0), else_=TASKS.c.attempts)),
        (TASKS.c.next_attempt_at, sa.case((recheck, now), else_=None)),
        (TASKS.c.last_error, error),
        *cleared_lease(),
        (TASKS.c.updated_at, now),
        (TASKS.c.recheck, False),
    ]


def retry_values(error: str | None, due: datetime.datetime,
                 now: datetime.datetime) -> Assignments:
    """SET clause scheduling another run at ``due``."""
    return [(TASKS.c.state, dm.TaskState.RETRYING.value),
            (TASKS.c.next_attempt_at, due), (TASKS.c.last_error, error),
            *cleared_lease(), (TASKS.c.updated_at, now),
            (TASKS.c.recheck, False)]


def requeue_values(now: datetime.datetime) -> Assignments:
    """SET clause putting a task back to ``queued`` with a fresh budget.

    A finished task becomes pending now; a pending one stays pending since
    when it was (read before ``state`` changes).
    """
    finished = TASKS.c.state.in_(values(dm.FINISHED_STATES))
    return [(TASKS.c.pending_since, sa.case(
                (finished, now), else_=TASKS.c.pending_since)),
            (TASKS.c.state, dm.TaskState.QUEUED.value),
            (TASKS.c.attempts, 0), (TASKS.c.next_attempt_at, now),
            *cleared_lease(), (TASKS.c.updated_at, now),
            (TASKS.c.recheck, False)]
