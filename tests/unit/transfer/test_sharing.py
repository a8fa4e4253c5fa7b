"""Zero-copy: a location in a store shared with the master, checked."""

import dataclasses
import hashlib
import os
import threading

import fixtures
from oslotest import base as test_base

from glance_sync.conf.sites import SiteTopology
from glance_sync.regions import base
from glance_sync.transfer import TransferStats
from glance_sync.transfer import sharing
from glance_sync.transfer._strategies import impl_stream
from glance_sync.transfer.targets import Target
from tests.unit.transfer import fakes

SHARED = 'file:///srv/shared/'


class MasterRegion(fakes.FakeRegion, base.ImageLocations):
    """A master whose data sits in a (shared) file store."""

    def __init__(self, name, store):
        super().__init__(name)
        self.store = store
        self.prefix = SHARED
        self.shows_locations = True

    def upload(self, image_id, chunks, size=None):
        image = super().upload(image_id, chunks, size)
        self.store[self.prefix + image_id] = self.data[image_id]
        return image

    def locations(self, image_id):
        if not self.shows_locations:
            return []
        return [(self.prefix + image_id, 'local')]


class SharingRegion(fakes.FakeRegion, base.SharedLocation):
    """A region whose Glance reads the store and hashes what it finds, as
    Glance's location import does."""

    def __init__(self, name, store):
        super().__init__(name)
        self.store = store
        self.refuse = None
        self.added = []

    def add_location(self, image_id, url, *, hash_algo, hash_value):
        if self.refuse:
            raise self.refuse
        self.added.append(url)
        data = self.store[url]
        image = self.images[image_id]
        image.status = 'active'
        image.size = len(data)
        image.checksum = hashlib.md5(data).hexdigest()
        image.os_hash_algo = hash_algo
        image.os_hash_value = hashlib.new(hash_algo, data).hexdigest()


class ShareTest(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.store = {}
        self.master = MasterRegion('RegionOne', self.store)
        self.data = os.urandom(200 * 1024 + 3)
        self.image = self.master.add('cirros', self.data)
        self.master.downloads = 0
        self.two = SharingRegion('RegionTwo', self.store)
        self.three = fakes.FakeRegion('RegionThree')
        self.strategy = impl_stream.StreamStrategy()
        self.share_with({'RegionTwo': ((SHARED, SHARED),)})

    def share_with(self, shared):
        self.strategy.options = dataclasses.replace(
            self.strategy.options, sites=SiteTopology(shared_stores=shared),
            import_poll_interval=0.01, import_timeout=1)

    def transfer(self, stats=None):
        return self.strategy.transfer(
            self.master, self.image, [(self.two, None), (self.three, None)],
            stats=stats)

    def test_a_sharing_region_gets_a_location_and_no_data(self):
        stats = TransferStats()
        results = self.transfer(stats)
        copy = results['RegionTwo']
        self.assertIsInstance(copy, base.Image)
        self.assertEqual((len(self.data), self.image.checksum,
                          self.image.os_hash_value),
                         (copy.size, copy.checksum, copy.os_hash_value))
        self.assertEqual([SHARED + self.image.id], self.two.added)
        self.assertEqual([], self.two.received)
        self.assertEqual(['RegionTwo'], stats.shared)
        # The other region is streamed: the master is read once, for it.
        self.assertEqual('active', results['RegionThree'].status)
        self.assertEqual(1, self.master.downloads)
        self.assertEqual(len(self.data), stats.source_bytes)
        self.assertIn('no data copied', self.logger.output)

    def test_a_location_reports_no_bytes_written(self):
        # What a task records: 0 bytes for the location, the data for the
        # region streamed.
        seen = {'RegionTwo': [], 'RegionThree': []}
        results = self.strategy.transfer(self.master, self.image, [
            Target(self.two, None, on_bytes=seen['RegionTwo'].append),
            Target(self.three, None, on_bytes=seen['RegionThree'].append)])
        self.assertIsInstance(results['RegionTwo'], base.Image)
        self.assertEqual([], seen['RegionTwo'])
        self.assertEqual(len(self.data), sum(seen['RegionThree']))

    def test_a_region_whose_glance_refuses_fails_clearly(self):
        self.two.refuse = base.Refused('RegionTwo', action='x',
                                       reason='HTTP 403 Forbidden')
        results = self.transfer()
        error = results['RegionTwo']
        self.assertIsInstance(error, base.CopyFailed)
        self.assertIn('HTTP 403 Forbidden', str(error))
        self.assertIn('"service" role', str(error))
        self.assertIn('[region:RegionTwo] share_store', str(error))
        self.assertEqual({}, self.two.images)  # the record was removed
        self.assertEqual('active', results['RegionThree'].status)

    def test_different_bytes_at_the_location_fail_the_copy(self):
        self.store[SHARED + self.image.id] = b'not the image'
        error = self.transfer()['RegionTwo']
        self.assertIsInstance(error, base.CopyFailed)
        self.assertIn('size', str(error))
        self.assertEqual({}, self.two.images)

    def test_an_image_in_another_store_is_copied(self):
        self.master.prefix = 'rbd://other-pool/'
        self.store['rbd://other-pool/' + self.image.id] = self.data
        stats = TransferStats()
        results = self.transfer(stats)
        self.assertEqual('active', results['RegionTwo'].status)
        self.assertEqual([], self.two.added)
        self.assertEqual([], stats.shared)
        self.assertEqual(len(self.data), sum(self.two.received))

    def test_a_master_that_shows_no_location_is_named(self):
        self.master.shows_locations = False
        error = self.transfer()['RegionTwo']
        self.assertIsInstance(error, base.CopyFailed)
        self.assertIn('show_image_direct_url', str(error))
        self.assertIn('[region:RegionTwo] share_store', str(error))

    def test_unchecked_data_does_not_count(self):
        add = self.two.add_location

        def unhashed(image_id, url, **kw):
            add(image_id, url, **kw)
            self.two.images[image_id].checksum = None
        self.two.add_location = unhashed
        error = self.transfer()['RegionTwo']
        self.assertIn('cannot be checked', str(error))
        self.assertEqual({}, self.two.images)

    def test_a_location_never_activated_times_out(self):
        self.two.add_location = lambda image_id, url, **kw: None
        error = self.transfer()['RegionTwo']
        self.assertIn('not active after', str(error))

    def test_looks_start_short_and_back_off_to_the_interval(self):
        # A location Glance activates at once costs a tenth of a second,
        # not a poll interval; one that takes longer is looked at less
        # and less often, up to the interval.
        pauses, now = [], [0.0]

        def sleep(seconds):
            pauses.append(seconds)
            now[0] += seconds
        add = self.two.add_location
        self.two.add_location = lambda image_id, url, **kw: None
        options = sharing.ShareOptions(poll_interval=2.0, timeout=5.0,
                                       clock=lambda: now[0], sleep=sleep)
        target = Target(self.two, None)
        sharing.share(SiteTopology(shared_stores={
            'RegionTwo': ((SHARED, SHARED),)}), self.master, self.image,
            [target], options)
        self.assertEqual([0.1, 0.2, 0.4, 0.8, 1.6, 2.0], pauses[:6])
        pauses.clear()
        self.two.add_location = add
        results, _ = sharing.share(SiteTopology(shared_stores={
            'RegionTwo': ((SHARED, SHARED),)}), self.master, self.image,
            [target], options)
        self.assertIsInstance(results['RegionTwo'], base.Image)
        self.assertEqual([0.1], pauses)

    def test_regions_get_their_locations_at_the_same_time(self):
        # Each region's Glance reads and hashes the data itself: the
        # regions wait for one another's activation, which only works
        # when they are shared side by side, not one after the other.
        four = SharingRegion('RegionFour', self.store)
        both = threading.Barrier(2, timeout=5)
        for region in (self.two, four):
            add = region.add_location

            def meeting(image_id, url, add=add, **kw):
                both.wait()
                add(image_id, url, **kw)
            region.add_location = meeting
        self.share_with({'RegionTwo': ((SHARED, SHARED),),
                         'RegionFour': ((SHARED, SHARED),)})
        results = self.strategy.transfer(self.master, self.image,
                                         [(self.two, None), (four, None)])
        self.assertIsInstance(results['RegionTwo'], base.Image)
        self.assertIsInstance(results['RegionFour'], base.Image)


class SharedUrlTest(test_base.BaseTestCase):

    def test_first_location_under_a_prefix(self):
        self.assertEqual('rbd://f/images/x', sharing.shared_url(
            [('file:///a/x', None), ('rbd://f/images/x', 'ceph')],
            [('swift://', 'swift://'),
             ('rbd://f/images/', 'rbd://f/images/')]))
        self.assertIsNone(sharing.shared_url([('file:///a/x', None)],
                                             [('rbd://', 'rbd://')]))

    def test_the_region_address_replaces_the_masters(self):
        self.assertEqual('http://h:8/x', sharing.shared_url(
            [('file:///srv/images/x', None)],
            [('file:///srv/images/', 'http://h:8/')]))
