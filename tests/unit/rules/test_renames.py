import fixtures
from oslotest import base

from glance_sync.rules import actions, renames
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.plan import plan_region
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from tests.unit.rules import fakes


def index(*images):
    return MasterIndex.build(images, fakes.TENANT, 'Valladolid')


def made_copy(master, name, image_id='r-1', **changes):
    """A copy glance-sync made of ``master`` when it was called ``name``."""
    props = {**master.user_properties, SOURCE_PROPERTY: master.id}
    return fakes.copy_of(master, image_id, name=name, user_properties=props,
                         **changes)


class MovedCopiesTest(base.BaseTestCase):

    def test_finds_the_copy_of_a_renamed_master(self):
        master = fakes.image('new')
        copy = made_copy(master, 'old')
        self.assertEqual({master.id: copy}, renames.moved_copies(
            {'new': master}, [copy], fakes.TENANT))

    def test_ignores_what_is_not_a_moved_copy(self):
        master = fakes.image('new')
        other = fakes.image('other')
        for copy in (
                made_copy(master, 'new'),  # not renamed
                made_copy(master, 'old', status='deactivated'),
                made_copy(master, 'old', owner='someone-else'),
                made_copy(master, 'old_obsolete'),  # obsolete rules apply
                made_copy(master, 'other'),  # claimed by another master
                fakes.copy_of(master, name='old')):  # records no source
            self.assertEqual({}, renames.moved_copies(
                {'new': master, 'other': other}, [copy], fakes.TENANT),
                copy)

    def test_obsolete_master_is_not_followed(self):
        master = fakes.image('new_obsolete')
        self.assertEqual({}, renames.moved_copies(
            {'new_obsolete': master}, [made_copy(master, 'old')],
            fakes.TENANT))


class PlanRenameTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.master = fakes.image('new', colour='red')

    def plan(self, region, **options):
        rules = fakes.rules(record_source=True, **options)
        return plan_region(index(self.master), region, rules, 'Burgos')

    def test_renamed_in_place_without_upload(self):
        plan = self.plan([made_copy(self.master, 'old')])
        self.assertEqual([Status.PENDING_METADATA],
                         [s.status for s in plan.statuses])
        [action] = plan.actions
        self.assertIsInstance(action, actions.RenameCopy)
        self.assertEqual(('r-1', 'old', 'new', None, False),
                         (action.image_id, action.image_name,
                          action.new_name, action.displaced_id,
                          action.displace_delete))
        self.assertEqual([], plan.uploads)

    def test_metadata_changes_come_with_the_rename(self):
        plan = self.plan([fakes.copy_of(self.master, 'r-1', name='old',
                                        user_properties={
                                            'colour': 'blue',
                                            SOURCE_PROPERTY: self.master.id})])
        [action] = plan.actions
        self.assertEqual({'colour': 'red'}, dict(action.set_properties))

    def test_legacy_configuration_uploads_as_glancesync_did(self):
        rules = fakes.rules()  # record_source off
        plan = plan_region(index(self.master),
                           [made_copy(self.master, 'old')], rules, 'Burgos')
        self.assertEqual([actions.Upload], [type(a) for a in plan.actions])
        self.assertEqual([Status.PENDING_UPLOAD],
                         [s.status for s in plan.statuses])

    def test_match_by_id_keeps_its_own_rename(self):
        plan = self.plan([made_copy(self.master, 'old', self.master.id)],
                         match_by='id')
        [action] = plan.actions
        self.assertEqual((actions.UpdateMetadata, 'new'),
                         (type(action), action.new_name))

    def conflict(self, **options):
        other = fakes.image('new', 'r-other', checksum='c-other')
        plan = self.plan([made_copy(self.master, 'old'), other], **options)
        return plan, [s.status for s in plan.statuses]

    def test_conflict_without_a_rule_is_an_error(self):
        plan, statuses = self.conflict()
        self.assertEqual([Status.ERROR_CHECKSUM], statuses)
        self.assertEqual((), plan.actions)
        self.assertIn('renamed from old to new, but the region already '
                      'holds another image r-other', self.logger.output)

    def test_conflict_with_dontupdate_leaves_both(self):
        plan, statuses = self.conflict(dontupdate=['c-other'])
        self.assertEqual([Status.OK_STALLED_CHECKSUM], statuses)
        self.assertEqual((), plan.actions)

    def test_conflict_with_replace_deletes_the_other_after(self):
        plan, statuses = self.conflict(replace=['c-other'])
        self.assertEqual([Status.PENDING_REPLACE], statuses)
        [action] = plan.actions
        self.assertEqual(('r-other', True, None),
                         (action.displaced_id, action.displace_delete,
                          action.displaced_name))
        self.assertEqual([], plan.uploads)

    def test_conflict_with_rename_moves_the_other_aside(self):
        plan, statuses = self.conflict(rename=['any'])
        self.assertEqual([Status.PENDING_RENAME], statuses)
        [action] = plan.actions
        self.assertEqual(('r-other', False, 'new.old'),
                         (action.displaced_id, action.displace_delete,
                          action.displaced_name))
        self.assertIn('after renaming image r-other to new.old',
                      action.describe())
