import csv
import io

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

    def test_format_reads_back_names_with_line_breaks(self):
        names = ['bare\rreturn', 'line\nfeed', '\r\n', 'nul\x00', '=1']
        statuses = [ImageStatus(Status.OK, 'R1', fakes.image(name))
                    for name in names]
        rows = list(csv.reader(io.StringIO(format_status(statuses),
                                           newline='')))
        self.assertEqual([['ok', 'R1', name] for name in names], rows)
