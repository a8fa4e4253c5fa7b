import csv
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



#: Names a region may hold: ANSI escapes (colour, clear screen, title,
#: CSI as one character), forged rows, NUL, bidi override, separators.
HOSTILE = ['\x1b[31mred\x1b[0m', '\x1b[2J\x1b[H', '\x1b]0;title\x07',
           'a\rforged', 'a\nok,R1,forged', 'nul\x00', '\u202eevil',
           'line\u2028sep', '\x9b31m', 'tab\there', '\x7fdel']


class HumanRateTest(base.BaseTestCase):

    def test_decimal_units_as_caps_are_given(self):
        self.assertEqual(
            ['0 B/s', '999 B/s', '1.0 kB/s', '12.3 MB/s', '50.0 MB/s',
             '1.0 GB/s', '2000.0 TB/s'],
            [output.human_rate(r) for r in (0, 999, 1000, 12345678,
                                             50000000, 999960000, 2e15)])


class HostileValuesTest(base.BaseTestCase):

    def rows(self):
        return [{'status': 'ok', 'region': 'R\x1b[1m', 'image': name}
                for name in HOSTILE]

    def test_printable(self):
        self.assertEqual('\\x1b[31mred\\x1b[0m',
                         output.printable(HOSTILE[0]))
        self.assertEqual('a\\rforged', output.printable('a\rforged'))
        self.assertEqual('a\\nb\\tc\\x00', output.printable('a\nb\tc\x00'))
        self.assertEqual('\\u202eevil', output.printable('\u202eevil'))
        for text in ('cirros', 'é 日本', 'a\\b', '=1+2', ''):
            self.assertEqual(text, output.printable(text))

    def test_table_cells_hold_no_control_character(self):
        out = io.StringIO()
        output.write_rows(out, 'table', COLUMNS, self.rows())
        lines = out.getvalue().split('\n')
        self.assertEqual(len(HOSTILE) + 3, len(lines))  # and a final ''
        for line in lines:
            self.assertTrue(line.isprintable(), repr(line))
        self.assertIn('\\x1b[31mred\\x1b[0m', out.getvalue())
        # The columns stay aligned on the escaped text.
        starts = {line.index('\\x1b[1m') for line in lines[2:-1]}
        self.assertEqual(1, len(starts))

    def test_status_counts_escape_region_names(self):
        out = io.StringIO()
        output.write_status_counts(out, self.rows(), colour=True)
        body = out.getvalue().splitlines()[2]
        self.assertTrue(body.startswith('R\\x1b[1m  '), body)

    def test_csv_and_json_keep_values_exact(self):
        for fmt in ('csv', 'json'):
            out = io.StringIO()
            output.write_rows(out, fmt, COLUMNS, self.rows())
            text = out.getvalue()
            if fmt == 'json':
                found = [row['image'] for row in json.loads(text)]
                self.assertNotIn('\x1b', text)
            else:
                found = [row[2] for row in csv.reader(
                    io.StringIO(text, newline=''))]
            self.assertEqual(HOSTILE, found, fmt)

    def test_csv_leaves_formula_prefixes(self):
        out = io.StringIO()
        output.write_rows(out, 'csv', ('image',), [
            {'image': name} for name in ('=1+2', '+a', '-b', '@c')])
        self.assertEqual('=1+2\n+a\n-b\n@c\n', out.getvalue())


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
