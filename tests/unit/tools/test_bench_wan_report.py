"""The WAN benchmark's tables."""

from __future__ import annotations

import io

import testtools

from tools.bench_wan import report


def _scenario(ok, wall, out, verified=2, expected=2):
    copies = {'Region%d' % i: {'active_s': wall, 'verified': i < verified}
              for i in range(expected)}
    return {'ok': ok, 'wall_s': wall, 'master_out_images': out,
            'expected_copies': expected, 'copies': copies,
            'links': {'hq': {'out_images': out, 'in_images': 0.05},
                      'site1': {'out_images': 0.01, 'in_images': 1.02}}}


RESULTS = {'regions': 2, 'rate': 1048576, 'size': 10485760, 'layouts': {
    'grouped': {'scenarios': {
        'star': _scenario(True, 40.0, 2.06),
        'relay': _scenario(True, 20.0, 1.03),
        'glance-download': _scenario(False, 50.0, 2.1, verified=1)}}}}


class RowsTest(testtools.TestCase):

    def test_ratios_against_star_of_the_same_layout(self):
        rows = report.rows(RESULTS)
        self.assertEqual(('grouped', 'star', 'ok', '40.0', '1.00', '2.06',
                          '1.00', '2/2'), rows[0])
        self.assertEqual(('grouped', 'relay', 'ok', '20.0', '0.50', '1.03',
                          '0.50', '2/2'), rows[1])

    def test_a_failed_scenario_gets_no_figure(self):
        row = report.rows(RESULTS)[2]
        self.assertEqual(('grouped', 'glance-download', 'FAILED', '-', '-',
                          '-', '-', '1/2'), row)

    def test_no_ratio_without_a_good_star(self):
        results = {**RESULTS, 'layouts': {'grouped': {'scenarios': {
            'star': _scenario(False, 40.0, 2.0, verified=0),
            'relay': _scenario(True, 20.0, 1.0)}}}}
        self.assertEqual(('grouped', 'relay', 'ok', '20.0', '-', '1.00', '-',
                          '2/2'), report.rows(results)[1])

    def test_links(self):
        self.assertEqual(('grouped', 'star',
                          'hq 2.06/0.05  site1 0.01/1.02'),
                         report.link_rows(RESULTS)[0])

    def test_printed_tables(self):
        out = io.StringIO()
        report.print_tables(RESULTS, out)
        text = out.getvalue()
        self.assertIn('N = 2 regions besides the master, every site link '
                      '1.00 MiB/s both ways, image 10.0 MiB (one link-time '
                      '10.0 s)', text)
        self.assertIn('master out (images)', text)
        self.assertIn('relay', text)
