import json
import os

import fixtures
from oslotest import base

from glance_sync.images import Image
from glance_sync.regions import dumpfile

IMAGE = Image(id='5b0e6a0e-9a9c-4b8e-8f4e-000000000001', name='cirros',
              region='RegionOne', owner='p1', visibility='public',
              status='active', size=3, checksum='md5',
              user_properties={'type': 'base'}, os_hash_algo='sha512',
              os_hash_value='sha', disk_format='qcow2',
              container_format='bare', min_disk=1, min_ram=64)


class DumpFileTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def test_manifest_round_trip(self):
        manifest = dumpfile.Manifest('RegionOne', 'p1', {
            IMAGE.id: dumpfile.Entry.of(IMAGE, data=True)})
        manifest.write(self.dir)
        self.assertEqual(['manifest.json'], os.listdir(self.dir))
        found = dumpfile.Manifest.read(self.dir)
        self.assertEqual(manifest, found)
        entry = found.images[IMAGE.id]
        self.assertEqual((IMAGE.id + '.json', IMAGE.id + '.img'),
                         (entry.metadata, entry.data))
        self.assertTrue(entry.same_content(IMAGE))
        self.assertFalse(entry.same_content(IMAGE.copy(checksum='other')))

    def test_record_round_trip(self):
        record = dumpfile.image_to_record(IMAGE)
        self.assertNotIn('region', record)
        json.dumps(record)
        self.assertEqual(IMAGE.copy(region='dump'), dumpfile.image_from_record(
            record, 'dump', 'f.json'))

    def test_bad_record(self):
        exc = self.assertRaises(dumpfile.DumpFormatError,
                                dumpfile.image_from_record, {'id': 'x'},
                                'dump', '/d/x.json')
        self.assertIn('/d/x.json: not an image record', str(exc))

    def test_unsafe_ids_are_hashed(self):
        self.assertEqual(IMAGE.id, dumpfile.file_stem(IMAGE.id))
        for unsafe in ('../etc/passwd', '.hidden', 'a/b', ''):
            stem = dumpfile.file_stem(unsafe)
            self.assertTrue(stem.startswith('id-'), stem)
            self.assertNotIn('/', stem)

    def test_not_a_manifest(self):
        path = os.path.join(self.dir, 'manifest.json')
        for text, reason in (('{"format": "x"}', 'not a glance-sync-dump'),
                             ('[1]', 'not a JSON object'),
                             ('{', 'not JSON'),
                             ('{"format": "glance-sync-dump", "version": 1}',
                              'bad manifest')):
            with open(path, 'w') as stream:
                stream.write(text)
            exc = self.assertRaises(dumpfile.DumpFormatError,
                                    dumpfile.Manifest.read, self.dir)
            self.assertIn(path, str(exc))
            self.assertIn(reason, str(exc))

    def test_missing_manifest(self):
        exc = self.assertRaises(dumpfile.DumpFormatError,
                                dumpfile.Manifest.read, self.dir)
        self.assertEqual(os.path.join(self.dir, 'manifest.json'), exc.path)

    def test_write_json_is_atomic(self):
        path = os.path.join(self.dir, 'x.json')
        dumpfile.write_json(path, {'a': 1})
        self.assertEqual({'a': 1}, dumpfile.read_json(path))
        self.assertEqual(['x.json'], os.listdir(self.dir))

    def test_read_chunks(self):
        path = os.path.join(self.dir, 'data')
        with open(path, 'wb') as stream:
            stream.write(b'x' * 10)
        self.assertEqual([4, 4, 2], [len(c) for c in
                                     dumpfile.read_chunks(path, 4)])
