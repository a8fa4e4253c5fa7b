import collections
import json
import os

import fixtures
from oslotest import base

from glance_sync.regions import dumpfile
from glance_sync.regions.drivers.dumpdir import DumpRegion
from glance_sync.replicator import dump
from tests.unit.replicator import fakes

Usage = collections.namedtuple('Usage', 'total used free')


class DumpTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.folder = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                   'dump')
        self.master = fakes.master_region()
        self.images = sorted(self.master.list_images(),
                             key=lambda image: image.size)
        self.data = {image.name: b''.join(self.master.download(image.id))
                     for image in self.images}
        self.master.reset_calls()

    def dumper(self, **kwargs):
        return dump.Dumper(self.master, self.folder, master_region='Master',
                           tenant_id='t1id', chunk_size=7, **kwargs)

    def dump(self, selection=None, **kwargs):
        selection = selection or [(image, True) for image in self.images]
        prune = kwargs.pop('prune', False)
        return [(o.image.name, o.result, o.detail) for o in
                self.dumper(**kwargs).dump(selection, prune=prune)]

    def path(self, image, suffix='.img'):
        return os.path.join(self.folder, image.id + suffix)

    def stats(self):
        return {name: (s.st_ino, s.st_mtime_ns) for name, s in (
            (name, os.stat(os.path.join(self.folder, name)))
            for name in os.listdir(self.folder) if name != 'manifest.json')}

    def interrupt(self, name, after=5):
        """The download of ``name`` stops (as killed) after some bytes."""
        original = self.master.download
        wanted = next(i.id for i in self.images if i.name == name)

        def download(image_id):
            if image_id != wanted:
                return original(image_id)
            return self._broken(self.data[name][:after])
        self.master.download = download

    @staticmethod
    def _broken(start):
        yield start
        raise KeyboardInterrupt()


class DumpTest(DumpTestCase):

    def test_records_data_and_manifest(self):
        self.assertEqual([('a', 'dumped', None), ('b', 'dumped', None),
                          ('c', 'dumped', None)], self.dump())
        region = DumpRegion(self.folder)
        self.assertEqual(('Master', 't1id'), (region.manifest.master_region,
                                              region.manifest.tenant_id))
        for image in self.images:
            self.assertEqual(image.copy(region=region.name),
                             region.get_image(image.id))
            self.assertEqual(self.data[image.name],
                             b''.join(region.download(image.id)))
        self.assertEqual(7, len(os.listdir(self.folder)))

    def test_run_again_rewrites_nothing(self):
        self.dump()
        before = self.stats()
        self.master.reset_calls()
        self.assertEqual(['kept'] * 3, [r for _, r, _ in self.dump()])
        self.assertEqual(before, self.stats())
        self.assertEqual([], self.master.calls_to('download'))

    def test_interrupted_dump_resumes(self):
        self.interrupt('c')
        self.assertRaises(KeyboardInterrupt, self.dump)
        partial = self.path(self.images[2]) + '.part'
        self.assertEqual(5, os.path.getsize(partial))
        self.assertEqual({self.images[0].id, self.images[1].id},
                         set(dumpfile.Manifest.read(self.folder).images))
        done = {k: v for k, v in self.stats().items()
                if not k.startswith(self.images[2].id)}
        del self.master.download
        self.assertEqual([('a', 'kept', None), ('b', 'kept', None),
                          ('c', 'dumped', None)], self.dump())
        self.assertFalse(os.path.exists(partial))
        self.assertEqual(done, {k: v for k, v in self.stats().items()
                                if k in done})
        self.assertEqual(self.data['c'], b''.join(
            DumpRegion(self.folder).download(self.images[2].id)))

    def test_bad_data_fails_that_image_only(self):
        wanted = self.images[1]
        original = self.master.download
        self.master.download = lambda image_id: (
            iter([b'?' * 20]) if image_id == wanted.id
            else original(image_id))
        found = self.dump()
        self.assertEqual(['dumped', 'failed', 'dumped'],
                         [r for _, r, _ in found])
        self.assertIn('md5 differs', found[1][2])
        self.assertFalse(os.path.exists(self.path(wanted)))
        self.assertFalse(os.path.exists(self.path(wanted) + '.part'))
        self.assertNotIn(wanted.id,
                         dumpfile.Manifest.read(self.folder).images)
        self.assertIn('Dump of image b (%s) failed' % wanted.id,
                      self.logger.output)

    def test_free_space_checked_first(self):
        def usage(folder):
            self.assertEqual(self.folder, folder)
            return Usage(0, 0, 1000)
        exc = self.assertRaises(dump.DumpError, self.dump, disk_usage=usage)
        needed = 60 + 3 * dump.RECORD_ALLOWANCE
        self.assertEqual(
            'not enough free space in %s: %d bytes (%.1f KiB) needed for 3 '
            'images, 1000 bytes (1000 B) free'
            % (self.folder, needed, needed / 1024), str(exc))
        self.assertEqual([], os.listdir(self.folder))
        self.assertEqual([], self.master.calls_to('download'))

    def test_free_space_counts_what_is_left(self):
        self.dump([(image, True) for image in self.images[:2]])
        needed = []

        def usage(folder):
            needed.append(True)
            return Usage(0, 0, 30 + 3 * dump.RECORD_ALLOWANCE)
        self.dump(disk_usage=usage)
        self.assertEqual([True], needed)

    def test_metadata_only_then_data(self):
        self.assertEqual(['record only'] * 3,
                         [r for _, r, _ in self.dump(metadata_only=True)])
        self.assertEqual(4, len(os.listdir(self.folder)))
        region = DumpRegion(self.folder)
        self.assertFalse(region.has_data(self.images[0].id))
        self.assertEqual(['dumped'] * 3, [r for _, r, _ in self.dump()])
        self.assertEqual(['kept'] * 3,
                         [r for _, r, _ in self.dump(metadata_only=True)])

    def test_complete_unlisted_file_is_verified_and_kept(self):
        os.makedirs(self.folder)
        good, bad = self.images[0], self.images[1]
        with open(self.path(good), 'wb') as stream:
            stream.write(self.data['a'])
        with open(self.path(bad), 'wb') as stream:
            stream.write(b'?' * 20)
        self.assertEqual(['kept', 'dumped', 'dumped'],
                         [r for _, r, _ in self.dump()])
        self.assertEqual([bad.id, self.images[2].id],
                         [c['image_id'] for c in
                          self.master.calls_to('download')])
        self.assertIn('is not its data', self.logger.output)

    def test_changed_content_is_not_overwritten(self):
        self.dump()
        changed = self.images[0].copy(checksum='0' * 32)
        before = self.stats()
        (_, result, detail), = self.dump([(changed, True)])
        self.assertEqual('failed', result)
        self.assertIn('holds other data than the master image', detail)
        self.assertEqual(before, self.stats())

    def test_prune(self):
        self.dump()
        gone = self.images[1]
        keep = [(self.images[0], True), (self.images[2], True)]
        self.dump(keep, prune=True)
        self.assertFalse(os.path.exists(self.path(gone)))
        self.assertFalse(os.path.exists(self.path(gone, '.json')))
        self.assertEqual({self.images[0].id, self.images[2].id},
                         set(dumpfile.Manifest.read(self.folder).images))

    def test_folder_of_another_region(self):
        self.dump()
        exc = self.assertRaises(dump.DumpError, dump.Dumper(
            self.master, self.folder, master_region='Other',
            tenant_id='t').dump, [])
        self.assertIn('holds a dump of region Master, not Other', str(exc))

    def test_folder_cannot_be_created(self):
        with open(self.folder, 'w'):
            pass
        exc = self.assertRaises(dump.DumpError, self.dump)
        self.assertIn('cannot create the dump folder %s' % self.folder,
                      str(exc))


class HostileFolderDumpTest(DumpTestCase):
    """A dump folder may be shared: nothing outside it is written or
    removed, whatever its manifest says or its files point at."""

    def setUp(self):
        super().setUp()
        self.outside = self.useFixture(fixtures.TempDir()).path
        self.victims = {}
        for name in ('secret', 'passwd'):
            path = os.path.join(self.outside, name)
            with open(path, 'w') as stream:
                stream.write('keep me')
            self.victims[path] = 'keep me'

    def assertVictimsUntouched(self):
        self.assertEqual(self.victims, {
            path: open(path).read() for path in self.victims})

    def rewrite_manifest(self, image, **fields):
        path = os.path.join(self.folder, 'manifest.json')
        with open(path) as stream:
            document = json.load(stream)
        document['images'][image.id].update(fields)
        with open(path, 'w') as stream:
            json.dump(document, stream)

    def test_prune_of_a_manifest_naming_outside_files(self):
        self.dump()
        gone = self.images[1]
        passwd, secret = sorted(self.victims)
        manifest = os.path.join(self.folder, 'manifest.json')
        with open(manifest) as stream:
            good = stream.read()
        relative = os.path.relpath(secret, self.folder)
        for fields in ({'data': relative}, {'metadata': passwd},
                       {'data': self.images[0].id + '.img'}):
            self.rewrite_manifest(gone, **fields)
            before = self.stats()
            exc = self.assertRaises(
                dump.DumpError, self.dump,
                [(self.images[0], True), (self.images[2], True)], prune=True)
            self.assertIn('image %r' % gone.id, str(exc))
            self.assertVictimsUntouched()
            self.assertEqual(before, self.stats())
            with open(manifest, 'w') as stream:
                stream.write(good)

    def test_prune_removes_links_not_their_targets(self):
        self.dump()
        gone = self.images[1]
        passwd, secret = sorted(self.victims)
        os.remove(self.path(gone))
        os.symlink(secret, self.path(gone))
        os.remove(self.path(gone, '.json'))
        os.symlink(passwd, self.path(gone, '.json'))
        self.dump([(self.images[0], True), (self.images[2], True)],
                  prune=True)
        self.assertFalse(os.path.lexists(self.path(gone)))
        self.assertFalse(os.path.lexists(self.path(gone, '.json')))
        self.assertVictimsUntouched()

    def test_planted_links_are_replaced_not_written_through(self):
        passwd, secret = sorted(self.victims)
        os.makedirs(self.folder)
        image = self.images[0]
        os.symlink(secret, self.path(image, '.img.part'))
        os.symlink(passwd, self.path(image, '.json'))
        os.symlink(secret, self.path(self.images[1], '.img'))
        os.symlink(passwd, os.path.join(self.folder, 'manifest.json.part'))
        self.assertEqual([('a', 'dumped', None), ('b', 'dumped', None),
                          ('c', 'dumped', None)], self.dump())
        self.assertVictimsUntouched()
        region = DumpRegion(self.folder)
        for image in self.images:
            self.assertFalse(os.path.islink(self.path(image)))
            self.assertEqual(self.data[image.name],
                             b''.join(region.download(image.id)))

    def test_linked_manifest_is_not_read(self):
        _, secret = sorted(self.victims)
        os.makedirs(self.folder)
        os.symlink(secret, os.path.join(self.folder, 'manifest.json'))
        exc = self.assertRaises(dump.DumpError, self.dump)
        self.assertIn('symbolic link', str(exc))
        self.assertVictimsUntouched()

    def test_listed_data_that_became_a_link_is_dumped_again(self):
        self.dump()
        image = self.images[0]
        _, secret = sorted(self.victims)
        os.remove(self.path(image))
        os.symlink(secret, self.path(image))
        results = self.dump()
        self.assertEqual(('a', 'dumped', None), results[0])
        self.assertFalse(os.path.islink(self.path(image)))
        self.assertVictimsUntouched()

    def test_image_without_fingerprints_is_not_dumped(self):
        bare = self.images[0].copy(checksum=None, os_hash_value=None)
        (_, result, detail), = self.dump([(bare, True)])
        self.assertEqual('failed', result)
        self.assertIn('cannot be verified', detail)
        self.assertFalse(os.path.exists(self.path(bare)))
        self.assertEqual([], self.master.calls_to('download'))
