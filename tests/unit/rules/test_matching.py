import fixtures
from oslotest import base

from glance_sync.rules import matching
from tests.unit.rules import fakes

MASTER = fakes.image('image01', '001')


class MatchTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def match(self, images, only_tenant_images=True):
        return matching.match({'image01': MASTER}, images, region='Burgos',
                              tenant_id=fakes.TENANT,
                              only_tenant_images=only_tenant_images)

    def test_by_name(self):
        copy = fakes.copy_of(MASTER)
        found = self.match([copy, fakes.image('unrelated')])
        self.assertEqual({'image01': copy}, found)
        self.assertEqual('', self.logger.output)

    def test_other_tenants_image_warned_and_skipped(self):
        theirs = fakes.copy_of(MASTER, owner='tenant2id')
        self.assertEqual({}, self.match([theirs]))
        self.assertEqual(
            'Burgos: image image01 (UUID r-001) is owned by other tenant: '
            'tenant2id\n', self.logger.output)

    def test_other_tenants_image_kept_when_asked(self):
        theirs = fakes.copy_of(MASTER, owner='tenant2id')
        self.assertEqual({'image01': theirs},
                         self.match([theirs], only_tenant_images=False))

    def test_inactive_copy_skipped(self):
        self.assertEqual({}, self.match([fakes.copy_of(MASTER,
                                                       status='saving')]))
        self.assertEqual('Burgos: state of image image01 with UUID r-001  '
                         'is not active: saving\n', self.logger.output)

    def test_duplicates_prefer_the_master_checksum(self):
        other = fakes.copy_of(MASTER, 'x1', checksum='other')
        same = fakes.copy_of(MASTER, 'x2')
        third = fakes.copy_of(MASTER, 'x3')
        self.assertIs(same, self.match([other, same, third])['image01'])
        self.assertEqual(2, len(self.logger.output.splitlines()))
        self.assertIn('Burgos: image name image01 is duplicated. UUIDs: x2 '
                      'x1', self.logger.output)

    def test_duplicates_keep_the_first_otherwise(self):
        first = fakes.copy_of(MASTER, 'x1', checksum='c1')
        second = fakes.copy_of(MASTER, 'x2', checksum='c2')
        self.assertIs(first, self.match([first, second])['image01'])

    def test_other_tenants_image_dropped_silently_when_asked(self):
        theirs = fakes.copy_of(MASTER, owner='tenant2id', status='saving')
        found = matching.match({'image01': MASTER}, [theirs], region='B',
                               tenant_id=fakes.TENANT,
                               only_tenant_images=True, warn_foreign=False)
        self.assertEqual({}, found)
        self.assertEqual('', self.logger.output)


class MatchByIdTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def match(self, images):
        return matching.match({'image01': MASTER}, images, region='Burgos',
                              tenant_id=fakes.TENANT,
                              only_tenant_images=True, by_id=True)

    def test_the_copy_with_the_master_id_whatever_its_name(self):
        renamed = fakes.copy_of(MASTER, MASTER.id, name='old-name')
        same_name = fakes.copy_of(MASTER)
        self.assertEqual({'image01': renamed},
                         self.match([same_name, renamed]))
        self.assertEqual('', self.logger.output)

    def test_a_copy_by_name_only_is_not_the_copy(self):
        self.assertEqual({}, self.match([fakes.copy_of(MASTER)]))

    def test_inactive_or_foreign_copy_skipped_with_a_warning(self):
        queued = fakes.copy_of(MASTER, MASTER.id, status='queued')
        self.assertEqual({}, self.match([queued]))
        self.assertIn('is not active: queued', self.logger.output)
        foreign = fakes.copy_of(MASTER, MASTER.id, owner='tenant2id')
        self.assertEqual({}, self.match([foreign]))
        self.assertIn('owned by other tenant', self.logger.output)
