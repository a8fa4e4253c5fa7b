import dataclasses
from unittest import mock

import fixtures
from oslotest import base

from glance_sync.conf import errors, legacy, native
from glance_sync.regions import base as regions_base
from glance_sync.regions import catalog
from glance_sync.regions.drivers import glance
from glance_sync.sync import cloud as sync_cloud
from glance_sync.sync import projects
from tests.unit.conf import test_targets
from tests.unit.manage import data


@mock.patch.object(catalog, 'discover_regions',
                   return_value=['R1', 'R2'])
class OnlineCloudTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        path, _, _ = data.write_cloud(folder)
        self.cloud = sync_cloud.OnlineCloud(legacy.load(path, (), {}))

    def test_region_of_the_catalog(self, discover):
        region = self.cloud.region('master:R2')
        self.assertIsInstance(region, glance.GlanceRegion)
        self.assertEqual('R2', region.name)
        self.assertIs(region, self.cloud.region('R2'))

    def test_one_session_per_target_shared_by_its_regions(self, discover):
        session = self.cloud.session('master')
        self.assertIs(session, self.cloud.session('master'))
        self.assertIsNot(session, self.cloud.session('other'))
        self.cloud.region('master:R2')
        self.assertIs(session, discover.call_args[0][0])

    def test_session_of_an_unknown_target(self, discover):
        self.assertRaises(errors.ConfigError, self.cloud.session, 'nowhere')

    def test_region_missing_from_the_catalog_is_a_usage_error(self, discover):
        # It used to reach Glance and fail as "unavailable" (exit 1).
        exc = self.assertRaises(sync_cloud.UnknownRegion,
                                self.cloud.region, 'other:R9')
        self.assertIn("unknown region 'other:R9': the catalog of target "
                      "other has no image endpoint there (regions: R1, R2)",
                      str(exc))
        discover.assert_called_with(mock.ANY, interface='public',
                                    target='other')

    def test_unreadable_catalog_fails_later_for_that_region_only(self,
                                                                  discover):
        # Checking early must not turn one Keystone that does not answer
        # into a failure of the whole command.
        discover.side_effect = regions_base.RegionUnavailable(
            'other', reason='connection refused')
        region = self.cloud.region('other:R9')
        self.assertIsInstance(region, glance.GlanceRegion)


@mock.patch.object(catalog, 'discover_regions',
                   return_value=['R', 'R1'])
class OnlineEndpointsTest(base.BaseTestCase):
    """A target's ``interface`` and ``endpoint_override`` reach Glance."""

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        path = '%s/glance-sync.conf' % folder
        with open(path, 'w') as f:
            f.write(test_targets.OVERRIDES)
        self.cloud = sync_cloud.OnlineCloud(native.load_files([path]))

    def test_catalog_read_on_the_interface(self, discover):
        self.assertEqual(['R', 'R1', 'R2', 'R3'],
                         self.cloud.regions_of('master'))
        discover.assert_called_once_with(mock.ANY, interface='internal',
                                         target='master')

    def test_region_of_the_catalog_uses_the_interface(self, discover):
        adapter = self.cloud.region('R1').client.http_client
        self.assertEqual('internal', adapter.interface)
        self.assertIsNone(adapter.endpoint_override)
        self.assertEqual('R1', adapter.region_name)

    def test_override_needs_no_catalog_entry(self, discover):
        adapter = self.cloud.region('R2').client.http_client
        self.assertEqual('http://10.0.0.2:9292/', adapter.endpoint_override)
        self.assertEqual('https://g3.example/image',
                         self.cloud.region('R3').client.http_client
                         .endpoint_override)


class OwnersTest(base.BaseTestCase):
    """Whose images each side counts: the master projects (resolved once),
    a target's project, and the master projects with copy_owner = master.
    """

    def cloud(self, master_projects=(), copy_owner='project'):
        folder = self.useFixture(fixtures.TempDir()).path
        path, _, _ = data.write_cloud(folder)
        config = legacy.load(path, (), {})
        settings = config.settings
        settings.targets['other'] = dataclasses.replace(
            settings.targets['other'], copy_owner=copy_owner)
        object.__setattr__(settings, 'master_projects',
                           tuple(master_projects))
        found = sync_cloud.OnlineCloud(config)
        ids = {'master': 'own-master', 'other': 'own-other'}
        self.useFixture(fixtures.MockPatchObject(
            found, 'tenant_id', side_effect=ids.get))
        return found

    def test_default_is_the_credentials_project(self):
        cloud = self.cloud()
        self.assertEqual(('own-master',), cloud.master_owners().ids)
        self.assertEqual(('own-other',), cloud.owners('other').ids)

    @mock.patch.object(projects, 'resolve', return_value=['a1', 'd1'])
    def test_master_projects_resolved_once(self, resolve):
        cloud = self.cloud(('admin', 'demo'), copy_owner='master')
        self.assertEqual(('a1', 'd1'), cloud.master_owners().ids)
        # The master region lists the master projects' images.
        self.assertEqual(('a1', 'd1'), cloud.listed_owners(
            'master', cloud.master_region).ids)
        # The target's own project first: its copies default to it.
        self.assertEqual(('own-other', 'a1', 'd1'), cloud.owners('other').ids)
        self.assertEqual(('own-master',), cloud.owners('master').ids)
        resolve.assert_called_once_with(mock.ANY, ('admin', 'demo'),
                                        mock.ANY)

    @mock.patch.object(projects, 'resolve', side_effect=errors.ConfigError(
        'f', 'target:master', 'master_projects', "unknown project 'x'"))
    def test_unknown_project_is_a_configuration_error(self, resolve):
        cloud = self.cloud(('x',))
        self.assertRaises(errors.ConfigError, cloud.master_owners)
