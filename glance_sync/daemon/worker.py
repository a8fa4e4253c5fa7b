"""The worker loop: claim due tasks, run them, record how they ended.

One thread (green thread with ``executor = eventlet``) loops:

1. claim as many due tasks as there are free workers, leaving out the
   regions at their ``per_region_workers`` limit, and hand each to the
   executor;
2. every third of ``task_lease_time``, extend the leases of the tasks
   running here, so a long transfer keeps its task;
3. now and then, release the tasks whose lease expired (their daemon
   died) so that any daemon runs them again;
4. sleep ``poll_interval``, or less when woken (an event was recorded,
   a task ended).

Each task ends with :meth:`~glance_sync.db.repositories.Journal.mark_done`,
``retry_later`` (a transient error, with the :class:`~glance_sync.retry.
RetryPolicy`'s backoff and jitter, or a master image still being written)
or ``mark_failed`` (after ``task_retry_times`` retries, a permanent error,
or ``snapshot_timeout``). A run that copied records its copy's bytes,
seconds and source with ``mark_done``: the rate ``glance-sync-manage
tasks`` shows. At start-up :meth:`Worker.recover` takes back
the tasks a previous run under the same ``worker_id`` left running.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable

from glance_sync import engine
from glance_sync.conf.errors import ConfigError
from glance_sync.daemon import metrics
from glance_sync.daemon import runner as runner_mod
from glance_sync.daemon.context import DaemonOptions
from glance_sync.db import data_models as dm
from glance_sync.db.exceptions import JournalError
from glance_sync.db.repositories import Journal, utcnow
from glance_sync.executor import KeyedExecutor
from glance_sync.regions.base import Refused
from glance_sync.retry import RetryPolicy
from glance_sync.rules.condition import ConditionError
from glance_sync.rules.plan import TenantUnknown

__all__ = ['PERMANENT_ERRORS', 'Worker', 'is_permanent']

LOG = logging.getLogger(__name__)

#: Errors that running the task again will not cure.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    Refused, ConditionError, TenantUnknown, ConfigError)
#: Longest time between two releases of expired leases, in seconds.
RELEASE_INTERVAL = 60.0


def is_permanent(exc: BaseException) -> bool:
    """Whether a task's error is permanent (see :data:`PERMANENT_ERRORS`);
    an engine error is judged by its cause."""
    if isinstance(exc, engine.ApplyError) and exc.__cause__ is not None:
        exc = exc.__cause__
    return isinstance(exc, PERMANENT_ERRORS)


class Worker:
    """Claims and runs the journal's due tasks (see the module docstring).

    :param journal: the task journal.
    :param runner: runs one task.
    :param pool: the executor, with its per-region limit.
    :param worker_id: this daemon's name in the leases.
    :param policy: retries and backoff.
    :param options: returns the current daemon options (snapshot waits).
    :param lease_seconds: ``task_lease_time``.
    :param poll_interval: seconds between two claims when idle.
    :param clock: the journal's clock (naive UTC).
    :param regions: a site worker's regions (``[daemon] regions`` and
        ``sites``); ``None``: every region.
    :param takeover_after: a site worker also claims other regions' tasks
        due for this many seconds (``[daemon] takeover_delay``).
    """

    def __init__(self, journal: Journal, runner: runner_mod.TaskRunner,
                 pool: KeyedExecutor, *, worker_id: str,
                 policy: RetryPolicy, options: Callable[[], DaemonOptions],
                 lease_seconds: float = 300.0, poll_interval: float = 2.0,
                 clock: Callable[[], datetime.datetime] = utcnow,
                 regions: frozenset[str] | None = None,
                 takeover_after: float | None = None) -> None:
        self._journal = journal
        self._regions = regions
        self._takeover_after = takeover_after
        self._runner = runner
        self._pool = pool
        self.worker_id = worker_id
        self._policy = policy
        self._options = options
        self._lease = lease_seconds
        self._poll = poll_interval
        self._clock = clock
        self._lock = threading.Lock()
        #: Held by a claim until its tasks are in the pool.
        self._claiming = threading.Lock()
        self._running: dict[str, dm.Task] = {}
        self._started: set[str] = set()
        #: Tasks whose end is being recorded: their lease is gone for a
        #: good reason.
        self._ending: set[str] = set()
        self._wake = threading.Event()
        self._draining = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        #: ``time.monotonic()`` of the loop's last turn (the watchdog's
        #: liveness).
        self.last_turn = time.monotonic()

    # -- life cycle -------------------------------------------------------

    def recover(self) -> list[dm.Task]:
        """Take back the tasks a previous run of this worker left running.

        Their leases may not have expired yet: without this, a daemon
        restarted after a crash would wait for them.

        :returns: the tasks, queued again.
        """
        recovered = []
        for task in self._journal.list_tasks(states=[dm.TaskState.RUNNING]):
            if task.lease_owner != self.worker_id:
                continue
            # cancel() drops the lease; retry() queues it with a fresh
            # budget (a crash in between leaves it cancelled: the next
            # event or reconcile reopens it).
            try:
                self._journal.cancel(task.id)
                recovered.append(self._journal.retry(task.id))
            except JournalError as exc:  # it ended meanwhile
                LOG.debug('Task %s not recovered: %s', task.id, exc)
                continue
            LOG.warning('Task %s (image %s, region %s) was left running by '
                        'a previous run of %s: queued again', task.id,
                        task.image_id, task.region, self.worker_id)
        return recovered

    def start(self) -> None:
        """Start the loop thread."""
        self._thread = threading.Thread(target=self._loop,
                                        name='glance-sync-worker',
                                        daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due tasks now (thread-safe, never blocks)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> bool:
        """Claim no more; wait up to ``timeout`` s for running tasks.

        Leases keep being extended while tasks drain.

        :returns: True when every task running here finished.
        """
        self._draining.set()
        with self._claiming:
            pass  # a claim under way has handed its tasks to the pool
        self.wake()
        complete = self._pool.shutdown(wait=True, timeout=timeout)
        self._hand_back_unstarted()
        self._stopped.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(max(self._poll, 1.0) * 2)
        if not complete:
            with self._lock:
                left = sorted(self._running)
            LOG.warning('Stopped with %d task(s) still running: %s; their '
                        'leases will expire', len(left), ', '.join(left))
        return complete

    def _hand_back_unstarted(self) -> None:
        """Tasks claimed but cancelled at shutdown go back to the journal,
        due now, for the next daemon."""
        with self._lock:
            unstarted = [task for task_id, task in self._running.items()
                         if task_id not in self._started]
        for task in unstarted:
            try:
                self._journal.retry_later(task, 'the daemon stopped before '
                                          'running it', 0)
            except Exception as exc:  # noqa: BLE001 - the lease will expire
                LOG.warning('Cannot hand task %s back: %s', task.id, exc)
            with self._lock:
                self._running.pop(task.id, None)

    def alive(self, within: float) -> bool:
        """Whether the loop runs and turned in the last ``within`` s."""
        return (self._thread is not None and self._thread.is_alive()
                and time.monotonic() - self.last_turn < within)

    @property
    def running(self) -> list[dm.Task]:
        """The tasks running here now."""
        with self._lock:
            return list(self._running.values())

    # -- the loop ---------------------------------------------------------

    def _loop(self) -> None:
        extended = released = time.monotonic()
        while not self._stopped.is_set():
            self.last_turn = time.monotonic()
            self._wake.clear()
            try:
                self.run_once()
                now = time.monotonic()
                if now - extended >= self._lease / 3:
                    self.extend_leases()
                    extended = now
                if now - released >= min(self._lease / 2, RELEASE_INTERVAL):
                    self.release_expired()
                    released = now
            except Exception:  # noqa: BLE001 - the loop is the daemon
                LOG.exception('Worker loop error; going on')
            self._wake.wait(self._poll)

    def run_once(self) -> int:
        """Claim due tasks for the free workers and start them.

        :returns: how many were claimed.
        """
        with self._claiming:
            if self._draining.is_set():
                return 0
            with self._lock:
                free = self._pool.max_workers - len(self._running)
            if free <= 0:
                return 0
            try:
                tasks = self._journal.claim(
                    self.worker_id, limit=free, lease_seconds=self._lease,
                    exclude_regions=self._pool.busy_keys(),
                    regions=self._regions,
                    takeover_after=self._takeover_after)
            except Exception as exc:  # noqa: BLE001 - the loop must go on
                LOG.warning('Cannot claim tasks from the journal: %s', exc)
                return 0
            for task in tasks:
                if (self._regions is not None
                        and task.region not in self._regions):
                    LOG.warning('Taking over task %s (image %s, region %s): '
                                'due for more than %s s, its site worker is '
                                'down', task.id, task.image_id, task.region,
                                self._takeover_after)
                with self._lock:
                    self._running[task.id] = task
                self._pool.submit(task.region, self._execute, task)
            return len(tasks)

    def extend_leases(self) -> None:
        """Extend the lease of every task running here."""
        for task in self.running:
            try:
                kept = self._journal.extend_lease(task, self._lease)
            except Exception as exc:  # noqa: BLE001 - retried next round
                LOG.warning('Cannot extend the lease of task %s: %s',
                            task.id, exc)
                continue
            with self._lock:
                ending = task.id in self._ending or task.id not in \
                    self._running
            if kept is None and not ending:
                LOG.warning('Task %s (image %s, region %s) was cancelled or '
                            'taken over while running here', task.id,
                            task.image_id, task.region)

    def release_expired(self) -> None:
        """Make the tasks of dead daemons runnable again."""
        try:
            released = self._journal.release_expired_leases(
                max_attempts=self._policy.retry_times + 1)
        except Exception as exc:  # noqa: BLE001 - retried next round
            LOG.warning('Cannot release expired leases: %s', exc)
            return
        if released:
            self.wake()

    # -- one task ---------------------------------------------------------

    def _execute(self, task: dm.Task) -> None:
        """Run one task on an executor thread and record its end."""
        with self._lock:
            self._started.add(task.id)
        try:
            try:
                outcome = self._runner.run(task)
            except Exception as exc:  # noqa: BLE001 - recorded below
                self._ending_of(task)
                self._failed(task, exc)
            else:
                self._ending_of(task)
                self._finished(task, outcome)
        except Exception as exc:  # noqa: BLE001 - the lease will expire
            LOG.error('Cannot record the end of task %s (image %s, region '
                      '%s): %s', task.id, task.image_id, task.region, exc)
        finally:
            with self._lock:
                self._running.pop(task.id, None)
                self._started.discard(task.id)
                self._ending.discard(task.id)
            self.wake()

    def _ending_of(self, task: dm.Task) -> None:
        # Its end is recorded next: a lease found gone by extend_leases
        # meanwhile is this end, not a cancellation.
        with self._lock:
            self._ending.add(task.id)

    def _finished(self, task: dm.Task, outcome: runner_mod.Outcome) -> None:
        if outcome.kind is runner_mod.Kind.WAIT and outcome.note is not None:
            # Waiting for a relay source: not an attempt, and bounded by
            # relay_wait in the runner itself, not by snapshot_timeout.
            LOG.info('Task %s (image %s, region %s): %s; looking again in '
                     '%.1f s', task.id, task.image_id, task.region,
                     outcome.detail, outcome.retry_in or 0.0)
            self._journal.retry_later(task, outcome.note,
                                      outcome.retry_in or 0.0,
                                      counted=False)
            return
        if outcome.kind is runner_mod.Kind.WAIT:
            self._wait(task, outcome)
            return
        if outcome.kind is runner_mod.Kind.READY:
            # A fresh budget: the polls of the wait were not failures.
            if self._journal.retry_later(task, outcome.detail, 0):
                self._journal.retry(task.id)
            return
        LOG.info('Task %s: image %s in region %s: %s', task.id,
                 task.image_id, task.region, outcome.detail)
        self._journal.mark_done(task, outcome.copy)

    def _wait(self, task: dm.Task, outcome: runner_mod.Outcome) -> None:
        options = self._options()
        now = self._clock()
        since = runner_mod.waiting_since(task.last_error) or now
        waited = (now - since).total_seconds()
        if waited > options.snapshot_timeout:
            LOG.error('Task %s: %s for %d s, more than snapshot_timeout',
                      task.id, outcome.detail, waited)
            metrics.task_failed(task.region, 'snapshot_timeout')
            self._journal.mark_failed(
                task, '%s after %d s (snapshot_timeout = %d)'
                % (outcome.detail, waited, options.snapshot_timeout))
            return
        LOG.info('Task %s: %s; looking again in %s s', task.id,
                 outcome.detail, options.snapshot_sleep_interval)
        self._journal.retry_later(
            task, runner_mod.wait_message(task.image_id, outcome.status or '',
                                          since),
            options.snapshot_sleep_interval)

    def _failed(self, task: dm.Task, exc: Exception) -> None:
        metrics.task_failed(task.region, exc)
        error = str(exc) or type(exc).__name__
        if is_permanent(exc) or not self._policy.should_retry(task.attempts):
            LOG.error('Task %s (image %s, region %s) failed after %d '
                      'attempt(s): %s', task.id, task.image_id, task.region,
                      task.attempts, error)
            self._journal.mark_failed(task, error)
            return
        delay = self._policy.delay(task.attempts)
        LOG.warning('Task %s (image %s, region %s), attempt %d: %s; '
                    'retrying in %.1f s', task.id, task.image_id,
                    task.region, task.attempts, error, delay)
        self._journal.retry_later(task, error, delay)
