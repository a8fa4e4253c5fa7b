"""``sequential``: the baseline reads the master once per region."""

from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.transfer import TransferStats
from glance_sync.transfer._strategies import impl_sequential
from tests.unit.transfer import fakes


class SequentialTest(fakes.StrategyTestCase, test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.make_master()
        self.strategy = impl_sequential.SequentialStrategy()

    def test_one_read_per_region(self):
        regions = [self.memory_region(n) for n in ('A', 'B', 'other:C')]
        stats = TransferStats()
        results = self.strategy.transfer(self.master, self.image,
                                         [(r, None) for r in regions],
                                         stats=stats)
        for region in regions:
            self.assert_copy(results[region.name], region)
        self.assertEqual(3, len(self.master.calls_to('download')))
        self.assertEqual(3 * self.SIZE, stats.source_bytes)

    def test_one_region_failing_does_not_stop_the_next(self):
        broken = fakes.FakeRegion('A')
        broken.fail_after = 100
        ok = self.memory_region('B')
        results = self.strategy.transfer(self.master, self.image,
                                         [(broken, None), (ok, None)])
        self.assertIsInstance(results['A'], base.CopyFailed)
        self.assert_copy(results['B'], ok)
        self.assertEqual({}, broken.images)

    def test_corrupted_stream_detected(self):
        self.corrupt_master()
        region = self.memory_region('A')
        results = self.strategy.transfer(self.master, self.image,
                                         [(region, None)])
        self.assertIn('md5 differs', str(results['A']))
        self.assertEqual([], region.list_images())
