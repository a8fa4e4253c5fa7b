"""The master catalog: kept from tasks, replaced by passes."""

from __future__ import annotations

import threading

from oslotest import base

from glance_sync.daemon.master_catalog import MasterCatalog
from glance_sync.images import Image
from glance_sync.regions.base import Region
from glance_sync.regions.drivers.memory import MemoryRegion


def _image(image_id: str, name: str, **props: str) -> Image:
    return Image(id=image_id, name=name, region='Master', owner='t',
                 visibility='public', status='active', size=1,
                 checksum='c', user_properties=dict(props))


class MasterCatalogTest(base.BaseTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.master = MemoryRegion('Master', [
            _image('k', 'kern'), _image('k2', 'kern'),
            _image('a', 'ami', kernel_id='k'), _image('o', 'ami_obsolete'),
            _image('x', 'other')], tenant_id='t')
        self.listed = 0

        def lister(region: Region) -> list[Image]:
            self.listed += 1
            return region.list_images()
        self.catalog = MasterCatalog(lister)

    def test_lists_once_then_keeps(self) -> None:
        fresh = _image('a', 'ami', kernel_id='k')
        around = self.catalog.around(self.master, fresh)
        self.catalog.around(self.master, fresh)
        self.assertEqual(1, self.listed)
        # Its kernel's name and every image of that name (a duplicate).
        self.assertEqual({'a', 'k', 'k2'}, {i.id for i in around})

    def test_obsolete_counterpart(self) -> None:
        around = self.catalog.around(self.master, _image('o', 'ami_obsolete'))
        self.assertEqual({'o', 'a', 'k', 'k2'}, {i.id for i in around})

    def test_renamed_image_replaces_its_old_self(self) -> None:
        self.catalog.ensure(self.master)
        around = self.catalog.around(self.master, _image('x', 'ami'))
        self.assertEqual({'a', 'x', 'k', 'k2'}, {i.id for i in around})
        self.assertEqual([], [i for i in self.catalog.around(
            self.master, _image('y', 'other')) if i.id == 'x'])

    def test_unknown_dependency_is_read_fresh(self) -> None:
        self.catalog.ensure(self.master)
        self.master.create_image('ram', visibility='public', properties={},
                                 image_id='r')
        self.master.reset_calls()
        around = self.catalog.around(
            self.master, _image('a', 'ami', kernel_id='k', ramdisk_id='r'))
        self.assertEqual([{'image_id': 'r'}],
                         self.master.calls_to('get_image'))
        self.assertIn('r', {i.id for i in around})
        self.assertEqual(1, self.listed)

    def test_discard_and_replace(self) -> None:
        self.catalog.ensure(self.master)
        self.catalog.discard('k2')
        self.assertEqual(4, len(self.catalog))
        self.catalog.replace(self.master, [_image('z', 'z')])
        self.assertEqual(1, len(self.catalog))
        # Another master (a reloaded configuration) is listed again.
        other = MemoryRegion('Master', [], tenant_id='t')
        self.catalog.ensure(other)
        self.assertEqual(0, len(self.catalog))
        self.assertEqual(2, self.listed)

    def test_a_burst_lists_once(self) -> None:
        barrier = threading.Barrier(4)

        def task() -> None:
            barrier.wait(5)
            self.catalog.around(self.master, _image('x', 'other'))
        threads = [threading.Thread(target=task) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertEqual(1, self.listed)
