"""What the journal hands out: plain, immutable records, never ORM rows.

A sync task is the journal's unit of work: bring one master image to one
region. There is at most one task per (master image id, qualified region
name); it lives through this state machine::

    queued ──claim──▶ running ──mark_done──▶ done
      ▲                 │  │ └──mark_failed──▶ failed
      │                 │  └──retry_later / lease expired──▶ retrying
      │                 │                                       │
      │                 └───────────────◀── claim (when due) ───┘
      └── enqueue / retry() of a done, failed or cancelled task

``cancel()`` moves a queued, retrying or running task to ``cancelled``. An
enqueue for a pair whose task is ``running`` sets its ``recheck`` flag: when
the run ends (done or failed) the task goes back to ``queued`` and runs once
more, so a change made during a run is never lost.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, NamedTuple

__all__ = [
    'ACTIVE_STATES', 'DUE_STATES', 'FINISHED_STATES', 'CopyRecord',
    'EnqueueOutcome', 'EventRecord', 'Task', 'TaskRequest', 'TaskState',
    'rate',
]


class TaskState(str, enum.Enum):
    """States of a sync task (stored as their value)."""

    QUEUED = 'queued'
    RUNNING = 'running'
    RETRYING = 'retrying'
    DONE = 'done'
    FAILED = 'failed'
    CANCELLED = 'cancelled'

    def __str__(self) -> str:
        return self.value


#: States a worker may claim (when ``next_attempt_at`` is due).
DUE_STATES = frozenset({TaskState.QUEUED, TaskState.RETRYING})
#: States with work still to do.
ACTIVE_STATES = DUE_STATES | {TaskState.RUNNING}
#: States a new event or ``retry()`` reopens.
FINISHED_STATES = frozenset(
    {TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED})


class EnqueueOutcome(str, enum.Enum):
    """What an enqueue did to the (image, region) pair's task."""

    #: No task existed: a new ``queued`` one was created.
    CREATED = 'created'
    #: A done, failed or cancelled task was put back to ``queued``.
    REQUEUED = 'requeued'
    #: A queued or retrying task exists; it will see the change when it runs.
    PENDING = 'pending'
    #: The task is running: it was flagged to run once more when it ends.
    RECHECK = 'recheck'

    def __str__(self) -> str:
        return self.value


class TaskRequest(NamedTuple):
    """One (image, region) pair to enqueue."""

    image_id: str
    region: str
    image_name: str | None = None


@dataclasses.dataclass(frozen=True)
class EventRecord:
    """The result of recording one event.

    ``duplicate`` is true when the event id had already been recorded; then
    nothing was changed and ``outcomes`` is empty.
    """

    event_id: str
    duplicate: bool
    outcomes: dict[str, EnqueueOutcome] = dataclasses.field(
        default_factory=dict)


@dataclasses.dataclass(frozen=True)
class CopyRecord:
    """The copy a run made, recorded with the task that made it.

    ``bytes`` are the bytes written to the region (0 for a zero-copy
    location: nothing crossed a link), ``seconds`` how long the copy took,
    ``source`` the region the bytes came from.
    """

    bytes: int
    seconds: float
    source: str

    @property
    def rate(self) -> float | None:
        """Bytes per second; None when no time was measured."""
        return rate(self.bytes, self.seconds)


def rate(count: int | None, seconds: float | None) -> float | None:
    """``count`` bytes over ``seconds``, per second; None when either is
    unknown or no time passed."""
    if count is None or not seconds or seconds <= 0:
        return None
    return count / seconds


@dataclasses.dataclass(frozen=True)
class Task:
    """A snapshot of one sync task.

    ``region`` is the qualified region name (``RegionTwo``,
    ``other:RegionFour``). ``attempts`` counts the claims since the task was
    last (re)queued. ``lease_token`` identifies one claim: the worker that
    claimed the task passes this snapshot back to ``mark_done`` and friends,
    which only act while that claim still holds. Timestamps are naive UTC.
    ``bytes``, ``seconds`` and ``source`` describe the last copy the task
    made (see :class:`CopyRecord`); None until it makes one.
    """

    id: str
    image_id: str
    image_name: str | None
    region: str
    reason: str
    state: TaskState
    attempts: int
    last_error: str | None
    recheck: bool
    request_id: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    next_attempt_at: datetime.datetime | None
    lease_owner: str | None
    lease_token: str | None
    lease_expires_at: datetime.datetime | None
    bytes: int | None = None
    seconds: float | None = None
    source: str | None = None

    @property
    def rate(self) -> float | None:
        """Bytes per second of the last copy; None without one."""
        return rate(self.bytes, self.seconds)

    @property
    def finished(self) -> bool:
        """True for done, failed and cancelled tasks."""
        return self.state in FINISHED_STATES

    def as_dict(self) -> dict[str, Any]:
        """The task as JSON-friendly values (ISO 8601 timestamps)."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, datetime.datetime):
                value = value.isoformat()
            elif isinstance(value, enum.Enum):
                value = value.value
            out[field.name] = value
        return out
