from oslotest import base

from glance_sync.rules import actions, activation, destinations
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.plan import plan_region, status_region
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from tests.unit.rules import fakes


def made_copy(master, image_id='r-1', **changes):
    props = {**master.user_properties, SOURCE_PROPERTY: master.id}
    return fakes.copy_of(master, image_id, user_properties=props, **changes)


class FollowsTest(base.BaseTestCase):

    def test_native_only_and_configurable(self):
        self.assertTrue(activation.follows(fakes.rules(record_source=True)))
        self.assertFalse(activation.follows(fakes.rules()))
        self.assertFalse(activation.follows(fakes.rules(
            record_source=True, follow_deactivation=False)))


class ToDeactivateTest(base.BaseTestCase):

    def test_only_our_active_copies(self):
        master = fakes.image('img')
        ours = made_copy(master)
        found = activation.to_deactivate([
            ours, made_copy(master, 'r-2', status='deactivated'),
            made_copy(master, 'r-3', owner='another'),
            fakes.copy_of(master, 'r-4'),  # same name, no source
        ], master.id, fakes.TENANT)
        self.assertEqual([ours], found)

    def test_copy_with_the_master_id(self):
        master = fakes.image('img')
        copy = fakes.copy_of(master, master.id)
        self.assertEqual([copy], activation.to_deactivate(
            [copy], master.id, fakes.TENANT))


class ReactivationTest(base.BaseTestCase):

    def test_plan_reactivates_instead_of_uploading(self):
        master = fakes.image('img')
        copy = made_copy(master, status='deactivated')
        plan = plan_region(MasterIndex.build([master], fakes.TENANT),
                           [copy], fakes.rules(record_source=True), 'Burgos')
        self.assertEqual([actions.Reactivate],
                         [type(a) for a in plan.actions])
        self.assertEqual('r-1', plan.actions[0].image_id)
        self.assertEqual([Status.PENDING_METADATA],
                         [s.status for s in plan.statuses])
        self.assertEqual([Status.PENDING_METADATA], [
            s.status for s in status_region(
                MasterIndex.build([master], fakes.TENANT), [copy],
                fakes.rules(record_source=True), 'Burgos')])

    def test_not_followed_uploads_as_before(self):
        master = fakes.image('img')
        copy = made_copy(master, status='deactivated')
        for rules in (fakes.rules(),
                      fakes.rules(record_source=True,
                                  follow_deactivation=False)):
            plan = plan_region(MasterIndex.build([master], fakes.TENANT),
                               [copy], rules, 'Burgos')
            self.assertEqual([actions.Upload],
                             [type(a) for a in plan.actions])

    def test_deactivated_master_is_never_planned(self):
        master = fakes.image('img', status='deactivated')
        plan = plan_region(MasterIndex.build([master], fakes.TENANT), [],
                           fakes.rules(record_source=True), 'Burgos')
        self.assertEqual((), plan.actions)


class DeactivationPlanTest(base.BaseTestCase):

    def test_whole_region_plan_deactivates_our_copies(self):
        master = fakes.image('img', status='deactivated')
        ours = made_copy(master, status='active')
        local = fakes.copy_of(master, 'r-2', status='active')  # not ours
        index = MasterIndex.build([master], fakes.TENANT)
        plan = plan_region(index, [ours, local],
                           fakes.rules(record_source=True), 'Burgos')
        [action] = plan.actions
        self.assertIsInstance(action, actions.Deactivate)
        self.assertEqual(('r-1', 'id-img'),
                         (action.image_id, action.master_id))
        for rules in (fakes.rules(), fakes.rules(
                record_source=True, follow_deactivation=False)):
            self.assertEqual((), plan_region(index, [ours], rules,
                                             'Burgos').actions)

    def test_restricted_index_keeps_them_only_when_asked(self):
        master = fakes.image('img', status='deactivated')
        index = MasterIndex.build([master], fakes.TENANT)
        self.assertEqual({}, dict(
            destinations.restrict(index, []).deactivated))
        self.assertEqual(['id-img'], list(destinations.restrict(
            index, [], deactivated=True).deactivated))
