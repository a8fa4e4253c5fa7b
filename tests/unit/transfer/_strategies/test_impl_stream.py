"""``stream``: one read of the master, every region fed, each verified."""

import fixtures
from oslotest import base as test_base

from glance_sync import digests
from glance_sync.regions import base
from glance_sync.transfer import TransferStats, fanout
from glance_sync.transfer._strategies import impl_sequential, impl_stream
from glance_sync.transfer.targets import Target
from tests.unit.transfer import fakes


class StreamTest(fakes.StrategyTestCase, test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.make_master()
        self.two = self.memory_region('RegionTwo')
        self.three = self.memory_region('RegionThree')
        self.four = self.memory_region('other:RegionFour')
        self.strategy = impl_stream.StreamStrategy()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def transfer(self, targets, **kwargs):
        return self.strategy.transfer(self.master, self.image, targets,
                                      **kwargs)

    def test_three_regions_one_read(self):
        stats = TransferStats()
        results = self.transfer([(r, None) for r in
                                 (self.two, self.three, self.four)],
                                stats=stats)
        for region in (self.two, self.three, self.four):
            self.assert_copy(results[region.name], region)
        self.assertEqual(1, len(self.master.calls_to('download')))
        self.assertEqual(self.SIZE, stats.source_bytes)
        self.assertIn('bytes read once from region RegionOne',
                      self.logger.output)

    def test_records_chosen_by_the_caller(self):
        template = self.image.copy(name='renamed', user_properties={'a': '1'},
                                   visibility='private')
        queued = self.three.create_image('cirros', visibility='public',
                                         properties={})
        results = self.transfer([(self.two, template), (self.three, queued)])
        self.assertEqual(('renamed', {'a': '1'}, 'private'),
                         (results['RegionTwo'].name,
                          results['RegionTwo'].user_properties,
                          results['RegionTwo'].visibility))
        self.assertEqual(queued.id, results['RegionThree'].id)

    def test_region_failing_halfway_dropped_others_complete(self):
        broken = fakes.FakeRegion('RegionThree')
        broken.fail_after = self.SIZE // 2
        results = self.transfer([(self.two, None), (broken, None),
                                 (self.four, None)])
        self.assert_copy(results['RegionTwo'], self.two)
        self.assert_copy(results['other:RegionFour'], self.four)
        error = results['RegionThree']
        self.assertIsInstance(error, base.CopyFailed)
        for part in ("'cirros'", self.image.id, 'RegionThree', 'disk full',
                     'was removed'):
            self.assertIn(part, str(error))
        self.assertIsInstance(error.__cause__, base.RegionUnavailable)
        self.assertEqual({}, broken.images)  # nothing queued left

    def test_corrupted_stream_detected_nothing_left(self):
        self.corrupt_master()
        stored = []
        watched = fakes.FakeRegion('RegionThree')
        watched.store_filter = lambda data: stored.append(data) or data
        results = self.transfer([(self.two, None), (watched, None)])
        for name in ('RegionTwo', 'RegionThree'):
            message = str(results[name])
            for part in ('md5 differs: the source has %s'
                         % self.image.checksum,
                         'sha512 differs', self.image.os_hash_value,
                         'was removed'):
                self.assertIn(part, message)
            self.assertIsInstance(results[name].__cause__,
                                  digests.DigestMismatch)
        # The upload never completed anywhere: no corrupt image, even for
        # a moment, and no record left.
        self.assertEqual([], stored)
        self.assertEqual([], self.two.list_images())
        self.assertEqual({}, watched.images)

    def test_region_storing_other_bytes(self):
        liar = fakes.FakeRegion('RegionThree')
        liar.store_filter = lambda data: data[:-1] + b'?'
        results = self.transfer([(self.two, None), (liar, None)])
        self.assert_copy(results['RegionTwo'], self.two)
        self.assertIn('md5 differs: the bytes sent have %s, the copy in '
                      'RegionThree has' % self.image.checksum,
                      str(results['RegionThree']))
        self.assertEqual({}, liar.images)

    def test_region_with_another_hash_algorithm(self):
        other = fakes.FakeRegion('RegionThree', hash_algo='sha256')
        results = self.transfer([(other, None)])
        self.assertEqual('sha256', results['RegionThree'].os_hash_algo)
        self.assertIn('sha512 not compared', self.logger.output)

    def test_source_failing_midway_fails_every_region(self):
        download = self.master.download

        def broken(image_id):
            chunks = download(image_id)
            yield next(chunks)
            raise base.RegionUnavailable('RegionOne', reason='reset')
        self.master.download = broken
        results = self.transfer([(self.two, None), (self.three, None)])
        for name, region in (('RegionTwo', self.two),
                             ('RegionThree', self.three)):
            self.assertIn('Region RegionOne is unavailable: reset',
                          str(results[name]))
            self.assertNotIsInstance(results[name].__cause__, fanout.Aborted)
            self.assertEqual([], region.list_images())

    def test_source_unreadable(self):
        self.master.download = lambda image_id: (_ for _ in ()).throw(
            base.ImageNotFound('RegionOne', image=image_id))
        queued = self.two.create_image('x', visibility='private',
                                       properties={})
        results = self.transfer([(self.two, queued)])
        self.assertIn('the source could not be read',
                      str(results['RegionTwo']))
        self.assertEqual([], self.two.list_images())

    def test_source_not_active(self):
        self.image = self.image.copy(status='deactivated')
        queued = self.two.create_image('x', visibility='private',
                                       properties={})
        results = self.transfer([(self.two, queued), (self.three, None)])
        for name in ('RegionTwo', 'RegionThree'):
            self.assertIn('the source in region RegionOne is deactivated, '
                          'not active', str(results[name]))
        self.assertEqual([], self.two.list_images())
        self.assertEqual([], self.master.calls_to('download'))

    def test_record_not_created_in_one_region(self):
        refusing = fakes.FakeRegion('RegionThree')
        refusing.fail_create = base.Refused('RegionThree', action='create',
                                            reason='quota')
        results = self.transfer([(self.two, None), (refusing, None)])
        self.assert_copy(results['RegionTwo'], self.two)
        self.assertIn('the record could not be created',
                      str(results['RegionThree']))

    def test_keep_queued(self):
        keeping = fakes.FakeRegion('RegionThree')
        queued = keeping.create_image('cirros', visibility='private',
                                      properties={}, image_id='master-id')
        keeping.fail_after = 10
        results = self.transfer([Target(keeping, queued, keep_queued=True)])
        self.assertIn('was kept, queued', str(results['RegionThree']))
        self.assertEqual('queued', keeping.images['master-id'].status)

    def test_region_given_twice(self):
        self.assertRaises(ValueError, self.transfer,
                          [(self.two, None), (self.two, None)])

    def test_no_target(self):
        self.assertEqual({}, self.transfer([]))

    def test_copy_raises_the_failure(self):
        broken = fakes.FakeRegion('RegionThree')
        broken.fail_after = 1
        self.assertRaises(base.CopyFailed, self.strategy.copy, self.master,
                          self.image, (broken, None))
        copy = self.strategy.copy(self.master, self.image, (self.two, None))
        self.assert_copy(copy, self.two)

    def test_source_opened_again_after_a_reset(self):
        download = self.master.download
        failures = [base.RegionUnavailable('RegionOne', reason='reset')]

        def flaky(image_id):
            if failures:
                raise failures.pop()
            return download(image_id)
        self.master.download = flaky
        results = self.transfer([(self.two, None)])
        self.assert_copy(results['RegionTwo'], self.two)


class RelayTest(fakes.StrategyTestCase, test_base.BaseTestCase):
    """``copy_from``: a region's copy read from a relay region."""

    def setUp(self):
        super().setUp()
        self.make_master()
        self.two = self.memory_region('RegionTwo')
        self.three = self.memory_region('RegionThree')
        self.strategy = impl_stream.StreamStrategy()
        self.logger = self.useFixture(fixtures.FakeLogger())
        # The relay's copy: another record (name, properties), same bytes.
        record = self.two.create_image(
            'relay-copy', visibility='private', properties={'x': 'y'},
            disk_format='raw', container_format='bare')
        self.relay = self.two.upload(record.id, [self.data])
        self.two.reset_calls()

    def test_the_copy_reads_the_relay_and_is_the_masters(self):
        copy = self.strategy.copy_from(self.two, self.relay.id, self.image,
                                       Target(self.three))
        self.assert_copy(copy, self.three)
        self.assertEqual((0, 1), (len(self.master.calls_to('download')),
                                  len(self.two.calls_to('download'))))
        self.assertIn('Relayed image cirros (%s): %d bytes read once from '
                      'region RegionTwo' % (self.image.id, self.SIZE),
                      self.logger.output)

    def test_bytes_that_are_not_the_masters_are_refused_and_removed(self):
        record = self.two.create_image(
            'other', visibility='private', properties={},
            disk_format='raw', container_format='bare')
        other = self.two.upload(record.id, [b'y' * self.SIZE])
        error = self.assertRaises(
            base.CopyFailed, self.strategy.copy_from, self.two, other.id,
            self.image, Target(self.three))
        self.assertIn('RegionThree', str(error))
        self.assertEqual([], self.three.snapshot())

    def test_other_strategies_read_the_master_only(self):
        strategy = impl_sequential.SequentialStrategy()
        self.assertFalse(strategy.relays)
        self.assertTrue(self.strategy.relays)
        self.assertRaises(NotImplementedError, strategy.copy_from, self.two,
                          self.relay.id, self.image, Target(self.three))
