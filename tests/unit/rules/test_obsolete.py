import fixtures
from oslotest import base

from glance_sync.rules.obsolete import plan_obsolete
from glance_sync.rules.selection import MasterIndex
from tests.unit.rules import fakes


def index(*images):
    return MasterIndex.build(images, fakes.TENANT, 'Valladolid')


OBSOLETE = fakes.image('image03_obsolete', '004', checksum='c3',
                       public=False, prop1='key1', prop2='key2')
RULES = fakes.rules(name='other', obsolete_syncprops=['prop1', 'prop3'])


class PlanObsoleteTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def plan(self, region_images, master=(OBSOLETE,), rules=RULES):
        return plan_obsolete(index(*master), region_images, rules,
                             fakes.TENANT)

    def test_copy_renamed_made_private_and_synced(self):
        copy = fakes.image('image03', '104', checksum='c3', prop1='key2',
                           prop2='key3', region='other:Burgos')
        [update] = self.plan([copy])
        self.assertEqual('104', update.image_id)
        self.assertEqual('image03', update.image_name)
        self.assertEqual('image03_obsolete', update.new_name)
        self.assertEqual('private', update.visibility)
        self.assertEqual({'prop1': 'key1'}, update.set_properties)
        self.assertEqual('obsolete', update.reason)
        self.assertIn('rename obsolete image image03', update.describe())

    def test_renamed_copy_follows_master(self):
        copy = fakes.image('image03_obsolete', '107', checksum='c3',
                           public=False, prop1='key2')
        [update] = self.plan([copy])
        self.assertIsNone(update.new_name)
        self.assertIsNone(update.visibility)
        self.assertEqual({'prop1': 'key1'}, update.set_properties)

    def test_renamed_copy_up_to_date(self):
        copy = fakes.image('image03_obsolete', '107', checksum='c3',
                           public=False, prop1='key1', other='x')
        self.assertEqual([], self.plan([copy]))

    def test_other_content_is_left_alone(self):
        self.assertEqual([], self.plan([
            fakes.image('image03', checksum='other'),
            fakes.image('image03_obsolete', checksum='other', prop1='x')]))

    def test_other_tenants_image_is_left_alone(self):
        self.assertEqual([], self.plan([
            fakes.image('image03', checksum='c3', owner='othertenant')]))

    def test_synchronisable_twin_wins(self):
        twin = fakes.image('image03', '003', checksum='new')
        copy = fakes.image('image03', checksum='c3')
        self.assertEqual([], self.plan([copy], master=(twin, OBSOLETE)))
        self.assertEqual('Ignore obsolete master image image03_obsolete '
                         'because image03 exists and it is synchronisable.\n',
                         self.logger.output)

    def test_unsynchronisable_twin_does_not(self):
        twin = fakes.image('image03', '003', checksum='new', public=False)
        copy = fakes.image('image03', checksum='c3')
        self.assertEqual(1, len(self.plan([copy], master=(twin, OBSOLETE))))

    def test_disabled(self):
        rules = fakes.rules(support_obsolete_images=False)
        copy = fakes.image('image03', checksum='c3')
        self.assertEqual([], self.plan([copy], rules=rules))

    def test_unrelated_images(self):
        self.assertEqual([], self.plan([fakes.image('x'),
                                        fakes.image('', 'nameless')]))
