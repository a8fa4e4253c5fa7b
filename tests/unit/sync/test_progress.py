import io

import fixtures
from oslotest import base

from glance_sync.sync import progress


class TTY(io.StringIO):

    def isatty(self):
        return True


class ProgressTest(base.BaseTestCase):

    def test_human_bytes(self):
        self.assertEqual('512 B', progress.human_bytes(512))
        self.assertEqual('1.5 KiB', progress.human_bytes(1536))
        self.assertEqual('2.0 GiB', progress.human_bytes(2 * 1024 ** 3))

    def test_for_stream(self):
        self.assertIsInstance(progress.for_stream(TTY()),
                              progress.TerminalProgress)
        self.assertIsInstance(progress.for_stream(io.StringIO()),
                              progress.LogProgress)

    def test_log_lines(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='glance_sync.sync.progress'))
        shown = progress.LogProgress()
        shown.start_region('R1', 3072)
        shown.start_image('R1', 'a', 2048)
        shown.advance('R1', 2048)
        shown.finish_image('R1', 'a')
        shown.start_image('R1', 'b', 1024)
        shown.finish_image('R1', 'b', 'boom')
        self.assertIn('R1: uploading a (2.0 KiB)', logger.output)
        self.assertIn('R1: uploaded a, 2.0 KiB in', logger.output)
        self.assertIn('R1: upload of b failed after 0 B: boom',
                      logger.output)

    def test_terminal_line(self):
        stream = TTY()
        shown = progress.TerminalProgress(stream)
        shown.start_region('R1', 4096)
        shown.start_region('other:O1', 1024)
        shown.start_image('R1', 'a', 4096)
        shown.advance('R1', 1024)
        shown.start_image('other:O1', 'b', 1024)
        text = stream.getvalue()
        self.assertIn('\rR1 1.0 KiB/4.0 KiB ', text)
        self.assertIn(' | other:O1 0 B/1.0 KiB ', text)
        self.assertIn('/s ETA ', text)
        shown.finish_region('R1')
        shown.close()
        self.assertTrue(stream.getvalue().endswith('\r'))


class TerminalLoggingTest(base.BaseTestCase):

    def test_line_cleared_before_log_records(self):
        import logging
        handler = logging.StreamHandler(io.StringIO())
        root = logging.getLogger()
        root.addHandler(handler)
        self.addCleanup(root.removeHandler, handler)
        stream = TTY()
        shown = progress.TerminalProgress(stream)
        shown.start_region('R1', 100)
        shown.start_image('R1', 'a', 100)
        self.assertTrue(stream.getvalue().startswith('\rR1 '))
        logging.getLogger('glance_sync.test').warning('hello')
        self.assertTrue(stream.getvalue().endswith('\r'))
        shown.close()
        self.assertEqual([], handler.filters)
