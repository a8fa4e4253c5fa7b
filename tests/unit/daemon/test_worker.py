import datetime
import threading
import time
from unittest import mock

import fixtures
from oslotest import base

from glance_sync import coordination, engine
from glance_sync.daemon import runner, worker
from glance_sync.db import data_models as dm
from glance_sync.executor import KeyedExecutor, ThreadExecutor
from glance_sync.regions.base import Refused, RegionUnavailable
from glance_sync.retry import RetryPolicy
from glance_sync.rules.actions import UpdateMetadata
from tests.unit.daemon import fakes


class ScriptedRunner:
    """Answers each run with the next item: an Outcome or an exception."""

    def __init__(self, *script):
        self.script = list(script)
        self.seen = []
        self.gate = threading.Event()
        self.gate.set()

    def run(self, task):
        self.seen.append(task)
        self.gate.wait(10)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step


DONE = runner.Outcome(runner.Kind.DONE, 'ok')


class WorkerTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.journal, self.clock = fakes.sqlite_journal(self)
        self.context = fakes.make_context()

    def make_worker(self, task_runner, retry_times=2, worker_id='w1',
                    per_region=2):
        pool = KeyedExecutor(ThreadExecutor(4), per_region)
        self.addCleanup(pool.shutdown, True, 5)
        return worker.Worker(
            self.journal, task_runner, pool, worker_id=worker_id,
            policy=RetryPolicy(retry_times, 1.0, 10.0),
            options=lambda: self.context.options, lease_seconds=60,
            poll_interval=0.05, clock=self.clock)

    def run_round(self, work):
        claimed = work.run_once()
        deadline = time.monotonic() + 10
        while work.running and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual([], work.running)
        return claimed

    def state(self, image_id='img', region='R2'):
        return self.journal.find(image_id, region)


class OutcomeTest(WorkerTestCase):

    def test_real_task_is_done(self):
        image = fakes.put(self.context.cloud.memory['Master'], 'a')
        self.journal.enqueue(image.id, 'R2', 'test')
        task_runner = runner.TaskRunner(
            lambda: self.context, coordination.Coordinator(None))
        self.assertEqual(1, self.run_round(self.make_worker(task_runner)))
        self.assertEqual(dm.TaskState.DONE, self.state(image.id).state)
        self.assertEqual(1, len(fakes.named(
            self.context.cloud.memory['R2'], 'a')))

    def test_a_real_copy_is_recorded_with_the_task(self):
        image = fakes.put(self.context.cloud.memory['Master'], 'a', 5000)
        self.journal.enqueue(image.id, 'R2', 'test')
        task_runner = runner.TaskRunner(
            lambda: self.context, coordination.Coordinator(None))
        self.run_round(self.make_worker(task_runner))
        task = self.state(image.id)
        self.assertEqual((5000, 'Master'), (task.bytes, task.source))
        self.assertGreater(task.seconds, 0)

    def test_the_outcomes_copy_is_recorded_and_kept_without_one(self):
        self.journal.enqueue('img', 'R2', 'test')
        copied = runner.Outcome(runner.Kind.DONE, 'upload a', bytes=8000,
                                seconds=2.0, source='Master')
        self.run_round(self.make_worker(ScriptedRunner(copied)))
        self.assertEqual((8000, 2.0, 'Master', 4000.0),
                         self._copy_of(self.state()))
        # A later run that copies nothing leaves the last copy's record.
        self.journal.enqueue('img', 'R2', 'test')
        self.run_round(self.make_worker(ScriptedRunner(DONE)))
        self.assertEqual(dm.TaskState.DONE, self.state().state)
        self.assertEqual((8000, 2.0, 'Master', 4000.0),
                         self._copy_of(self.state()))

    @staticmethod
    def _copy_of(task):
        return task.bytes, task.seconds, task.source, task.rate

    def test_transient_errors_retry_with_backoff_then_fail(self):
        self.journal.enqueue('img', 'R2', 'test')
        work = self.make_worker(ScriptedRunner(RegionUnavailable(
            'R2', reason='down')), retry_times=1)
        self.run_round(work)
        task = self.state()
        self.assertEqual(dm.TaskState.RETRYING, task.state)
        self.assertIn('R2 is unavailable', task.last_error)
        self.assertLessEqual(task.next_attempt_at,
                             self.clock.now + datetime.timedelta(seconds=1))
        self.clock.advance(2)
        self.run_round(work)
        self.assertEqual(dm.TaskState.FAILED, self.state().state)

    def test_permanent_errors_fail_at_once(self):
        self.journal.enqueue('img', 'R2', 'test')
        self.run_round(self.make_worker(ScriptedRunner(Refused(
            'R2', action='create', reason='quota'))))
        self.assertEqual(dm.TaskState.FAILED, self.state().state)

    def test_a_relay_wait_is_recorded_and_is_not_an_attempt(self):
        self.journal.enqueue('img', 'R2', 'test')
        note = 'waiting for a copy slot of R3 (busy) since 2030-01-01T00:00:00'
        wait = runner.Outcome(runner.Kind.WAIT, 'waiting for a copy slot of '
                              'R3 (busy)', note=note, retry_in=3.0)
        work = self.make_worker(ScriptedRunner(wait), retry_times=1)
        for _ in range(4):
            self.run_round(work)
            task = self.state()
            self.assertEqual((dm.TaskState.RETRYING, note, 0),
                             (task.state, task.last_error, task.attempts))
            # Not due before retry_in, whatever snapshot_sleep_interval.
            self.assertEqual(self.clock.now + datetime.timedelta(seconds=3),
                             task.next_attempt_at)
            self.clock.advance(3)

    def test_snapshot_wait_then_timeout(self):
        self.journal.enqueue('img', 'R2', 'test')
        wait = runner.Outcome(runner.Kind.WAIT, 'still saving', 'saving')
        work = self.make_worker(ScriptedRunner(wait))
        self.run_round(work)
        task = self.state()
        self.assertEqual(dm.TaskState.RETRYING, task.state)
        self.assertEqual(self.clock.now,
                         runner.waiting_since(task.last_error))
        self.clock.advance(5)   # snapshot_sleep_interval
        self.run_round(work)
        self.assertEqual(dm.TaskState.RETRYING, self.state().state)
        self.clock.advance(61)  # past snapshot_timeout
        self.run_round(work)
        task = self.state()
        self.assertEqual(dm.TaskState.FAILED, task.state)
        self.assertIn('snapshot_timeout', task.last_error)

    def test_end_of_wait_gives_a_fresh_budget(self):
        self.journal.enqueue('img', 'R2', 'test')
        work = self.make_worker(ScriptedRunner(
            runner.Outcome(runner.Kind.READY, 'active now')))
        self.run_round(work)
        task = self.state()
        self.assertEqual((dm.TaskState.QUEUED, 0),
                         (task.state, task.attempts))


class LifeCycleTest(WorkerTestCase):

    def test_recover_takes_back_this_workers_tasks_only(self):
        self.journal.enqueue('img', 'R2', 'test')
        self.journal.enqueue('img', 'R3', 'test')
        mine, theirs = (self.journal.claim('w1', limit=1)[0],
                        self.journal.claim('w2', limit=1)[0])
        recovered = self.make_worker(ScriptedRunner(DONE)).recover()
        self.assertEqual([mine.id], [t.id for t in recovered])
        self.assertEqual(dm.TaskState.QUEUED,
                         self.journal.get(mine.id).state)
        self.assertEqual(dm.TaskState.RUNNING,
                         self.journal.get(theirs.id).state)

    def test_stop_drains_and_hands_back_unstarted_tasks(self):
        for image in ('img1', 'img2', 'img3'):
            self.journal.enqueue(image, 'R2', 'test')
        scripted = ScriptedRunner(DONE)
        scripted.gate.clear()
        work = self.make_worker(scripted, per_region=1)
        self.assertEqual(3, work.run_once())
        # The running task is held at the gate until the states are seen:
        # a timer opening it could fire first on a loaded machine.
        self.addCleanup(scripted.gate.set)
        self.assertFalse(work.stop(timeout=0.05))
        # Two never started and went back, due now; the running one is
        # left to finish.
        states = sorted(t.state.value for t in self.journal.list_tasks())
        self.assertEqual(['retrying', 'retrying', 'running'], states)
        scripted.gate.set()
        deadline = time.monotonic() + 10
        while work.running and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(1, self.journal.counts()[dm.TaskState.DONE])

    def test_nothing_is_claimed_once_stopping(self):
        self.journal.enqueue('img', 'R2', 'test')
        work = self.make_worker(ScriptedRunner(DONE))
        self.assertTrue(work.stop(timeout=1))
        self.assertEqual(0, work.run_once())
        self.assertEqual(dm.TaskState.QUEUED, self.state().state)

    def test_a_journal_outage_claims_nothing(self):
        work = self.make_worker(ScriptedRunner(DONE))
        with mock.patch.object(self.journal, 'claim',
                               side_effect=RuntimeError('db down')):
            self.assertEqual(0, work.run_once())

    def test_leases_are_extended_and_expired_ones_released(self):
        self.journal.enqueue('img', 'R2', 'test')
        self.journal.enqueue('img', 'R3', 'test')
        dead = self.journal.claim('dead', limit=1, lease_seconds=1)[0]
        scripted = ScriptedRunner(DONE)
        scripted.gate.clear()
        work = self.make_worker(scripted)
        work.run_once()
        running = work.running[0]
        self.clock.advance(30)
        work.extend_leases()
        self.assertGreater(self.journal.get(running.id).lease_expires_at,
                           running.lease_expires_at)
        work.release_expired()
        self.assertEqual(dm.TaskState.RETRYING,
                         self.journal.get(dead.id).state)
        scripted.gate.set()

    def test_a_lease_gone_is_a_cancellation_only_while_running(self):
        self.journal.enqueue('img', 'R2', 'test')
        scripted = ScriptedRunner(DONE)
        scripted.gate.clear()
        work = self.make_worker(scripted)
        recording = threading.Event()
        release = threading.Event()
        finished = work._finished

        def slow_finish(task, outcome):
            recording.set()
            release.wait(10)
            finished(task, outcome)
        work._finished = slow_finish
        self.journal.extend_lease = lambda task, seconds: None
        work.run_once()
        log = self.useFixture(fixtures.FakeLogger())
        # Still running: a lease found gone was taken from it.
        work.extend_leases()
        self.assertIn('was cancelled or taken over', log.output)
        # Its end is being recorded: the lease is gone for that reason.
        log = self.useFixture(fixtures.FakeLogger())
        scripted.gate.set()
        self.assertTrue(recording.wait(10))
        work.extend_leases()
        release.set()
        self.assertNotIn('was cancelled or taken over', log.output)

    def test_loop_thread_runs_due_tasks_when_woken(self):
        work = self.make_worker(ScriptedRunner(DONE))
        work.start()
        self.journal.enqueue('img', 'R2', 'test')
        work.wake()
        deadline = time.monotonic() + 10
        while (self.state().state is not dm.TaskState.DONE
               and time.monotonic() < deadline):
            time.sleep(0.02)
        self.assertTrue(work.stop(timeout=5))
        self.assertEqual(dm.TaskState.DONE, self.state().state)

    def test_alive_while_the_loop_turns(self):
        work = self.make_worker(ScriptedRunner(DONE))
        self.assertFalse(work.alive(60))  # not started
        work.start()
        self.assertTrue(work.alive(60))
        # A loop whose last turn is older than the limit is stuck.
        self.assertFalse(work.alive(0))
        self.assertTrue(work.stop(timeout=5))
        self.assertFalse(work.alive(60))


class PermanentTest(base.BaseTestCase):

    def test_engine_errors_are_judged_by_their_cause(self):
        error = engine.ApplyError(engine.ApplyReport('R2'), UpdateMetadata(
            image_id='i', image_name='a'), 'refused')
        error.__cause__ = Refused('R2', action='update', reason='policy')
        self.assertTrue(worker.is_permanent(error))
        error.__cause__ = RegionUnavailable('R2', reason='down')
        self.assertFalse(worker.is_permanent(error))


class SiteWorkerTest(WorkerTestCase):

    def make_site_worker(self, task_runner):
        pool = KeyedExecutor(ThreadExecutor(4), 2)
        self.addCleanup(pool.shutdown, True, 5)
        return worker.Worker(
            self.journal, task_runner, pool, worker_id='east',
            policy=RetryPolicy(2, 1.0, 10.0),
            options=lambda: self.context.options, lease_seconds=60,
            poll_interval=0.05, clock=self.clock,
            regions=frozenset({'R3'}), takeover_after=120)

    def test_claims_its_regions_then_takes_over_starved_ones(self):
        logger = self.useFixture(fixtures.FakeLogger())
        self.journal.enqueue('img', 'R2', 'test')
        self.journal.enqueue('img', 'R3', 'test')
        task_runner = ScriptedRunner(DONE)
        work = self.make_site_worker(task_runner)
        self.assertEqual(1, self.run_round(work))
        self.assertEqual(['R3'], [t.region for t in task_runner.seen])
        self.assertEqual(dm.TaskState.QUEUED, self.state('img', 'R2').state)
        self.clock.advance(120)
        self.assertEqual(1, self.run_round(work))
        self.assertEqual(dm.TaskState.DONE, self.state('img', 'R2').state)
        self.assertIn('Taking over task', logger.output)
        self.assertIn('region R2', logger.output)
