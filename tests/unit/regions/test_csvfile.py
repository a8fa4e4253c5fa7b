import glob
import os

import fixtures
from oslotest import base

from glance_sync.images import Image
from glance_sync.regions import csvfile
from tests import fiware_data

DATA_DIR = fiware_data.DATA_DIR

ROW = ['other:Santander', 'image1', 'f61a', 'active', '3769171968',
       '69d70bc7', '00000000000000000000000000000001', 'True',
       "{u'type': u'fiware:iot', u'nid': u'199'}"]


class ParseRowTest(base.BaseTestCase):

    def test_fields(self):
        image = csvfile.parse_row(ROW)
        self.assertEqual('other:Santander', image.region)
        self.assertEqual('image1', image.name)
        self.assertEqual('f61a', image.id)
        self.assertEqual('active', image.status)
        self.assertEqual(3769171968, image.size)
        self.assertEqual('69d70bc7', image.checksum)
        self.assertEqual('00000000000000000000000000000001', image.owner)
        self.assertEqual('public', image.visibility)
        self.assertEqual({'type': 'fiware:iot', 'nid': '199'},
                         image.user_properties)

    def test_private_and_empty_fields(self):
        row = ['R', 'n', '001', 'queued', '', '', '', 'False', '']
        image = csvfile.parse_row(row)
        self.assertEqual('private', image.visibility)
        self.assertIsNone(image.size)
        self.assertIsNone(image.checksum)
        self.assertIsNone(image.owner)
        self.assertEqual({}, image.user_properties)
        self.assertEqual(row[:8], csvfile.format_row(image)[:8])

    def test_ids_keep_leading_zeros(self):
        self.assertEqual('001', csvfile.parse_row(
            ['R', 'n', '001', 'active', '1', 'c', 'o', 'True', '{}']).id)

    def test_properties_are_never_evaluated(self):
        for text in ("__import__('os').system('true')", "dict(a=1)",
                     "{'a': open('/etc/passwd')}", "lambda: 1"):
            row = ROW[:8] + [text]
            self.assertRaises(ValueError, csvfile.parse_row, row)

    def test_properties_must_be_a_dict(self):
        exc = self.assertRaises(ValueError, csvfile.parse_row,
                                ROW[:8] + ['[1, 2]'])
        self.assertIn('list, not a dict', str(exc))

    def test_wrong_field_count(self):
        self.assertRaises(ValueError, csvfile.parse_row, ROW[:5])

    def test_bad_size(self):
        row = list(ROW)
        row[4] = 'big'
        exc = self.assertRaises(ValueError, csvfile.parse_row, row)
        self.assertIn("'big'", str(exc))


class FileTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def test_region_of(self):
        self.assertEqual('other:Madrid',
                         csvfile.region_of('/x/backup_other:Madrid.csv'))
        self.assertIsNone(csvfile.region_of('/x/Madrid.csv'))
        self.assertIsNone(csvfile.region_of('/x/backup_.csv'))

    def test_list_backups(self):
        for name in ('backup_B.csv', 'backup_A.csv', 'other.csv'):
            open(os.path.join(self.dir, name), 'w').close()
        found = csvfile.list_backups(self.dir)
        self.assertEqual(['A', 'B'], list(found))
        self.assertEqual(os.path.join(self.dir, 'backup_A.csv'), found['A'])

    def test_bad_row_names_file_and_line(self):
        path = csvfile.backup_path(self.dir, 'R')
        with open(path, 'w') as stream:
            stream.write(','.join(ROW[:8]) + ',"{}"\n\n')
            stream.write('R,n,1,active,x,c,o,True,{}\n')
        exc = self.assertRaises(csvfile.BackupFormatError,
                                csvfile.read_backup, path)
        self.assertEqual(path, exc.path)
        self.assertEqual(3, exc.line)
        self.assertIn('line 3', str(exc))

    def test_write_then_read(self):
        image = Image(id='1$a,b', name='a "quoted", name', region='R',
                      owner='o', visibility='private', status='active',
                      size=10, checksum='c',
                      user_properties={'k': "it's", 'n': 1, 'l': [1, 2]})
        path = csvfile.backup_path(self.dir, 'R')
        csvfile.write_backup(path, [image])
        self.assertEqual([image], csvfile.read_backup(path))
        self.assertFalse(os.path.exists(path + '.tmp'))


class FiwareBackupsTest(base.BaseTestCase):
    """Every backup file of the conformance data survives a round trip."""

    def test_every_backup_round_trips(self):
        paths = sorted(glob.glob(os.path.join(DATA_DIR, '*',
                                              'backup_*.csv')))
        if not paths:
            message = 'FIWARE conformance data not found in %s' % DATA_DIR
            if os.environ.get('CI') == 'true':
                self.fail(message)
            self.skipTest(message)
        out = self.useFixture(fixtures.TempDir()).path
        for path in paths:
            images = csvfile.read_backup(path)
            copy = os.path.join(out, 'copy.csv')
            csvfile.write_backup(copy, images)
            again = csvfile.read_backup(copy)
            self.assertEqual(len(images), len(again), path)
            for before, after in zip(images, again):
                self.assertEqual(vars(before), vars(after), path)
