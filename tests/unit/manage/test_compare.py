"""``glance-sync-manage compare``, offline, through the entry point."""

import json

from glance_sync.regions import csvfile
from tests.unit.cmd.test_manage import ManageTestCase
from tests.unit.manage import data


class CompareTest(ManageTestCase):

    def write_r1(self, *images):
        csvfile.write_backup(csvfile.backup_path(self.backups, 'R1'),
                             list(images))

    def test_differences_and_exit_1(self):
        changed = data.image('R1', 'a', 10, props={'type': 'y'})
        other = data.image('R1', 'b', 20)
        other.checksum = 'other-md5'
        self.write_r1(changed, other)
        status, out, _ = self.run_cli('-f', 'json', 'compare', 'R1')
        self.assertEqual(1, status)
        self.assertEqual([
            {'region': 'R1', 'image': 'a', 'difference': 'metadata',
             'field': 'type', 'master_value': None, 'region_value': 'y',
             'status': 'pending_metadata'},
            {'region': 'R1', 'image': 'b', 'difference': 'checksum',
             'field': 'checksum', 'master_value': 'md5-b',
             'region_value': 'other-md5', 'status': 'error_checksum'},
            {'region': 'R1', 'image': 'c', 'difference': 'missing',
             'field': None, 'master_value': None, 'region_value': None,
             'status': 'pending_upload'}], json.loads(out))

    def test_readable_table(self):
        _, out, _ = self.run_cli('-f', 'table', 'compare', 'other:O1')
        self.assertEqual(['region', 'image', 'difference'], out.split()[:3])
        self.assertIn('other:O1  c      missing', out)

    def test_nothing_differs_exit_0(self):
        self.assertEqual(0, self.run_cli('sync')[0])
        status, out, _ = self.run_cli('compare')
        self.assertEqual((0, ''), (status, out))

    def test_usage_error(self):
        exc = self.assertRaises(SystemExit, self.run_cli, 'compare', '--nope')
        self.assertEqual(2, exc.code)
