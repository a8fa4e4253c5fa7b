"""``glance-sync-manage load``, offline, through the entry point."""

import json
import os

from glance_sync.regions import csvfile
from tests.unit.cmd.test_manage import ManageTestCase


class LoadTest(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.output = os.path.join(self.dir, 'dump')
        status, _, _ = self.run_cli('dump', '--output', self.output,
                                    '--metadata-only')
        self.assertEqual(0, status)
        # The master is gone: load must not need it.
        os.remove(csvfile.backup_path(self.backups, 'Master'))

    def test_load_like_a_sync(self):
        status, out, _ = self.run_cli('-f', 'json', 'load', self.output,
                                      'R1', 'other:O1')
        self.assertEqual(0, status, out)
        self.assertEqual([('R1', 'synchronised', 50), ('other:O1',
                                                       'synchronised', 30)],
                         [(r['region'], r['result'], r['uploaded_bytes'])
                          for r in json.loads(out)])
        names = {i.name for i in csvfile.read_backup(
            csvfile.backup_path(self.backups, 'R1'))}
        self.assertEqual({'a', 'b', 'c'}, names)

    def test_dry_run(self):
        status, out, _ = self.run_cli('load', '--dry-run', self.output, 'R1')
        self.assertEqual(1, status)
        self.assertIn('R1,upload,b,', out)

    def test_not_a_dump_is_a_usage_error(self):
        status, out, err = self.run_cli('load', self.dir, 'R1')
        self.assertEqual((2, ''), (status, out))
        self.assertIn(os.path.join(self.dir, 'manifest.json'), err)


class HostileFolderTest(LoadTest):
    """A folder from elsewhere: ``load`` refuses it before any upload,
    with one line naming the entry, and reads nothing outside it."""

    def setUp(self):
        super().setUp()
        self.manifest = os.path.join(self.output, 'manifest.json')
        with open(self.manifest) as stream:
            self.document = json.load(stream)
        self.image_id, = [image_id for image_id, entry
                          in self.document['images'].items()
                          if entry['name'] == 'b']
        self.secret = os.path.join(self.dir, 'secret')
        with open(self.secret, 'w') as stream:
            stream.write('x' * 20)  # the size the manifest gives b
        self.r1 = csvfile.backup_path(self.backups, 'R1')
        with open(self.r1) as stream:
            self.r1_before = stream.read()

    def set_entry(self, **fields):
        self.document['images'][self.image_id].update(fields)
        with open(self.manifest, 'w') as stream:
            json.dump(self.document, stream)

    def local(self, suffix):
        return os.path.join(self.output, self.image_id + suffix)

    def assertRefused(self, where):
        status, out, err = self.run_cli('load', self.output, 'R1')
        self.assertEqual((2, ''), (status, out))
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn(repr(self.image_id), err)
        self.assertIn(where, err)
        with open(self.r1) as stream:
            self.assertEqual(self.r1_before, stream.read())
        with open(self.secret) as stream:
            self.assertEqual('x' * 20, stream.read())

    def test_data_outside_the_folder(self):
        for path in ('../secret', self.secret):
            self.set_entry(data=path)
            self.assertRefused(self.manifest)

    def test_metadata_outside_the_folder(self):
        self.set_entry(metadata='../secret')
        self.assertRefused(self.manifest)

    def test_another_images_data(self):
        other = next(i for i in self.document['images'] if i != self.image_id)
        self.set_entry(data=other + '.img')
        self.assertRefused(self.manifest)

    def test_linked_data_file(self):
        os.symlink(self.secret, self.local('.img'))
        self.set_entry(data=self.image_id + '.img')
        self.assertRefused(self.local('.img'))

    def test_linked_metadata_file(self):
        os.rename(self.local('.json'), self.secret + '.json')
        os.symlink(self.secret + '.json', self.local('.json'))
        self.assertRefused(self.local('.json'))

    def test_data_without_size_or_hashes(self):
        with open(self.local('.img'), 'w') as stream:
            stream.write('x' * 20)
        self.set_entry(data=self.image_id + '.img', size=None)
        self.assertRefused('without a size')
        self.set_entry(size=20, checksum=None, os_hash_value=None)
        self.assertRefused('without a checksum')

    def test_truncated_data(self):
        with open(self.local('.img'), 'w') as stream:
            stream.write('x' * 19)
        self.set_entry(data=self.image_id + '.img')
        self.assertRefused('has 19 bytes, the manifest says 20')
