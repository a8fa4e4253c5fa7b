from oslotest import base

from glance_sync.rules import checksum
from glance_sync.rules.status import Status
from tests.unit.rules import fakes


class DecideTest(base.BaseTestCase):

    def decide(self, value, **lists):
        return checksum.decide(value, fakes.rules(**lists))

    def test_nothing_set_is_an_error(self):
        self.assertEqual(Status.ERROR_CHECKSUM, self.decide('c'))

    def test_dontupdate_first(self):
        self.assertEqual(Status.OK_STALLED_CHECKSUM, self.decide(
            'c', dontupdate=['c'], replace=['c'], rename=['any']))

    def test_replace_listed_before_rename(self):
        self.assertEqual(Status.PENDING_REPLACE, self.decide(
            'c', replace=['c'], rename=['c']))

    def test_rename_listed_or_any(self):
        self.assertEqual(Status.PENDING_RENAME, self.decide(
            'c', rename=['c']))
        self.assertEqual(Status.PENDING_RENAME, self.decide(
            'c', rename=['any'], replace=['any']))

    def test_replace_any_last(self):
        self.assertEqual(Status.PENDING_REPLACE, self.decide(
            'c', replace=['x', 'any'], rename=['y']))

    def test_other_checksums_do_not_match(self):
        self.assertEqual(Status.ERROR_CHECKSUM, self.decide(
            'c', dontupdate=['x'], replace=['y'], rename=['z']))

    def test_warning_text(self):
        self.assertEqual(
            'Image image05 has a different checksum (ch5) in region Burgos '
            'than in the master region. It was not set what to do. Please, '
            'fill either dontupdate, replace or rename with the checksum.',
            checksum.CHECKSUM_WARNING % {'name': 'image05', 'checksum': 'ch5',
                                         'region': 'Burgos'})
