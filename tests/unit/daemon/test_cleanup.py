from oslotest import base

from glance_sync.daemon import cleanup
from glance_sync.images import Image
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules.metadata import SOURCE_PROPERTY


def image(image_id, status='active', name='a', owner='tm', **props):
    return Image(id=image_id, name=name, region='R2', owner=owner,
                 visibility='public', status=status, size=1, checksum='c',
                 user_properties=props)


class LeftoversTest(base.BaseTestCase):

    def test_only_our_unfinished_copies(self):
        images = [image('1', 'saving', **{SOURCE_PROPERTY: 'm'}),
                  image('2', 'queued', **{SOURCE_PROPERTY: 'm'}),
                  image('3', 'active', **{SOURCE_PROPERTY: 'm'}),
                  image('4', 'queued', **{SOURCE_PROPERTY: 'other'}),
                  image('5', 'queued'),
                  image('m', 'queued', **{SOURCE_PROPERTY: 'm'})]
        self.assertEqual(['1', '2'], [i.id for i in cleanup.leftovers(
            images, 'm')])

    def test_legacy_copies_by_name_and_owner(self):
        images = [image('5', 'queued'), image('6', 'queued', owner='x'),
                  image('7', 'queued', name='b')]
        self.assertEqual(['5'], [i.id for i in cleanup.leftovers(
            images, 'm', master_name='a', tenant_id='tm')])

    def test_copies_of_a_master(self):
        images = [image('1', **{SOURCE_PROPERTY: 'm'}), image('m'),
                  image('2')]
        self.assertEqual(['1', 'm'], [i.id for i in cleanup.copies_of(
            images, 'm')])


class ProtectedCopyTest(base.BaseTestCase):

    def test_unprotected_before_delete_when_the_master_is_gone(self):
        region = MemoryRegion('Burgos', tenant_id='tm')
        copy = region.create_image('a', visibility='public', properties={
            SOURCE_PROPERTY: 'm1'})
        region.set_data_info(copy.id, size=1, checksum='c')
        region.set_attributes(copy.id, protected=True)
        done = cleanup.apply_delete_policy(region, region.snapshot(), 'm1',
                                           cleanup.DELETE)
        self.assertEqual(['%s deleted' % copy.id], done)
        self.assertEqual([], region.snapshot())
