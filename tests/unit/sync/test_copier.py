from oslotest import base

from unittest import mock

from glance_sync.regions import base as regions_base
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules.actions import ImageRecord
from glance_sync.sync import copier, progress


class Recorder(progress.Progress):

    def __init__(self):
        self.events = []

    def start_image(self, region, image, size):
        self.events.append(('start', region, image, size))

    def advance(self, region, count):
        self.events.append(('advance', region, count))

    def finish_image(self, region, image, error=None):
        self.events.append(('finish', region, image, error))


def reporting_copier(recorder):
    """The CLI's copier (default strategy) reporting to ``recorder``."""
    return copier.reporting(copier.make_copier(None, recorder), recorder)


def regions():
    """A master holding one image of 100,000 bytes, an empty region."""
    master = MemoryRegion('Master', tenant_id='t1')
    queued = master.create_image('img', visibility='public',
                                 properties={'p': 1})
    source = master.upload(queued.id, [b'x' * 70000, b'y' * 30000])
    return master, source, MemoryRegion('other:O1', tenant_id='t2')


class RegionsTestCase(base.BaseTestCase):
    """A master with one image, an empty region, the engine's record."""

    def setUp(self):
        super().setUp()
        self.master, self.source, self.region = regions()
        self.record = ImageRecord(name='img', visibility='public',
                                  properties={'p': 1})


class CopierTest(RegionsTestCase):

    def test_copy_counts_bytes(self):
        recorder = Recorder()
        new = reporting_copier(recorder)(self.master, self.source,
                                        self.region, self.record)
        self.assertEqual('active', new.status)
        self.assertEqual(self.source.checksum, new.checksum)
        self.assertEqual({'p': 1}, new.user_properties)
        sent = sum(e[2] for e in recorder.events if e[0] == 'advance')
        self.assertEqual(100000, sent)
        self.assertEqual(('start', 'other:O1', 'img', 100000),
                         recorder.events[0])
        self.assertEqual(('finish', 'other:O1', 'img', None),
                         recorder.events[-1])

    def test_failure_is_reported_and_nothing_left(self):
        recorder = Recorder()
        broken = self.source.copy(checksum='0' * 32)
        self.assertRaises(regions_base.CopyFailed,
                          reporting_copier(recorder), self.master, broken,
                          self.region, self.record)
        self.assertEqual('finish', recorder.events[-1][0])
        self.assertIsNotNone(recorder.events[-1][3])
        self.assertEqual([], self.region.list_images(True))


class KeepIdTest(base.BaseTestCase):
    """A record with the master's id (match_by = id)."""

    def setUp(self):
        super().setUp()
        self.master, self.source, self.region = regions()
        self.record = ImageRecord(name='img', visibility='public',
                                  image_id=self.source.id)

    def copy(self):
        return reporting_copier(Recorder())(self.master, self.source,
                                            self.region, self.record)

    def test_created_with_the_id(self):
        self.assertEqual(self.source.id, self.copy().id)

    def test_a_queued_leftover_is_filled(self):
        self.region.create_image('img', visibility='public', properties={},
                                 image_id=self.source.id)
        new = self.copy()
        self.assertEqual((self.source.id, 'active'), (new.id, new.status))
        self.assertEqual(1, len(self.region.list_images(True)))

    def test_a_failed_copy_stays_queued_for_the_next_attempt(self):
        self.master.download = lambda image_id: iter([b'short'])
        self.assertRaises(regions_base.CopyFailed, self.copy)
        self.assertEqual('queued',
                         self.region.get_image(self.source.id).status)
        del self.master.download
        self.assertEqual('active', self.copy().status)

    def test_an_id_used_before_is_refused(self):
        self.region.create_image('img', visibility='public', properties={},
                                 image_id=self.source.id)
        self.region.delete(self.source.id)
        self.assertRaises(regions_base.IdInUse, self.copy)


class OfflineCopierTest(RegionsTestCase):

    def test_copies_the_fingerprints_without_data(self):
        new = copier.offline_copier()(self.master, self.source, self.region,
                                      self.record)
        self.assertEqual(('img', 'active', self.source.size,
                          self.source.checksum, {'p': 1}),
                         (new.name, new.status, new.size, new.checksum,
                          new.user_properties))
        self.assertEqual([], self.master.calls_to('download'))

    def test_keeps_the_id_asked_for(self):
        record = ImageRecord(name='img', visibility='public',
                             image_id='12345678-1234-5678-1234-567812345678')
        new = copier.offline_copier()(self.master, self.source, self.region,
                                      record)
        self.assertEqual(record.image_id, new.id)

    def test_needs_an_in_memory_region(self):
        other = mock.Mock(spec=regions_base.Region)
        other.name = 'elsewhere'
        other.create_image.return_value = self.source.copy(
            id='x', status='queued', region='elsewhere')
        exc = self.assertRaises(regions_base.CopyFailed,
                                copier.offline_copier(), self.master,
                                self.source, other, self.record)
        self.assertIn('in-memory', str(exc))
        self.assertIn('elsewhere', str(exc))

