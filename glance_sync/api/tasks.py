"""Synchronisation tasks of the API: requests in the daemon's journal.

A ``POST /regions/{region}`` does not synchronise anything itself: it
enqueues one journal task per image of the region, all carrying the same
``request_id``, and answers that id as the ``taskId``. The ``glance-sync``
daemon runs the journal's tasks; the API only reads their states back:

- ``syncing`` while any of them is queued, running or retrying;
- ``failed`` once none is active and one failed or was cancelled;
- ``synced`` once all of them are done.

A task of the journal belongs to one (image, region) pair and keeps the
request id of the last request or event that reopened it; so a taskId is
forgotten (404) once every one of its pairs was reopened by a later event
or request, or deleted with ``DELETE``.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Iterable, Mapping

from glance_sync.api import errors
from glance_sync.db import data_models as dm
from glance_sync.db.repositories import Journal

__all__ = ['REASON', 'SyncRequests', 'TaskStatus', 'request_status']

LOG = logging.getLogger(__name__)

#: The ``reason`` of the journal tasks the API enqueues.
REASON = 'api.sync'
#: Tasks read per query when looking for a region's running request.
PAGE = 500


class TaskStatus(str, enum.Enum):
    """A request's status, FIWARE GlanceSync's names."""

    SYNCING = 'syncing'
    SYNCED = 'synced'
    FAILED = 'failed'

    def __str__(self) -> str:
        return self.value


def request_status(counts: Mapping[dm.TaskState, int]) -> TaskStatus | None:
    """The status of a request from its tasks' counts per state.

    :returns: None when the request has no task at all.
    """
    if any(counts.get(state, 0) for state in dm.ACTIVE_STATES):
        return TaskStatus.SYNCING
    if counts.get(dm.TaskState.FAILED, 0) or counts.get(
            dm.TaskState.CANCELLED, 0):
        return TaskStatus.FAILED
    if counts.get(dm.TaskState.DONE, 0):
        return TaskStatus.SYNCED
    return None


class SyncRequests:
    """Start, read and delete the API's requests in a journal.

    :param journal: the daemon's journal.
    """

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def start(self, region: str, requests: Iterable[dm.TaskRequest]
              ) -> tuple[str, TaskStatus]:
        """Enqueue the region's images under one request id.

        A request of the region that is still syncing is extended and
        answered again, as GlanceSync answered its running task.

        :param region: the qualified region name.
        :param requests: one per image to synchronise.
        :returns: the request id and its status (``synced`` at once when
            there is nothing to enqueue; such a request is not kept).
        """
        requests = list(requests)
        task_id = self.running_request(region) or uuid.uuid4().hex
        if not requests:
            return task_id, self.status(region, task_id, missing_ok=True)
        self.journal.enqueue_many(requests, REASON, request_id=task_id)
        LOG.info('Request %s: %d images of region %s enqueued', task_id,
                 len(requests), region)
        return task_id, TaskStatus.SYNCING

    def running_request(self, region: str) -> str | None:
        """The id of a request of the region that is still syncing."""
        # Page by page: a region may have a hundred thousand tasks queued
        # by the reconcile before the first one of a request.
        marker = None
        while True:
            tasks = self.journal.list_tasks(
                states=dm.ACTIVE_STATES, region=region, limit=PAGE,
                marker=marker)
            for task in tasks:
                if task.request_id is not None:
                    return task.request_id
            if len(tasks) < PAGE:
                return None
            marker = tasks[-1].id

    def status(self, region: str, task_id: str,
               missing_ok: bool = False) -> TaskStatus:
        """The request's status.

        :param missing_ok: answer ``synced`` for an unknown request.
        :raises TaskNotFound: no task of the region has this request id.
        """
        found = request_status(self.journal.counts(region=region,
                                                   request_id=task_id))
        if found is None:
            if missing_ok:
                return TaskStatus.SYNCED
            raise errors.TaskNotFound(task_id=task_id, region=region)
        return found

    def errors_by_image(self, region: str) -> dict[str, str]:
        """The last error of each failed or retrying task of the region,
        by master image id."""
        tasks = self.journal.list_tasks(
            states=(dm.TaskState.FAILED, dm.TaskState.RETRYING),
            region=region)
        return {task.image_id: task.last_error for task in tasks
                if task.last_error}

    def delete(self, region: str, task_id: str) -> int:
        """Forget a finished request: delete its tasks.

        :returns: how many journal tasks were deleted.
        :raises TaskNotFound: unknown request.
        :raises TaskRunning: it is still syncing.
        """
        if self.status(region, task_id) is TaskStatus.SYNCING:
            raise errors.TaskRunning(task_id=task_id, region=region)
        # Only finished tasks go: a pair reopened meanwhile stays queued.
        deleted = self.journal.delete_finished(region=region,
                                               request_id=task_id)
        LOG.info('Request %s of region %s deleted (%d tasks)', task_id,
                 region, deleted)
        return deleted

    def dispose(self) -> None:
        """Close the database connections."""
        self.journal.dispose()
