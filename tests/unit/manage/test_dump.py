"""``glance-sync-manage dump``, offline, through the entry point.

The offline master holds records without data: the data paths are
tested in tests/unit/replicator/test_dump.py and functionally.
"""

import json
import os

from glance_sync.regions import dumpfile
from tests.unit.cmd.test_manage import ManageTestCase


class DumpTest(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.output = os.path.join(self.dir, 'dump')

    def dump(self, *argv):
        return self.run_cli('-f', 'json', 'dump', '--output', self.output,
                            *argv)

    def test_metadata_only(self):
        status, out, _ = self.dump('--metadata-only')
        self.assertEqual(0, status)
        self.assertEqual([('a', 'record only'), ('b', 'record only'),
                          ('c', 'record only')],
                         [(r['image'], r['result']) for r in json.loads(out)])
        manifest = dumpfile.Manifest.read(self.output)
        self.assertEqual(('Master', 't1id'), (manifest.master_region,
                                              manifest.tenant_id))
        self.assertEqual(3, len(manifest.images))

    def test_named_images(self):
        status, out, _ = self.dump('--metadata-only', 'c', 'Master-a')
        self.assertEqual(0, status)
        self.assertEqual(['a', 'c'], [r['image'] for r in json.loads(out)])

    def test_unknown_image_is_a_usage_error(self):
        status, out, err = self.dump('nope')
        self.assertEqual((2, ''), (status, out))
        self.assertIn("image 'nope' is not a synchronisable image of the "
                      "master region Master", err)
        self.assertFalse(os.path.exists(self.output))

    def test_failed_data_exit_1(self):
        status, out, _ = self.dump()
        self.assertEqual(1, status)
        self.assertEqual(['failed'] * 3,
                         [r['result'] for r in json.loads(out)])

    def test_unusable_folder_one_line_exit_1(self):
        with open(self.output, 'w'):
            pass
        status, out, err = self.dump('--metadata-only')
        self.assertEqual((1, ''), (status, out))
        self.assertIn('cannot create the dump folder %s' % self.output, err)
        self.assertNotIn('Traceback', err)

    def test_output_is_required(self):
        exc = self.assertRaises(SystemExit, self.run_cli, 'dump')
        self.assertEqual(2, exc.code)
        exc = self.assertRaises(SystemExit, self.dump, '--chunk-size', '0')
        self.assertEqual(2, exc.code)
