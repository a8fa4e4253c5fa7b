from oslotest import base

from glance_sync.rules.status import ImageStatus, Status, format_status
from tests.unit.rules import fakes


class StatusTest(base.BaseTestCase):

    def test_categories(self):
        self.assertTrue(Status.OK.is_final)
        self.assertTrue(Status.OK_STALLED_CHECKSUM.is_final)
        self.assertTrue(Status.ERROR_AMI.is_error)
        self.assertTrue(Status.PENDING_AMI.is_pending)
        self.assertFalse(Status.ERROR_CHECKSUM.is_pending)
        self.assertEqual('pending_rename', str(Status.PENDING_RENAME))

    def test_format(self):
        statuses = [ImageStatus(Status.OK, 'other:Madrid',
                                fakes.image('image01')),
                    ImageStatus(Status.PENDING_UPLOAD, 'other:Madrid',
                                fakes.image('with,comma'))]
        self.assertEqual('ok,other:Madrid,image01\n'
                         'pending_upload,other:Madrid,"with,comma"\n',
                         format_status(statuses))
        self.assertEqual('', format_status([]))
        self.assertEqual('image01', statuses[0].name)
