"""``glance-sync-manage status`` ends with the journal's sync lag."""

import datetime
import io
import os

from glance_sync.conf import legacy
from glance_sync.db import repositories
from glance_sync.manage import lag
from tests.unit.cmd.test_manage import ManageTestCase
from tests.unit.db.test_repositories import FakeClock


class StatusLagTest(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.dir, 'journal.sqlite')
        with open(self.native, 'a') as conf:
            conf.write('\n[database]\nconnection = sqlite:///%s\n'
                       % self.path)

    def status(self, *argv):
        return self.run_raw('--config-file', self.native, '--offline',
                            self.backups, *argv, 'status', 'R1', 'R2',
                            'other:O1')

    def lag_rows(self, out):
        _, _, table = out.rpartition('sync_lag_seconds')
        return [line.split()[:2] for line in table.splitlines()[2:]
                if line.strip() and not set(line) <= set('+-| ')]

    def test_lag_per_region_from_the_journal(self):
        self.assertEqual(0, self.run_raw('--config-file', self.native,
                                         'db', 'sync')[0])
        clock = FakeClock()
        journal = repositories.Journal('sqlite:///%s' % self.path,
                                       clock=clock)
        self.addCleanup(journal.dispose)
        clock.advance(-3 * 3600)  # three hours ago
        journal.enqueue('img-1', 'R1', 'test')
        journal.enqueue('img-2', 'other:O1', 'test')
        journal.mark_done(journal.claim('w1', exclude_regions=['R1'])[0])
        _, out, _ = self.status('-f', 'table')
        rows = dict(self.lag_rows(out))
        self.assertEqual({'R1', 'R2', 'other:O1'}, set(rows))
        self.assertGreaterEqual(int(rows['R1']), 3 * 3600)
        self.assertEqual('0', rows['other:O1'])  # caught up
        self.assertEqual(lag.UNKNOWN, rows['R2'])  # never had a task

    def test_no_journal_no_section_and_no_file(self):
        _, out, _ = self.status('-f', 'table')
        self.assertNotIn('sync_lag_seconds', out)
        self.assertFalse(os.path.exists(self.path))

    def test_machine_formats_unchanged(self):
        self.run_raw('--config-file', self.native, 'db', 'sync')
        _, out, _ = self.status('-f', 'json')
        self.assertNotIn('sync_lag', out)

    def test_legacy_configuration_has_no_journal(self):
        self.assertIsNone(lag.journal_lags(legacy.load(self.legacy, (), {})))

    def test_write_lags(self):
        now = datetime.datetime(2026, 12, 6, 12, 0, 0)
        out = io.StringIO()
        lag.write_lags(out, ['R1', 'R2'],
                       {'R1': now - datetime.timedelta(minutes=5)},
                       clock=lambda: now)
        text = out.getvalue()
        self.assertIn('300', text)
        self.assertIn('2026-12-06T11:55:00', text)

    def test_journal_without_schema_is_left_out(self):
        open(self.path, 'w').close()  # a file, but no tables
        _, out, _ = self.status('-f', 'table')
        self.assertIn('status', out)
        self.assertNotIn('sync_lag_seconds', out)
