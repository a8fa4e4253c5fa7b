"""The WAN benchmark's plan: sites, addresses, link costs, settings."""

from __future__ import annotations

import configparser

import testtools

from tools.bench_wan import plan

REGIONS = ('RegionTwo', 'RegionThree', 'Region4', 'Region5', 'Region6',
           'Region7', 'Region8')


class LayoutTest(testtools.TestCase):

    def test_per_region_makes_a_site_of_each_region(self):
        sites = plan.plan_sites('per-region', 'RegionOne', REGIONS)
        self.assertEqual(8, len(sites))
        self.assertEqual(('hq', ('RegionOne',)),
                         (sites[0].name, sites[0].regions))
        self.assertEqual([(r,) for r in REGIONS],
                         [s.regions for s in sites[1:]])
        self.assertEqual(['site%d' % i for i in range(1, 8)],
                         [s.name for s in sites[1:]])

    def test_grouped_spreads_seven_regions_three_two_two(self):
        sites = plan.plan_sites('grouped', 'RegionOne', REGIONS)
        self.assertEqual([('RegionOne',),
                          ('RegionTwo', 'RegionThree', 'Region4'),
                          ('Region5', 'Region6'), ('Region7', 'Region8')],
                         [s.regions for s in sites])

    def test_grouped_with_fewer_regions_than_sites(self):
        sites = plan.plan_sites('grouped', 'RegionOne', ('RegionTwo',))
        self.assertEqual([('RegionOne',), ('RegionTwo',)],
                         [s.regions for s in sites])

    def test_an_unknown_layout_is_refused(self):
        error = self.assertRaises(ValueError, plan.plan_sites, 'ring',
                                  'RegionOne', REGIONS)
        self.assertIn("unknown layout 'ring'", str(error))

    def test_each_site_has_its_own_names_and_addresses(self):
        site = plan.plan_sites('per-region', 'RegionOne', REGIONS)[3]
        self.assertEqual(
            ('gsw-s3', '10.77.0.13', '10.78.0.13', 'gsw-d3', 'gsw-b3',
             'gsw-c3', 'gsw-h3'),
            (site.netns, site.data_address, site.ctl_address, site.data_dev,
             site.core_dev, site.ctl_dev, site.host_dev))
        # Linux limits interface names to 15 characters.
        self.assertLessEqual(len(site.core_dev), 15)

    def test_site_of(self):
        sites = plan.plan_sites('grouped', 'RegionOne', REGIONS)
        self.assertEqual('site2', plan.site_of(sites, 'Region6').name)
        self.assertRaises(KeyError, plan.site_of, sites, 'Region9')


class SettingsTest(testtools.TestCase):

    sites = plan.plan_sites('grouped', 'RegionOne', REGIONS)

    def test_the_master_sites_links_cost_more(self):
        self.assertEqual(
            {'hq': 'site1:100, site2:100, site3:100',
             'site1': 'site2:10, site3:10', 'site2': 'site3:10'},
            plan.link_costs(self.sites))

    def test_star_always_runs_first(self):
        self.assertEqual(['star', 'relay'], plan.with_baseline(['relay']))
        self.assertEqual(['star', 'zero-copy', 'relay'], plan.with_baseline(
            ['zero-copy', 'star', 'relay', 'zero-copy']))

    def test_relay_runs_a_site_worker_per_site(self):
        self.assertEqual(['hq', 'site1', 'site2', 'site3'],
                         [s.name for s in plan.daemon_sites('relay',
                                                            self.sites)])
        for name in ('star', 'glance-download', 'zero-copy'):
            self.assertEqual(['hq'], [s.name for s in plan.daemon_sites(
                name, self.sites)])
        self.assertRaises(ValueError, plan.daemon_sites, 'ring', self.sites)

    def sections(self, scenario):
        sections = plan.sync_sections(scenario, self.sites, 'tok',
                                      '/srv/master/images/')
        # What glance-sync reads: an ini file.
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_dict(sections)
        return parser

    def test_every_scenario_declares_sites_and_links(self):
        for scenario in plan.SCENARIOS:
            conf = self.sections(scenario)
            self.assertEqual('site2', conf['region:Region5']['site'])
            self.assertEqual('hq', conf['region:RegionOne']['site'])
            self.assertEqual('site2:10, site3:10',
                             conf['site:site1']['link_costs'])
            self.assertEqual('master', conf['sync']['targets'])
            self.assertIn("'gs_bench') == 'tok'",
                          conf['sync']['metadata_condition'])

    def test_strategies(self):
        self.assertEqual('stream', self.sections('star')['target:master'][
            'transfer_strategy'])
        self.assertEqual('glance-download', self.sections(
            'glance-download')['target:master']['transfer_strategy'])

    def test_relay_turns_relays_on(self):
        conf = self.sections('relay')
        self.assertEqual('true', conf['transfer']['relay'])
        self.assertEqual('1', conf['transfer']['copies_per_source'])
        self.assertFalse(self.sections('star').has_section('transfer'))

    def test_zero_copy_regions_read_their_sites_export(self):
        conf = self.sections('zero-copy')
        self.assertEqual('file:///srv/master/images/ -> '
                         'http://10.77.0.12:8080/',
                         conf['region:Region6']['share_store'])
        self.assertNotIn('share_store', conf['region:RegionOne'])
        self.assertNotIn('share_store', self.sections('star')[
            'region:Region6'])
