from oslotest import base

from glance_sync.api import logsafe


class PrintableTest(base.BaseTestCase):

    def test_control_characters_are_escaped(self):
        self.assertEqual('a\\nb\\rc\\x1b[31m\\u2028d\\x00',
                         logsafe.printable('a\nb\rc\x1b[31m\u2028d\x00'))

    def test_printable_text_is_kept(self):
        for text in ('GET /regions/R1', 'café ✓', "quote ' \\ \""):
            self.assertEqual(text, logsafe.printable(text))


class LogPathTest(base.BaseTestCase):

    def test_decoded_bytes_are_percent_encoded(self):
        environ = {'PATH_INFO': '/regions/R\n1\xff', 'SCRIPT_NAME': '/api',
                   'QUERY_STRING': 'image=a%0Ab\r'}
        self.assertEqual('/api/regions/R%0A1%FF?image=a%0Ab%0D',
                         logsafe.log_path(environ))

    def test_characters_beyond_latin1_do_not_crash(self):
        environ = {'PATH_INFO': '/r/\u2028\udcff', 'QUERY_STRING': '\udcff'}
        path = logsafe.log_path(environ)
        self.assertTrue(path.isprintable())
        self.assertNotIn('\u2028', path)
