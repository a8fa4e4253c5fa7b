"""glance-sync-manage end to end, offline, through its entry point."""

import contextlib
import io
import json
import logging
import os

import fixtures
from oslotest import base

from glance_sync.cmd import manage
from glance_sync.regions import csvfile
from tests.unit.manage import data


class ManageTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.legacy, self.native, self.backups = data.write_cloud(self.dir)
        self.useFixture(fixtures.EnvironmentVariable('GLANCESYNC_CONFIG'))
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        self.addCleanup(self._restore, handlers, level)

    @staticmethod
    def _restore(handlers, level):
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)

    def run_cli(self, *argv, legacy=True):
        config = (('--glancesync-config', self.legacy) if legacy
                  else ('--config-file', self.native))
        return self.run_raw(*config, '--offline', self.backups, *argv)

    def run_raw(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = manage.main(list(argv))
        return status, out.getvalue(), err.getvalue()


class StatusTest(ManageTestCase):

    def test_default_regions(self):
        status, out, _ = self.run_cli('status')
        # R2 is ignored; preferable_order puts other:O1 first.
        self.assertEqual('pending_upload,other:O1,c\n'
                         'ok,R1,a\npending_upload,R1,b\n'
                         'pending_upload,R1,c\n', out)
        self.assertEqual(1, status)

    def test_explicit_regions_keep_their_order(self):
        _, out, _ = self.run_cli('status', 'master:R1', 'R2')
        self.assertEqual(['R1', 'R1', 'R1', 'R2', 'R2', 'R2'],
                         [line.split(',')[1] for line in out.splitlines()])

    def test_whole_target(self):
        _, out, _ = self.run_cli('status', 'master:')
        self.assertEqual({'R1'},
                         {line.split(',')[1] for line in out.splitlines()})

    def test_json_and_table(self):
        _, out, _ = self.run_cli('-f', 'json', 'status', 'other:O1')
        self.assertEqual([{'status': 'pending_upload', 'region': 'other:O1',
                           'image': 'c'}], json.loads(out))
        _, out, _ = self.run_cli('status', '-f', 'table', 'other:O1')
        self.assertEqual(['status', 'region', 'image'], out.split()[:3])

    def test_override(self):
        _, out, _ = self.run_cli('--config', 'other.metadata_condition=',
                                 'status', 'other:O1')
        self.assertEqual(3, len(out.splitlines()))

    def test_native_configuration(self):
        status, out, _ = self.run_cli('status', legacy=False)
        self.assertEqual(1, status)
        self.assertEqual(4, len(out.splitlines()))


class SyncTest(ManageTestCase):

    def test_dry_run_changes_nothing(self):
        before = data.snapshot(self.backups)
        status, out, _ = self.run_cli('sync', '--dry-run')
        self.assertEqual(1, status)
        self.assertEqual(before, data.snapshot(self.backups))
        self.assertIn('other:O1,upload,c,upload c (0.0 MB)', out)
        self.assertIn('R1,upload,b,', out)

    def test_sync_then_status(self):
        status, out, _ = self.run_cli('sync')
        self.assertEqual(0, status, out)
        self.assertIn('R1,synchronised,2,50,0,0', out)
        names = {i.name for i in csvfile.read_backup(
            csvfile.backup_path(self.backups, 'R1'))}
        self.assertEqual({'a', 'b', 'c'}, names)
        status, out, _ = self.run_cli('status')
        self.assertEqual(0, status)
        self.assertTrue(all(line.startswith('ok,')
                            for line in out.splitlines()))

    def test_parallel(self):
        status, _, _ = self.run_cli('sync', '--parallel', '3', 'R1', 'R2',
                                    'other:')
        self.assertEqual(0, status)
        self.assertEqual(0, self.run_cli('status', 'R1', 'R2', 'other:')[0])


class OtherVerbsTest(ManageTestCase):

    def test_regions(self):
        status, out, _ = self.run_cli('regions')
        self.assertEqual(0, status)
        self.assertEqual(['Master', 'R1', 'R2', 'other:O1'], out.split())
        _, out, _ = self.run_cli('-f', 'json', 'regions')
        self.assertIn({'region': 'R2', 'target': 'master', 'ignored': True},
                      json.loads(out))

    def test_backup(self):
        target = os.path.join(self.dir, 'out')
        status, out, _ = self.run_cli('backup', '--output', target, 'R1')
        self.assertEqual(0, status)
        self.assertEqual(['backup_Master.csv', 'backup_R1.csv'],
                         sorted(os.listdir(target)))
        self.assertEqual(2, len(out.splitlines()))

    def test_backup_offline_default_is_every_region(self):
        target = os.path.join(self.dir, 'all')
        self.run_cli('backup', '--output', target)
        self.assertEqual(sorted(os.listdir(self.backups)),
                         sorted(os.listdir(target)))

    def test_convert_config(self):
        status, out, _ = self.run_raw('--glancesync-config', self.legacy,
                                      'convert-config')
        self.assertEqual(0, status)
        self.assertIn('[target:other]\n', out)
        self.assertIn('password = pw\n', out)


class ErrorTest(ManageTestCase):

    def assertFails(self, argv, *parts, legacy=True, raw=False):
        if raw:
            status, out, err = self.run_raw(*argv)
        else:
            status, out, err = self.run_cli(*argv, legacy=legacy)
        self.assertEqual(2, status)
        self.assertEqual('', out)
        self.assertNotIn('Traceback', err)
        last = err.strip().splitlines()[-1]
        self.assertTrue(last.startswith('glance-sync-manage: error: '), err)
        for part in parts:
            self.assertIn(part, last)

    def test_unknown_target(self):
        self.assertFails(['status', 'nope:R'], "unknown target 'nope'")

    def test_unknown_offline_region(self):
        self.assertFails(['sync', 'Nowhere'], 'no backup of region')

    def test_missing_file(self):
        self.assertFails(['--glancesync-config', '/nonexistent', 'status'],
                         '/nonexistent: cannot read the file', raw=True)

    def test_bad_override(self):
        self.assertFails(['--config', 'nope.x=1', 'status'],
                         "[nope] x: unknown target 'nope'")

    def test_bad_condition(self):
        condition = 'other.metadata_condition=__import__("os")'
        self.assertFails(['--config', condition, 'status'],
                         '[other] metadata_condition')

    def test_both_formats(self):
        self.assertFails(['--glancesync-config', self.legacy, '--config-file',
                          self.native, 'status'], 'not both', raw=True)

    def test_convert_needs_legacy(self):
        self.assertFails(['convert-config'], 'GlanceSync configuration',
                         legacy=False)

    def test_offline_folder_missing(self):
        self.assertFails(['--glancesync-config', self.legacy, '--offline',
                          '/nonexistent', 'status'], '--offline', raw=True)

    def test_usage_error_exits_2(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            exc = self.assertRaises(SystemExit, manage.main, ['frobnicate'])
        self.assertEqual(2, exc.code)
        with contextlib.redirect_stderr(err):
            exc = self.assertRaises(SystemExit, manage.main,
                                    ['sync', '--parallel', '0'])
        self.assertEqual(2, exc.code)

    def test_environment_variable(self):
        self.useFixture(fixtures.EnvironmentVariable('GLANCESYNC_CONFIG',
                                                     self.legacy))
        status, out, _ = self.run_raw('--offline', self.backups, 'status',
                                      'R1')
        self.assertEqual(1, status)
        self.assertEqual(3, len(out.splitlines()))
