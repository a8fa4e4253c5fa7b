import dataclasses
import json
import os

import fixtures
from oslotest import base

from glance_sync.images import Image
from glance_sync.regions import dumpfile
from tests.unit.regions import planted

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

    def test_other_master_projects_round_trip(self):
        manifest = dumpfile.Manifest('RegionOne', 'p1', projects=('p2',))
        manifest.write(self.dir)
        self.assertEqual(manifest, dumpfile.Manifest.read(self.dir))
        # One project: no projects field, as older dumps.
        dumpfile.Manifest('RegionOne', 'p1').write(self.dir)
        document = dumpfile.read_json(os.path.join(self.dir,
                                                   dumpfile.MANIFEST))
        self.assertNotIn('projects', document)
        self.assertEqual((), dumpfile.Manifest.read(self.dir).projects)

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


OTHER = IMAGE.copy(id='5b0e6a0e-9a9c-4b8e-8f4e-000000000002', name='other')


class HostileManifestTest(base.BaseTestCase):
    """A manifest from elsewhere names only the format's own files."""

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.dir, 'manifest.json')

    def entry(self, **changes):
        fields = dataclasses.asdict(dumpfile.Entry.of(IMAGE, data=True))
        del fields['id']
        fields.update(changes)
        return fields

    def read(self, image_id, fields):
        with open(self.path, 'w') as stream:
            json.dump({'format': 'glance-sync-dump', 'version': 1,
                       'master_region': 'RegionOne', 'tenant_id': 'p1',
                       'images': {image_id: fields}}, stream)
        return dumpfile.Manifest.read(self.dir)

    def assertRefused(self, fields, *words, image_id=IMAGE.id):
        exc = self.assertRaises(dumpfile.DumpFormatError, self.read,
                                image_id, fields)
        self.assertEqual(self.path, exc.path)
        message = str(exc)
        self.assertIn('image %r' % image_id, message)
        self.assertEqual(1, len(message.splitlines()), message)
        for word in words:
            self.assertIn(word, message)
        return message

    def test_a_good_entry(self):
        found = self.read(IMAGE.id, self.entry())
        self.assertEqual(dumpfile.Entry.of(IMAGE, data=True),
                         found.images[IMAGE.id])

    def test_paths_outside_the_folder(self):
        for name in ('data', 'metadata'):
            for path in ('../secret', '/etc/passwd', 'sub/../../x',
                         './' + IMAGE.id + '.img', '..', '/'):
                self.assertRefused(self.entry(**{name: path}), name,
                                   repr(path))

    def test_another_images_files(self):
        other = dumpfile.Entry.of(OTHER, data=True)
        self.assertRefused(self.entry(data=other.data), repr(other.data))
        self.assertRefused(self.entry(metadata=other.metadata),
                           repr(other.metadata))
        # Nor each other's names, nor the manifest.
        self.assertRefused(self.entry(data=IMAGE.id + '.json'))
        self.assertRefused(self.entry(metadata='manifest.json'))
        self.assertRefused(self.entry(data=IMAGE.id + '.img.part'))

    def test_unsafe_id_uses_its_hashed_names(self):
        image_id = '../../etc/passwd'
        stem = dumpfile.file_stem(image_id)
        found = self.read(image_id, self.entry(metadata=stem + '.json',
                                               data=stem + '.img'))
        self.assertEqual(stem + '.img', found.images[image_id].data)
        self.assertRefused(self.entry(metadata='../../etc/passwd.json',
                                      data=None), image_id=image_id)

    def test_data_without_size_or_hashes(self):
        self.assertRefused(self.entry(size=None), 'without a size')
        self.assertRefused(self.entry(size=-1), 'without a size')
        self.assertRefused(self.entry(checksum=None, os_hash_value=None),
                           'without a checksum or os_hash_value')
        self.assertRefused(self.entry(checksum='', os_hash_value=''),
                           'without a checksum or os_hash_value')
        entry = self.entry()
        del entry['size'], entry['checksum'], entry['os_hash_value']
        self.assertRefused(entry, 'without a size')
        # One hash is enough.
        self.read(IMAGE.id, self.entry(checksum=None))
        self.read(IMAGE.id, self.entry(os_hash_value=None))

    def test_record_only_needs_no_fingerprint(self):
        found = self.read(IMAGE.id, self.entry(
            data=None, size=None, checksum=None, os_hash_value=None))
        self.assertIsNone(found.images[IMAGE.id].data)

    def test_unknown_hash_algorithm(self):
        self.assertRefused(self.entry(os_hash_algo='rot13'), "'rot13'")
        self.assertRefused(self.entry(os_hash_algo=None), 'os_hash_algo')

    def test_fields_of_the_wrong_type(self):
        for name, value in (('size', '3'), ('size', True), ('size', 3.0),
                            ('data', ['x']), ('metadata', None),
                            ('name', {'a': 1}), ('checksum', 5)):
            self.assertRefused(self.entry(**{name: value}), name)
        self.assertRefused('not an object', 'not a JSON object')
        self.assertRefused(self.entry(extra='x'), "unknown fields ['extra']")
        entry = self.entry()
        del entry['metadata']
        self.assertRefused(entry, "missing fields ['metadata']")

    def test_control_characters_stay_out_of_the_message(self):
        image_id = 'x\x1b[2J\nforged line\r'
        message = self.assertRefused(self.entry(data='\x1b]0;\x07'),
                                     image_id=image_id)
        self.assertNotIn('\x1b', message)
        self.assertNotIn('\r', message)

    def test_ids_sharing_files(self):
        unsafe = '../x'
        stem = dumpfile.file_stem(unsafe)  # id-<sha256>, itself a safe id
        fields = self.entry(metadata=stem + '.json', data=stem + '.img')
        with open(self.path, 'w') as stream:
            json.dump({'format': 'glance-sync-dump', 'version': 1,
                       'master_region': 'RegionOne', 'tenant_id': 'p1',
                       'images': {unsafe: fields, stem: fields}}, stream)
        exc = self.assertRaises(dumpfile.DumpFormatError,
                                dumpfile.Manifest.read, self.dir)
        self.assertIn('name the same files', str(exc))
        self.assertIn(repr(unsafe), str(exc))

    def test_projects_must_be_a_list_of_ids(self):
        for projects in ('p2', [1], {'p2': 1}):
            with open(self.path, 'w') as stream:
                json.dump({'format': 'glance-sync-dump', 'version': 1,
                           'master_region': 'RegionOne', 'tenant_id': 'p1',
                           'images': {}, 'projects': projects}, stream)
            exc = self.assertRaises(dumpfile.DumpFormatError,
                                    dumpfile.Manifest.read, self.dir)
            self.assertIn('is not a list of ids', str(exc))

    def test_master_and_project_must_be_text(self):
        for name in ('master_region', 'tenant_id'):
            with open(self.path, 'w') as stream:
                json.dump({'format': 'glance-sync-dump', 'version': 1,
                           'master_region': 'RegionOne', 'tenant_id': 'p1',
                           'images': {}, name: {'x': 1}}, stream)
            exc = self.assertRaises(dumpfile.DumpFormatError,
                                    dumpfile.Manifest.read, self.dir)
            self.assertIn("bad manifest: %s {'x': 1} is not a str" % name,
                          str(exc))

    def test_a_linked_manifest_is_not_followed(self):
        outside = os.path.join(self.useFixture(fixtures.TempDir()).path,
                               'manifest.json')
        dumpfile.Manifest('RegionOne', 'p1').write(os.path.dirname(outside))
        os.symlink(outside, self.path)
        exc = self.assertRaises(dumpfile.DumpFormatError,
                                dumpfile.Manifest.read, self.dir)
        self.assertEqual(self.path, exc.path)
        self.assertIn('symbolic link', exc.reason)


class SafeWritesTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.planted = self.useFixture(planted.PlantedLinks())
        self.dir, self.victim = self.planted.dir, self.planted.victim

    def test_planted_links_are_replaced_not_followed(self):
        path = os.path.join(self.dir, 'manifest.json')
        for link in (path, path + '.part', path + '.tmp'):
            os.symlink(self.victim, link)
        dumpfile.Manifest('RegionOne', 'p1').write(self.dir)
        self.assertEqual(planted.SECRET, self.planted.victim_content())
        self.assertFalse(os.path.islink(path))
        self.assertEqual('RegionOne',
                         dumpfile.Manifest.read(self.dir).master_region)

    def test_linked_files_are_not_read(self):
        link = os.path.join(self.dir, 'x.json')
        os.symlink(self.victim, link)
        exc = self.assertRaises(dumpfile.DumpFormatError, dumpfile.read_json,
                                link)
        self.assertIn('symbolic link', str(exc))
        self.assertRaises(OSError, list, dumpfile.read_chunks(link, 4))


class HostileRecordTest(base.BaseTestCase):

    def test_fields_of_the_wrong_type(self):
        record = dumpfile.image_to_record(IMAGE)
        for name, value in (('user_properties', ['a']), ('size', '3'),
                            ('min_disk', True), ('name', None),
                            ('id', 1), ('os_hash_algo', 5),
                            ('visibility', {'a': 1})):
            exc = self.assertRaises(
                dumpfile.DumpFormatError, dumpfile.image_from_record,
                dict(record, **{name: value}), 'dump', '/d/x.json')
            self.assertIn('not an image record: %s %r' % (name, value),
                          str(exc))

    def test_unknown_fields(self):
        record = dict(dumpfile.image_to_record(IMAGE), region='elsewhere')
        exc = self.assertRaises(dumpfile.DumpFormatError,
                                dumpfile.image_from_record, record, 'dump',
                                '/d/x.json')
        self.assertIn("unknown fields ['region']", str(exc))

