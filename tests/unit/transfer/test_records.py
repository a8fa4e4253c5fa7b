"""Removing failed copies: retried while the region is away, kept if asked."""

from oslotest import base as test_base

from glance_sync.regions import base
from glance_sync.rules.actions import ImageRecord
from glance_sync.transfer import gathering, records
from glance_sync.transfer.targets import Target
from tests.unit.transfer import fakes


class Flaky(fakes.FakeRegion):
    """A region that does not answer its first ``down`` calls."""

    down = 0

    def _maybe_down(self):
        if self.down:
            self.down -= 1
            raise base.RegionUnavailable(self.name, reason='refused')

    def delete(self, image_id):
        self._maybe_down()
        super().delete(image_id)

    def get_image(self, image_id):
        self._maybe_down()
        return super().get_image(image_id)


class RemoveCopyTest(test_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.waits = []

    def remove(self, region, copy_id, **kwargs):
        return records.remove_copy(region, copy_id, sleep=self.waits.append,
                                   **kwargs)

    def test_retried_while_the_region_is_away(self):
        region = Flaky('R')
        copy = region.create_image('x', visibility='private', properties={})
        region.down = 2
        note = self.remove(region, copy.id, attempts=4)
        self.assertEqual('; the failed copy %s was removed' % copy.id, note)
        self.assertEqual([1.0, 2.0], self.waits)
        self.assertEqual({}, region.images)

    def test_given_up_after_the_attempts(self):
        region = Flaky('R')
        copy = region.create_image('x', visibility='private', properties={})
        region.down = 10
        note = self.remove(region, copy.id, attempts=3)
        self.assertIn('could not be removed: Region R is unavailable', note)
        self.assertEqual([1.0, 2.0], self.waits)

    def test_other_errors_not_retried(self):
        region = fakes.FakeRegion('R')
        region.fail_delete = base.Refused('R', action='delete',
                                          reason='protected')
        note = self.remove(region, 'id-1', attempts=5)
        self.assertIn('could not be removed: Region R refused delete', note)
        self.assertEqual([], self.waits)

    def test_keep_queued_when_the_status_is_unknown(self):
        region = Flaky('R')
        copy = region.create_image('x', visibility='private', properties={})
        region.down = 1
        note = self.remove(region, copy.id, keep_queued=True)
        self.assertIn('was kept, its status unknown', note)
        self.assertIn(copy.id, region.images)

    def test_keep_queued_deletes_a_copy_with_data(self):
        region = fakes.FakeRegion('R')
        copy = region.add('x', b'data')
        self.assertIn('was removed', self.remove(region, copy.id,
                                                 keep_queued=True))


class RecordOwnerTest(test_base.BaseTestCase):
    """The owner the engine chose (copy_owner = master) reaches the
    region; without one, the region's project owns the copy."""

    def setUp(self):
        super().setUp()
        self.master = fakes.FakeRegion('RegionOne').add('m', b'data',
                                                        owner='demo')
        self.region = fakes.FakeRegion('RegionTwo')

    def record(self, owner):
        return gathering.target_of(self.region, self.master, ImageRecord(
            name='m', visibility='shared', owner=owner))

    def test_chosen_owner(self):
        copy = records.record_for(self.record('demo'), self.master)
        self.assertEqual('demo', copy.owner)

    def test_no_owner_chosen(self):
        copy = records.record_for(self.record(None), self.master)
        self.assertEqual('p', copy.owner)  # the fake region's project

    def test_master_record_as_it_is_keeps_the_region_project(self):
        copy = records.record_for(Target(self.region), self.master)
        self.assertEqual('p', copy.owner)
