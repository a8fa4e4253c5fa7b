"""``fake``: data-less copies into in-memory regions, calls recorded."""

from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.transfer._strategies import impl_fake
from glance_sync.transfer.targets import Target
from tests.unit.transfer import fakes


class FakeStrategyTest(fakes.StrategyTestCase, test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.make_master()
        self.strategy = impl_fake.FakeStrategy()

    def test_copies_fingerprints_without_reading(self):
        two, four = self.memory_region('A'), self.memory_region('other:B')
        results = self.strategy.transfer(self.master, self.image,
                                         [(two, None), (four, None)])
        for name in ('A', 'other:B'):
            copy = results[name]
            self.assertEqual((self.image.size, self.image.checksum,
                              self.image.os_hash_value, 'active'),
                             (copy.size, copy.checksum, copy.os_hash_value,
                              copy.status))
        self.assertEqual([], self.master.calls_to('download'))
        self.assertEqual([impl_fake.FakeTransfer(self.image.id,
                                                 ('A', 'other:B'))],
                         self.strategy.calls)

    def test_the_size_is_reported_as_a_copy_would(self):
        seen = []
        self.strategy.transfer(self.master, self.image, [
            Target(self.memory_region('A'), None, on_bytes=seen.append)])
        self.assertEqual([self.image.size], seen)

    def test_other_regions_fail(self):
        results = self.strategy.transfer(self.master, self.image,
                                         [(fakes.FakeRegion('X'), None)])
        self.assertIsInstance(results['X'], base.CopyFailed)
        self.assertIn('only writes to in-memory regions', str(results['X']))
