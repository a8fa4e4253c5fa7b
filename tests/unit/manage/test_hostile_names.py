"""Every table ``glance-sync-manage`` prints escapes what an image name
holds; CSV and JSON keep it exact. Offline, through the entry point."""

import csv
import io
import json
import os

from glance_sync.regions import csvfile
from tests.unit.cmd.test_manage import ManageTestCase
from tests.unit.manage import data

#: Colour, clear screen, window title, a forged row, NUL, bidi override.
HOSTILE = 'e\x1b[31m\x1b[2J\x1b]0;t\x07\rok,R1,forged\n\x00\u202e'
ESCAPED = 'e\\x1b[31m\\x1b[2J\\x1b]0;t\\x07\\rok,R1,forged\\n\\x00\\u202e'


class HostileNamesTest(ManageTestCase):

    def setUp(self):
        super().setUp()
        master = csvfile.backup_path(self.backups, 'Master')
        self.image = data.image('Master', HOSTILE, 5, image_id='Master-e')
        csvfile.write_backup(master, [*data.MASTER, self.image])
        self.assertIn(self.image, csvfile.read_backup(master))

    def assertTable(self, *argv, names=True):
        status, out, err = self.run_cli('-f', 'table', *argv)
        self.assertIn(status, (0, 1), err)
        self.assertTrue(all(line.isprintable() for line in out.split('\n')),
                        repr(out))
        if names:  # size prints regions only
            self.assertIn(ESCAPED, out)
        return out

    def test_every_table_escapes(self):
        self.assertTable('status', 'R1')
        self.assertTable('sync', '--dry-run', 'R1')
        self.assertTable('compare', 'R1')
        self.assertTable('size', 'R1', names=False)
        self.assertTable('dump', '--metadata-only', '--output',
                         os.path.join(self.dir, 'dump'))

    def test_csv_and_json_are_exact(self):
        _, out, _ = self.run_cli('-f', 'csv', 'status', 'R1')
        rows = list(csv.reader(io.StringIO(out, newline='')))
        self.assertIn(['pending_upload', 'R1', HOSTILE], rows)
        _, out, _ = self.run_cli('-f', 'json', 'status', 'R1')
        self.assertNotIn('\x1b', out)
        self.assertIn({'status': 'pending_upload', 'region': 'R1',
                       'image': HOSTILE}, json.loads(out))

    def test_backup_round_trips(self):
        folder = os.path.join(self.dir, 'out')
        status, _, err = self.run_cli('backup', '--output', folder, 'R1')
        self.assertEqual(0, status, err)
        self.assertIn(self.image, csvfile.read_backup(
            csvfile.backup_path(folder, 'Master')))
