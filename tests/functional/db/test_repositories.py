"""The journal on the machine's real MariaDB and PostgreSQL (and SQLite).

Every test gets its own database (see :mod:`.fixtures`). Besides the
behaviour shared with the unit tests, these check what only real
concurrency shows: several engines (several "daemons") claiming, recording
and enqueueing at once, and a daemon killed with SIGKILL mid-run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any

from oslotest import base

from glance_sync.db import data_models as dm
from glance_sync.db import migration
from glance_sync.db import repositories
from tests.functional.db import fixtures as db_fixtures
from tests.unit.db import test_repositories as cases

#: Tasks in the concurrent-claim test.
TASKS = 120


def run_threads(count: int, target: Callable[[int], Any]) -> list[Any]:
    """Run ``target(n)`` in ``count`` threads started together."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = target(n)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    return results


class _DatabaseMixin(cases.MixinBase):
    BACKEND = ''

    def make_url(self) -> str:
        return db_fixtures.database_url(self, self.BACKEND)


class ConcurrencyCases(_DatabaseMixin):
    """Several journals, each with its own engine, on one database."""

    def setUp(self) -> None:
        super().setUp()
        self.url = self.make_url()
        migration.upgrade(self.url)

    def new_journal(self) -> repositories.Journal:
        journal = repositories.Journal(self.url)
        self.addCleanup(journal.dispose)
        return journal

    def test_concurrent_claims_never_share_a_task(self):
        journals = [self.new_journal(), self.new_journal()]
        journals[0].enqueue_many(
            [dm.TaskRequest('img-%03d' % n, 'Region%d' % (n % 3))
             for n in range(TASKS)], 'reconcile')

        def worker(n: int) -> list[str]:
            journal, mine = journals[n % 2], list[str]()
            while True:
                tasks = journal.claim('worker-%d' % n, limit=4)
                if not tasks and not journal.counts()[dm.TaskState.QUEUED]:
                    return mine
                for task in tasks:
                    mine.append(task.id)
                    self.assertIsNotNone(journal.mark_done(task))

        claimed = [i for ids in run_threads(4, worker) for i in ids]
        self.assertEqual(TASKS, len(claimed))
        self.assertEqual(TASKS, len(set(claimed)))
        tasks = journals[1].list_tasks()
        self.assertEqual({(dm.TaskState.DONE, 1)},
                         {(t.state, t.attempts) for t in tasks})

    def test_one_event_recorded_by_many_is_recorded_once(self):
        journals = [self.new_journal(), self.new_journal()]
        records = run_threads(6, lambda n: journals[n % 2].record_event(
            'msg-1', 'img-1', ['RegionTwo', 'RegionThree'], 'image.upload'))
        self.assertEqual(1, [r.duplicate for r in records].count(False))
        self.assertEqual(2, len(journals[0].list_tasks()))

    def test_concurrent_enqueues_of_a_pair_make_one_task(self):
        journals = [self.new_journal(), self.new_journal()]
        outcomes = run_threads(6, lambda n: journals[n % 2].enqueue(
            'img-1', 'RegionTwo', 'event-%d' % n))
        self.assertEqual(1, outcomes.count(dm.EnqueueOutcome.CREATED))
        self.assertEqual({dm.EnqueueOutcome.CREATED,
                          dm.EnqueueOutcome.PENDING}, set(outcomes))
        self.assertEqual(1, len(journals[0].list_tasks()))

    def test_tasks_of_a_killed_daemon_are_run_again(self):
        journal = self.new_journal()
        for n in range(3):
            journal.enqueue('img-%d' % n, 'RegionTwo', 'image.upload')
        victim = self._claim_and_get_killed(lease_seconds=2)
        running = journal.list_tasks(states=[dm.TaskState.RUNNING])
        self.assertEqual(3, len(running))
        self.assertEqual({'victim'}, {t.lease_owner for t in running})
        self.assertEqual(-signal.SIGKILL, victim.returncode)
        # Nothing moves before the lease expires...
        self.assertEqual([], journal.release_expired_leases())
        self.assertEqual([], journal.claim('survivor', limit=5))
        time.sleep(2.5)
        # ...then another daemon releases and runs them.
        self.assertEqual(3, len(journal.release_expired_leases()))
        again = journal.claim('survivor', limit=5)
        self.assertEqual({t.id for t in running}, {t.id for t in again})
        self.assertEqual({2}, {t.attempts for t in again})
        for task in again:
            self.assertEqual(dm.TaskState.DONE,
                             journal.mark_done(task).state)

    def _claim_and_get_killed(self, lease_seconds: int
                              ) -> subprocess.Popen[str]:
        script = textwrap.dedent('''
            import sys, time
            from glance_sync.db import repositories
            journal = repositories.Journal(sys.argv[1])
            tasks = journal.claim('victim', limit=10, lease_seconds=%d)
            print(len(tasks), flush=True)
            time.sleep(600)
        ''' % lease_seconds)
        victim = subprocess.Popen([sys.executable, '-c', script, self.url],
                                  stdout=subprocess.PIPE, text=True)
        self.addCleanup(victim.wait)
        self.addCleanup(self._kill, victim)
        assert victim.stdout is not None
        line = victim.stdout.readline()
        self._kill(victim)
        victim.wait(30)
        victim.stdout.close()
        self.assertEqual('3', line.strip())
        return victim

    @staticmethod
    def _kill(process: subprocess.Popen[str]) -> None:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)


class SQLiteFileJournalTest(ConcurrencyCases, base.BaseTestCase):
    BACKEND = 'sqlite'


class MySQLJournalTest(_DatabaseMixin, cases.JournalCases,
                       base.BaseTestCase):
    BACKEND = 'mysql'


class MySQLConcurrencyTest(ConcurrencyCases, base.BaseTestCase):
    BACKEND = 'mysql'


class PostgreSQLJournalTest(_DatabaseMixin, cases.JournalCases,
                            base.BaseTestCase):
    BACKEND = 'postgresql'


class PostgreSQLConcurrencyTest(ConcurrencyCases, base.BaseTestCase):
    BACKEND = 'postgresql'
