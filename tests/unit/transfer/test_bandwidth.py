"""Token buckets and the caps of a site topology."""

import dataclasses
import threading

import fixtures
from oslotest import base

from glance_sync.conf.sites import SiteTopology
from glance_sync.transfer import bandwidth
from glance_sync.transfer._strategies import impl_stream
from tests.unit.transfer import fakes


class FakeTime:
    """A clock that moves only when someone sleeps."""

    def __init__(self):
        self.now = 100.0
        self.slept = []
        self.lock = threading.Lock()

    def clock(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.slept.append(seconds)
            self.now += seconds


class TokenBucketTest(base.BaseTestCase):

    def bucket(self, rate):
        self.time = FakeTime()
        return bandwidth.TokenBucket(rate, clock=self.time.clock,
                                     sleep=self.time.sleep)

    def test_the_rate_holds_over_many_chunks(self):
        bucket = self.bucket(1000)
        for _ in range(40):
            bucket.take(250)
        # 10,000 bytes at 1,000 B/s, less the initial burst (250 B).
        self.assertAlmostEqual(9.75, self.time.now - 100.0)

    def test_a_chunk_larger_than_the_burst_leaves_a_debt(self):
        bucket = self.bucket(1000)
        self.assertEqual(0.0, bucket.take(250))
        self.assertAlmostEqual(2.0, bucket.take(2000))
        self.assertAlmostEqual(0.5, bucket.take(500))

    def test_idle_time_gives_back_no_more_than_the_burst(self):
        bucket = self.bucket(1000)
        bucket.take(250)
        self.time.now += 3600
        self.assertEqual(0.0, bucket.take(250))
        self.assertAlmostEqual(1.0, bucket.take(1000))

    def test_every_caller_shares_the_rate(self):
        bucket = self.bucket(1000)
        threads = [threading.Thread(target=lambda: [bucket.take(100)
                                                    for _ in range(10)])
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertAlmostEqual(3.75, self.time.now - 100.0)

    def test_a_rate_below_one_is_refused(self):
        self.assertRaises(ValueError, bandwidth.TokenBucket, 0)


class LimiterTest(base.BaseTestCase):

    TOPOLOGY = SiteTopology(
        region_sites={'RegionOne': 'west', 'RegionTwo': 'east',
                      'RegionThree': 'east', 'RegionFive': 'west'},
        region_rates={'RegionThree': 3000},
        link_rates={('east', 'west'): 5000})

    def test_a_copy_over_a_link_takes_from_the_link_and_the_region(self):
        limiter = bandwidth.limiter_for(self.TOPOLOGY)
        self.assertEqual([3000, 5000], [b.rate for b in limiter.buckets(
            'RegionOne', 'RegionThree')])
        self.assertEqual(3000, limiter.cap('RegionOne', 'RegionThree'))
        self.assertEqual(5000, limiter.cap('RegionOne', 'RegionTwo'))

    def test_copies_over_one_link_share_its_bucket(self):
        one = bandwidth.limiter_for(self.TOPOLOGY)
        other = bandwidth.limiter_for(self.TOPOLOGY)
        (two,) = one.buckets('RegionOne', 'RegionTwo')
        self.assertIs(two, other.buckets('RegionTwo', 'RegionOne')[0])
        self.assertIs(two, other.buckets('RegionFive', 'RegionTwo')[0])

    def test_a_copy_within_a_site_is_not_capped(self):
        limiter = bandwidth.limiter_for(self.TOPOLOGY)
        chunks = [b'x'] * 3
        self.assertIs(chunks, limiter.throttle('RegionOne', 'RegionFive',
                                               chunks))
        self.assertIsNone(limiter.cap('RegionOne', 'RegionFive'))

    def test_throttle_yields_every_chunk(self):
        limiter = bandwidth.limiter_for(SiteTopology(
            region_rates={'RegionTwo': 10 ** 9}))
        chunks = [b'a' * 10, b'b' * 20]
        self.assertEqual(chunks, list(limiter.throttle('RegionOne',
                                                       'RegionTwo', chunks)))


class CappedStreamTest(fakes.StrategyTestCase, base.BaseTestCase):

    def test_a_capped_copy_logs_its_rate_and_cap(self):
        logger = self.useFixture(fixtures.FakeLogger())
        self.make_master()
        two = self.memory_region('RegionTwo')
        strategy = impl_stream.StreamStrategy()
        strategy.options = dataclasses.replace(
            strategy.options,
            sites=SiteTopology(region_rates={'RegionTwo': 10 ** 9}))
        results = strategy.transfer(self.master, self.image, [(two, None)])
        self.assertEqual('active', results['RegionTwo'].status)
        self.assertIn('to region RegionTwo: %d bytes in' % self.SIZE,
                      logger.output)
        self.assertIn('(capped at 953.67 MiB/s)', logger.output)
