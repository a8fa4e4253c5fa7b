from unittest import mock

from glanceclient import exc as glance_exc
from oslotest import base

from glance_sync.regions import base as regions_base
from glance_sync.regions.drivers import glance_attributes


class _Region(glance_attributes.GlanceAttributes):
    name = 'Burgos'

    def __init__(self):
        self._client = mock.Mock()

    @property
    def client(self):
        return self._client


class GlanceAttributesTest(base.BaseTestCase):

    def test_one_patch_then_tags(self):
        region = _Region()
        region.set_attributes('i1', add_tags=['b', 'a'], remove_tags=['c'],
                              protected=False, min_ram=64)
        client = region.client
        client.images.update.assert_called_once_with('i1', protected=False,
                                                     min_ram=64)
        self.assertEqual([mock.call('i1', 'a'), mock.call('i1', 'b')],
                         client.image_tags.update.call_args_list)
        client.image_tags.delete.assert_called_once_with('i1', 'c')

    def test_tags_only_patch_nothing(self):
        region = _Region()
        region.set_attributes('i1', add_tags=['a'])
        region.client.images.update.assert_not_called()

    def test_errors_are_region_errors(self):
        region = _Region()
        region.client.image_tags.update.side_effect = (
            glance_exc.HTTPNotFound('gone'))
        self.assertRaises(regions_base.ImageNotFound, region.set_attributes,
                          'i1', add_tags=['a'])
