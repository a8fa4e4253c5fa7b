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


    def test_hostile_names_round_trip(self):
        names = ['bare\rreturn', 'line\nfeed', 'crlf\r\n', '\r', '\n',
                 'nul\x00byte', '\x1b[31mred\x1b[0m', '=1+2', '+cmd',
                 '-2', '@SUM(A1)', ' padded ', '"', '\u2028sep\u0085',
                 'tab\tbed', '']
        images = [Image(id='id-%d\r' % n, name=name, region='R\rx',
                        owner='o', visibility='public', status='active',
                        size=n, checksum='c\r',
                        user_properties={'k': name})
                  for n, name in enumerate(names)]
        path = csvfile.backup_path(self.dir, 'R')
        csvfile.write_backup(path, images)
        self.assertEqual(images, csvfile.read_backup(path))
        # Values are kept exact, never rewritten for spreadsheets.
        with open(path, newline='', encoding='utf-8') as stream:
            text = stream.read()
        self.assertIn('R\rx,=1+2,', text.replace('"', ''))

    def test_rows_without_a_return_keep_the_fiware_quoting(self):
        image = Image(id='f61a', name='a,b', region='R', owner='o',
                      visibility='public', status='active', size=1,
                      checksum='c', user_properties={})
        path = csvfile.backup_path(self.dir, 'R')
        csvfile.write_backup(path, [image])
        with open(path, newline='') as stream:
            self.assertEqual('R,"a,b",f61a,active,1,c,o,True,{}\n',
                             stream.read())

    def test_planted_links_are_not_written_through(self):
        victim = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'victim')
        with open(victim, 'w') as stream:
            stream.write('secret')
        path = csvfile.backup_path(self.dir, 'R')
        for planted in (path, path + '.tmp', path + '.part'):
            os.symlink(victim, planted)
        image = Image(id='i', name='n', region='R', owner='o',
                      visibility='public', status='active', size=1,
                      checksum='c', user_properties={})
        csvfile.write_backup(path, [image])
        with open(victim) as stream:
            self.assertEqual('secret', stream.read())
        self.assertFalse(os.path.islink(path))
        self.assertEqual([image], csvfile.read_backup(path))


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


class ReadErrorTest(base.BaseTestCase):
    """Whatever the bytes, reading fails with a BackupFormatError that
    names the file and the line."""

    GOOD = b'R,a,id-a,active,10,md5,t1id,True,{}\n'

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'backup_R.csv')

    def read(self, content):
        with open(self.path, 'wb') as stream:
            stream.write(content)
        return self.assertRaises(csvfile.BackupFormatError,
                                 csvfile.read_backup, self.path)

    def test_invalid_utf8(self):
        for bad in (b'\xff', b'\xc3\x28', b'\xed\xa0\x80', b'caf\xe9'):
            exc = self.read(self.GOOD * 2 + b'R,' + bad + b',x\n')
            self.assertEqual((self.path, 3), (exc.path, exc.line))
            self.assertIn('not UTF-8', str(exc))

    def test_field_over_the_csv_limit(self):
        big = b'"' + b'x' * (128 * 1024 + 1) + b'"'
        exc = self.read(self.GOOD + b'R,' + big + b',id\n')
        self.assertEqual(2, exc.line)
        self.assertIn('field limit', exc.reason)

    def test_unterminated_quote_at_the_end(self):
        csv_error = self.read(self.GOOD + b'R,"a\n')
        self.assertIn(self.path, str(csv_error))

    def test_good_rows_still_read(self):
        with open(self.path, 'wb') as stream:
            stream.write(self.GOOD + b'\n' + self.GOOD.replace(b'a,', b'b,'))
        names = [i.name for i in csvfile.read_backup(self.path)]
        self.assertEqual(['a', 'b'], names)
