"""Glance v2 image documents to Image records."""

from oslotest import base as test_base

from glance_sync.regions.drivers import glance_image


class CoreAttributesTest(test_base.BaseTestCase):

    def test_match_the_installed_glance(self):
        try:
            from glance.api.v2 import images
        except ImportError as exc:  # glance is a test requirement
            self.skipTest('glance is not installed: %s' % exc)
        self.assertEqual(set(images.get_base_properties()),
                         set(glance_image.CORE_ATTRIBUTES))


class ToImageTest(test_base.BaseTestCase):

    def test_queued_record(self):
        raw = {'id': 'i1', 'name': None, 'status': 'queued',
               'visibility': 'shared', 'owner': 'p1', 'size': None,
               'checksum': None, 'os_hash_algo': None,
               'os_hash_value': None, 'disk_format': None,
               'container_format': None, 'min_disk': 0, 'min_ram': 0,
               'protected': False, 'tags': [], 'nid': '42'}
        image = glance_image.to_image(raw, 'Soria')
        self.assertEqual('', image.name)
        self.assertEqual('Soria', image.region)
        self.assertIsNone(image.size)
        self.assertEqual({'nid': '42'}, image.user_properties)

    def test_reserved_and_core_keys_are_not_properties(self):
        raw = {'id': 'i1', 'status': 'active', 'kernel_id': 'k',
               'os_glance_failed_import': '', 'stores': 'local',
               'direct_url': 'file:///x', 'locations': []}
        self.assertEqual({'kernel_id': 'k'},
                         glance_image.user_properties(raw))
        self.assertFalse(glance_image.to_image(raw, 'R').is_public)


class TagsAndProtectionTest(test_base.BaseTestCase):

    def test_read(self):
        image = glance_image.to_image(
            {'id': 'i1', 'status': 'active', 'tags': ['b', 'a'],
             'protected': True}, 'Burgos')
        self.assertEqual((frozenset({'a', 'b'}), True),
                         (image.tags, image.protected))
        self.assertNotIn('tags', image.user_properties)
