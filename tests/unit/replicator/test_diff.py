from oslotest import base

from glance_sync.replicator import diff
from glance_sync.replicator.diff import FieldDifference
from tests.unit.rules import fakes

MASTER = fakes.image('image', 'm1', type='base', nid='1', build='7',
                     kernel_id='kernel')


def differences(copy, references=None, names=None, **rules):
    return diff.metadata_differences(
        MASTER, copy, fakes.rules(**rules),
        references if references is not None else {'kernel_id': 'kernel'},
        names or {'k-r': 'kernel'})


class MetadataTest(base.BaseTestCase):

    def test_same(self):
        copy = fakes.copy_of(MASTER, user_properties={
            'type': 'base', 'nid': '1', 'build': '7', 'kernel_id': 'k-r'})
        self.assertEqual([], differences(copy))

    def test_core_fields_then_properties_by_name(self):
        copy = fakes.copy_of(MASTER, name='other', visibility='private',
                             min_ram=64, user_properties={
                                 'type': 'changed', 'local': 'x',
                                 'kernel_id': 'k-other'})
        self.assertEqual([
            FieldDifference('name', 'image', 'other'),
            FieldDifference('visibility', 'public', 'private'),
            FieldDifference('min_ram', 0, 64),
            FieldDifference('build', '7', None),
            FieldDifference('kernel_id', 'kernel', 'k-other'),
            FieldDifference('local', None, 'x'),
            FieldDifference('nid', '1', None),
            FieldDifference('type', 'base', 'changed'),
        ], differences(copy))

    def test_metadata_set_and_dont_replicate(self):
        copy = fakes.copy_of(MASTER, min_ram=64, user_properties={
            'type': 'changed', 'local': 'x', 'kernel_id': 'k-r'})
        self.assertEqual(
            [FieldDifference('nid', '1', None)],
            differences(copy, metadata_set=['type', 'nid'],
                        dont_replicate=['type', 'min_ram']))

    def test_unresolved_reference_is_not_compared(self):
        copy = fakes.copy_of(MASTER, user_properties={
            'type': 'base', 'nid': '1', 'build': '7', 'kernel_id': 'x'})
        self.assertEqual([], differences(copy, {'kernel_id': None}))


class ContentTest(base.BaseTestCase):

    def test_checksum_and_secure_hash(self):
        image = MASTER.copy(os_hash_algo='sha512', os_hash_value='h1')
        self.assertEqual([], diff.content_differences(image, image.copy()))
        self.assertEqual(
            [FieldDifference('checksum', 'sum-image', 'x'),
             FieldDifference('os_hash_value', 'h1', 'h2')],
            diff.content_differences(image, image.copy(
                checksum='x', os_hash_value='h2')))
        # Another algorithm: the secure hashes cannot be compared.
        self.assertEqual([], diff.content_differences(image, image.copy(
            os_hash_algo='sha256', os_hash_value='h2')))
