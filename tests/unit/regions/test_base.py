from oslotest import base

from glance_sync.regions import base as regions_base


class QualifiedNameTest(base.BaseTestCase):

    def test_master_regions_are_bare(self):
        self.assertEqual('Burgos',
                         regions_base.qualified_name('master', 'Burgos'))

    def test_other_targets_are_prefixed(self):
        self.assertEqual('other:Madrid',
                         regions_base.qualified_name('other', 'Madrid'))

    def test_split_accepts_master_prefix(self):
        self.assertEqual(('master', 'Burgos'),
                         regions_base.split_name('master:Burgos'))
        self.assertEqual(('master', 'Burgos'),
                         regions_base.split_name('Burgos'))
        self.assertEqual(('other', 'Madrid'),
                         regions_base.split_name('other:Madrid'))


class ErrorMessageTest(base.BaseTestCase):

    def test_messages_name_region_and_image(self):
        exc = regions_base.ImageNotFound('Burgos', image='abc')
        self.assertEqual('Image abc not found in region Burgos', str(exc))
        self.assertEqual('abc', exc.image)
        self.assertEqual('Burgos', exc.region)
