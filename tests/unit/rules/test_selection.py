import fixtures
from oslotest import base

from glance_sync.rules import selection
from glance_sync.rules.condition import ConditionError
from glance_sync.rules.owners import Owners
from glance_sync.rules.selection import MasterIndex, is_synchronisable
from tests.unit.rules import fakes


class OwnedByTest(base.BaseTestCase):

    def test_owner_rules(self):
        self.assertTrue(selection.owned_by(None, 't'))
        self.assertTrue(selection.owned_by('', 't'))
        self.assertTrue(selection.owned_by('t', 't'))
        self.assertTrue(selection.owned_by('00001', '1'))
        self.assertFalse(selection.owned_by('other', 't'))


class IsSynchronisableTest(base.BaseTestCase):

    def test_obsolete_never_even_forced(self):
        image = fakes.image('a_obsolete', 'id1')
        self.assertFalse(is_synchronisable(
            image, fakes.rules(forcesyncs=['id1'])))

    def test_forcesyncs_by_id_beats_everything_else(self):
        image = fakes.image('a', 'id1', public=False)
        rules = fakes.rules(forcesyncs=['id1'], metadata_condition='False')
        self.assertTrue(is_synchronisable(image, rules))
        self.assertFalse(is_synchronisable(
            image, fakes.rules(forcesyncs=['a'])))

    def test_condition_decides_even_for_private_images(self):
        image = fakes.image('a', public=False, type='x')
        rules = fakes.rules(
            metadata_condition="image.user_properties.get('type') == 'x'")
        self.assertTrue(is_synchronisable(image, rules))
        self.assertFalse(is_synchronisable(
            fakes.image('b'), rules))

    def test_condition_sees_metadata_set(self):
        rules = fakes.rules(metadata_condition="'nid' in metadata_set",
                            metadata_set=['nid'])
        self.assertTrue(is_synchronisable(fakes.image('a'), rules))

    def test_failing_condition_selects_nothing_and_warns(self):
        rules = fakes.rules(name='other', metadata_condition=(
            "image.user_properties['type'] == 'x'"))
        logger = self.useFixture(fixtures.FakeLogger())
        self.assertFalse(is_synchronisable(fakes.image('a'), rules))
        self.assertIn('target other does not synchronise it', logger.output)
        self.assertIn("KeyError", logger.output)

    def test_private_never_without_condition(self):
        self.assertFalse(is_synchronisable(
            fakes.image('a', public=False, nid=1), fakes.rules()))

    def test_public_without_metadata_set(self):
        self.assertTrue(is_synchronisable(fakes.image('a'), fakes.rules()))

    def test_public_with_metadata_set_needs_one_property(self):
        rules = fakes.rules(metadata_set=['nid', 'type'])
        self.assertTrue(is_synchronisable(fakes.image('a', type=1), rules))
        self.assertFalse(is_synchronisable(fakes.image('a', k=1), rules))

    def test_forbidden_condition(self):
        self.assertRaises(ConditionError, is_synchronisable,
                          fakes.image('a'),
                          fakes.rules(metadata_condition='open("x")'))

    def test_blank_condition_is_no_condition(self):
        self.assertIsNone(selection.condition_of('  '))
        self.assertIsNone(selection.condition_of(None))


class MasterIndexTest(base.BaseTestCase):

    def build(self, images):
        return MasterIndex.build(images, fakes.TENANT, 'Valladolid')

    def test_filters_status_owner_and_nameless(self):
        index = self.build([
            fakes.image('ok'), fakes.image('error', status='error'),
            fakes.image('theirs', owner='tenant2id'),
            fakes.image('zeros', owner='000tenant1id'),
            fakes.image('', 'nameless'), fakes.image('none', owner=None)])
        self.assertEqual(['ok', 'zeros', 'none'], list(index.by_name))
        self.assertEqual('Valladolid', index.region)

    def test_duplicates_are_dropped_with_one_warning(self):
        logger = self.useFixture(fixtures.FakeLogger())
        index = self.build([fakes.image('dup', '1'), fakes.image('dup', '2'),
                            fakes.image('dup', '3'), fakes.image('single')])
        self.assertEqual(['single'], list(index.by_name))
        self.assertEqual(
            ['Duplicated images with name dup will be ignored'],
            logger.output.splitlines())

    def test_inactive_duplicate_does_not_count(self):
        index = self.build([fakes.image('a', '1'),
                            fakes.image('a', '2', status='queued')])
        self.assertEqual('1', index.by_name['a'].id)

    def test_ami_references_become_names(self):
        index = self.build([
            fakes.image('kernel', 'k1'), fakes.image('ramdisk', 'r1'),
            fakes.image('ami', kernel_id='k1', ramdisk_id='r1', type='i')])
        self.assertEqual(
            {'kernel_id': 'kernel', 'ramdisk_id': 'ramdisk', 'type': 'i'},
            index.by_name['ami'].user_properties)
        self.assertEqual({'ami': {'kernel_id': 'kernel',
                                  'ramdisk_id': 'ramdisk'}},
                         index.references)

    def test_obsolete_names(self):
        index = self.build([fakes.image('a'), fakes.image('b_obsolete')])
        self.assertEqual(('b_obsolete',), index.obsolete_names)

    def test_selection_is_sorted_and_cached(self):
        index = self.build([fakes.image('big', size=30),
                            fakes.image('b', size=10),
                            fakes.image('a', size=10),
                            fakes.image('private', public=False),
                            fakes.image('nosize', size=None)])
        rules = fakes.rules()
        chosen = index.selection(rules)
        self.assertEqual(['nosize', 'a', 'b', 'big'],
                         [i.name for i in chosen.ordered])
        self.assertEqual(set(chosen.by_name), {'nosize', 'a', 'b', 'big'})
        self.assertIs(chosen, index.selection(fakes.rules(name='other')))
        self.assertIsNot(chosen, index.selection(
            fakes.rules(metadata_set=['x'])))


class SeveralMasterProjectsTest(base.BaseTestCase):
    """``master_projects``: every listed project's images are candidates;
    names are judged across the projects."""

    OWNERS = Owners(fakes.TENANT, ['demoid'])

    def test_every_listed_project_is_a_candidate(self):
        index = MasterIndex.build([
            fakes.image('cirros'), fakes.image('mine', owner='demoid'),
            fakes.image('theirs', owner='otherid')], self.OWNERS, 'R')
        self.assertEqual(['cirros', 'mine'], list(index.by_name))
        self.assertEqual('demoid', index.by_name['mine'].owner)

    def test_a_name_two_projects_use_is_a_duplicate(self):
        logger = self.useFixture(fixtures.FakeLogger())
        index = MasterIndex.build([
            fakes.image('base', 'a1'), fakes.image('base', 'd1',
                                                   owner='demoid'),
            fakes.image('single')], self.OWNERS, 'R')
        self.assertEqual(['single'], list(index.by_name))
        self.assertIn('Duplicated images with name base will be ignored',
                      logger.output)

    def test_deactivated_images_of_every_project(self):
        index = MasterIndex.build([
            fakes.image('a', 'x', status='deactivated', owner='demoid'),
            fakes.image('b', 'y', status='deactivated', owner='otherid')],
            self.OWNERS, 'R')
        self.assertEqual(['x'], list(index.deactivated))

    def test_kernel_of_another_listed_project_resolves(self):
        index = MasterIndex.build([
            fakes.image('kernel', 'k1'),
            fakes.image('ami', owner='demoid', kernel_id='k1')],
            self.OWNERS, 'R')
        self.assertEqual({'ami': {'kernel_id': 'kernel'}}, index.references)
