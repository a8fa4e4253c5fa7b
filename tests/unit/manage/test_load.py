"""``glance-sync-manage load``, offline, through the entry point."""

import json
import os

from glance_sync.regions import csvfile
from tests.unit.cmd.test_manage import ManageTestCase


class LoadTest(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.output = os.path.join(self.dir, 'dump')
        status, _, _ = self.run_cli('dump', '--output', self.output,
                                    '--metadata-only')
        self.assertEqual(0, status)
        # The master is gone: load must not need it.
        os.remove(csvfile.backup_path(self.backups, 'Master'))

    def test_load_like_a_sync(self):
        status, out, _ = self.run_cli('-f', 'json', 'load', self.output,
                                      'R1', 'other:O1')
        self.assertEqual(0, status, out)
        self.assertEqual([('R1', 'synchronised', 50), ('other:O1',
                                                       'synchronised', 30)],
                         [(r['region'], r['result'], r['uploaded_bytes'])
                          for r in json.loads(out)])
        names = {i.name for i in csvfile.read_backup(
            csvfile.backup_path(self.backups, 'R1'))}
        self.assertEqual({'a', 'b', 'c'}, names)

    def test_dry_run(self):
        status, out, _ = self.run_cli('load', '--dry-run', self.output, 'R1')
        self.assertEqual(1, status)
        self.assertIn('R1,upload,b,', out)

    def test_not_a_dump_is_a_usage_error(self):
        status, out, err = self.run_cli('load', self.dir, 'R1')
        self.assertEqual((2, ''), (status, out))
        self.assertIn(os.path.join(self.dir, 'manifest.json'), err)
