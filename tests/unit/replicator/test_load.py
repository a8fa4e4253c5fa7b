import dataclasses
import os

import fixtures
from oslotest import base

from glance_sync.regions.drivers.dumpdir import DumpRegion
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.replicator import dump, dumpselect, load
from glance_sync.images import Image
from glance_sync.rules.owners import Owners
from glance_sync.rules.selection import MasterIndex
from glance_sync.sync import syncing
from tests.unit.replicator import fakes


class Unreachable(MemoryRegion):
    """A master that must not be contacted."""

    def __getattribute__(self, name):
        if name in ('list_images', 'get_image', 'download'):
            raise AssertionError('the master was contacted: %s' % name)
        return super().__getattribute__(name)


def content(region):
    """What matters of a region's images: name, record, data hashes."""
    return sorted((i.name, i.visibility, i.size, i.checksum, i.os_hash_value,
                   tuple(sorted(i.user_properties.items())))
                  for i in region.list_images(True))


class LoadTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        tmp = self.useFixture(fixtures.TempDir()).path
        self.folder = os.path.join(tmp, 'dump')
        self.cloud = fakes.cloud(tmp)
        self.direct = fakes.cloud(tmp)
        self.direct.regions['Master'] = self.cloud.regions['Master']
        master = self.cloud.regions['Master']
        images = master.list_images(True)
        index = MasterIndex.build(images, 't1id', 'Master')
        selection = dumpselect.dump_selection(
            images, index, self.cloud.config.settings.targets.values())
        dump.Dumper(master, self.folder, master_region='Master',
                    tenant_id='t1id').dump(selection)
        self.cloud.regions['Master'] = Unreachable('Master')
        self.names = ['R1', 'other:O1']

    def load(self, **kwargs):
        return load.load_regions(self.cloud, DumpRegion(self.folder),
                                 self.names, **kwargs)

    def test_same_result_as_a_direct_sync(self):
        results = self.load()
        self.assertTrue(all(result.ok for result in results))
        self.assertEqual([50 + 10, 30], [r.uploaded_bytes for r in results])
        direct = syncing.sync_regions(self.direct, self.names)
        self.assertTrue(all(result.ok for result in direct))
        for name in self.names:
            self.assertEqual(content(self.direct.regions[name]),
                             content(self.cloud.regions[name]), name)
        self.assertEqual(3, len(self.cloud.regions['R1'].list_images()))
        self.assertTrue(all(r.ok for r in self.load()))

    def test_dry_run(self):
        results = self.load(dry_run=True)
        self.assertEqual([3, 1], [len(r.actions) for r in results])
        self.assertEqual([], self.cloud.regions['R1'].list_images())

    def test_corrupt_file_copies_nothing(self):
        region = DumpRegion(self.folder)
        image = next(i for i in region.list_images() if i.name == 'c')
        path = os.path.join(self.folder, image.id + '.img')
        with open(path, 'r+b') as stream:
            stream.write(b'?')
        result, = load.load_regions(self.cloud, region, ['other:O1'])
        self.assertIn(path + ': md5 differs', result.error)
        self.assertEqual([], self.cloud.regions['other:O1'].list_images())

    def test_ids_kept(self):
        targets = self.cloud.config.settings.targets
        for name in ('master', 'other'):
            targets[name] = dataclasses.replace(targets[name], match_by='id')
        self.load()
        dumped = {i.name: i.id for i in
                  DumpRegion(self.folder).list_images()}
        for name in self.names:
            for image in self.cloud.regions[name].list_images():
                self.assertEqual(dumped[image.name], image.id)

    def test_a_refused_id_is_error_id(self):
        targets = self.cloud.config.settings.targets
        targets['other'] = dataclasses.replace(targets['other'],
                                               match_by='id')
        self.names = ['other:O1']
        self.load()
        region = self.cloud.regions['other:O1']
        image, = region.list_images()
        region.delete(image.id)
        result, = self.load()
        self.assertEqual(['error_id'], [s.status.value
                                        for s in result.statuses])
        self.assertFalse(result.ok)
        self.assertIsNone(result.error)
        self.assertIn('image c cannot be copied with its master id',
                      self.logger.output)


class SeveralProjectsTest(base.BaseTestCase):

    def test_the_index_of_every_dumped_project(self):
        self.useFixture(fixtures.FakeLogger())
        folder = self.useFixture(fixtures.TempDir()).path
        owners = Owners('t1id', ['demo'])
        master = MemoryRegion('Master', [
            Image(id=n, name=n, region='Master', owner=owner,
                  visibility='public', status='active', size=None,
                  checksum=None)
            for n, owner in (('a', 't1id'), ('b', 'demo'), ('c', 'x'))],
            tenant_id='t1id', owners=owners.ids)
        index = MasterIndex.build(master.list_images(True), owners, 'Master')
        self.assertEqual({'a', 'b'}, set(index.by_name))
        dump.Dumper(master, folder, master_region='Master',
                    tenant_id=owners.primary, projects=owners.ids[1:],
                    metadata_only=True).dump(
            [(image, False) for image in index.by_name.values()])
        self.assertEqual({'a', 'b'}, set(load.dump_index(
            DumpRegion(folder)).by_name))
