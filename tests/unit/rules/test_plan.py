import fixtures
from oslotest import base

from glance_sync.rules import actions
from glance_sync.rules.owners import Owners
from glance_sync.rules.plan import TenantUnknown, plan_region, status_region
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from tests.unit.rules import fakes


def index(*images):
    return MasterIndex.build(images, fakes.TENANT, 'Valladolid')


class PlanTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.rules = fakes.rules(metadata_set=['type'], rename=['c-old'],
                                 replace=['c-bad'])

    def plan(self, master, region, rules=None, **kwargs):
        return plan_region(master, region, rules or self.rules, 'Burgos',
                           **kwargs)

    def test_statuses_and_order(self):
        meta = fakes.image('meta', size=50, type='a')
        up_big = fakes.image('up-big', size=40, type='a')
        up_small = fakes.image('up-small', size=10, type='a')
        bad = fakes.image('bad', size=20, type='a')
        old = fakes.image('old', size=30, type='a')
        broken = fakes.image('broken', size=5, type='a')
        same = fakes.image('same', size=1, type='a')
        master = index(meta, up_big, up_small, bad, old, broken, same)
        region = [fakes.copy_of(meta, user_properties={'type': 'b'}),
                  fakes.copy_of(bad, checksum='c-bad'),
                  fakes.copy_of(old, checksum='c-old'),
                  fakes.copy_of(broken, checksum='c-unknown'),
                  fakes.copy_of(same)]
        plan = self.plan(master, region)
        self.assertEqual(
            [('same', Status.OK), ('broken', Status.ERROR_CHECKSUM),
             ('up-small', Status.PENDING_UPLOAD),
             ('bad', Status.PENDING_REPLACE), ('old', Status.PENDING_RENAME),
             ('up-big', Status.PENDING_UPLOAD),
             ('meta', Status.PENDING_METADATA)],
            [(s.name, s.status) for s in plan.statuses])
        self.assertEqual(
            [(actions.UpdateMetadata, 'meta'), (actions.Upload, 'up-small'),
             (actions.Replace, 'bad'), (actions.Rename, 'old'),
             (actions.Upload, 'up-big')],
            [(type(a), getattr(a, 'image_name', None) or a.master.name)
             for a in plan.actions])
        self.assertEqual(10 + 20 + 30 + 40, plan.upload_bytes)
        self.assertIn('Image broken has a different checksum (c-unknown) in '
                      'region Burgos', self.logger.output)
        self.assertFalse(plan.synchronised)
        self.assertTrue(plan.status_report().startswith(
            'ok,Burgos,same\nerror_checksum,Burgos,broken\n'))

    def test_replace_and_rename_details(self):
        bad = fakes.image('bad', type='a')
        old = fakes.image('old', type='a')
        plan = self.plan(index(bad, old), [
            fakes.copy_of(bad, 'r-bad', checksum='c-bad'),
            fakes.copy_of(old, 'r-old', checksum='c-old')])
        replace, rename = plan.uploads
        self.assertEqual('r-bad', replace.old_id)
        self.assertEqual('r-old', rename.old_id)
        self.assertEqual('old.old', rename.old_name)
        self.assertEqual({'bad': 'r-bad', 'old': 'r-old'}, plan.region_ids)

    def test_metadata_update(self):
        master = fakes.image('m', type='a', nid=1, local='x')
        copy = fakes.copy_of(master, visibility='private',
                             user_properties={'type': 'b', 'mine': 1})
        [update] = self.plan(index(master), [copy]).actions
        self.assertEqual(copy.id, update.image_id)
        self.assertEqual('public', update.visibility)
        self.assertEqual({'type': 'a'}, update.set_properties)
        self.assertEqual(frozenset(), update.remove_properties)
        self.assertIsNone(update.new_name)

    def test_upload_record(self):
        master = fakes.image('m', type='a', nid=1, public=False)
        master.disk_format, master.min_ram = 'qcow2', 512
        rules = fakes.rules(metadata_set=['type'], forcesyncs=[master.id])
        [upload] = self.plan(index(master), [], rules=rules).actions
        self.assertEqual(
            actions.ImageRecord(name='m', visibility='private',
                                properties={'type': 'a'},
                                disk_format='qcow2', min_ram=512),
            upload.record)
        self.assertEqual({}, upload.ami)
        self.assertEqual(master, upload.master)

    def test_record_source(self):
        master = fakes.image('m')
        rules = fakes.rules(record_source=True)
        [upload] = self.plan(index(master), [], rules=rules).actions
        self.assertEqual({'glance_sync_source': master.id},
                         upload.record.properties)
        copy = fakes.copy_of(master, user_properties={
            'glance_sync_source': master.id})
        self.assertTrue(self.plan(index(master), [copy],
                                  rules=rules).synchronised)

    def test_nothing_to_do(self):
        master = fakes.image('m', type='a')
        plan = self.plan(index(master), [fakes.copy_of(master)])
        self.assertTrue(plan.synchronised)
        self.assertEqual([Status.OK], [s.status for s in plan.statuses])

    def test_tenant_is_required(self):
        rules = fakes.rules(name='other', tenant_id=None)
        exc = self.assertRaises(TenantUnknown, self.plan, index(), [],
                                rules=rules)
        self.assertIn('target other', str(exc))
        self.assertTrue(self.plan(index(), [], rules=rules,
                                  tenant_id='t').synchronised)

    def test_other_tenants_copies(self):
        master = fakes.image('m', type='a')
        theirs = fakes.copy_of(master, owner='tenant2id')
        plan = self.plan(index(master), [theirs])
        self.assertEqual(Status.PENDING_UPLOAD, plan.statuses[0].status)
        self.assertEqual('', self.logger.output, 'dropped silently')
        statuses = status_region(index(master), [theirs], self.rules,
                                 'Burgos')
        self.assertEqual(Status.PENDING_UPLOAD, statuses[0].status)
        self.assertIn('owned by other tenant', self.logger.output)
        rules = fakes.rules(metadata_set=['type'], only_tenant_images=False)
        plan = self.plan(index(master), [theirs], rules=rules)
        self.assertEqual(Status.OK, plan.statuses[0].status)

    def test_status_region_does_not_warn_about_checksums(self):
        master = fakes.image('m', type='a')
        statuses = status_region(index(master), [
            fakes.copy_of(master, checksum='x')], self.rules, 'Burgos')
        self.assertEqual(Status.ERROR_CHECKSUM, statuses[0].status)
        self.assertEqual('', self.logger.output)

    def test_obsolete_updates_come_first(self):
        obsolete = fakes.image('o_obsolete', checksum='c', public=False)
        meta = fakes.image('m', type='a')
        plan = self.plan(index(obsolete, meta), [
            fakes.copy_of(meta, user_properties={'type': 'b'}),
            fakes.image('o', checksum='c')])
        self.assertEqual(['obsolete', 'metadata'],
                         [a.reason for a in plan.actions])


class AmiPlanTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.kernel = fakes.image('kernel', 'k', size=10, type='kernel')
        self.ramdisk = fakes.image('ramdisk', 'r', size=10, type='ramdisk')
        self.ami = fakes.image('ami', size=100, type='image', kernel_id='k',
                               ramdisk_id='r')
        self.rules = fakes.rules(metadata_set=['type'], replace=['any'])

    def plan(self, region, *masters):
        master = index(*(masters or (self.kernel, self.ramdisk, self.ami)))
        return plan_region(master, region, self.rules, 'Burgos')

    def statuses(self, plan):
        return {s.name: s.status for s in plan.statuses}

    def test_upload_carries_references_by_name(self):
        plan = self.plan([])
        self.assertEqual(['kernel', 'ramdisk', 'ami'],
                         [u.master.name for u in plan.uploads])
        self.assertEqual({'kernel_id': 'kernel', 'ramdisk_id': 'ramdisk'},
                         plan.uploads[2].ami)
        self.assertEqual({'type': 'image'},
                         plan.uploads[2].record.properties)

    def test_pending_ami_fixed_after_uploads(self):
        ramdisk = fakes.copy_of(self.ramdisk, 'rr')
        ami = fakes.copy_of(self.ami, 'ra', user_properties={
            'type': 'image', 'kernel_id': 'old', 'ramdisk_id': 'rr'})
        plan = self.plan([ramdisk, ami])
        self.assertEqual(Status.PENDING_AMI, self.statuses(plan)['ami'])
        self.assertIsInstance(plan.actions[-1], actions.FixAmi)
        self.assertEqual('ra', plan.actions[-1].image_id)
        self.assertEqual({'kernel_id': 'kernel', 'ramdisk_id': 'ramdisk'},
                         plan.actions[-1].ami)

    def test_update_when_references_exist(self):
        kernel = fakes.copy_of(self.kernel, 'rk')
        ramdisk = fakes.copy_of(self.ramdisk, 'rr')
        ami = fakes.copy_of(self.ami, 'ra', user_properties={
            'type': 'image', 'kernel_id': 'k', 'ramdisk_id': 'rr'})
        plan = self.plan([kernel, ramdisk, ami])
        self.assertEqual(Status.PENDING_METADATA, self.statuses(plan)['ami'])
        [update] = plan.actions
        self.assertEqual({'kernel_id': 'kernel', 'ramdisk_id': 'ramdisk'},
                         update.ami)
        ready = fakes.copy_of(self.ami, 'ra', user_properties={
            'type': 'image', 'kernel_id': 'rk', 'ramdisk_id': 'rr'})
        self.assertTrue(self.plan([kernel, ramdisk, ready]).synchronised)

    def test_replaced_kernel_makes_the_image_wait(self):
        kernel = fakes.copy_of(self.kernel, 'rk', checksum='other')
        ramdisk = fakes.copy_of(self.ramdisk, 'rr')
        ami = fakes.copy_of(self.ami, 'ra', user_properties={
            'type': 'image', 'kernel_id': 'rk', 'ramdisk_id': 'rr'})
        plan = self.plan([kernel, ramdisk, ami])
        self.assertEqual({'kernel': Status.PENDING_REPLACE,
                          'ramdisk': Status.OK, 'ami': Status.PENDING_AMI},
                         self.statuses(plan))

    def test_kernel_not_synchronised(self):
        self.kernel.visibility = 'private'
        ami = fakes.copy_of(self.ami, 'ra', user_properties={
            'kernel_id': 'x', 'ramdisk_id': 'y'})
        plan = self.plan([fakes.copy_of(self.ramdisk, 'y'), ami])
        self.assertEqual(Status.ERROR_AMI, self.statuses(plan)['ami'])
        self.assertEqual([], [a for a in plan.actions
                              if getattr(a, 'image_id', '') == 'ra'])

    def test_bigger_kernel_is_uploaded_after_the_image(self):
        self.kernel.size = 1000
        plan = self.plan([])
        self.assertEqual(['ramdisk', 'ami', 'kernel'],
                         [u.master.name for u in plan.uploads])

    def test_reference_outside_the_index(self):
        logger = self.useFixture(fixtures.FakeLogger())
        ami = fakes.image('ami', kernel_id='gone', type='image')
        plan = self.plan([], ami)
        self.assertEqual({'kernel_id': '__gone', 'type': 'image'},
                         plan.uploads[0].record.properties)
        self.assertEqual({}, plan.uploads[0].ami)
        self.assertIn('gone', logger.output)
        copy = fakes.copy_of(ami)
        self.assertEqual(Status.ERROR_AMI,
                         self.statuses(self.plan([copy], ami))['ami'])


class MatchByIdTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.image = fakes.image('image', 'uuid-1', size=10, type='a')

    def plan(self, region, **options):
        rules = fakes.rules(match_by='id', **options)
        return plan_region(index(self.image), region, rules, 'Burgos')

    def test_upload_keeps_the_master_id(self):
        plan = self.plan([fakes.copy_of(self.image)])
        self.assertEqual([Status.PENDING_UPLOAD], list(plan.codes))
        self.assertEqual('uuid-1', plan.uploads[0].record.image_id)

    def test_by_name_the_region_chooses_the_id(self):
        plan = plan_region(index(self.image), [], fakes.rules(), 'Burgos')
        self.assertIsNone(plan.uploads[0].record.image_id)

    def test_a_copy_under_another_name_is_renamed(self):
        copy = fakes.copy_of(self.image, 'uuid-1', name='former')
        plan = self.plan([copy])
        self.assertEqual([Status.PENDING_METADATA], list(plan.codes))
        update, = plan.actions
        self.assertEqual(('uuid-1', 'image'), (update.image_id,
                                               update.new_name))
        self.assertEqual('rename image former to image', update.describe())
        self.assertTrue(self.plan([fakes.copy_of(self.image,
                                                 'uuid-1')]).synchronised)

    def test_other_content_is_never_replaced(self):
        copy = fakes.copy_of(self.image, 'uuid-1', checksum='other')
        plan = self.plan([copy], replace=['any'])
        self.assertEqual([Status.ERROR_CHECKSUM], list(plan.codes))
        self.assertEqual((), plan.actions)
        self.assertIn('can be neither replaced nor renamed',
                      self.logger.output)
        self.assertEqual([Status.OK_STALLED_CHECKSUM], list(self.plan(
            [copy], rename=['any'], dontupdate=['other']).codes))


class DontReplicatePlanTest(base.BaseTestCase):

    def test_properties_neither_copied_nor_updated(self):
        image = fakes.image('image', size=10, type='a', build='42')
        rules = fakes.rules(dont_replicate=['build'])
        plan = plan_region(index(image), [], rules, 'Burgos')
        self.assertEqual({'type': 'a'},
                         dict(plan.uploads[0].record.properties))
        copy = fakes.copy_of(image, user_properties={'type': 'a',
                                                      'build': '7'})
        plan = plan_region(index(image), [copy], rules, 'Burgos')
        self.assertTrue(plan.synchronised)


class CopyOwnerTest(base.BaseTestCase):
    """``copy_owner = master``: copies keep their master image's owner and
    are found under it; ``project``: as GlanceSync."""

    MASTERS = Owners(fakes.TENANT, ['demoid'])

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.demo = fakes.image('mine', owner='demoid')
        self.admin = fakes.image('cirros')
        self.index = MasterIndex.build([self.demo, self.admin],
                                       self.MASTERS, 'Valladolid')

    def test_uploads_ask_for_the_master_owner(self):
        rules = fakes.rules(copy_owner='master')
        plan = plan_region(self.index, [], rules, 'Burgos',
                           tenant_id=self.MASTERS)
        owners = {u.record.name: u.record.owner for u in plan.uploads}
        self.assertEqual({'mine': 'demoid', 'cirros': fakes.TENANT}, owners)

    def test_project_owner_asks_for_nothing(self):
        plan = plan_region(self.index, [], fakes.rules(), 'Burgos')
        self.assertEqual([None, None],
                         [u.record.owner for u in plan.uploads])

    def test_copies_under_any_master_project_are_found(self):
        rules = fakes.rules(copy_owner='master')
        copies = [fakes.copy_of(self.demo), fakes.copy_of(self.admin)]
        plan = plan_region(self.index, copies, rules, 'Burgos',
                           tenant_id=self.MASTERS)
        self.assertTrue(plan.synchronised)
        # With the target's project alone, demo's copy is another
        # project's image: skipped, so uploaded again.
        plan = plan_region(self.index, copies, fakes.rules(), 'Burgos')
        self.assertEqual(['mine'], [u.master.name for u in plan.uploads])
