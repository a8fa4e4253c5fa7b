"""One verified copy between regions of the real local cloud, through the
``sequential`` strategy (one region, one read)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time

from glance_sync.regions import base
from glance_sync.transfer._strategies import impl_sequential
from glance_sync.transfer.targets import Target
from tests.functional.regions import helpers

MiB = 1024 * 1024


def copy_image(master, image, region, record=None):
    strategy = impl_sequential.SequentialStrategy()
    # One removal attempt: a region that is down stays down here.
    strategy.options = dataclasses.replace(strategy.options,
                                           cleanup_attempts=1)
    return strategy.copy(master, image, Target(region, record))


class CopyTest(helpers.RegionTestCase):

    def source(self, size: int, **attrs):
        made = self.make_image('RegionOne', size, **attrs)
        master = self.region('RegionOne')
        return master, master.get_image(made.id)

    def copies_named(self, region, name):
        return [i for i in region.list_images() if i.name == name]

    def test_64_mib_to_the_other_keystone(self):
        master, image = self.source(64 * MiB, nid='42', type='baseimage')
        other = self.region('other:RegionFour')
        copy = copy_image(master, image, other)
        self.delete_later(other, copy.id)
        self.assertEqual('active', copy.status)
        self.assertEqual(64 * MiB, copy.size)
        self.assertEqual((image.size, image.checksum, image.os_hash_algo,
                          image.os_hash_value),
                         (copy.size, copy.checksum, copy.os_hash_algo,
                          copy.os_hash_value))
        self.assertEqual('sha512', copy.os_hash_algo)
        self.assertEqual({'nid': '42', 'type': 'baseimage'},
                         copy.user_properties)
        self.assertEqual((image.name, image.visibility, 'raw', 'bare'),
                         (copy.name, copy.visibility, copy.disk_format,
                          copy.container_format))
        self.assertNotEqual(image.owner, copy.owner)  # another Keystone
        self.assertEqual([copy.id],
                         [i.id for i in self.copies_named(other, copy.name)])
        # What the other Glance serves is what the master holds.
        md5 = hashlib.md5()
        for chunk in other.download(copy.id):
            md5.update(chunk)
        self.assertEqual(image.checksum, md5.hexdigest())

    def test_record_chosen_by_the_caller(self):
        master, image = self.source(MiB, nid='42', secret='no')
        two = self.region('RegionTwo')
        record = image.copy(user_properties={'nid': '42'},
                            visibility='public', min_ram=512)
        copy = copy_image(master, image, two, record)
        self.delete_later(two, copy.id)
        self.assertEqual({'nid': '42'}, copy.user_properties)
        self.assertEqual(('public', 512), (copy.visibility, copy.min_ram))

    def test_corrupted_copy_detected_and_removed(self):
        master, image = self.source(8 * MiB)
        download = master.download

        def corrupted(image_id):
            # One bit flipped in the third chunk, on the wire between the
            # regions: the copy must notice and leave nothing behind.
            for number, chunk in enumerate(download(image_id)):
                if number == 2:
                    chunk = bytes([chunk[0] ^ 1]) + chunk[1:]
                yield chunk
        master.download = corrupted
        other = self.region('other:RegionFour')
        exc = self.assertRaises(base.CopyFailed, copy_image, master, image,
                                other)
        self.addCleanup(other.delete, exc.copy_id)
        message = str(exc)
        for part in (image.name, image.id, 'other:RegionFour', 'md5 differs',
                     image.checksum, 'sha512 differs', image.os_hash_value,
                     'was removed'):
            self.assertIn(part, message)
        self.assertEqual([], self.copies_named(other, image.name))
        self.assertRaises(base.ImageNotFound, other.get_image, exc.copy_id)

    def wait_saving(self, region, name, timeout=120):
        deadline = time.monotonic() + timeout
        while not any(i.status == 'saving'
                      for i in self.copies_named(region, name)):
            if time.monotonic() > deadline:
                self.fail('no copy %s saving in %s after %ds'
                          % (name, region.name, timeout))
            time.sleep(0.1)

    def test_destination_dies_midway(self):
        master, image = self.source(16 * MiB)
        three = self.region('RegionThree')
        download = master.download
        outage = contextlib.ExitStack()
        self.addCleanup(outage.close)

        def then_stop(image_id):
            for number, chunk in enumerate(download(image_id)):
                if number == 4:
                    # Once the copy's record exists and takes data: on a
                    # loaded machine the upload may not have begun yet.
                    self.wait_saving(three, image.name)
                    outage.enter_context(self.stop_glance('RegionThree'))
                yield chunk
        master.download = then_stop
        exc = self.assertRaises(base.CopyFailed, copy_image, master, image,
                                three)
        outage.close()  # RegionThree back
        self.addCleanup(three.delete, exc.copy_id)
        message = str(exc)
        self.assertIn('RegionThree', message)
        self.assertIsInstance(exc.__cause__, base.RegionUnavailable)
        # The region was down, so the partial copy could not be deleted;
        # the error says which one it is for the operator (or a retry).
        self.assertIn('%s could not be removed' % exc.copy_id, message)
        self.assertNotEqual('active', three.get_image(exc.copy_id).status)

    def test_source_not_active(self):
        master = self.region('RegionOne')
        queued = master.create_image(self.unique_name(),
                                     visibility='private', properties={})
        self.delete_later(master, queued.id)
        two = self.region('RegionTwo')
        exc = self.assertRaises(base.CopyFailed, copy_image, master, queued,
                                two)
        self.assertIn('queued, not active', str(exc))
        self.assertEqual([], self.copies_named(two, queued.name))
