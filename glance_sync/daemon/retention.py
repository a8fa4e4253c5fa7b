"""The journal's retention: purge what finished long ago, in the background.

Finished tasks and processed event ids would otherwise pile up forever
(a million pairs per initial sync of a large federation). Every
:data:`PURGE_INTERVAL` seconds, and once shortly after start-up, the
daemon deletes those older than ``[database] retention_days`` (see
:meth:`~glance_sync.db.repositories.Journal.purge`).
``glance-sync-manage tasks purge`` does the same on demand. Several
daemons sharing a journal may purge at once: deletes are idempotent.
"""

from __future__ import annotations

import datetime
import logging

from glance_sync.daemon import periodic
from glance_sync.db.repositories import Journal

__all__ = ['PURGE_INTERVAL', 'Purger', 'STARTUP_DELAY']

LOG = logging.getLogger(__name__)

#: Seconds between two purges.
PURGE_INTERVAL = 3600.0
#: Seconds after start-up before the first purge: start-up work (the
#: first reconcile, recovered tasks) goes first.
STARTUP_DELAY = 60.0


class Purger:
    """Purges the journal every ``interval`` seconds in a thread.

    :param journal: the task journal.
    :param retention_days: what to keep; 0 disables the purge.
    """

    def __init__(self, journal: Journal, retention_days: int,
                 interval: float = PURGE_INTERVAL,
                 first_delay: float = STARTUP_DELAY) -> None:
        self._journal = journal
        self._retention = datetime.timedelta(days=retention_days)
        self._interval = interval
        self._thread = periodic.Periodic('glance-sync-purge', self._purge,
                                         first_delay)

    def run_once(self) -> tuple[int, int]:
        """One purge.

        :returns: how many tasks and event ids were deleted.
        """
        tasks, events = self._journal.purge(older_than=self._retention)
        LOG.info('Journal purge: %d finished task(s) and %d event id(s) '
                 'older than %s deleted', tasks, events, self._retention)
        return tasks, events

    def start(self) -> None:
        """Start the thread (nothing when the retention is 0: keep all)."""
        if not self._retention:
            LOG.info('Journal retention disabled: nothing is purged')
            return
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current purge (waits ``timeout`` s at most)."""
        self._thread.stop(timeout)

    def _purge(self) -> float:
        """One purge of the thread; seconds to the next."""
        try:
            self.run_once()
        except Exception as exc:  # noqa: BLE001 - next purge retries
            LOG.warning('Journal purge failed (next in %d s): %s',
                        self._interval, exc)
        return self._interval
