"""The task journal: the durable record of what must be synchronised.

The listener records events (:meth:`Journal.record_event`), the reconcile
pass and the REST API enqueue pairs (:meth:`Journal.enqueue`,
:meth:`Journal.enqueue_many`), daemons claim due tasks with a lease
(:meth:`Journal.claim`) and report the outcome (:meth:`Journal.mark_done`,
:meth:`Journal.mark_failed`, :meth:`Journal.retry_later`); any daemon
recovers the tasks of a dead one (:meth:`Journal.release_expired_leases`).
See :mod:`glance_sync.db.data_models` for the state machine.

Concurrency: every public method is one short transaction and is
thread-safe. State changes are compare-and-set ``UPDATE`` statements whose
``WHERE`` clause repeats the state (and, for a worker, its claim's
``lease_token``) that was read, so several daemons on one PostgreSQL, MySQL
or SQLite database never claim one task twice and never overwrite each
other's transitions. A lost race is retried from the start of the
transaction (with deadlocks and lost connections) by oslo.db.

Clocks: timestamps come from the daemons' clocks (naive UTC); hosts that
share a journal must keep their clocks synchronised (NTP), as leases are
compared with them.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from sqlalchemy import orm

from glance_sync.db import api as db_api
from glance_sync.db import bulk
from glance_sync.db import data_models as dm
from glance_sync.db import exceptions
from glance_sync.db import migration
from glance_sync.db import models
from glance_sync.db import transitions

__all__ = ['ENQUEUE_ARRAY_BATCH', 'ENQUEUE_BATCH', 'PURGE_BATCH', 'Journal',
           'utcnow']

LOG = logging.getLogger(__name__)

_TASKS = transitions.TASKS
_EVENTS = models.Base.metadata.tables[models.ProcessedEvent.__tablename__]
_States = transitions.States
_F = TypeVar('_F', bound=Callable[..., Any])

#: Rounds of candidate selection in one claim before giving up.
_CLAIM_ROUNDS = 3

#: Pairs read or inserted per statement by :meth:`Journal.enqueue_many`
#: (well under the bound parameters SQLite, MySQL and PostgreSQL accept).
ENQUEUE_BATCH = 500
#: The same on PostgreSQL, whose array statements (:mod:`.bulk`) take no
#: bound parameter per pair: fewer round trips (0.6x the time of 500 a
#: batch for 300,000 pairs).
ENQUEUE_ARRAY_BATCH = 5000

#: Rows deleted per transaction by :meth:`Journal.purge`: short
#: transactions, so that a purge of a million rows never holds the
#: tables' locks for long.
PURGE_BATCH = 5000


def utcnow() -> datetime.datetime:
    """Now, as the naive UTC timestamp the journal stores."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _is_duplicate(exc: Exception) -> bool:
    return isinstance(exc, db_exc.DBDuplicateEntry)


#: Reruns a whole transaction after a lost race (a duplicate insert or a
#: compare-and-set that matched nothing), a deadlock or a lost connection.
_retry_transaction: Callable[[_F], _F] = oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.01, max_retry_interval=0.5,
    inc_retry_interval=True, jitter=True, retry_on_deadlock=True,
    retry_on_disconnect=True, exception_checker=_is_duplicate)


class _LostRace(Exception):
    """A compare-and-set matched no row: the task changed under us."""


def _execute(session: orm.Session, statement: sa.Executable) -> int:
    """Run an UPDATE or DELETE; the number of rows it matched."""
    result = cast('sa.CursorResult[Any]', session.execute(statement))
    return int(result.rowcount)


class Journal:
    """The task journal on one database.

    :param url_or_conf: a database URL (``sqlite:///…``,
        ``mysql+pymysql://…``, ``postgresql+psycopg2://…``) or a
        configuration whose ``[database]`` options are registered.
    :param clock: returns the current naive UTC time; tests inject one.

    The schema must exist: see :func:`glance_sync.db.migration.upgrade`.
    """

    def __init__(self, url_or_conf: db_api.UrlOrConf,
                 clock: Callable[[], datetime.datetime] = utcnow) -> None:
        self._db = db_api.Database(url_or_conf)
        self._clock = clock

    def dispose(self) -> None:
        """Close the database connections (the journal stays usable)."""
        self._db.dispose()

    def upgrade_schema(self) -> None:
        """Create or upgrade the tables on this journal's own engine.

        :func:`glance_sync.db.migration.upgrade` is the usual way (it is
        ``glance-sync-manage db sync``); this one also works for an
        in-memory ``sqlite://`` journal, whose only connection is its own.
        Such a journal is for single-threaded tests: its one connection
        cannot hold two transactions at once.
        """
        migration.upgrade_database(self._db)

    # -- recording work ---------------------------------------------------

    @_retry_transaction
    def record_event(self, event_id: str, image_id: str,
                     regions: Iterable[str], reason: str, *,
                     image_name: str | None = None,
                     request_id: str | None = None) -> dm.EventRecord:
        """Record an event and enqueue its image for ``regions``, at once.

        Atomic and idempotent: the event id and every task change commit
        together, and an event id already recorded changes nothing (the
        caller may acknowledge the message either way).

        :param event_id: the message's unique id.
        :param regions: qualified names of the regions to sync (may be
            empty: the event is still recorded as processed).
        :param reason: why, usually the event type (``image.upload``).
        :returns: whether it was a duplicate, and the outcome per region.
        """
        now = self._clock()
        with self._db.writer() as session:
            if session.get(models.ProcessedEvent, event_id) is not None:
                LOG.debug('Event %s for image %s already recorded',
                          event_id, image_id)
                return dm.EventRecord(event_id, duplicate=True)
            session.add(models.ProcessedEvent(
                event_id=event_id, image_id=image_id, received_at=now))
            session.flush()
            outcomes = {
                region: self._enqueue(session, dm.TaskRequest(
                    image_id, region, image_name), reason, request_id, now)
                for region in dict.fromkeys(regions)}
        return dm.EventRecord(event_id, duplicate=False, outcomes=outcomes)

    @_retry_transaction
    def enqueue(self, image_id: str, region: str, reason: str, *,
                image_name: str | None = None,
                request_id: str | None = None) -> dm.EnqueueOutcome:
        """Ask for (image, region) to be synchronised.

        Idempotent: never creates a second task for a pair. A finished
        task is reopened, a pending one is left to run, a running one is
        flagged to run once more when it ends (see
        :class:`~glance_sync.db.data_models.EnqueueOutcome`). ``reason``
        and, when given, ``image_name`` and ``request_id`` replace the
        task's: a pair an event or the reconcile reopens stays in the API
        request that had it (whose status is then ``syncing`` again), so
        that a client following the request never loses it.
        """
        now = self._clock()
        with self._db.writer() as session:
            return self._enqueue(session, dm.TaskRequest(
                image_id, region, image_name), reason, request_id, now)

    @_retry_transaction
    def enqueue_many(self, requests: Iterable[dm.TaskRequest], reason: str,
                     *, request_id: str | None = None
                     ) -> dict[tuple[str, str], dm.EnqueueOutcome]:
        """:meth:`enqueue` several pairs in one transaction (all or none).

        Built for the reconcile's and the initial sync's hundreds of
        thousands of pairs: existing tasks are read and new ones inserted
        :data:`ENQUEUE_BATCH` pairs per statement
        (:data:`ENQUEUE_ARRAY_BATCH` on PostgreSQL), not one round trip
        per pair. A pair given twice is enqueued once.

        :returns: the outcome per ``(image_id, region)``.
        """
        now = self._clock()
        pending = list({(req.image_id, req.region): req
                        for req in requests}.values())
        outcomes: dict[tuple[str, str], dm.EnqueueOutcome] = {}
        with self._db.writer() as session:
            size = (ENQUEUE_ARRAY_BATCH if bulk.takes_arrays(session)
                    else ENQUEUE_BATCH)
            for start in range(0, len(pending), size):
                outcomes.update(self._enqueue_batch(
                    session, pending[start:start + size], reason,
                    request_id, now))
        return outcomes

    def _enqueue_batch(self, session: orm.Session,
                       batch: list[dm.TaskRequest], reason: str,
                       request_id: str | None, now: datetime.datetime
                       ) -> dict[tuple[str, str], dm.EnqueueOutcome]:
        existing = bulk.existing_tasks(session, batch)
        outcomes = {}
        new = []
        for req in batch:
            pair = (req.image_id, req.region)
            row = existing.get(pair)
            if row is None:
                new.append(req)
                outcomes[pair] = dm.EnqueueOutcome.CREATED
            else:
                outcomes[pair] = self._update_existing(
                    session, row, req, reason, request_id, now)
        # A concurrent insert of one of these pairs raises
        # DBDuplicateEntry; the whole transaction is then retried.
        bulk.insert_tasks(session, new, reason, request_id, now)
        return outcomes

    def _enqueue(self, session: orm.Session, req: dm.TaskRequest,
                 reason: str, request_id: str | None,
                 now: datetime.datetime) -> dm.EnqueueOutcome:
        row = session.execute(
            sa.select(_TASKS.c.id, _TASKS.c.state).where(
                _TASKS.c.image_id == req.image_id,
                _TASKS.c.region == req.region)).first()
        if row is None:
            self._insert_task(session, req, reason, request_id, now)
            return dm.EnqueueOutcome.CREATED
        return self._update_existing(session, row, req, reason, request_id,
                                     now)

    def _update_existing(self, session: orm.Session, row: Any,
                         req: dm.TaskRequest, reason: str,
                         request_id: str | None,
                         now: datetime.datetime) -> dm.EnqueueOutcome:
        """Enqueue the pair of an existing task (``row``: its id, state)."""
        state = dm.TaskState(row.state)
        values: list[tuple[Any, Any]] = [(_TASKS.c.reason, reason)]
        if req.image_name is not None:
            values.append((_TASKS.c.image_name, req.image_name))
        if request_id is not None:
            values.append((_TASKS.c.request_id, request_id))
        if state in dm.FINISHED_STATES:
            outcome, allowed = dm.EnqueueOutcome.REQUEUED, dm.FINISHED_STATES
            values += [(_TASKS.c.last_error, None),
                       *transitions.requeue_values(now)]
        else:
            if state in dm.DUE_STATES:
                outcome, allowed = dm.EnqueueOutcome.PENDING, dm.DUE_STATES
            else:
                outcome = dm.EnqueueOutcome.RECHECK
                allowed = frozenset({state})
                values.append((_TASKS.c.recheck, True))
            values.append((_TASKS.c.updated_at, now))
        self._compare_and_set(session, row.id, allowed, values)
        LOG.debug('Task %s (image %s, region %s): %s', row.id, req.image_id,
                  req.region, outcome)
        return outcome

    @staticmethod
    def _insert_task(session: orm.Session, req: dm.TaskRequest, reason: str,
                     request_id: str | None, now: datetime.datetime) -> None:
        # A concurrent insert of the same pair raises DBDuplicateEntry here;
        # the whole transaction is then retried and finds that task.
        session.add(models.SyncTask(**bulk.task_row(req, reason, request_id,
                                                    now)))
        session.flush()

    @staticmethod
    def _compare_and_set(session: orm.Session, task_id: str,
                         allowed: _States,
                         values: Sequence[tuple[Any, Any]]) -> None:
        """Apply ``values`` if the task is still in an ``allowed`` state.

        :raises oslo_db.exception.RetryRequest: it is not; the caller's
            transaction is retried from its first read.
        """
        matched = _execute(session, sa.update(_TASKS).where(
            _TASKS.c.id == task_id,
            _TASKS.c.state.in_(transitions.values(allowed))).ordered_values(
                *values))
        if matched != 1:
            raise db_exc.RetryRequest(_LostRace(
                'sync task %s changed concurrently' % task_id))

    # -- running work -----------------------------------------------------

    def claim(self, worker_id: str, *, limit: int = 1,
              lease_seconds: float = 300,
              exclude_regions: Iterable[str] = (),
              regions: Iterable[str] | None = None,
              takeover_after: float | None = None) -> list[dm.Task]:
        """Claim up to ``limit`` due tasks for ``worker_id``.

        Due tasks are ``queued`` or ``retrying`` ones whose
        ``next_attempt_at`` has passed, oldest first. Each claimed task is
        ``running``, its ``attempts`` incremented, and leased to
        ``worker_id`` for ``lease_seconds`` under a new ``lease_token``.
        Safe with any number of concurrent claimers: a task is claimed by
        one of them only. May return fewer tasks than are due when other
        claimers win the race for them.

        :param exclude_regions: regions the caller cannot take more work
            for (e.g. at their concurrency limit).
        :param regions: the only regions to claim for (a site worker);
            ``None``: every region.
        :param takeover_after: with ``regions``, also claim other
            regions' tasks due for at least this many seconds (their
            worker is down); ``None``: never.
        :returns: the claimed tasks; pass each back to :meth:`mark_done`,
            :meth:`mark_failed`, :meth:`retry_later` or
            :meth:`extend_lease`.
        """
        claimed: list[dm.Task] = []
        tried: set[str] = set()
        excluded = sorted(set(exclude_regions))
        scope = _scope(regions, takeover_after, self._clock())
        for _ in range(_CLAIM_ROUNDS):
            wanted = limit - len(claimed)
            ids = (self._due_task_ids(wanted, excluded, tried, scope)
                   if wanted else [])
            if not ids:
                break
            tried.update(ids)
            claimed += self._claim_ids(sorted(ids), worker_id, lease_seconds)
        return claimed

    def _due_task_ids(self, limit: int, excluded: list[str],
                      tried: set[str], scope: Any = None) -> list[str]:
        with self._db.reader() as session:
            state: Any = _TASKS.c.state
            if session.get_bind().dialect.name == 'sqlite':
                # SQLite has no statistics unless ANALYZE ran: it takes
                # the (state, next_attempt_at) index and sorts every due
                # task at each claim (a burst of 100,000 tasks: about a
                # claim a second). An expression of the state keeps it
                # on the index in the claim's order, as PostgreSQL and
                # MySQL choose by themselves.
                state = state.concat('')
            query = sa.select(_TASKS.c.id).where(
                state.in_(transitions.values(dm.DUE_STATES)),
                _TASKS.c.next_attempt_at <= self._clock())
            if scope is not None:
                query = query.where(scope)
            if excluded:
                query = query.where(_TASKS.c.region.not_in(excluded))
            if tried:
                query = query.where(_TASKS.c.id.not_in(sorted(tried)))
            query = query.order_by(_TASKS.c.next_attempt_at,
                                   _TASKS.c.created_at, _TASKS.c.id).limit(
                                       limit)
            return list(session.scalars(query))

    @_retry_transaction
    def _claim_ids(self, ids: list[str], worker_id: str,
                   lease_seconds: float) -> list[dm.Task]:
        # Ids are locked in sorted order so that concurrent claimers wait
        # for each other instead of deadlocking.
        now = self._clock()
        expires = now + datetime.timedelta(seconds=lease_seconds)
        tokens, won = [], []
        with self._db.writer() as session:
            for task_id in ids:
                token = str(uuid.uuid4())
                matched = _execute(session, sa.update(_TASKS).where(
                    _TASKS.c.id == task_id,
                    _TASKS.c.state.in_(transitions.values(dm.DUE_STATES)),
                    _TASKS.c.next_attempt_at <= now).values(
                        state=dm.TaskState.RUNNING.value,
                        attempts=_TASKS.c.attempts + 1,
                        lease_owner=worker_id, lease_token=token,
                        lease_expires_at=expires, updated_at=now))
                if matched == 1:
                    tokens.append(token)
                    won.append(task_id)
            # By primary key: lease_token has no index, and a scan of a
            # million tasks per claim would be the daemon's main cost.
            tasks = self._load(session, _TASKS.c.id.in_(won),
                               _TASKS.c.lease_token.in_(tokens))
        for task in tasks:
            LOG.debug('Worker %s claimed task %s (image %s, region %s, '
                      'attempt %d)', worker_id, task.id, task.image_id,
                      task.region, task.attempts)
        return tasks

    @_retry_transaction
    def _finish_run(self, task: dm.Task, values: Sequence[tuple[Any, Any]],
                    what: str) -> dm.Task | None:
        """Apply ``values`` if ``task``'s claim still holds."""
        with self._db.writer() as session:
            matched = _execute(session, sa.update(_TASKS).where(
                _TASKS.c.id == task.id,
                _TASKS.c.state == dm.TaskState.RUNNING.value,
                _TASKS.c.lease_token == task.lease_token).ordered_values(
                    *values))
            if matched != 1:
                LOG.warning('Cannot %s task %s (image %s, region %s): the '
                            'lease of %s was lost (expired, cancelled or '
                            'claimed again)', what, task.id, task.image_id,
                            task.region, task.lease_owner)
                return None
            return self._load(session, _TASKS.c.id == task.id)[0]

    def mark_done(self, task: dm.Task,
                  copy: dm.CopyRecord | None = None) -> dm.Task | None:
        """End a run successfully.

        :param task: the snapshot :meth:`claim` returned.
        :param copy: the copy the run made, if it made one: it replaces
            the task's ``bytes``, ``seconds`` and ``source``; without one
            they keep the last copy's.
        :returns: the task, ``done`` (or ``queued`` again if a recheck was
            asked for during the run); None if this claim no longer holds
            the task, in which case nothing changed.
        """
        values = transitions.finish_values(dm.TaskState.DONE, None,
                                           self._clock())
        if copy is not None:
            values = transitions.copy_values(copy) + values
        return self._finish_run(task, values, 'complete')

    def mark_failed(self, task: dm.Task, error: object) -> dm.Task | None:
        """End a run with a permanent failure.

        :param error: what went wrong; stored as text with passwords masked.
            Callers must not put tokens in it.
        :returns: as :meth:`mark_done`, with ``failed`` instead of ``done``.
        """
        return self._finish_run(
            task, transitions.finish_values(
                dm.TaskState.FAILED, transitions.clean_error(error),
                self._clock()), 'fail')

    def retry_later(self, task: dm.Task, error: object,
                    delay: float, *, counted: bool = True) -> dm.Task | None:
        """End a run with a transient failure: run again after ``delay`` s.

        :param counted: False for a run that only waited (for a relay
            source): it does not count as an attempt.
        :returns: the task, ``retrying``; None if the claim was lost.
        """
        now = self._clock()
        due = now + datetime.timedelta(seconds=delay)
        values = transitions.retry_values(transitions.clean_error(error),
                                          due, now)
        if not counted:
            # The claim of this run counted one attempt: take it back.
            values = [*values, (_TASKS.c.attempts, _TASKS.c.attempts - 1)]
        return self._finish_run(task, values, 'retry')

    def extend_lease(self, task: dm.Task,
                     lease_seconds: float) -> dm.Task | None:
        """Keep a long run's lease: it now expires ``lease_seconds`` from now.

        :returns: the task with its new expiry; None if the claim was lost
            (the task was cancelled or its lease expired and it was claimed
            again): the caller should stop working on it.
        """
        now = self._clock()
        expires = now + datetime.timedelta(seconds=lease_seconds)
        return self._finish_run(
            task, [(_TASKS.c.lease_expires_at, expires),
                   (_TASKS.c.updated_at, now)], 'extend the lease of')

    def release_expired_leases(self, *, max_attempts: int | None = None
                               ) -> list[dm.Task]:
        """Make the running tasks of dead workers runnable again.

        A task whose lease expired (its worker was killed, hung or lost the
        database) becomes ``retrying``, due now; or ``failed`` when it has
        already been claimed ``max_attempts`` times, so that a task that
        kills its worker cannot loop forever. Safe to call from every
        daemon, concurrently.

        :returns: the released tasks, in their new state.
        """
        now = self._clock()
        with self._db.reader() as session:
            expired = session.execute(sa.select(
                _TASKS.c.id, _TASKS.c.lease_token, _TASKS.c.attempts,
                _TASKS.c.lease_owner).where(
                    _TASKS.c.state == dm.TaskState.RUNNING.value,
                    _TASKS.c.lease_expires_at < now)).all()
        released = []
        for row in expired:
            task = self._release(row.id, row.lease_token,
                                 max_attempts is not None
                                 and row.attempts >= max_attempts,
                                 'the lease of %s expired; its worker '
                                 'stopped' % row.lease_owner)
            if task is not None:
                LOG.warning('Task %s (image %s, region %s) of %s was '
                            'abandoned: now %s', task.id, task.image_id,
                            task.region, row.lease_owner, task.state)
                released.append(task)
        return released

    @_retry_transaction
    def _release(self, task_id: str, token: str, give_up: bool,
                 error: str) -> dm.Task | None:
        now = self._clock()
        values = (transitions.finish_values(dm.TaskState.FAILED, error, now)
                  if give_up else transitions.retry_values(error, now, now))
        with self._db.writer() as session:
            matched = _execute(session, sa.update(_TASKS).where(
                _TASKS.c.id == task_id,
                _TASKS.c.state == dm.TaskState.RUNNING.value,
                _TASKS.c.lease_token == token,
                _TASKS.c.lease_expires_at < now).ordered_values(*values))
            if matched != 1:
                return None
            return self._load(session, _TASKS.c.id == task_id)[0]

    # -- operator actions -------------------------------------------------

    @_retry_transaction
    def retry(self, task_id: str) -> dm.Task:
        """Run a task again now, with a fresh attempt budget.

        Done, failed, cancelled and retrying tasks become ``queued``, due
        now; a queued task is returned unchanged (idempotent).

        :raises TaskNotFound: no such task.
        :raises TaskStateConflict: the task is running.
        """
        with self._db.writer() as session:
            task = self._get(session, task_id)
            if task.state is dm.TaskState.QUEUED:
                return task
            if task.state is dm.TaskState.RUNNING:
                raise exceptions.TaskStateConflict(
                    task.id, task.image_id, task.region, task.state, 'retry')
            self._compare_and_set(session, task.id, {task.state},
                                  transitions.requeue_values(self._clock()))
            return self._get(session, task_id)

    @_retry_transaction
    def cancel(self, task_id: str) -> dm.Task:
        """Cancel a queued, retrying or running task.

        The worker running a cancelled task loses its claim: its
        :meth:`extend_lease` and ``mark_*`` calls return None. Cancelling
        a cancelled task changes nothing (idempotent); a later enqueue of
        the pair reopens it.

        :raises TaskNotFound: no such task.
        :raises TaskStateConflict: the task is done or failed.
        """
        with self._db.writer() as session:
            task = self._get(session, task_id)
            if task.state is dm.TaskState.CANCELLED:
                return task
            if task.state in dm.FINISHED_STATES:
                raise exceptions.TaskStateConflict(
                    task.id, task.image_id, task.region, task.state, 'cancel')
            now = self._clock()
            self._compare_and_set(session, task.id, {task.state}, [
                (_TASKS.c.state, dm.TaskState.CANCELLED.value),
                (_TASKS.c.next_attempt_at, None), *transitions.cleared_lease(),
                (_TASKS.c.updated_at, now), (_TASKS.c.recheck, False)])
            return self._get(session, task_id)

    def delete_finished(self, *, older_than: datetime.timedelta | None = None,
                        region: str | None = None,
                        request_id: str | None = None) -> int:
        """Delete done, failed and cancelled tasks.

        :param older_than: only those unchanged for this long.
        :param region: only this region's.
        :param request_id: only those of this request (the API's tasks).
        :returns: how many were deleted.
        """
        query = sa.delete(_TASKS).where(*self._filters(
            dm.FINISHED_STATES, region, None, request_id))
        if older_than is not None:
            query = query.where(
                _TASKS.c.updated_at < self._clock() - older_than)
        with self._db.writer() as session:
            return _execute(session, query)

    def purge_events(self, *, older_than: datetime.timedelta) -> int:
        """Forget processed event ids recorded more than ``older_than`` ago.

        A message redelivered after that would be recorded again (its task
        runs once more, harmlessly). Keep it well above the broker's
        redelivery window.

        :returns: how many ids were forgotten.
        """
        query = sa.delete(_EVENTS).where(
            _EVENTS.c.received_at < self._clock() - older_than)
        with self._db.writer() as session:
            return _execute(session, query)

    def purge(self, *, older_than: datetime.timedelta,
              batch: int = PURGE_BATCH) -> tuple[int, int]:
        """Apply the retention: forget what finished ``older_than`` ago.

        Deletes done, failed and cancelled tasks unchanged for that long,
        and processed event ids recorded that long ago, ``batch`` rows
        per transaction so that other daemons and the API are never held
        up for long. Safe to run from several daemons at once.

        :returns: how many tasks and how many event ids were deleted.
        """
        cutoff = self._clock() - older_than
        tasks = self._purge_rows(_TASKS, _TASKS.c.id, batch, sa.and_(
            _TASKS.c.state.in_(transitions.values(dm.FINISHED_STATES)),
            _TASKS.c.updated_at < cutoff))
        events = self._purge_rows(_EVENTS, _EVENTS.c.event_id, batch,
                                  _EVENTS.c.received_at < cutoff)
        return tasks, events

    def _purge_rows(self, table: sa.Table, key: sa.Column[Any], batch: int,
                    condition: sa.ColumnElement[bool]) -> int:
        total = 0
        while True:
            with self._db.writer() as session:
                keys: list[Any] = list(session.scalars(
                    sa.select(key).where(condition).limit(batch)))
                if not keys:
                    return total
                # The condition is repeated: a row changed since it was
                # read (a task reopened) is kept.
                total += _execute(session, sa.delete(table).where(
                    key.in_(keys), condition))

    # -- reading ----------------------------------------------------------

    def get(self, task_id: str) -> dm.Task:
        """The task with this id.

        :raises TaskNotFound: no such task.
        """
        with self._db.reader() as session:
            return self._get(session, task_id)

    def find(self, image_id: str, region: str) -> dm.Task | None:
        """The task of (image, region), or None."""
        with self._db.reader() as session:
            tasks = self._load(session, _TASKS.c.image_id == image_id,
                               _TASKS.c.region == region)
        return tasks[0] if tasks else None

    def list_tasks(self, *, states: _States | None = None,
                   region: str | None = None, image_id: str | None = None,
                   request_id: str | None = None,
                   limit: int | None = None,
                   marker: str | None = None) -> list[dm.Task]:
        """Tasks matching every filter given, oldest first.

        :param limit: at most this many (one page).
        :param marker: the id of the last task of the previous page: only
            tasks after it (pages stay stable while tasks are added).
        :raises TaskNotFound: no task has the ``marker`` id.
        """
        conditions = self._filters(states, region, image_id, request_id)
        with self._db.reader() as session:
            if marker is not None:
                after = self._get(session, marker)
                conditions.append(sa.or_(
                    _TASKS.c.created_at > after.created_at,
                    sa.and_(_TASKS.c.created_at == after.created_at,
                            _TASKS.c.id > after.id)))
            return self._load(session, *conditions, limit=limit)

    def counts(self, *, region: str | None = None,
               request_id: str | None = None) -> dict[dm.TaskState, int]:
        """How many tasks are in each state (every state is present)."""
        query = sa.select(_TASKS.c.state, sa.func.count()).where(
            *self._filters(None, region, None, request_id)).group_by(
                _TASKS.c.state)
        counts = dict.fromkeys(dm.TaskState, 0)
        with self._db.reader() as session:
            for state, count in session.execute(query).tuples():
                counts[dm.TaskState(state)] = count
        return counts

    def counts_by_region(self) -> dict[tuple[str, dm.TaskState], int]:
        """How many tasks each region has in each state present."""
        query = sa.select(_TASKS.c.region, _TASKS.c.state,
                          sa.func.count()).group_by(_TASKS.c.region,
                                                    _TASKS.c.state)
        with self._db.reader() as session:
            return {(str(region), dm.TaskState(state)): count
                    for region, state, count in session.execute(
                        query).tuples()}

    def pending_since(self) -> dict[str, datetime.datetime | None]:
        """Since when each region of the journal is behind.

        :returns: per region with tasks, the oldest ``pending_since`` of
            its queued, running and retrying tasks; ``None`` when it has
            none (it is up to date).
        """
        active = _TASKS.c.state.in_(transitions.values(dm.ACTIVE_STATES))
        oldest = sa.func.min(sa.case(
            (active, sa.func.coalesce(_TASKS.c.pending_since,
                                      _TASKS.c.created_at)), else_=None))
        query = sa.select(_TASKS.c.region, oldest).group_by(_TASKS.c.region)
        with self._db.reader() as session:
            return dict(session.execute(query).tuples().all())

    @staticmethod
    def _filters(states: _States | None, region: str | None,
                 image_id: str | None, request_id: str | None) -> list[Any]:
        conditions: list[sa.ColumnElement[bool]] = []
        if states is not None:
            conditions.append(_TASKS.c.state.in_(transitions.values(states)))
        for column, value in ((_TASKS.c.region, region),
                              (_TASKS.c.image_id, image_id),
                              (_TASKS.c.request_id, request_id)):
            if value is not None:
                conditions.append(column == value)
        return conditions

    def _get(self, session: orm.Session, task_id: str) -> dm.Task:
        tasks = self._load(session, _TASKS.c.id == task_id)
        if not tasks:
            raise exceptions.TaskNotFound(task_id)
        return tasks[0]

    @staticmethod
    def _load(session: orm.Session, *conditions: Any,
              limit: int | None = None) -> list[dm.Task]:
        query = sa.select(models.SyncTask).where(*conditions).order_by(
            models.SyncTask.created_at, models.SyncTask.id).limit(
                limit).execution_options(populate_existing=True)
        return [row.to_data_model() for row in session.scalars(query)]


def _scope(regions: Iterable[str] | None, takeover_after: float | None,
           now: datetime.datetime) -> Any:
    """The claim condition of a site worker: its own regions' tasks, and
    the others' once due for ``takeover_after`` seconds; ``None``: all."""
    if regions is None:
        return None
    own = _TASKS.c.region.in_(sorted(set(regions)))
    if takeover_after is None:
        return own
    starved = now - datetime.timedelta(seconds=takeover_after)
    return sa.or_(own, _TASKS.c.next_attempt_at <= starved)
