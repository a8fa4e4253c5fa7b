from unittest import mock

import fixtures
from oslotest import base

from glance_sync.api import errors, regions
from glance_sync.regions import base as regions_base
from glance_sync.sync import cloud


class FakeClock:
    now = 100.0

    def __call__(self):
        return self.now


class RegionDirectoryTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.cloud = mock.Mock()
        self.cloud.config.settings.targets = {'master': None, 'other': None}
        self.cloud.master_region = 'RegionOne'
        self.cloud.regions_of.side_effect = lambda target: {
            'master': ['RegionOne', 'RegionTwo'], 'other': ['RegionFour']
        }[target]
        self.clock = FakeClock()
        self.directory = regions.RegionDirectory(self.cloud, 60, self.clock)

    def test_resolves_qualified_names(self):
        self.assertEqual('RegionTwo', self.directory.resolve('RegionTwo'))
        self.assertEqual('RegionTwo',
                         self.directory.resolve('master:RegionTwo'))
        self.assertEqual('other:RegionFour',
                         self.directory.resolve('other:RegionFour'))

    def test_unknown_regions(self):
        for name in ('RegionFour', 'other:RegionTwo', 'x:RegionTwo',
                     'other:', ''):
            self.assertRaises(errors.UnknownRegion, self.directory.resolve,
                              name)

    def test_master_region(self):
        exc = self.assertRaises(errors.MasterRegion, self.directory.resolve,
                                'RegionOne')
        self.assertEqual(400, exc.code)

    def test_catalog_is_cached_per_target(self):
        for _ in range(3):
            self.directory.resolve('RegionTwo')
        self.directory.resolve('other:RegionFour')
        self.assertEqual(2, self.cloud.regions_of.call_count)
        self.clock.now += 61
        self.directory.resolve('RegionTwo')
        self.assertEqual(3, self.cloud.regions_of.call_count)

    def test_keystone_down_is_503_naming_the_target(self):
        self.cloud.regions_of.side_effect = regions_base.RegionUnavailable(
            'other', reason='connection refused')
        exc = self.assertRaises(errors.ServiceUnavailable,
                                self.directory.resolve, 'other:RegionFour')
        self.assertEqual(503, exc.code)
        self.assertIn('Region other is unavailable: connection refused',
                      str(exc))

    def test_glance_down_is_503(self):
        self.cloud.master.side_effect = regions_base.RegionUnavailable(
            'RegionOne', reason='timed out')
        exc = self.assertRaises(errors.ServiceUnavailable,
                                self.directory.plan, 'RegionTwo')
        self.assertIn('RegionOne', str(exc))

    def test_region_gone_since_the_cache_was_filled_is_410(self):
        self.cloud.region.side_effect = cloud.UnknownRegion(None,
                                                            reason='gone')
        self.useFixture(fixtures.MockPatch(
            'glance_sync.sync.syncing.master_index'))
        self.assertRaises(errors.UnknownRegion, self.directory.plan,
                          'RegionTwo')
