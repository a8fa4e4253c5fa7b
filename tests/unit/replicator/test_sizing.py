import fixtures
from oslotest import base

from glance_sync import engine
from glance_sync.regions import base as regions_base
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.replicator import sizing
from glance_sync.sync import syncing
from glance_sync.sync.copier import offline_copier
from tests.unit.replicator import fakes


class Unavailable(MemoryRegion):

    def list_images(self, include_public=False):
        raise regions_base.RegionUnavailable(self.name, reason='503')


class SizeTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cloud = fakes.cloud(self.dir)
        master = self.cloud.regions['Master']
        a = next(i for i in master.list_images() if i.name == 'a')
        fakes.add(self.cloud.regions['R1'], 'a',
                  b''.join(master.download(a.id)))

    def test_per_region_and_total(self):
        sizes = sizing.size_regions(self.cloud, ['R1', 'other:O1'])
        self.assertEqual([('R1', 2, 50), ('other:O1', 1, 30)],
                         [(s.region, s.images, s.bytes) for s in sizes])
        total = sizing.total(sizes)
        self.assertEqual(('total', 3, 80, '80 B'),
                         (total.region, total.images, total.bytes,
                          total.human))
        self.assertEqual({'region': 'R1', 'images': 2, 'bytes': 50,
                          'size': '50 B', 'error': None}, sizes[0].as_row())

    def test_parallel_keeps_the_order_given(self):
        sizes = sizing.size_regions(self.cloud, ['other:O1', 'R1'],
                                    parallel=2)
        self.assertEqual([('other:O1', 30), ('R1', 50)],
                         [(s.region, s.bytes) for s in sizes])

    def test_matches_what_the_sync_copies(self):
        sizes = sizing.size_regions(self.cloud, ['R1'], parallel=2)
        index = syncing.master_index(self.cloud)
        _, report = engine.sync_region(
            index, self.cloud.regions['Master'], self.cloud.regions['R1'],
            self.cloud.config.settings.targets['master'],
            copier=offline_copier(), tenant_id='t1id')
        self.assertEqual(sizes[0].bytes, report.uploaded_bytes)
        self.assertEqual(0, sizing.size_regions(self.cloud, ['R1'])[0].bytes)

    def test_only_listings_are_read(self):
        for region in self.cloud.regions.values():
            region.reset_calls()
        sizing.size_regions(self.cloud, ['R1', 'other:O1'])
        methods = {c.method for r in self.cloud.regions.values()
                   for c in r.calls}
        self.assertEqual({'list_images'}, methods)

    def test_a_failed_region_counts_for_nothing(self):
        self.cloud.regions['R1'] = Unavailable('R1')
        sizes = sizing.size_regions(self.cloud, ['R1', 'other:O1'])
        self.assertIn('R1 is unavailable: 503', sizes[0].error)
        self.assertEqual((1, 30), (sizing.total(sizes).images,
                                   sizing.total(sizes).bytes))
