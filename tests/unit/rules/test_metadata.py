from oslotest import base

from glance_sync.rules import metadata
from glance_sync.rules.metadata import Difference
from tests.unit.rules import fakes

MASTER = fakes.image('image01', type='base', nid=1, k1='v1')


class CompareTest(base.BaseTestCase):

    def compare(self, metadata_set=(), **changes):
        return metadata.compare(MASTER, fakes.copy_of(MASTER, **changes),
                                frozenset(metadata_set))

    def test_same(self):
        self.assertEqual(Difference.NONE, self.compare())
        self.assertEqual(Difference.NONE, self.compare(['nid']))

    def test_checksum_first(self):
        self.assertEqual(Difference.CHECKSUM, self.compare(
            checksum='x', visibility='private'))

    def test_visibility(self):
        self.assertEqual(Difference.VISIBILITY,
                         self.compare(visibility='private'))

    def test_metadata_set_only_compares_its_properties(self):
        self.assertEqual(Difference.NONE, self.compare(
            ['nid', 'type'], user_properties={'type': 'base', 'nid': 1,
                                              'local': 'x'}))
        self.assertEqual(Difference.PROPERTIES, self.compare(
            ['nid'], user_properties={'type': 'base'}))

    def test_without_metadata_set_everything_counts(self):
        self.assertEqual(Difference.PROPERTIES, self.compare(
            user_properties={'type': 'base', 'nid': 1, 'k1': 'v1', 'x': 1}))
        self.assertEqual(Difference.PROPERTIES, self.compare(
            user_properties={'type': 'base', 'nid': 1}))

    def test_ami_ids_only_by_presence(self):
        master = fakes.image('ami', kernel_id='kernel', type='i')
        copy = fakes.copy_of(master, user_properties={'kernel_id': 'k-r',
                                                      'type': 'i'})
        self.assertEqual(Difference.NONE, metadata.compare(master, copy, ()))
        self.assertEqual(Difference.NONE,
                         metadata.compare(master, copy, {'kernel_id'}))
        bare = fakes.copy_of(master, user_properties={'type': 'i'})
        self.assertEqual(Difference.PROPERTIES,
                         metadata.compare(master, bare, {'type'}))
        self.assertEqual(Difference.PROPERTIES,
                         metadata.compare(master, bare, ()))

    def test_source_property_is_ignored(self):
        copy = fakes.copy_of(MASTER, user_properties=dict(
            MASTER.user_properties, glance_sync_source='id'))
        self.assertEqual(Difference.NONE, metadata.compare(MASTER, copy, ()))


class ChangesTest(base.BaseTestCase):

    def test_metadata_set_mirrors_only_its_properties(self):
        copy = fakes.copy_of(MASTER, user_properties={
            'type': 'wrong', 'nid': 10, 'k4': 'v3', 'k1': 'mine'})
        to_set, to_remove = metadata.changes(
            MASTER, copy, frozenset({'type', 'sdc', 'k1x'}))
        self.assertEqual({'type': 'base'}, to_set)
        self.assertEqual(frozenset(), to_remove)
        to_set, to_remove = metadata.changes(
            fakes.image('image01', type='base'), copy,
            frozenset({'type', 'nid'}))
        self.assertEqual({'type': 'base'}, to_set)
        self.assertEqual({'nid'}, to_remove)

    def test_without_metadata_set_the_copy_mirrors_all(self):
        copy = fakes.copy_of(MASTER, user_properties={
            'type': 'base', 'nid': 2, 'extra': 1})
        to_set, to_remove = metadata.changes(MASTER, copy, frozenset())
        self.assertEqual({'nid': 1, 'k1': 'v1'}, to_set)
        self.assertEqual({'extra'}, to_remove)

    def test_ami_properties_removed_when_master_has_none(self):
        copy = fakes.copy_of(MASTER, user_properties=dict(
            MASTER.user_properties, kernel_id='k', ramdisk_id='r'))
        to_set, to_remove = metadata.changes(MASTER, copy, frozenset())
        self.assertEqual({}, to_set)
        self.assertEqual({'kernel_id', 'ramdisk_id'}, to_remove)

    def test_ami_properties_left_to_the_references(self):
        master = fakes.image('ami', kernel_id='kernel')
        copy = fakes.copy_of(master, user_properties={'kernel_id': 'old'})
        self.assertEqual(({}, frozenset()), metadata.changes(
            master, copy, frozenset({'kernel_id'})))


class UploadPropertiesTest(base.BaseTestCase):

    def test_filtered_by_metadata_set(self):
        master = fakes.image('a', type='t', k1='v', kernel_id='kernel')
        self.assertEqual({'type': 't'}, metadata.upload_properties(
            master, frozenset({'type', 'nid'})))

    def test_all_without_metadata_set(self):
        master = fakes.image('a', type='t', k1='v', kernel_id='kernel')
        self.assertEqual({'type': 't', 'k1': 'v'},
                         metadata.upload_properties(master, frozenset()))


class DontReplicateTest(base.BaseTestCase):
    """Properties in dont_replicate: never copied, compared nor removed."""

    def test_not_compared(self):
        local = fakes.copy_of(MASTER, user_properties={
            'type': 'base', 'nid': 1, 'k1': 'local', 'mine': 'x'})
        for metadata_set in ((), ('type', 'k1')):
            self.assertEqual(Difference.NONE, metadata.compare(
                MASTER, local, metadata_set, ignored={'k1', 'mine'}))
            self.assertEqual(Difference.PROPERTIES, metadata.compare(
                MASTER, local, metadata_set))

    def test_not_copied(self):
        self.assertEqual({'type': 'base', 'nid': 1},
                         metadata.upload_properties(MASTER, (), {'k1'}))
        self.assertEqual({'type': 'base'}, metadata.upload_properties(
            MASTER, ('type', 'k1'), {'k1'}))

    def test_neither_set_nor_removed(self):
        local = fakes.copy_of(MASTER, user_properties={'mine': 'x'})
        to_set, to_remove = metadata.changes(MASTER, local, (),
                                             {'k1', 'mine'})
        self.assertEqual({'type': 'base', 'nid': 1}, to_set)
        self.assertEqual(frozenset(), to_remove)
