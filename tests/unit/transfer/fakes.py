"""A small in-memory region that behaves like Glance where copies care.

Unlike the memory driver it lets a test break things on purpose: corrupt
what is stored, fail after some bytes, refuse to delete.
"""

import hashlib
import itertools
import os

from glance_sync.regions import base
from glance_sync.regions.drivers import memory


class FakeRegion(base.Region):

    def __init__(self, name, hash_algo='sha512'):
        super().__init__(name)
        self.hash_algo = hash_algo
        self.images = {}
        self.data = {}
        self.downloads = 0
        #: Length of every chunk received by upload().
        self.received = []
        #: Called with the bytes received; returns the bytes stored.
        self.store_filter = None
        #: Raised by upload() once this many bytes have arrived.
        self.fail_after = None
        self.fail_create = None
        self.fail_delete = None
        self._ids = itertools.count(1)

    def add(self, name, data, **fields):
        image = self.create_image(name, visibility='private',
                                  properties={}, **fields)
        return self.upload(image.id, [data])

    def list_images(self, include_public=False):
        return list(self.images.values())

    def get_image(self, image_id):
        try:
            return self.images[image_id].copy()
        except KeyError:
            raise base.ImageNotFound(self.name, image=image_id) from None

    def create_image(self, name, *, visibility, properties,
                     disk_format=None, container_format=None, min_disk=0,
                     min_ram=0, image_id=None, owner=None):
        if self.fail_create:
            raise self.fail_create
        image_id = image_id or 'id-%d' % next(self._ids)
        self.images[image_id] = base.Image(
            id=image_id, name=name, region=self.name, owner=owner or 'p',
            visibility=visibility, status='queued', size=None,
            checksum=None, user_properties=dict(properties),
            disk_format=disk_format, container_format=container_format,
            min_disk=min_disk, min_ram=min_ram)
        return self.get_image(image_id)

    def upload(self, image_id, chunks, size=None):
        image = self.images[image_id]
        if image.status != 'queued':
            raise base.Conflict(self.name, image=image_id, reason='status')
        received = bytearray()
        image.status = 'saving'
        try:
            for chunk in chunks:
                self.received.append(len(chunk))
                received += chunk
                if (self.fail_after is not None
                        and len(received) >= self.fail_after):
                    raise base.RegionUnavailable(self.name,
                                                 reason='disk full')
        except BaseException:
            image.status = 'queued'  # as Glance does after a failed upload
            raise
        data = bytes(received)
        if self.store_filter:
            data = self.store_filter(data)
        self.data[image_id] = data
        image.status = 'active'
        image.size = len(data)
        image.checksum = hashlib.md5(data).hexdigest()
        image.os_hash_algo = self.hash_algo
        image.os_hash_value = hashlib.new(self.hash_algo, data).hexdigest()
        return self.get_image(image_id)

    def update(self, image_id, *, name=None, visibility=None,
               set_properties=None, remove_properties=()):
        raise NotImplementedError

    def deactivate(self, image_id):
        raise NotImplementedError

    def reactivate(self, image_id):
        raise NotImplementedError

    def delete(self, image_id):
        if self.fail_delete:
            raise self.fail_delete
        self.images.pop(image_id, None)
        self.data.pop(image_id, None)

    def download(self, image_id):
        data = self.data[image_id]
        self.downloads += 1
        return iter([data[i:i + 1000] for i in range(0, len(data), 1000)])


class StrategyTestCase:
    """Mixin: a master MemoryRegion holding one image with data, and
    in-memory targets. Use with a BaseTestCase."""

    SIZE = 300 * 1024 + 17

    def make_master(self, data=None):
        self.data = os.urandom(self.SIZE) if data is None else data
        self.master = memory.MemoryRegion('RegionOne', tenant_id='t')
        record = self.master.create_image(
            'cirros', visibility='public', properties={'type': 'base'},
            disk_format='qcow2', container_format='bare', min_ram=64)
        self.image = self.master.upload(record.id, [self.data],
                                        size=len(self.data))
        self.master.reset_calls()
        return self.master, self.image

    def memory_region(self, name):
        return memory.MemoryRegion(name, tenant_id='t-' + name)

    def corrupt_master(self, position=None):
        """Flip one bit of the master's data as it is downloaded."""
        download = self.master.download
        position = self.SIZE // 2 if position is None else position

        def corrupted(image_id):
            seen = 0
            for chunk in download(image_id):
                if seen <= position < seen + len(chunk):
                    offset = position - seen
                    chunk = (chunk[:offset] + bytes([chunk[offset] ^ 1])
                             + chunk[offset + 1:])
                seen += len(chunk)
                yield chunk
        self.master.download = corrupted

    def assert_copy(self, copy, region):
        """An active copy with the master's record and data."""
        self.assertEqual('active', copy.status)
        self.assertEqual(region.name, copy.region)
        for field in ('name', 'visibility', 'disk_format', 'container_format',
                      'min_ram', 'user_properties', 'size', 'checksum',
                      'os_hash_algo', 'os_hash_value'):
            self.assertEqual(getattr(self.image, field),
                             getattr(copy, field), field)
        data = b''.join(region.download(copy.id))
        self.assertEqual(self.data, data)
