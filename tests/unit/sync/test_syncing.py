"""What counts as a synchronised region after a sync."""

from oslotest import base

from glance_sync.rules.status import ImageStatus, Status
from glance_sync.sync.syncing import RegionResult
from tests.unit.rules import fakes


def result(*codes, **kwargs):
    return RegionResult('Burgos', tuple(
        ImageStatus(code, 'Burgos', fakes.image('i%d' % n))
        for n, code in enumerate(codes)), **kwargs)


class RegionResultTest(base.BaseTestCase):

    def test_pending_upload_is_not_ok(self):
        self.assertTrue(result(Status.OK, Status.OK_STALLED_CHECKSUM).ok)
        self.assertFalse(result(Status.OK, Status.PENDING_UPLOAD).ok)

    def test_metadata_only_leaves_data_statuses(self):
        self.assertTrue(result(Status.OK, Status.PENDING_UPLOAD,
                               Status.PENDING_REPLACE, Status.PENDING_AMI,
                               metadata_only=True).ok)

    def test_metadata_only_still_fails_on_metadata_and_errors(self):
        for code in (Status.PENDING_METADATA, Status.ERROR_CHECKSUM,
                     Status.ERROR_AMI):
            self.assertFalse(result(Status.OK, code, metadata_only=True).ok,
                             code)
        self.assertFalse(result(Status.OK, metadata_only=True,
                                error='down').ok)
