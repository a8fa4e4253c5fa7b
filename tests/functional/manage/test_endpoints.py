"""A target's ``interface`` and ``endpoint_override`` against real Keystone.

Keystone A's catalog has a region, ``RegionTwoInternal``, with an internal
image endpoint only (RegionTwo's glance-api, see tools/localcloud/
layout.py): it is a region of the master target only when the target's
``interface`` is ``internal``, or when ``endpoint_override`` names it.
"""

from tests.functional.manage import base
from tools.localcloud import layout

INTERNAL = 'RegionTwoInternal'


class EndpointsTest(base.ManageTestCase):

    def setUp(self):
        super().setUp()
        self.served_by = layout.INTERNAL_ONLY_REGIONS[INTERNAL]
        self.use_region(self.served_by)

    def test_internal_interface_reaches_the_internal_only_region(self):
        image = self.master_image('internal')
        conf = self.native_config({'target:master': {
            'interface': 'internal'}})
        self.manage(conf, 'sync', INTERNAL, rc=0)
        copy = self.one_image(self.served_by, image.name)
        self.assertEqual(image.checksum, copy.checksum)

    def test_public_interface_skips_it(self):
        self.master_image('public')
        result = self.manage(self.native_config(), 'sync', INTERNAL, rc=2)
        self.assertIn("unknown region '%s'" % INTERNAL, result.stderr)

    def test_endpoint_override_needs_no_catalog_entry(self):
        image = self.master_image('override')
        url = self.cloud.region(self.served_by).url
        conf = self.native_config({'target:master': {
            'endpoint_override': '%s:%s' % (INTERNAL, url)}})
        self.manage(conf, 'sync', INTERNAL, rc=0)
        self.one_image(self.served_by, image.name)
