"""``glance-sync-manage size``, offline, through the entry point."""

import json

from tests.unit.cmd.test_manage import ManageTestCase


class SizeTest(ManageTestCase):

    def test_default_regions_and_total(self):
        status, out, _ = self.run_cli('size')
        self.assertEqual(0, status)
        self.assertEqual('other:O1,1,30,30 B,\nR1,2,50,50 B,\n'
                         'total,3,80,80 B,\n', out)

    def test_json(self):
        status, out, _ = self.run_cli('-f', 'json', 'size', 'R1', 'R2')
        self.assertEqual(0, status)
        self.assertEqual([{'region': 'R1', 'images': 2, 'bytes': 50,
                           'size': '50 B', 'error': None},
                          {'region': 'R2', 'images': 3, 'bytes': 60,
                           'size': '60 B', 'error': None},
                          {'region': 'total', 'images': 5, 'bytes': 110,
                           'size': '110 B', 'error': None}],
                         json.loads(out))

    def test_equals_the_bytes_the_sync_moves(self):
        _, out, _ = self.run_cli('-f', 'json', 'size', 'R1')
        planned = json.loads(out)[0]['bytes']
        _, out, _ = self.run_cli('-f', 'json', 'sync', 'R1')
        self.assertEqual(planned, json.loads(out)[0]['uploaded_bytes'])
        _, out, _ = self.run_cli('size', 'R1')
        self.assertEqual('R1,0,0,0 B,\ntotal,0,0,0 B,\n', out)

    def test_unknown_region_is_a_usage_error(self):
        status, out, err = self.run_cli('size', 'nope:R1')
        self.assertEqual(2, status)
        self.assertIn("unknown target 'nope'", err)
        self.assertEqual('', out)
