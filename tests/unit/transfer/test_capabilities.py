from unittest import mock

from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.regions.drivers import memory
from glance_sync.transfer import capabilities


class SizedRegion(memory.MemoryRegion, base.SizedUpload):
    """An in-memory region that declares a sized upload."""

    def __init__(self, name):
        super().__init__(name)
        self.sized = []

    def upload_sized(self, image_id, chunks, size):
        self.sized.append((image_id, size))
        return self.upload(image_id, chunks, size)


class UploadTest(test_base.BaseTestCase):

    def queued(self, region):
        return region.create_image('x', visibility='private', properties={})

    def test_sized_when_the_region_can_and_the_size_is_known(self):
        region = SizedRegion('R')
        record = self.queued(region)
        image = capabilities.upload(region, record.id, [b'ab'], 2)
        self.assertEqual(2, image.size)
        self.assertEqual([(record.id, 2)], region.sized)

    def test_unknown_size_uses_the_plain_upload(self):
        region = SizedRegion('R')
        record = self.queued(region)
        capabilities.upload(region, record.id, [b'ab'], None)
        self.assertEqual([], region.sized)

    def test_other_regions_use_their_own_upload(self):
        region = memory.MemoryRegion('R')
        record = self.queued(region)
        image = capabilities.upload(region, record.id, [b'ab'], 2)
        self.assertEqual(2, image.size)


class WithoutCapabilityTest(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.region = memory.MemoryRegion('R')

    def test_no_locations(self):
        self.assertEqual([], capabilities.locations(self.region, 'id1'))

    def test_cannot_pull(self):
        self.assertFalse(capabilities.can_pull(self.region))
        self.assertEqual([], capabilities.import_methods(self.region))
        self.assertRaises(TypeError, capabilities.start_download,
                          self.region, 'id1', self.region, 'id2')
        self.assertRaises(TypeError, capabilities.latest_task,
                          self.region, 'id1')


class WithCapabilityTest(test_base.BaseTestCase):

    def test_a_declared_importer_is_used(self):
        importer = type('Importer', (base.Region, base.RemoteImport), {})
        region = mock.Mock(spec=importer)
        region.import_methods.return_value = ['glance-download']
        self.assertTrue(capabilities.can_pull(region))
        self.assertEqual(['glance-download'],
                         capabilities.import_methods(region))
        capabilities.start_download(region, 'copy', region, 'master')
        region.start_download.assert_called_once_with('copy', region,
                                                      'master')
