"""The local cloud's layout: default topology, N regions, placed hosts."""

from __future__ import annotations

import pathlib

import testtools

from tools.localcloud import layout as lay


class RegionCountTest(testtools.TestCase):

    def test_the_default_is_the_two_keystone_four_region_topology(self):
        cloud = lay.Layout(pathlib.Path('/srv/cloud'), 20000)
        self.assertEqual(
            ['keystone-a', 'keystone-b', 'glance-RegionOne',
             'glance-RegionTwo', 'glance-RegionThree', 'glance-RegionFour'],
            cloud.services())
        self.assertEqual(lay.PORTS_PER_CLOUD, lay.ports_per_cloud())
        self.assertEqual(6, lay.PORTS_PER_CLOUD)

    def test_n_regions_are_added_to_the_master_keystone(self):
        cloud = lay.Layout(pathlib.Path('/srv/cloud'), 30000, 7)
        master, other = cloud.keystones
        self.assertEqual(
            ('RegionOne', 'RegionTwo', 'RegionThree', 'Region4', 'Region5',
             'Region6', 'Region7', 'Region8'), master.regions)
        self.assertEqual(('RegionFour',), other.regions)
        self.assertEqual(11, lay.ports_per_cloud(7))
        # Consecutive ports: Keystones, then glance-apis in region order.
        self.assertEqual(30002, cloud.port('glance-RegionOne'))
        self.assertEqual(30009, cloud.port('glance-Region8'))
        self.assertEqual(30010, cloud.port('glance-RegionFour'))
        self.assertEqual('keystone-a', cloud.keystone_of('Region6').name)

    def test_one_region_besides_the_master(self):
        self.assertEqual(('RegionOne', 'RegionTwo'), lay.master_regions(1))

    def test_no_region_besides_the_master_is_refused(self):
        error = self.assertRaises(ValueError, lay.master_regions, 0)
        self.assertIn('at least one region besides RegionOne', str(error))


class HostTest(testtools.TestCase):

    def test_a_placed_glance_is_listed_and_reached_at_its_addresses(self):
        host = lay.Host('10.77.0.11', 'gsw-s1', '10.78.0.11')
        cloud = lay.Layout(pathlib.Path('/srv/cloud'), 30000, 7,
                           {'glance-Region4': host})
        self.assertEqual('http://10.77.0.11:30005',
                         cloud.url('glance-Region4'))
        self.assertEqual('http://10.78.0.11:30005',
                         cloud.reach_url('glance-Region4'))
        self.assertEqual(('10.77.0.11', '10.78.0.11'), host.binds)
        self.assertEqual('http://127.0.0.1:30004',
                         cloud.url('glance-RegionThree'))
        self.assertEqual(cloud.url('glance-RegionThree'),
                         cloud.reach_url('glance-RegionThree'))

    def test_a_host_without_reach_address_binds_once(self):
        self.assertEqual(('10.0.0.1',), lay.Host('10.0.0.1').binds)

    def test_an_unknown_service_is_refused(self):
        error = self.assertRaises(
            KeyError, lay.Layout, pathlib.Path('/srv/cloud'), 30000, 2,
            {'glance-Region9': lay.Host('10.0.0.1')})
        self.assertIn('glance-Region9', str(error))


class BasePortTest(testtools.TestCase):

    def test_a_larger_cloud_gets_a_block_that_fits(self):
        base = lay.default_base_port(pathlib.Path('/srv/nowhere'), 11)
        self.assertEqual(0, base % 20)
        self.assertTrue(20000 <= base <= 39980)
