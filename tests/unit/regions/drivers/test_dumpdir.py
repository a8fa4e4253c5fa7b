import dataclasses
import os

import fixtures
from oslotest import base

from glance_sync import digests
from glance_sync.regions import base as regions_base
from glance_sync.regions import dumpfile
from glance_sync.regions.drivers.dumpdir import DumpRegion
from glance_sync.regions.drivers.memory import MemoryRegion

DATA = os.urandom(5000)


def write_dump(folder, data=DATA):
    """A dump folder with two images: ``full`` (data) and ``meta``."""
    region = MemoryRegion('RegionOne', tenant_id='p1')
    new = region.create_image('full', visibility='public', properties={})
    full = region.upload(new.id, [data])
    meta = region.create_image('meta', visibility='public', properties={})
    manifest = dumpfile.Manifest('RegionOne', 'p1')
    for image, with_data in ((full, True), (meta, False)):
        entry = dumpfile.Entry.of(image, with_data)
        manifest.images[image.id] = entry
        dumpfile.write_json(os.path.join(folder, entry.metadata),
                            dumpfile.image_to_record(image))
    with open(os.path.join(folder, manifest.images[full.id].data),
              'wb') as stream:
        stream.write(data)
    manifest.write(folder)
    return full, meta


class DumpRegionTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.full, self.meta = write_dump(self.dir)

    def region(self):
        return DumpRegion(self.dir, chunk_size=1024)

    def test_lists_the_records(self):
        region = self.region()
        self.assertEqual('dump:%s' % self.dir, region.name)
        found = {i.name: i for i in region.list_images()}
        self.assertEqual(self.full.copy(region=region.name), found['full'])
        self.assertEqual({'full', 'meta'}, set(found))
        self.assertTrue(region.has_data(self.full.id))
        self.assertFalse(region.has_data(self.meta.id))
        self.assertRaises(regions_base.ImageNotFound, region.get_image, 'x')

    def test_download_verified(self):
        chunks = list(self.region().download(self.full.id))
        self.assertEqual(DATA, b''.join(chunks))
        self.assertEqual(1024, len(chunks[0]))

    def test_corrupt_file_detected_before_any_byte(self):
        path = os.path.join(self.dir, self.full.id + '.img')
        with open(path, 'r+b') as stream:
            stream.write(b'?')
        exc = self.assertRaises(digests.DigestMismatch, self.region().download,
                                self.full.id)
        self.assertIn(path + ': md5 differs', str(exc))

    def test_record_only(self):
        exc = self.assertRaises(regions_base.ImageNotFound,
                                self.region().download, self.meta.id)
        self.assertIn('dumped without its data', str(exc))

    def test_missing_data_file(self):
        os.remove(os.path.join(self.dir, self.full.id + '.img'))
        exc = self.assertRaises(dumpfile.DumpFormatError, self.region)
        self.assertIn("missing data file of image '%s' ('full')"
                      % self.full.id, str(exc))

    def test_record_that_does_not_match_the_manifest(self):
        path = os.path.join(self.dir, self.full.id + '.json')
        dumpfile.write_json(path, dumpfile.image_to_record(
            self.full.copy(checksum='other')))
        exc = self.assertRaises(dumpfile.DumpFormatError, self.region)
        self.assertEqual(path, exc.path)

    def test_read_only(self):
        region = self.region()
        for call in (lambda: region.create_image('x', visibility='public',
                                                 properties={}),
                     lambda: region.upload(self.full.id, []),
                     lambda: region.update(self.full.id, name='y'),
                     lambda: region.deactivate(self.full.id),
                     lambda: region.reactivate(self.full.id),
                     lambda: region.delete(self.full.id)):
            exc = self.assertRaises(regions_base.Refused, call)
            self.assertIn('read-only', str(exc))
        self.assertEqual(2, len(region.list_images()))


class HostileFolderTest(base.BaseTestCase):
    """A folder from elsewhere: nothing outside it is ever read."""

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.outside = self.useFixture(fixtures.TempDir()).path
        self.full, self.meta = write_dump(self.dir)

    def path(self, image, suffix):
        return os.path.join(self.dir, image.id + suffix)

    def move_out(self, path):
        """Move a file outside the folder, leaving a link to it."""
        target = os.path.join(self.outside, os.path.basename(path))
        os.rename(path, target)
        os.symlink(target, path)
        return target

    def assertRefused(self, path, *words):
        exc = self.assertRaises(dumpfile.DumpFormatError, DumpRegion,
                                self.dir)
        self.assertEqual(path, exc.path)
        for word in words:
            self.assertIn(word, str(exc))
        return exc

    def test_linked_data_file(self):
        # Even a link to the very same bytes: a link is not followed.
        path = self.path(self.full, '.img')
        self.move_out(path)
        self.assertRefused(path, 'not a regular file', repr(self.full.id))

    def test_linked_metadata_file(self):
        for image in (self.full, self.meta):
            path = self.path(image, '.json')
            target = self.move_out(path)
            self.assertRefused(path, 'symbolic link')
            os.remove(path)
            os.rename(target, path)

    def test_data_linked_to_another_file_of_the_folder(self):
        path = self.path(self.full, '.img')
        os.remove(path)
        os.symlink(self.path(self.meta, '.json'), path)
        self.assertRefused(path, 'not a regular file')

    def test_data_that_is_a_fifo(self):
        path = self.path(self.full, '.img')
        os.remove(path)
        os.mkfifo(path)
        self.assertRefused(path, 'not a regular file')

    def test_truncated_data_refused_before_anything_is_read(self):
        path = self.path(self.full, '.img')
        os.truncate(path, len(DATA) - 1)
        self.assertRefused(path, 'has %d bytes, the manifest says %d'
                           % (len(DATA) - 1, len(DATA)))

    def test_entry_naming_another_images_files(self):
        manifest = dumpfile.Manifest.read(self.dir)
        entry = manifest.images[self.meta.id]
        manifest.images[self.meta.id] = dataclasses.replace(
            entry, data=manifest.images[self.full.id].data, size=len(DATA),
            checksum=self.full.checksum)
        manifest.write(self.dir)
        self.assertRefused(os.path.join(self.dir, 'manifest.json'),
                           repr(self.meta.id), 'data file')

    def test_record_of_another_image(self):
        dumpfile.write_json(self.path(self.meta, '.json'),
                            dumpfile.image_to_record(self.full))
        self.assertRefused(self.path(self.meta, '.json'), 'does not match')

    def test_record_with_another_hash_algorithm(self):
        dumpfile.write_json(self.path(self.full, '.json'),
                            dumpfile.image_to_record(
                                self.full.copy(os_hash_algo='md5')))
        self.assertRefused(self.path(self.full, '.json'), 'does not match')

    def test_data_swapped_for_a_link_after_the_check(self):
        region = DumpRegion(self.dir)
        self.move_out(self.path(self.full, '.img'))
        self.assertRaises(OSError, region.download, self.full.id)
