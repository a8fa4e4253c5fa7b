"""Copies put into the named stores of a multi-store region."""

import fixtures
from oslotest import base

from glance_sync.regions.stores import MultiStore
from glance_sync.sync import stores
from tests.unit.rules import fakes


class FakeStores(MultiStore):
    """A region whose copy-image completes after ``polls`` looks, or
    fails for the stores in ``failing``."""

    def __init__(self, present, polls=2, failing=()):
        self.name = 'RegionTwo'
        self.present = set(present)
        self.polls = polls
        self.failing = set(failing)
        self.asked = []
        self.failed = set()

    def image_stores(self, image_id):
        if self.asked and self.polls:
            self.polls -= 1
            if not self.polls:
                for store in self.asked[-1]:
                    (self.failed if store in self.failing
                     else self.present).add(store)
        return set(self.present), set(self.failed)

    def copy_to_stores(self, image_id, stores):
        self.asked.append(sorted(stores))


class FollowStoresTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.sleeps = []

    def follow(self, region, wanted, **kwargs):
        return stores.follow_stores(region, 'c1', wanted,
                                    sleep=self.sleeps.append, **kwargs)

    def test_copies_the_missing_stores_and_waits(self):
        region = FakeStores({'local', 'edge1'})
        self.assertEqual(set(), self.follow(region, ['edge1', 'edge2']))
        self.assertEqual([['edge2']], region.asked)
        self.assertEqual({'local', 'edge1', 'edge2'}, region.present)
        self.assertEqual([stores.POLL], self.sleeps)

    def test_nothing_asked_when_present(self):
        region = FakeStores({'local', 'edge1'})
        self.assertEqual(set(), self.follow(region, ['edge1']))
        self.assertEqual([], region.asked)

    def test_failed_store_reported(self):
        region = FakeStores({'local'}, failing={'edge2'})
        self.assertEqual({'edge2'}, self.follow(region, ['edge1', 'edge2']))
        self.assertIn('is not in store(s) edge2 (the copy failed)',
                      self.logger.output)

    def test_timeout_reported(self):
        region = FakeStores({'local'}, polls=0)
        times = iter([0.0, 1.0, 5.0])
        self.assertEqual({'edge1'}, self.follow(
            region, ['edge1'], timeout=2.0, clock=lambda: next(times)))
        self.assertIn('not done after 2 s', self.logger.output)

    def test_follow_images_by_copy(self):
        region = FakeStores({'local'})
        missing = stores.follow_images(
            region, [fakes.image('a'), fakes.image('b')], {'a': 'c1'},
            ['edge1'])
        self.assertEqual({}, missing)
        self.assertEqual([['edge1']], region.asked)

    def test_region_without_stores_skipped(self):
        self.assertEqual(set(), stores.follow_stores(object(), 'c1',
                                                     ['edge1']))
