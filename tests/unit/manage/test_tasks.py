"""``glance-sync-manage db`` and ``tasks`` on a SQLite journal."""

import contextlib
import datetime
import io
import json
import os

from glance_sync.cmd import manage
from glance_sync.db import data_models as dm
from glance_sync.db import repositories
from tests.unit.cmd.test_manage import ManageTestCase


class TasksTestCase(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.url = 'sqlite:///%s' % os.path.join(self.dir, 'journal.sqlite')
        with open(self.native, 'a') as conf:
            conf.write('\n[database]\nconnection = %s\n' % self.url)

    def manage(self, *argv):
        return self.run_raw('--config-file', self.native, *argv)

    def journal(self):
        journal = repositories.Journal(self.url)
        self.addCleanup(journal.dispose)
        return journal


class DbTest(TasksTestCase):

    def test_sync_then_version(self):
        status, out, _ = self.manage('db', 'version')
        self.assertEqual(1, status)
        self.assertTrue(out.startswith(','), out)  # no revision yet
        status, out, _ = self.manage('db', 'sync')
        self.assertEqual(0, status)
        current, head = out.strip().split(',')
        self.assertEqual(current, head)
        self.assertEqual((0, out), self.manage('db', 'version')[:2])

    def test_legacy_configuration_is_refused(self):
        status, _, err = self.run_raw('--glancesync-config', self.legacy,
                                      'tasks')
        self.assertEqual(2, status)
        self.assertIn('--config-file', err)

    def test_unreachable_database_is_one_line(self):
        with open(self.native, 'a') as conf:
            conf.write('connection = sqlite:////nonexistent/dir/j.sqlite\n')
        status, _, err = self.manage('tasks')
        self.assertEqual(2, status)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('[database] connection', err)


class TasksTest(TasksTestCase):

    def setUp(self):
        super().setUp()
        self.assertEqual(0, self.manage('db', 'sync')[0])
        journal = self.journal()
        journal.enqueue('img-1', 'R1', 'reconcile', image_name='a')
        journal.enqueue('img-1', 'other:O1', 'reconcile', image_name='a')
        self.running = journal.claim('w1', limit=1)[0]

    def rows(self, *argv):
        status, out, err = self.manage('-f', 'json', 'tasks', *argv)
        self.assertEqual(0, status, err)
        return json.loads(out)

    def test_list_and_filter(self):
        self.assertEqual(2, len(self.rows()))
        queued = self.rows('--state', 'queued')
        self.assertEqual(1, len(queued))
        self.assertNotEqual(self.running.id, queued[0]['id'])
        self.assertEqual([self.running.id], [
            r['id'] for r in self.rows('--state', 'running')])
        self.assertEqual(['R1'], [r['region'] for r in self.rows(
            '--region', 'master:R1')])

    def test_cancel_then_retry(self):
        status, out, _ = self.manage('-f', 'json', 'tasks', 'cancel',
                                     self.running.id)
        self.assertEqual(0, status)
        self.assertEqual('cancelled', json.loads(out)[0]['state'])
        status, out, _ = self.manage('-f', 'json', 'tasks', 'retry',
                                     self.running.id)
        self.assertEqual(0, status)
        self.assertEqual(('queued', 0), (json.loads(out)[0]['state'],
                                         json.loads(out)[0]['attempts']))

    def test_retry_of_a_running_task_and_unknown_ids_fail(self):
        status, _, err = self.manage('tasks', 'retry', self.running.id)
        self.assertEqual(1, status)
        self.assertIn('it is running', err)
        status, _, err = self.manage('tasks', 'cancel', 'nope')
        self.assertEqual(1, status)
        self.assertIn('sync task nope does not exist', err)
        self.assertEqual(dm.TaskState.RUNNING,
                         self.journal().get(self.running.id).state)

    def test_pages_with_limit_and_marker(self):
        first = self.rows('--limit', '1')
        self.assertEqual(1, len(first))
        second = self.rows('--limit', '1', '--marker', first[0]['id'])
        self.assertEqual(1, len(second))
        self.assertEqual(self.rows(), first + second)
        self.assertEqual([], self.rows('--marker', second[0]['id']))
        status, _, err = self.manage('tasks', '--marker', 'nope')
        self.assertEqual(1, status)
        self.assertIn('sync task nope does not exist', err)

    def test_bad_limit_is_a_usage_error(self):
        for bad in ('0', '-3', 'many'):
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                exc = self.assertRaises(
                    SystemExit, manage.main,
                    ['--config-file', self.native, 'tasks', '--limit', bad])
            self.assertEqual(2, exc.code)
            self.assertIn('argument --limit: expected a positive integer, '
                          'got %r' % bad, err.getvalue())


class TasksCopyRateTest(TasksTestCase):
    """The last copy of each task: a rate for people, figures for
    programs."""

    def setUp(self):
        super().setUp()
        self.assertEqual(0, self.manage('db', 'sync')[0])
        journal = self.journal()
        journal.enqueue('img-1', 'R1', 'upload', image_name='a')
        journal.enqueue('img-2', 'R1', 'upload', image_name='b')
        self.copied = journal.mark_done(
            journal.claim('w1', limit=1)[0],
            dm.CopyRecord(49200000, 4.0, 'RegionOne'))

    def test_json_gives_bytes_seconds_and_source(self):
        status, out, err = self.manage('-f', 'json', 'tasks')
        self.assertEqual(0, status, err)
        rows = {row['id']: row for row in json.loads(out)}
        copied = rows.pop(self.copied.id)
        self.assertEqual((49200000, 4.0, 'RegionOne'),
                         (copied['bytes'], copied['seconds'],
                          copied['source']))
        self.assertNotIn('rate', copied)
        [never] = rows.values()
        self.assertEqual((None, None, None),
                         (never['bytes'], never['seconds'], never['source']))

    def test_table_gives_the_rate(self):
        status, out, err = self.manage('-f', 'table', 'tasks')
        self.assertEqual(0, status, err)
        header, _, *lines = out.splitlines()
        self.assertEqual(['rate', 'source', 'last_error'],
                         header.split()[-3:])
        self.assertNotIn('bytes', header.split())
        line = next(line for line in lines if self.copied.id in line)
        self.assertIn('  12.3 MB/s  RegionOne', line)

    def test_csv_adds_the_figures_after_the_older_columns(self):
        status, out, err = self.manage('-f', 'csv', 'tasks', '--state',
                                       'done')
        self.assertEqual(0, status, err)
        fields = out.strip().split(',')
        self.assertEqual([self.copied.id, 'img-1', 'a', 'R1', 'done'],
                         fields[:5])
        # last_error (empty), then bytes, seconds and source.
        self.assertEqual(['', '49200000', '4.0', 'RegionOne'], fields[-4:])


class TasksPurgeTest(TasksTestCase):

    def setUp(self):
        super().setUp()
        self.assertEqual(0, self.manage('db', 'sync')[0])
        now = repositories.utcnow()
        for age_days, image in ((40, 'img-old'), (10, 'img-recent')):
            journal = repositories.Journal(
                self.url, clock=lambda age=age_days: now - datetime.timedelta(
                    days=age))
            self.addCleanup(journal.dispose)
            journal.record_event('msg-' + image, image, ['R1'], 'upload')
            journal.mark_done(journal.claim('w1')[0])
        self.journal().enqueue('img-pending', 'R1', 'upload')

    def purge(self, *argv):
        status, out, err = self.manage('-f', 'json', 'tasks', 'purge', *argv)
        self.assertEqual(0, status, err)
        return json.loads(out)[0]

    def images(self):
        return sorted(t.image_id for t in self.journal().list_tasks())

    def test_purge_applies_the_configured_retention(self):
        self.assertEqual({'tasks': 1, 'events': 1}, self.purge())
        self.assertEqual(['img-pending', 'img-recent'], self.images())
        self.assertEqual({'tasks': 0, 'events': 0}, self.purge())

    def test_days_overrides_the_retention(self):
        self.assertEqual({'tasks': 2, 'events': 2}, self.purge('--days', '5'))
        self.assertEqual(['img-pending'], self.images())

    def test_retention_zero_keeps_everything(self):
        with open(self.native, 'a') as conf:
            conf.write('retention_days = 0\n')
        self.assertEqual({'tasks': 0, 'events': 0}, self.purge())
        self.assertEqual(3, len(self.images()))
