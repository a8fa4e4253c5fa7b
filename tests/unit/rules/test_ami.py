import fixtures
from oslotest import base

from glance_sync.rules import ami
from glance_sync.rules.ami import AmiState
from tests.unit.rules import fakes


class CleanReferencesTest(base.BaseTestCase):

    def test_ids_become_names(self):
        images = {'kernel': fakes.image('kernel', 'k1'),
                  'ami': fakes.image('ami', kernel_id='k1', type='i')}
        cleaned, refs = ami.clean_references(images)
        self.assertEqual({'kernel_id': 'kernel', 'type': 'i'},
                         cleaned['ami'].user_properties)
        self.assertEqual({'kernel_id': 'k1', 'type': 'i'},
                         images['ami'].user_properties, 'copied, not changed')
        self.assertIs(images['kernel'], cleaned['kernel'])
        self.assertEqual({'ami': {'kernel_id': 'kernel'}}, refs)

    def test_empty_references_are_dropped(self):
        images = {'ami': fakes.image('ami', kernel_id='', ramdisk_id=None)}
        cleaned, refs = ami.clean_references(images)
        self.assertEqual({}, cleaned['ami'].user_properties)
        self.assertEqual({}, refs)

    def test_unknown_reference_is_kept_and_warned(self):
        logger = self.useFixture(fixtures.FakeLogger())
        images = {'ami': fakes.image('ami', kernel_id='gone')}
        cleaned, refs = ami.clean_references(images)
        self.assertEqual({'kernel_id': 'gone'},
                         cleaned['ami'].user_properties)
        self.assertEqual({'ami': {'kernel_id': None}}, refs)
        self.assertIn('kernel_id gone', logger.output)


class CheckTest(base.BaseTestCase):

    REGION = {'kernel': fakes.image('kernel', 'rk'),
              'ramdisk': fakes.image('ramdisk', 'rr')}
    REFS = {'kernel_id': 'kernel', 'ramdisk_id': 'ramdisk'}

    def check(self, props, refs=None, region=None, pending=()):
        return ami.check(self.REFS if refs is None else refs, props,
                         self.REGION if region is None else region,
                         set(pending))

    def test_ready(self):
        self.assertEqual(AmiState.READY, self.check(
            {'kernel_id': 'rk', 'ramdisk_id': 'rr'}))
        self.assertEqual(AmiState.READY, self.check({}, refs={}))

    def test_update(self):
        self.assertEqual(AmiState.UPDATE, self.check(
            {'kernel_id': 'old', 'ramdisk_id': 'rr'}))
        self.assertEqual(AmiState.UPDATE, self.check(
            {'kernel_id': 'x'}, refs={}))

    def test_pending_wins_over_update(self):
        self.assertEqual(AmiState.PENDING, self.check(
            {'kernel_id': 'x'}, region={'ramdisk': self.REGION['ramdisk']},
            pending=['kernel']))

    def test_missing_wins(self):
        self.assertEqual(AmiState.MISSING, self.check(
            {}, region={}, pending=['kernel']))
        self.assertEqual(AmiState.MISSING, self.check(
            {}, refs={'kernel_id': None}))


class ResolveTest(base.BaseTestCase):

    def test_resolve(self):
        logger = self.useFixture(fixtures.FakeLogger())
        found = ami.resolve({'kernel_id': 'kernel', 'ramdisk_id': 'gone'},
                            {'kernel': 'k9'}, region='Burgos', image='ami')
        self.assertEqual({'kernel_id': 'k9', 'ramdisk_id': '__gone'}, found)
        self.assertEqual('Burgos: Not found gone on region. It should be '
                         'ramdisk_id of image ami\n', logger.output)
