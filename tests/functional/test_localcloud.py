"""The local cloud itself: the ground every other functional test stands on."""

import urllib.parse

from glanceclient import exc as glance_exc

from tests.functional import base
from tools.localcloud import layout, procs


class LocalCloudTest(base.FunctionalTestCase):

    def test_sync_users_get_tokens(self):
        for name, target in self.cloud.targets.items():
            sess = self.cloud.session(name)
            self.assertTrue(sess.get_token(), name)
            self.assertEqual(target.credentials.project_id,
                             sess.get_project_id(), name)
            self.assertEqual(target.credentials.user_id,
                             sess.get_user_id(), name)

    def test_catalogs_list_exactly_their_regions(self):
        for name, target in self.cloud.targets.items():
            sess = self.session(name)
            catalog = sess.auth.get_access(sess).service_catalog
            endpoints = catalog.get_endpoints(service_type='image')['image']
            by_region = {}
            for endpoint in endpoints:
                by_region.setdefault(endpoint['region_id'], {})[
                    endpoint['interface']] = endpoint['url']
            internal = (layout.INTERNAL_ONLY_REGIONS
                        if name == layout.MASTER_TARGET else {})
            self.assertEqual(sorted([*target.regions, *internal]),
                             sorted(by_region), name)
            for region, urls in by_region.items():
                if region in internal:
                    url = self.cloud.region(internal[region]).url
                    self.assertEqual({'internal': url}, urls, region)
                    continue
                url = self.cloud.region(region).url
                self.assertEqual({'public': url, 'internal': url,
                                  'admin': url}, urls, region)

    def test_every_glance_lists_images(self):
        for region in self.cloud.regions.values():
            images = list(self.glance(region.qualified_name).images.list(
                limit=1))
            self.assertIsInstance(images, list, region.name)

    def test_upload_to_master_becomes_active(self):
        image = self.make_image('RegionOne', 64 * 1024)
        self.assertEqual(64 * 1024, image.size)
        # The ``store`` transfer strategy reads this file directly.
        path = urllib.parse.urlparse(image.direct_url).path
        self.assertTrue(path.startswith(self.cloud.master_store_dir), path)

    def test_demo_user_cannot_publicize(self):
        glance = self.glance('RegionOne', self.user_session('demo'))
        image = glance.images.create(name='functional-demo',
                                     disk_format='raw',
                                     container_format='bare')
        self.addCleanup(self.delete_image, 'RegionOne', image.id)
        self.assertRaises(glance_exc.HTTPForbidden, glance.images.update,
                          image.id, visibility='public')


class StopGlanceTest(base.FunctionalTestCase):

    def test_stopped_region_does_not_answer_then_comes_back(self):
        region = self.cloud.region('RegionThree')
        with self.stop_glance('RegionThree'):
            self.assertFalse(procs.answers(region.url + '/healthcheck'))
        self.assertTrue(procs.answers(region.url + '/healthcheck'))
        self.assertEqual([], list(self.glance('RegionThree').images.list(
            filters={'name': 'no-such-image'})))
