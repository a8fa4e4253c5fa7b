import dataclasses

import fixtures
from oslotest import base

from glance_sync.replicator import dumpselect
from glance_sync.rules.selection import MasterIndex
from tests.unit.rules import fakes

IMAGES = [
    fakes.image('kernel', 'k', size=1, public=False),
    fakes.image('ami', 'a', size=50, type='x', kernel_id='k'),
    fakes.image('base', 'b', size=20, type='y'),
    fakes.image('private', 'p', size=5, public=False, type='x'),
    fakes.image('old_obsolete', 'o', size=30, type='x'),
]


class SelectionTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        # The index holds kernel references as names: the selection must
        # give the records as listed, with ids.
        self.index = MasterIndex.build(IMAGES, fakes.TENANT, 'Valladolid')
        self.targets = [fakes.rules(metadata_set=['type']),
                        fakes.rules('other', forcesyncs=['p'])]

    def select(self, *wanted):
        return [(image.name, data) for image, data in
                dumpselect.dump_selection(IMAGES, self.index, self.targets,
                                          wanted)]

    def test_every_target_selection_with_references_and_obsolete(self):
        self.assertEqual([('kernel', True), ('private', True),
                          ('base', True), ('old_obsolete', False),
                          ('ami', True)], self.select())
        image, _ = dumpselect.dump_selection(IMAGES, self.index,
                                             self.targets)[-1]
        self.assertEqual('k', image.user_properties['kernel_id'])

    def test_obsolete_records_only_when_a_target_follows_them(self):
        self.targets = [dataclasses.replace(rules,
                                            support_obsolete_images=False)
                        for rules in self.targets]
        self.assertNotIn('old_obsolete', [name for name, _ in self.select()])

    def test_images_named_or_by_id(self):
        self.assertEqual([('kernel', True), ('ami', True)],
                         self.select('ami'))
        self.assertEqual([('base', True), ('old_obsolete', True)],
                         self.select('o', 'base'))

    def test_unknown_image(self):
        exc = self.assertRaises(dumpselect.UnknownImage, self.select,
                                'base', 'nope')
        self.assertIn("image 'nope' is not a synchronisable image of the "
                      "master region Valladolid", str(exc))
