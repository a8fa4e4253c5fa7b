"""Wait lines in a task's last_error, written and read back."""

import datetime

from oslotest import base

from glance_sync.daemon import waits


class WaitNoteTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.note = waits.WaitNote('waiting for', '%s (%s)')
        self.when = datetime.datetime(2026, 12, 6, 19, 30, 5)

    def test_round_trip(self):
        line = self.note.message('RegionTwo', 'busy', since=self.when)
        self.assertEqual('waiting for RegionTwo (busy) since '
                         '2026-12-06T19:30:05', line)
        self.assertEqual(self.when, self.note.since(line))

    def test_other_lines_are_no_wait(self):
        other = waits.WaitNote('waiting for master image', '%s')
        line = other.message('x', since=self.when)
        self.assertIsNone(waits.WaitNote('waiting for a slot', '%s')
                          .since(line))
        self.assertIsNone(self.note.since(None))
        self.assertIsNone(self.note.since('HTTP 503 from RegionTwo'))

    def test_a_damaged_time_is_no_wait(self):
        self.assertIsNone(self.note.since('waiting for x (y) since never'))
