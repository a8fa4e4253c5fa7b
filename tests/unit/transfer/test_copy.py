"""One verified copy through ``sequential``, against fake regions that
misbehave on demand."""

import dataclasses
import os

from oslotest import base as test_base

from glance_sync import digests
from glance_sync.regions import base
from glance_sync.transfer._strategies import impl_sequential
from glance_sync.transfer.targets import Target
from tests.unit.transfer import fakes

DATA = os.urandom(10000)


class CopyTestCase(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.src = fakes.FakeRegion('RegionOne')
        self.dst = fakes.FakeRegion('other:RegionFour')
        self.image = self.src.add('cirros', DATA, disk_format='qcow2',
                                  container_format='bare', min_disk=1,
                                  min_ram=64)
        self.src.images[self.image.id].user_properties = {'type': 'x'}
        self.image = self.src.get_image(self.image.id)

    def copy(self, record=None, keep_queued=False, chunk_size=None):
        strategy = impl_sequential.SequentialStrategy()
        # One removal attempt, no waiting between attempts.
        strategy.options = dataclasses.replace(
            strategy.options, cleanup_attempts=1,
            chunk_size=chunk_size or strategy.options.chunk_size)
        return strategy.copy(self.src, self.image,
                             Target(self.dst, record, keep_queued))

    def assert_fails(self, *words, **kwargs):
        exc = self.assertRaises(base.CopyFailed, self.copy, **kwargs)
        for word in ('cirros', self.image.id, 'other:RegionFour') + words:
            self.assertIn(word, str(exc))
        return exc


class CopyTest(CopyTestCase):

    def test_record_and_data(self):
        result = self.copy()
        self.assertEqual('active', result.status)
        self.assertEqual(DATA, self.dst.data[result.id])
        for field in ('name', 'visibility', 'disk_format', 'container_format',
                      'min_disk', 'min_ram', 'user_properties', 'size',
                      'checksum', 'os_hash_algo', 'os_hash_value'):
            self.assertEqual(getattr(self.image, field),
                             getattr(result, field), field)
        self.assertEqual('other:RegionFour', result.region)
        self.assertEqual(1, self.src.downloads)

    def test_record_chosen_by_the_caller(self):
        record = self.image.copy(user_properties={'nid': '1'},
                                 visibility='public')
        result = self.copy(record=record)
        self.assertEqual({'nid': '1'}, result.user_properties)
        self.assertEqual('public', result.visibility)

    def test_existing_queued_record_filled_in_place(self):
        queued = self.dst.create_image('cirros', visibility='private',
                                       properties={})
        result = self.copy(record=queued)
        self.assertEqual(queued.id, result.id)
        self.assertEqual([queued.id], list(self.dst.images))

    def test_chunks_bounded(self):
        self.src.download = lambda image_id: iter([DATA])
        self.copy(chunk_size=4096)
        self.assertEqual([4096, 4096, 1808], self.dst.received)

    def test_old_source_without_hashes(self):
        self.image = self.image.copy(checksum=None, os_hash_value=None)
        result = self.copy()
        self.assertEqual(DATA, self.dst.data[result.id])

    def test_destination_with_another_algorithm(self):
        self.dst.hash_algo = 'sha256'
        result = self.copy()
        self.assertEqual('sha256', result.os_hash_algo)


class FailureTest(CopyTestCase):

    def test_corrupted_in_flight(self):
        def corrupted(image_id):
            for chunk in fakes.FakeRegion.download(self.src, image_id):
                yield chunk.replace(chunk[:1], bytes([chunk[0] ^ 1]), 1)
        self.src.download = corrupted
        exc = self.assert_fails('md5 differs', self.image.checksum,
                                'sha512 differs', self.image.os_hash_value,
                                'was removed')
        self.assertEqual({}, self.dst.images)
        self.assertIsInstance(exc.__cause__, digests.DigestMismatch)
        self.assertEqual([], list(self.dst.data))

    def test_corruption_never_completes_the_upload(self):
        stored = []
        self.dst.store_filter = lambda data: stored.append(data) or data
        self.src.download = lambda image_id: iter([DATA[:-1] + b'?'])
        self.assert_fails('md5 differs')
        self.assertEqual([], stored)

    def test_truncated_source(self):
        self.src.download = lambda image_id: iter([DATA[:-10]])
        self.assert_fails('size differs: the source has 10000, the bytes '
                          'read have 9990')
        self.assertEqual({}, self.dst.images)

    def test_destination_stores_something_else(self):
        self.dst.store_filter = lambda data: data[:-1] + b'?'
        exc = self.assert_fails('md5 differs: the bytes sent have %s'
                                % self.image.checksum,
                                'the copy in other:RegionFour has')
        self.assertEqual({}, self.dst.images)
        self.assertIn(exc.copy_id, str(exc))

    def test_destination_fails_midway(self):
        self.dst.fail_after = 5000
        exc = self.assert_fails('disk full', 'was removed')
        self.assertIsInstance(exc.__cause__, base.RegionUnavailable)
        self.assertEqual({}, self.dst.images)

    def test_source_fails_midway(self):
        def broken(image_id):
            yield DATA[:100]
            raise base.RegionUnavailable('RegionOne', reason='reset')
        self.src.download = broken
        self.assert_fails('Region RegionOne is unavailable: reset')
        self.assertEqual({}, self.dst.images)

    def test_broken_copy_cannot_be_removed(self):
        self.dst.store_filter = lambda data: b''
        self.dst.fail_delete = base.RegionUnavailable('other:RegionFour',
                                                      reason='gone')
        exc = self.assert_fails('size differs', 'could not be removed',
                                'gone')
        self.assertEqual(1, len(self.dst.images))
        self.assertIn(exc.copy_id, self.dst.images)

    def test_source_not_active(self):
        self.image = self.image.copy(status='deactivated')
        self.assert_fails('deactivated, not active')
        self.assertEqual({}, self.dst.images)

    def test_prepared_record_removed_when_the_source_is_not_active(self):
        queued = self.dst.create_image('cirros', visibility='private',
                                       properties={})
        self.image = self.image.copy(status='queued')
        self.assert_fails('queued, not active', 'was removed',
                          record=queued)
        self.assertEqual({}, self.dst.images)

    def test_prepared_record_removed_after_a_failure(self):
        queued = self.dst.create_image('cirros', visibility='private',
                                       properties={})
        self.dst.fail_after = 10
        exc = self.assert_fails('disk full', record=queued)
        self.assertEqual(queued.id, exc.copy_id)
        self.assertEqual({}, self.dst.images)

    def test_record_not_created(self):
        self.dst.fail_create = base.RegionUnavailable('other:RegionFour',
                                                      reason='refused')
        exc = self.assert_fails('record could not be created', 'refused')
        self.assertIs(self.dst.fail_create, exc.__cause__)

    def test_interrupted(self):
        def interrupted(image_id):
            yield DATA[:100]
            raise KeyboardInterrupt()
        self.src.download = interrupted
        self.assertRaises(KeyboardInterrupt, self.copy)
        self.assertEqual({}, self.dst.images)

    def test_source_closed_after_a_failure(self):
        closed = []

        def tracked(image_id):
            try:
                yield DATA[:100]
                yield DATA[100:]
            finally:
                closed.append(True)
        self.src.download = tracked
        self.dst.fail_after = 50
        self.assertRaises(base.CopyFailed, self.copy)
        self.assertEqual([True], closed)


class KeepQueuedTest(CopyTestCase):
    """keep_queued: a copy that must keep its id is not deleted while it
    can still be filled (Glance never gives a deleted id back)."""

    def prepared(self):
        return self.dst.create_image('cirros', visibility='private',
                                     properties={}, image_id='master-id')

    def test_failed_upload_kept_queued(self):
        queued = self.prepared()
        self.dst.fail_after = 10
        exc = self.assert_fails('disk full', 'was kept, queued',
                                record=queued, keep_queued=True)
        self.assertEqual('queued', self.dst.images['master-id'].status)
        self.assertEqual('master-id', exc.copy_id)
        self.dst.fail_after = None
        result = self.copy(record=self.dst.get_image('master-id'))
        self.assertEqual(('master-id', 'active'), (result.id, result.status))

    def test_a_copy_with_wrong_data_is_deleted_anyway(self):
        self.dst.store_filter = lambda data: data[:-1] + b'?'
        self.assert_fails('md5 differs', 'was removed',
                          record=self.prepared(), keep_queued=True)
        self.assertEqual({}, self.dst.images)
