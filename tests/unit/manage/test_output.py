import io
import json

import fixtures
from oslotest import base

from glance_sync.manage import output

ROWS = [{'status': 'ok', 'region': 'R1', 'image': 'a,b'},
        {'status': 'pending_upload', 'region': 'other:O1', 'image': 'c'}]
COLUMNS = ('status', 'region', 'image')


class WriteRowsTest(base.BaseTestCase):

    def render(self, fmt, **kwargs):
        out = io.StringIO()
        output.write_rows(out, fmt, COLUMNS, ROWS, **kwargs)
        return out.getvalue()

    def test_csv_has_no_header(self):
        self.assertEqual('ok,R1,"a,b"\npending_upload,other:O1,c\n',
                         self.render('csv'))

    def test_csv_columns(self):
        self.assertEqual('R1\nother:O1\n',
                         self.render('csv', csv_columns=('region',)))

    def test_table(self):
        self.assertEqual(
            'status          region    image\n'
            '--------------  --------  -----\n'
            'ok              R1        a,b\n'
            'pending_upload  other:O1  c\n', self.render('table'))

    def test_json(self):
        self.assertEqual(ROWS, json.loads(self.render('json')))

    def test_unknown(self):
        self.assertRaises(ValueError, self.render, 'xml')


class Terminal(io.StringIO):
    def isatty(self):
        return True


class StatusCountsTest(base.BaseTestCase):

    ROWS = (ROWS[0], ROWS[1],
            {'status': 'error_checksum', 'region': 'R1', 'image': 'd'},
            {'status': 'ok', 'region': 'R1', 'image': 'e'})

    def render(self, colour):
        out = io.StringIO()
        output.write_status_counts(out, self.ROWS, colour)
        return out.getvalue()

    def test_counts_per_region_in_status_order(self):
        self.assertEqual(
            'region    ok  error_checksum  pending_upload  total\n'
            '--------  --  --------------  --------------  -----\n'
            'R1        2   1               0               3\n'
            'other:O1  0   0               1               1\n',
            self.render(colour=False))

    def test_colours_nonzero_counts_by_kind_and_keeps_alignment(self):
        text = self.render(colour=True)
        self.assertIn('R1        \033[32m2\033[0m   \033[31m1\033[0m', text)
        self.assertIn('\033[33m1\033[0m', text)
        plain = text.replace('\033[32m', '').replace('\033[31m', '')
        plain = plain.replace('\033[33m', '').replace('\033[0m', '')
        self.assertEqual(self.render(colour=False), plain)

    def test_table_and_colour_on_a_terminal_only(self):
        self.assertEqual('table', output.default_format(Terminal()))
        self.assertEqual('csv', output.default_format(io.StringIO()))
        self.assertTrue(output.use_colour(Terminal()))
        self.assertFalse(output.use_colour(io.StringIO()))
        self.useFixture(fixtures.EnvironmentVariable(
            'NO_COLOR', '1'))
        self.assertFalse(output.use_colour(Terminal()))
