import fixtures
from oslotest import base

from glance_sync.conf import legacy
from glance_sync.manage import regionargs
from glance_sync.sync import cloud as sync_cloud
from tests.unit.manage import data


class FakeOnline(sync_cloud.Cloud):
    """A cloud whose catalogs are given."""

    CATALOG = {'master': ['Master', 'R1', 'R2', 'R3'],
               'other': ['O1', 'O2']}

    def regions_of(self, target):
        return list(self.CATALOG[target])

    def tenant_id(self, target):
        return target + 'id'

    def _make_region(self, target, bare):
        raise AssertionError('not used')


class ExpandTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        path, _, self.backups = data.write_cloud(folder)
        self.config = legacy.load(path, (), {})
        self.online = FakeOnline(self.config)

    def test_none_means_master_target_but_ignored_and_master(self):
        self.assertEqual(['R1', 'R3'], regionargs.expand([], self.online))

    def test_none_offline_means_every_region_of_the_folder(self):
        offline = sync_cloud.OfflineCloud(self.config, self.backups)
        self.assertEqual(['other:O1', 'R1'], regionargs.expand([], offline))

    def test_explicit_regions_keep_order(self):
        self.assertEqual(['other:O2', 'R2', 'R1'], regionargs.expand(
            ['other:O2', 'master:R2', 'R1', 'R2'], self.online))

    def test_whole_target_follows_preferable_order(self):
        self.assertEqual(['other:O1', 'R1', 'R3', 'other:O2'],
                         regionargs.expand(['master:', 'other:'],
                                           self.online))

    def test_unknown_target(self):
        exc = self.assertRaises(sync_cloud.UnknownRegion,
                                regionargs.expand, ['x:R'], self.online)
        self.assertIn("unknown target 'x' in region argument 'x:R'",
                      str(exc))
        self.assertRaises(sync_cloud.UnknownRegion, regionargs.expand,
                          ['x:'], self.online)

    def test_every_region(self):
        found = regionargs.every_region(self.online)
        self.assertIn(('master', 'Master', False), found)
        self.assertIn(('master', 'R2', True), found)
        self.assertIn(('other', 'other:O2', False), found)


class OfflineCloudTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        path, _, self.backups = data.write_cloud(folder)
        self.config = legacy.load(path, (), {})
        self.cloud = sync_cloud.OfflineCloud(self.config, self.backups)

    def test_tenant_is_project_name_plus_id(self):
        self.assertEqual('t1id', self.cloud.tenant_id('master'))
        self.assertEqual('t2id', self.cloud.tenant_id('other'))

    def test_regions_are_shared(self):
        region = self.cloud.region('master:R1')
        self.assertIs(region, self.cloud.region('R1'))
        self.assertEqual('t1id', region.tenant_id)
        self.assertEqual('Master', self.cloud.master().name)

    def test_save_writes_back(self):
        region = self.cloud.region('R2')
        region.create_image('x', visibility='private', properties={})
        self.cloud.save(region)
        again = sync_cloud.OfflineCloud(self.config, self.backups)
        self.assertEqual(['x'], [i.name for i in
                                 again.region('R2').list_images(True)])
