"""The journal's API on a SQLite database.

:class:`JournalCases` is reused by ``tests/functional/db`` on MySQL,
PostgreSQL and a SQLite file; subclasses provide ``make_url()``.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import fixtures
from oslotest import base

from glance_sync.db import data_models as dm
from glance_sync.db import exceptions
from glance_sync.db import migration
from glance_sync.db import repositories
from glance_sync.db import transitions

QUEUED, RUNNING, RETRYING = (dm.TaskState.QUEUED, dm.TaskState.RUNNING,
                             dm.TaskState.RETRYING)
DONE, FAILED, CANCELLED = (dm.TaskState.DONE, dm.TaskState.FAILED,
                           dm.TaskState.CANCELLED)
Outcome = dm.EnqueueOutcome

# Mixins look like test cases to the type checker only.
if TYPE_CHECKING:
    MixinBase = base.BaseTestCase
else:
    MixinBase = object


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = repositories.utcnow()

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


class JournalCases(MixinBase):
    """Behaviour of :class:`Journal` that every backend must show."""

    def make_url(self) -> str:
        raise NotImplementedError

    def setUp(self) -> None:
        super().setUp()
        self.url = self.make_url()
        migration.upgrade(self.url)
        self.clock = FakeClock()
        self.journal = self.new_journal()

    def new_journal(self) -> repositories.Journal:
        journal = repositories.Journal(self.url, clock=self.clock)
        self.addCleanup(journal.dispose)
        return journal

    def enqueue(self, image='img-1', region='RegionTwo', reason='api', **kw):
        # A distinct time per task makes "oldest first" deterministic.
        self.clock.advance(0.001)
        return self.journal.enqueue(image, region, reason, **kw)

    def claim_one(self, worker='w1', **kw) -> dm.Task:
        tasks = self.journal.claim(worker, **kw)
        self.assertEqual(1, len(tasks))
        return tasks[0]

    # -- enqueue and events ----------------------------------------------

    def test_enqueue_creates_a_queued_task(self):
        self.assertEqual(Outcome.CREATED, self.enqueue(
            'img-1', 'other:RegionFour', 'image.upload', image_name='cirros',
            request_id='req-1'))
        task = self.journal.find('img-1', 'other:RegionFour')
        self.assertEqual((QUEUED, 0, 'image.upload', 'cirros', 'req-1'),
                         (task.state, task.attempts, task.reason,
                          task.image_name, task.request_id))
        self.assertEqual(self.clock.now, task.next_attempt_at)
        self.assertIsNone(task.lease_owner)
        self.assertEqual(task, self.journal.get(task.id))

    def test_enqueue_twice_keeps_one_task(self):
        self.enqueue(image_name='old')
        self.assertEqual(Outcome.PENDING,
                         self.enqueue(reason='reconcile', image_name='new'))
        [task] = self.journal.list_tasks()
        self.assertEqual(('reconcile', 'new', QUEUED),
                         (task.reason, task.image_name, task.state))

    def test_enqueue_keeps_the_name_and_request_when_not_given(self):
        self.enqueue(image_name='cirros', request_id='req-1')
        self.enqueue(reason='image.update')
        task = self.journal.find('img-1', 'RegionTwo')
        self.assertEqual(('cirros', 'req-1'), (task.image_name,
                                               task.request_id))

    def test_enqueue_of_a_running_task_asks_for_a_recheck(self):
        self.enqueue()
        claimed = self.claim_one()
        self.assertEqual(Outcome.RECHECK, self.enqueue(reason='image.update'))
        self.assertTrue(self.journal.get(claimed.id).recheck)
        task = self.journal.mark_done(claimed)
        self.assertEqual((QUEUED, 0, False),
                         (task.state, task.attempts, task.recheck))
        again = self.claim_one()
        self.assertEqual((claimed.id, 1), (again.id, again.attempts))
        self.assertEqual(DONE, self.journal.mark_done(again).state)

    def test_a_recheck_survives_a_failed_run(self):
        self.enqueue()
        claimed = self.claim_one()
        self.enqueue()
        task = self.journal.mark_failed(claimed, 'region said no')
        self.assertEqual((QUEUED, 'region said no'),
                         (task.state, task.last_error))

    def test_enqueue_reopens_finished_tasks(self):
        for finish in ('done', 'failed', 'cancelled'):
            image = 'img-%s' % finish
            self.enqueue(image, request_id='req-old')
            if finish == 'cancelled':
                self.journal.cancel(self.journal.find(image, 'RegionTwo').id)
            else:
                task = self.claim_one()
                if finish == 'done':
                    self.journal.mark_done(task)
                else:
                    self.journal.mark_failed(task, 'boom')
            self.assertEqual(Outcome.REQUEUED, self.enqueue(image))
            task = self.journal.find(image, 'RegionTwo')
            # Still in its request: the client following it keeps it.
            self.assertEqual((QUEUED, 0, None, 'req-old'),
                             (task.state, task.attempts, task.last_error,
                              task.request_id))
            self.journal.cancel(task.id)  # out of the next claim's way

    def test_a_new_request_takes_a_finished_task(self):
        self.enqueue(request_id='req-old')
        self.journal.mark_done(self.claim_one())
        self.enqueue(request_id='req-new')
        self.assertEqual('req-new',
                         self.journal.find('img-1', 'RegionTwo').request_id)

    def test_enqueue_many_is_one_transaction(self):
        outcomes = self.journal.enqueue_many(
            [dm.TaskRequest('img-1', 'RegionTwo', 'a'),
             dm.TaskRequest('img-2', 'RegionTwo', 'b')], 'api',
            request_id='req-9')
        self.assertEqual({('img-1', 'RegionTwo'): Outcome.CREATED,
                          ('img-2', 'RegionTwo'): Outcome.CREATED}, outcomes)
        self.assertEqual(2, self.journal.counts(request_id='req-9')[QUEUED])

    def test_enqueue_many_in_batches_matches_enqueue(self):
        # More pairs than one batch, with every outcome: new, pending,
        # finished (reopened), running (recheck), and a pair given twice.
        for name in ('ENQUEUE_BATCH', 'ENQUEUE_ARRAY_BATCH'):
            self.useFixture(fixtures.MonkeyPatch(
                'glance_sync.db.repositories.' + name, 3))
        self.enqueue('img-run')
        running = self.claim_one()
        self.enqueue('img-done')
        self.journal.mark_done(self.claim_one())
        self.enqueue('img-queued', image_name='old')
        requests = [dm.TaskRequest('img-%d' % n, 'RegionTwo', 'n%d' % n)
                    for n in range(5)]
        requests += [dm.TaskRequest('img-run', 'RegionTwo', 'r'),
                     dm.TaskRequest('img-done', 'RegionTwo', 'd'),
                     dm.TaskRequest('img-queued', 'RegionTwo', 'new'),
                     dm.TaskRequest('img-0', 'RegionTwo', 'n0')]
        outcomes = self.journal.enqueue_many(requests, 'reconcile',
                                             request_id='req-1')
        expected = {('img-%d' % n, 'RegionTwo'): Outcome.CREATED
                    for n in range(5)}
        expected.update({('img-run', 'RegionTwo'): Outcome.RECHECK,
                         ('img-done', 'RegionTwo'): Outcome.REQUEUED,
                         ('img-queued', 'RegionTwo'): Outcome.PENDING})
        self.assertEqual(expected, outcomes)
        self.assertEqual(8, len(self.journal.list_tasks()))
        self.assertTrue(self.journal.get(running.id).recheck)
        new = self.journal.find('img-3', 'RegionTwo')
        self.assertEqual((QUEUED, 'reconcile', 'n3', 'req-1', 0),
                         (new.state, new.reason, new.image_name,
                          new.request_id, new.attempts))
        self.assertEqual('new', self.journal.find(
            'img-queued', 'RegionTwo').image_name)
        self.assertEqual(7, self.journal.counts(request_id='req-1')[QUEUED])

    def test_record_event_enqueues_every_region(self):
        record = self.journal.record_event(
            'msg-1', 'img-1', ['RegionTwo', 'other:RegionFour', 'RegionTwo'],
            'image.upload', image_name='cirros')
        self.assertFalse(record.duplicate)
        self.assertEqual({'RegionTwo': Outcome.CREATED,
                          'other:RegionFour': Outcome.CREATED},
                         record.outcomes)
        self.assertEqual(2, self.journal.counts()[QUEUED])

    def test_replayed_event_changes_nothing(self):
        self.journal.record_event('msg-1', 'img-1', ['RegionTwo'], 'upload')
        claimed = self.claim_one()
        self.journal.mark_done(claimed)
        record = self.journal.record_event('msg-1', 'img-1', ['RegionTwo'],
                                           'upload')
        self.assertTrue(record.duplicate)
        self.assertEqual({}, record.outcomes)
        self.assertEqual(DONE, self.journal.get(claimed.id).state)

    def test_event_without_regions_is_still_recorded(self):
        self.assertFalse(self.journal.record_event(
            'msg-1', 'img-1', [], 'image.create').duplicate)
        self.assertTrue(self.journal.record_event(
            'msg-1', 'img-1', ['RegionTwo'], 'image.create').duplicate)
        self.assertEqual([], self.journal.list_tasks())

    def test_purge_events_forgets_old_ids(self):
        self.journal.record_event('msg-old', 'img-1', [], 'e')
        self.clock.advance(3600)
        self.journal.record_event('msg-new', 'img-1', [], 'e')
        self.assertEqual(1, self.journal.purge_events(
            older_than=datetime.timedelta(minutes=30)))
        self.assertFalse(self.journal.record_event(
            'msg-old', 'img-1', [], 'e').duplicate)
        self.assertTrue(self.journal.record_event(
            'msg-new', 'img-1', [], 'e').duplicate)

    # -- claims and leases -------------------------------------------------

    def test_claim_takes_the_oldest_due_tasks(self):
        for n in range(4):
            self.enqueue('img-%d' % n)
            self.clock.advance(1)
        tasks = self.journal.claim('w1', limit=2, lease_seconds=60)
        self.assertEqual(['img-0', 'img-1'], [t.image_id for t in tasks])
        for task in tasks:
            self.assertEqual((RUNNING, 1, 'w1'),
                             (task.state, task.attempts, task.lease_owner))
            self.assertEqual(self.clock.now + datetime.timedelta(seconds=60),
                             task.lease_expires_at)
        self.assertNotEqual(tasks[0].lease_token, tasks[1].lease_token)
        self.assertEqual(['img-2', 'img-3'], [
            t.image_id for t in self.journal.claim('w2', limit=5)])
        self.assertEqual([], self.journal.claim('w3', limit=5))

    def test_claim_skips_excluded_regions(self):
        self.enqueue('img-1', 'RegionTwo')
        self.enqueue('img-1', 'RegionThree')
        task = self.claim_one(limit=5, exclude_regions=['RegionTwo'])
        self.assertEqual('RegionThree', task.region)

    def test_site_worker_claims_only_its_regions(self):
        self.enqueue('img-1', 'RegionTwo')
        self.enqueue('img-1', 'other:RegionFour')
        tasks = self.journal.claim('east', limit=5,
                                   regions=['other:RegionFour'])
        self.assertEqual(['other:RegionFour'], [t.region for t in tasks])
        self.assertEqual([], self.journal.claim(
            'east', limit=5, regions=['other:RegionFour']))

    def test_site_worker_takes_over_a_starved_region_after_the_delay(self):
        self.enqueue('img-1', 'RegionTwo')
        self.clock.advance(59)
        self.assertEqual([], self.journal.claim(
            'east', limit=5, regions=['other:RegionFour'],
            takeover_after=60))
        self.clock.advance(1)
        task = self.claim_one('east', limit=5, regions=['other:RegionFour'],
                              takeover_after=60)
        self.assertEqual(('RegionTwo', 'east'),
                         (task.region, task.lease_owner))

    def test_retry_later_waits_for_its_time(self):
        self.enqueue()
        claimed = self.claim_one()
        task = self.journal.retry_later(claimed, 'region down', delay=30)
        self.assertEqual((RETRYING, 'region down'),
                         (task.state, task.last_error))
        self.assertIsNone(task.lease_token)
        self.assertEqual([], self.journal.claim('w1'))
        self.clock.advance(30)
        self.assertEqual(2, self.claim_one().attempts)

    def test_expired_lease_is_released_and_claimed_again(self):
        self.enqueue()
        dead = self.claim_one('dead-daemon', lease_seconds=10)
        self.assertEqual([], self.journal.release_expired_leases())
        self.clock.advance(11)
        [released] = self.journal.release_expired_leases()
        self.assertEqual((RETRYING, None), (released.state,
                                            released.lease_owner))
        self.assertIn('dead-daemon', released.last_error)
        alive = self.claim_one('alive-daemon')
        self.assertEqual(2, alive.attempts)
        # The dead claim cannot finish what the live one now owns.
        self.assertIsNone(self.journal.mark_done(dead))
        self.assertIsNone(self.journal.extend_lease(dead, 60))
        self.assertEqual(DONE, self.journal.mark_done(alive).state)

    def test_release_gives_up_after_max_attempts(self):
        self.enqueue()
        for attempt in (1, 2):
            self.claim_one(lease_seconds=1)
            self.clock.advance(2)
            [task] = self.journal.release_expired_leases(max_attempts=2)
        self.assertEqual(FAILED, task.state)
        self.assertEqual([], self.journal.claim('w1'))

    def test_extend_lease_pushes_the_expiry(self):
        self.enqueue()
        claimed = self.claim_one(lease_seconds=10)
        self.clock.advance(8)
        task = self.journal.extend_lease(claimed, 10)
        self.assertEqual(self.clock.now + datetime.timedelta(seconds=10),
                         task.lease_expires_at)
        self.clock.advance(8)
        self.assertEqual([], self.journal.release_expired_leases())
        self.assertEqual(DONE, self.journal.mark_done(task).state)

    def test_mark_done_clears_the_lease_and_error(self):
        self.enqueue()
        self.journal.retry_later(self.claim_one(), 'flaky', delay=0)
        task = self.journal.mark_done(self.claim_one())
        self.assertEqual((DONE, 2, None, None, None, None),
                         (task.state, task.attempts, task.last_error,
                          task.lease_owner, task.lease_expires_at,
                          task.next_attempt_at))
        self.assertIsNone(self.journal.mark_done(task))

    def test_mark_done_records_the_copy(self):
        self.enqueue()
        self.assertEqual((None, None, None, None),
                         self._copy_of(self.journal.find('img-1',
                                                         'RegionTwo')))
        big = 10 * 1024 ** 3  # a BIGINT: more than 2**31 bytes
        task = self.journal.mark_done(
            self.claim_one(), dm.CopyRecord(big, 4.0, 'RegionOne'))
        self.assertEqual((big, 4.0, 'RegionOne', big / 4.0),
                         self._copy_of(task))
        self.assertEqual(self._copy_of(task), self._copy_of(
            self.journal.get(task.id)))

    def test_a_run_without_a_copy_keeps_the_last_one(self):
        self.enqueue()
        self.journal.mark_done(self.claim_one(),
                               dm.CopyRecord(300, 1.5, 'RegionOne'))
        self.enqueue()  # reopened: a metadata change, say
        task = self.journal.mark_done(self.claim_one())
        self.assertEqual((300, 1.5, 'RegionOne', 200.0), self._copy_of(task))
        self.enqueue()
        task = self.journal.mark_done(self.claim_one(),
                                      dm.CopyRecord(0, 0.5, 'RegionThree'))
        self.assertEqual((0, 0.5, 'RegionThree', 0.0), self._copy_of(task))

    def test_a_lost_claim_records_no_copy(self):
        self.enqueue()
        task = self.claim_one()
        self.journal.cancel(task.id)
        self.assertIsNone(self.journal.mark_done(
            task, dm.CopyRecord(300, 1.5, 'RegionOne')))
        self.assertIsNone(self.journal.get(task.id).bytes)

    @staticmethod
    def _copy_of(task):
        return task.bytes, task.seconds, task.source, task.rate

    def test_errors_are_masked_and_bounded(self):
        self.enqueue()
        task = self.journal.mark_failed(
            self.claim_one(), 'cannot reach mysql+pymysql://glance:s3cret@db/'
            ' with password=hunter2 ' + 'x' * 10000)
        self.assertNotIn('s3cret', task.last_error)
        self.assertNotIn('hunter2', task.last_error)
        self.assertEqual(transitions.MAX_ERROR_LENGTH, len(task.last_error))

    # -- operator actions --------------------------------------------------

    def test_retry_requeues_with_a_fresh_budget(self):
        self.enqueue()
        failed = self.journal.mark_failed(self.claim_one(), 'boom')
        task = self.journal.retry(failed.id)
        self.assertEqual((QUEUED, 0, 'boom'),
                         (task.state, task.attempts, task.last_error))
        self.assertEqual(task, self.journal.retry(task.id))
        self.assertEqual(1, self.claim_one().attempts)

    def test_retry_skips_the_backoff_of_a_retrying_task(self):
        self.enqueue()
        task = self.journal.retry_later(self.claim_one(), 'down', delay=600)
        self.journal.retry(task.id)
        self.assertEqual(task.id, self.claim_one().id)

    def test_retry_refuses_running_and_unknown_tasks(self):
        self.enqueue()
        task = self.claim_one()
        error = self.assertRaises(exceptions.TaskStateConflict,
                                  self.journal.retry, task.id)
        self.assertIn(task.id, str(error))
        self.assertIn('RegionTwo', str(error))
        self.assertRaises(exceptions.TaskNotFound, self.journal.retry, 'nope')
        self.assertRaises(exceptions.TaskNotFound, self.journal.get, 'nope')

    def test_cancel_a_queued_task(self):
        self.enqueue()
        task = self.journal.cancel(self.journal.find('img-1', 'RegionTwo').id)
        self.assertEqual(CANCELLED, task.state)
        self.assertEqual(task, self.journal.cancel(task.id))
        self.assertEqual([], self.journal.claim('w1'))

    def test_cancel_a_running_task_revokes_the_claim(self):
        self.enqueue()
        claimed = self.claim_one()
        self.journal.cancel(claimed.id)
        self.assertIsNone(self.journal.extend_lease(claimed, 60))
        self.assertIsNone(self.journal.mark_done(claimed))
        self.assertEqual(CANCELLED, self.journal.get(claimed.id).state)

    def test_cancel_refuses_finished_tasks(self):
        self.enqueue()
        task = self.journal.mark_done(self.claim_one())
        self.assertRaises(exceptions.TaskStateConflict, self.journal.cancel,
                          task.id)
        self.assertRaises(exceptions.TaskNotFound, self.journal.cancel, 'x')

    def test_delete_finished(self):
        for n in range(3):
            self.enqueue('img-%d' % n)
        self.journal.mark_done(self.claim_one())
        self.clock.advance(3600)
        self.journal.mark_failed(self.claim_one(), 'boom')
        self.assertEqual(1, self.journal.delete_finished(
            older_than=datetime.timedelta(minutes=30)))
        self.assertEqual(1, self.journal.delete_finished())
        self.assertEqual(['img-2'],
                         [t.image_id for t in self.journal.list_tasks()])

    def test_delete_finished_of_one_request(self):
        self.enqueue('img-1', 'RegionTwo', request_id='req-1')
        self.enqueue('img-2', 'RegionTwo', request_id='req-2')
        self.enqueue('img-3', 'RegionThree', request_id='req-1')
        self.enqueue('img-4', 'RegionTwo', request_id='req-1')
        for _ in range(3):
            self.journal.mark_done(self.claim_one())
        self.assertEqual(1, self.journal.delete_finished(
            region='RegionTwo', request_id='req-1'))
        # The other request, the other region and the unfinished task stay.
        self.assertEqual(['img-2', 'img-3', 'img-4'], sorted(
            t.image_id for t in self.journal.list_tasks()))

    def test_purge_deletes_only_old_finished_tasks_and_events(self):
        self.journal.record_event('msg-old', 'img-old', ['RegionTwo'], 'e')
        self.journal.mark_done(self.claim_one())
        self.enqueue('img-failed')
        self.journal.mark_failed(self.claim_one(), 'boom')
        self.enqueue('img-pending')
        self.clock.advance(3 * 86400)
        self.enqueue('img-recent')
        # img-pending is due first: it is put off (still unfinished).
        self.journal.mark_done(self._claim('img-recent'))
        self.journal.record_event('msg-new', 'img-recent', [], 'e')
        self.assertEqual((2, 1), self.journal.purge(
            older_than=datetime.timedelta(days=2), batch=1))
        self.assertEqual(['img-pending', 'img-recent'], sorted(
            t.image_id for t in self.journal.list_tasks()))
        self.assertFalse(self.journal.record_event(
            'msg-old', 'img-old', [], 'e').duplicate)
        self.assertTrue(self.journal.record_event(
            'msg-new', 'img-recent', [], 'e').duplicate)
        self.assertEqual((0, 0), self.journal.purge(
            older_than=datetime.timedelta(days=2)))

    def _claim(self, image_id: str) -> dm.Task:
        for task in self.journal.claim('w1', limit=10):
            if task.image_id == image_id:
                return task
            self.journal.retry_later(task, 'not now', 3600)
        self.fail('%s was not due' % image_id)

    # -- reading -----------------------------------------------------------

    def test_list_tasks_in_pages(self):
        for n in range(7):
            self.enqueue('img-%d' % n)
        # Same creation time: the id breaks the tie, no task is skipped.
        self.journal.enqueue_many([dm.TaskRequest('img-%d' % n, 'R3')
                                   for n in range(4)], 'api')
        every = self.journal.list_tasks()
        pages, marker = [], None
        while True:
            page = self.journal.list_tasks(limit=3, marker=marker)
            if not page:
                break
            pages.append(page)
            marker = page[-1].id
        self.assertEqual([3, 3, 3, 2], [len(p) for p in pages])
        self.assertEqual(every, [t for p in pages for t in p])
        self.assertEqual(['img-5', 'img-6'], [
            t.image_id for t in self.journal.list_tasks(
                region='RegionTwo', marker=every[4].id)])
        self.assertRaises(exceptions.TaskNotFound, self.journal.list_tasks,
                          marker='no-such-task')


    def test_list_and_count_with_filters(self):
        self.enqueue('img-1', 'RegionTwo', request_id='req-1')
        self.enqueue('img-1', 'RegionThree', request_id='req-1')
        self.enqueue('img-2', 'RegionTwo')
        self.claim_one()
        self.assertEqual(3, len(self.journal.list_tasks()))
        self.assertEqual(2, len(self.journal.list_tasks(states=[QUEUED])))
        self.assertEqual(['img-1', 'img-2'], [
            t.image_id for t in self.journal.list_tasks(region='RegionTwo')])
        self.assertEqual(2, len(self.journal.list_tasks(image_id='img-1')))
        self.assertEqual(1, len(self.journal.list_tasks(limit=1)))
        self.assertEqual(2, len(self.journal.list_tasks(request_id='req-1')))
        counts = self.journal.counts()
        self.assertEqual(set(dm.TaskState), set(counts))
        self.assertEqual((2, 1, 0), (counts[QUEUED], counts[RUNNING],
                                     counts[DONE]))
        self.assertEqual(1, self.journal.counts(region='RegionThree')[QUEUED])

    def test_names_keep_any_unicode(self):
        self.enqueue(image_name='ubuntu \U0001f427 24.04 ñ')
        self.assertEqual('ubuntu \U0001f427 24.04 ñ',
                         self.journal.find('img-1', 'RegionTwo').image_name)

    def test_as_dict_is_json_friendly(self):
        self.enqueue()
        data = self.claim_one().as_dict()
        self.assertEqual('running', data['state'])
        self.assertIsInstance(data['created_at'], str)

    # -- the sync lag ---------------------------------------------------

    def test_pending_since_spans_retries_until_done(self):
        self.enqueue()
        created = self.clock.now
        self.enqueue(region='RegionThree')
        self.clock.advance(30)
        task = self.claim_one()
        self.journal.retry_later(task, 'down', 5)
        self.clock.advance(10)
        self.assertEqual({'RegionTwo': created,
                          'RegionThree': created
                          + datetime.timedelta(seconds=0.001)},
                         self.journal.pending_since())
        self.journal.mark_done(
            self.claim_one(exclude_regions=['RegionThree']))
        self.assertIsNone(self.journal.pending_since()['RegionTwo'])

    def test_reopened_task_is_pending_from_the_reopening(self):
        self.enqueue()
        self.journal.mark_done(self.claim_one())
        self.clock.advance(3600)
        self.enqueue()  # reopened an hour later: not an hour behind
        self.assertEqual({'RegionTwo': self.clock.now},
                         self.journal.pending_since())
        self.clock.advance(5)
        self.enqueue()  # still pending: the first reopening counts
        self.assertEqual(self.clock.now - datetime.timedelta(seconds=5.001),
                         self.journal.pending_since()['RegionTwo'])

    def test_recheck_is_pending_from_the_end_of_the_run(self):
        self.enqueue()
        task = self.claim_one()
        self.clock.advance(60)
        self.enqueue()  # a change while running
        self.clock.advance(1)
        self.journal.mark_done(task)
        self.assertEqual({'RegionTwo': self.clock.now},
                         self.journal.pending_since())

    def test_counts_by_region(self):
        self.enqueue()
        self.enqueue('img-2')
        self.enqueue(region='RegionThree')
        self.journal.mark_failed(self.claim_one(), 'boom')
        self.assertEqual({('RegionTwo', FAILED): 1, ('RegionTwo', QUEUED): 1,
                          ('RegionThree', QUEUED): 1},
                         self.journal.counts_by_region())


class SQLiteJournalTest(JournalCases, base.BaseTestCase):
    """The journal on a SQLite file in a temporary directory."""

    def make_url(self) -> str:
        tmp = self.useFixture(fixtures.TempDir()).path
        return 'sqlite:///%s/journal.sqlite' % tmp
