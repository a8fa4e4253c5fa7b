"""The WAN benchmark's byte counting from veth counters."""

from __future__ import annotations

import testtools

from tools.bench_wan import counters


class CountersTest(testtools.TestCase):

    def test_parse(self):
        self.assertEqual(
            {'gsw-b0': (10, 20), 'gsw-b1': (3, 4)},
            counters.parse_counters('gsw-b0 10 20\n\ngsw-b1 3 4\n'))

    def test_a_bad_line_is_refused(self):
        error = self.assertRaises(ValueError, counters.parse_counters,
                                  'gsw-b0 10\n')
        self.assertIn("'gsw-b0 10'", str(error))
        self.assertRaises(ValueError, counters.parse_counters, 'gsw-b0 a b')

    def test_the_core_end_receives_what_leaves_the_site(self):
        before = {'gsw-b0': (1000, 50), 'gsw-b1': (7, 2000)}
        after = {'gsw-b0': (31000, 650), 'gsw-b1': (107, 12000)}
        links = counters.link_bytes(before, after,
                                    {'hq': 'gsw-b0', 'site1': 'gsw-b1'})
        self.assertEqual(counters.LinkBytes(out=30000, into=600), links['hq'])
        self.assertEqual(counters.LinkBytes(out=100, into=10000),
                         links['site1'])

    def test_a_counter_going_down_is_an_error(self):
        error = self.assertRaises(
            ValueError, counters.link_bytes, {'gsw-b0': (100, 100)},
            {'gsw-b0': (5, 200)}, {'hq': 'gsw-b0'})
        self.assertIn('gsw-b0', str(error))

    def test_figures_in_images(self):
        self.assertEqual(
            {'out_bytes': 3000, 'in_bytes': 100, 'out_images': 3.0,
             'in_images': 0.1},
            counters.LinkBytes(3000, 100).as_dict(1000))
