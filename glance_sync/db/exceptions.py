"""Errors of the task journal; each message names the task and its state."""

from __future__ import annotations

__all__ = ['JournalError', 'TaskNotFound', 'TaskStateConflict']


class JournalError(Exception):
    """Base class of the journal's errors."""


class TaskNotFound(JournalError):
    """No sync task has the given id."""

    def __init__(self, task_id: str) -> None:
        super().__init__('sync task %s does not exist' % task_id)
        self.task_id = task_id


class TaskStateConflict(JournalError):
    """The task's state does not allow the operation asked for."""

    def __init__(self, task_id: str, image_id: str, region: str,
                 state: str, operation: str) -> None:
        super().__init__(
            'cannot %s sync task %s (image %s, region %s): it is %s'
            % (operation, task_id, image_id, region, state))
        self.task_id = task_id
        self.image_id = image_id
        self.region = region
        self.state = state
        self.operation = operation
