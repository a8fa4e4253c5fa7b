"""Metadata-only plans: no action that copies data, the same statuses."""

import fixtures
from oslotest import base

from glance_sync.rules import actions, metadata_only
from glance_sync.rules.plan import plan_region
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from tests.unit.rules import fakes


def index(*images):
    return MasterIndex.build(images, fakes.TENANT, 'Valladolid')


class MetadataOnlyPlanTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())

    def plan(self, master, region, **options):
        rules = fakes.rules(metadata_set=['type'], replace=['c-bad'],
                            rename=['c-old'], **options)
        return plan_region(master, region, rules, 'Burgos')

    def test_only_metadata_updates_remain(self):
        meta = fakes.image('meta', size=50, type='a')
        missing = fakes.image('missing', size=10, type='a')
        bad = fakes.image('bad', size=20, type='a')
        old = fakes.image('old', size=30, type='a')
        master = index(meta, missing, bad, old)
        region = [fakes.copy_of(meta, user_properties={'type': 'b'}),
                  fakes.copy_of(bad, checksum='c-bad'),
                  fakes.copy_of(old, checksum='c-old')]
        full = self.plan(master, region)
        only = self.plan(master, region, metadata_only=True)
        self.assertEqual(4, len(full.actions))
        [update] = only.actions
        self.assertIsInstance(update, actions.UpdateMetadata)
        self.assertEqual(('r-id-meta', {'type': 'a'}),
                         (update.image_id, dict(update.set_properties)))
        # The statuses say what a full sync would do.
        self.assertEqual(full.codes, only.codes)
        self.assertEqual(
            {'meta': Status.PENDING_METADATA,
             'missing': Status.PENDING_UPLOAD,
             'bad': Status.PENDING_REPLACE, 'old': Status.PENDING_RENAME},
            {s.name: s.status for s in only.statuses})
        self.assertEqual(0, only.upload_bytes)

    def test_nothing_to_do_when_only_uploads_are_missing(self):
        master = index(fakes.image('missing', type='a'))
        plan = self.plan(master, [], metadata_only=True)
        self.assertTrue(plan.synchronised)
        self.assertEqual((Status.PENDING_UPLOAD,), plan.codes)

    def test_ami_fix_ups_dropped_with_the_uploads(self):
        kernel = fakes.image('kernel', 'k', size=10, type='kernel')
        ami = fakes.image('ami', size=100, type='image', kernel_id='k')
        copy = fakes.copy_of(ami, 'ra', user_properties={
            'type': 'image', 'kernel_id': 'elsewhere'})
        full = self.plan(index(kernel, ami), [copy])
        self.assertIsInstance(full.actions[-1], actions.FixAmi)
        only = self.plan(index(kernel, ami), [copy], metadata_only=True)
        self.assertEqual((), only.actions)
        self.assertEqual(Status.PENDING_AMI,
                         {s.name: s.status for s in only.statuses}['ami'])

    def test_obsolete_renames_kept(self):
        obsolete = fakes.image('o_obsolete', checksum='c', public=False)
        plan = self.plan(index(obsolete), [fakes.image('o', checksum='c')],
                         metadata_only=True)
        self.assertEqual(['obsolete'], [a.reason for a in plan.actions])

    def test_needs_only_data(self):
        self.assertEqual(
            {Status.OK, Status.OK_STALLED_CHECKSUM, Status.PENDING_UPLOAD,
             Status.PENDING_REPLACE, Status.PENDING_RENAME,
             Status.PENDING_AMI},
            {s for s in Status if metadata_only.needs_only_data(s)})
