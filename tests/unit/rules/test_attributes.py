from oslotest import base

from glance_sync.rules import actions, attributes
from glance_sync.rules.plan import plan_region
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from tests.unit.rules import fakes

#: Selects non-public images too (community, shared).
SELECT = "image.name == 'img'"
NATIVE = fakes.rules(record_source=True, dont_replicate=['local'],
                     metadata_condition=SELECT)


def plan(master, copy, rules):
    return plan_region(MasterIndex.build([master], fakes.TENANT),
                       [copy] if copy else [], rules, 'Burgos')


class TagsTest(base.BaseTestCase):

    def test_native_mirrors_every_tag_but_excluded_ones(self):
        master = fakes.image('img').copy(tags=frozenset({'a', 'b'}))
        copy = fakes.copy_of(master, tags=frozenset({'b', 'c', 'local'}))
        self.assertEqual((frozenset({'a'}), frozenset({'c'})),
                         attributes.tag_changes(master, copy, NATIVE))

    def test_legacy_metadata_set_names_the_mirrored_tags(self):
        rules = fakes.rules(metadata_set=['a', 'type'])
        master = fakes.image('img').copy(tags=frozenset({'a', 'b'}))
        copy = fakes.copy_of(master, tags=frozenset({'c'}))
        self.assertEqual((frozenset({'a'}), frozenset()),
                         attributes.tag_changes(master, copy, rules))
        self.assertEqual(frozenset({'a'}),
                         attributes.upload_tags(master, rules))

    def test_legacy_without_metadata_set_mirrors_all(self):
        master = fakes.image('img').copy(tags=frozenset({'a'}))
        copy = fakes.copy_of(master, tags=frozenset({'c'}))
        self.assertEqual((frozenset({'a'}), frozenset({'c'})),
                         attributes.tag_changes(master, copy, fakes.rules()))

    def test_plan_updates_tags(self):
        master = fakes.image('img').copy(tags=frozenset({'a'}))
        result = plan(master, fakes.copy_of(master, tags=frozenset()),
                      NATIVE)
        self.assertEqual([Status.PENDING_METADATA],
                         [s.status for s in result.statuses])
        [action] = result.actions
        self.assertEqual(frozenset({'a'}), action.add_tags)

    def test_new_copy_gets_tags_and_protection(self):
        master = fakes.image('img').copy(tags=frozenset({'a', 'local'}),
                                         protected=True)
        [upload] = plan(master, None, NATIVE).actions
        self.assertEqual((frozenset({'a'}), True),
                         (upload.record.tags, upload.record.protected))
        [upload] = plan(master, None, fakes.rules()).actions
        self.assertFalse(upload.record.protected)


class AttributesTest(base.BaseTestCase):

    def test_native_follows_visibility_and_core_attributes(self):
        master = fakes.image('img').copy(visibility='community',
                                         protected=True, min_disk=3,
                                         min_ram=64)
        copy = fakes.copy_of(master, visibility='shared', protected=False,
                             min_disk=0, min_ram=64)
        [action] = plan(master, copy, NATIVE).actions
        self.assertIsInstance(action, actions.UpdateMetadata)
        self.assertEqual(('community', {'protected': True, 'min_disk': 3}),
                         (action.visibility, dict(action.attributes)))

    def test_legacy_keeps_glancesync_results(self):
        master = fakes.image('img').copy(visibility='community',
                                         protected=True, min_disk=3)
        copy = fakes.copy_of(master, visibility='shared', protected=False,
                             min_disk=0)
        result = plan(master, copy, fakes.rules(metadata_condition=SELECT))
        self.assertEqual((), result.actions)
        self.assertEqual([Status.OK], [s.status for s in result.statuses])
