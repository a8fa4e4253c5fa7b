import fixtures
from oslotest import base

from glance_sync import engine
from glance_sync.regions.base import IdInUse, RegionUnavailable
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.plan import plan_region
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from glance_sync.sync.copier import offline_copier
from tests.unit.rules import fakes


def master_images():
    return [fakes.image('kernel', 'k', size=10, type='kernel'),
            fakes.image('ramdisk', 'r', size=11, type='ramdisk'),
            fakes.image('ami', 'a', size=100, type='image', kernel_id='k',
                        ramdisk_id='r'),
            fakes.image('meta', 'm', size=50, type='base'),
            fakes.image('old', 'o', size=30, type='base'),
            fakes.image('bad', 'b', size=20, type='base')]


class EngineTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.master_region = MemoryRegion('Valladolid', master_images(),
                                          tenant_id=fakes.TENANT)
        images = {i.name: i for i in master_images()}
        self.region = MemoryRegion('Burgos', [
            fakes.copy_of(images['meta'], '105', user_properties={
                'type': 'wrong', 'local': 1}),
            fakes.copy_of(images['old'], '106', checksum='c-old'),
            fakes.copy_of(images['bad'], '107', checksum='c-bad'),
            fakes.copy_of(images['ramdisk'], '102'),
            fakes.copy_of(images['ami'], '103', user_properties={
                'type': 'image', 'kernel_id': 'x', 'ramdisk_id': '102'}),
        ], tenant_id=fakes.TENANT)
        self.rules = fakes.rules(metadata_set=['type'], rename=['c-old'],
                                 replace=['c-bad'])

    def index(self):
        return MasterIndex.build(self.master_region.list_images(True),
                                 fakes.TENANT, 'Valladolid')

    def sync(self, **kwargs):
        return engine.sync_region(self.index(), self.master_region,
                                  self.region, self.rules,
                                  copier=offline_copier(), **kwargs)

    def by_name(self):
        return {i.name: i for i in self.region.snapshot()}

    def test_applies_in_order(self):
        self.region.reset_calls()
        plan, report = self.sync()
        self.assertEqual(list(plan.actions), report.done)
        calls = [(c.method, c.args.get('image_id') or c.args.get('name'))
                 for c in self.region.calls if c.method != 'list_images']
        self.assertEqual([
            ('update', '105'),                                  # metadata
            ('create_image', 'kernel'), ('set_data_info', '1$kernel'),
            ('create_image', 'bad'), ('set_data_info', '1$bad'),
            ('delete', '107'),                                  # replace
            ('update', '106'),                                  # rename
            ('create_image', 'old'), ('set_data_info', '1$old'),
            ('update', '103'),                                  # AMI fix
        ], calls)
        self.assertEqual({'kernel': '1$kernel', 'bad': '1$bad',
                          'old': '1$old'}, report.created)
        self.assertEqual(10 + 20 + 30, report.uploaded_bytes)

    def test_result(self):
        self.sync()
        found = self.by_name()
        self.assertEqual({'type': 'base', 'local': 1},
                         found['meta'].user_properties)
        self.assertEqual({'type': 'image', 'kernel_id': '1$kernel',
                          'ramdisk_id': '102'}, found['ami'].user_properties)
        self.assertEqual('private', found['old.old'].visibility)
        self.assertEqual('106', found['old.old'].id)
        self.assertNotIn('107', [i.id for i in self.region.snapshot()])
        kernel = found['kernel']
        self.assertEqual((fakes.TENANT, 10, 'sum-kernel', 'active',
                          'public', {'type': 'kernel'}),
                         (kernel.owner, kernel.size, kernel.checksum,
                          kernel.status, kernel.visibility,
                          kernel.user_properties))

    def test_idempotent(self):
        self.sync()
        self.region.reset_calls()
        plan, report = self.sync()
        self.assertTrue(plan.synchronised)
        self.assertEqual([], report.done)
        self.assertEqual(['list_images'],
                         [c.method for c in self.region.calls])
        self.assertIn('Burgos: Region is synchronized.', self.logger.output)

    def test_dry_run_calls_nothing(self):
        before = self.region.snapshot()
        index = self.index()
        self.region.reset_calls()
        self.master_region.reset_calls()
        plan, report = engine.sync_region(
            index, self.master_region, self.region, self.rules,
            copier=offline_copier(), dry_run=True)
        self.assertTrue(report.dry_run)
        self.assertEqual(list(plan.actions), report.done)
        self.assertEqual(60, report.uploaded_bytes)
        self.assertEqual(['list_images'],
                         [c.method for c in self.region.calls])
        self.assertEqual([], self.master_region.calls)
        self.assertEqual(before, self.region.snapshot())
        self.assertIn('Burgos: would upload kernel', self.logger.output)

    def test_kernel_uploaded_after_the_image_is_marked_missing(self):
        self.region = MemoryRegion('Burgos', tenant_id=fakes.TENANT)
        kernel = self.master_region.get_image('k')
        self.master_region.delete('k')
        big = kernel.copy(size=1000)
        self.master_region = MemoryRegion(
            'Valladolid', self.master_region.snapshot() + [big],
            tenant_id=fakes.TENANT)
        self.sync()
        self.assertEqual('__kernel',
                         self.by_name()['ami'].user_properties['kernel_id'])
        self.assertIn('Burgos: Not found kernel on region. It should be '
                      'kernel_id of image ami', self.logger.output)
        plan, _ = self.sync()
        self.assertEqual(['metadata'], [a.reason for a in plan.actions])
        self.assertEqual('1$kernel',
                         self.by_name()['ami'].user_properties['kernel_id'])
        self.assertTrue(self.sync()[0].synchronised)

    def test_failure_stops_the_region(self):
        def broken(master_region, master_image, target, record):
            raise RuntimeError('disk full')
        plan = plan_region(self.index(), self.region.list_images(True),
                           self.rules, 'Burgos')
        exc = self.assertRaises(engine.ApplyError, engine.apply_plan, plan,
                                self.region, master_region=self.master_region,
                                copier=broken)
        self.assertIn('Sync of region Burgos stopped at "upload kernel',
                      str(exc))
        self.assertIn('disk full', str(exc))
        self.assertEqual([plan.actions[0]], exc.report.done)
        self.assertIsInstance(exc.__cause__, RuntimeError)
        self.assertEqual([], self.region.calls_to('create_image'))

    def test_metadata_calls_are_retried(self):
        waits = []
        failures = [RegionUnavailable('Burgos', reason='503')] * 2
        original = self.region.update

        def flaky(*args, **kwargs):
            if failures:
                raise failures.pop()
            return original(*args, **kwargs)
        self.region.update = flaky
        plan = plan_region(self.index(), self.region.list_images(True),
                           self.rules, 'Burgos')
        engine.apply_plan(plan, self.region, master_region=self.master_region,
                          copier=offline_copier(), sleep=waits.append,
                          backoff=0.5)
        self.assertEqual([0.5, 1.0], waits)

    def test_retries_give_up(self):
        def down(*args, **kwargs):
            raise RegionUnavailable('Burgos', reason='503')
        self.region.update = down
        self.assertRaises(engine.ApplyError, self.sync, retries=1,
                          backoff=0)


class MatchByIdTest(base.BaseTestCase):
    """match_by = id: copies keep the master's ids; a used id is refused
    once per sync, reported, and the other images go on."""

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.master_region = MemoryRegion('Valladolid', master_images(),
                                          tenant_id=fakes.TENANT)
        self.region = MemoryRegion('Burgos', tenant_id=fakes.TENANT)
        self.rules = fakes.rules(match_by='id', metadata_set=['type'])

    def sync(self):
        index = MasterIndex.build(self.master_region.list_images(True),
                                  fakes.TENANT, 'Valladolid')
        return engine.sync_region(index, self.master_region, self.region,
                                  self.rules, copier=offline_copier())

    def test_copies_keep_the_master_ids(self):
        self.sync()
        found = {i.name: i for i in self.region.snapshot()}
        self.assertEqual({i.name: i.id for i in master_images()},
                         {name: i.id for name, i in found.items()})
        # AMI references point to the same ids as in the master.
        self.assertEqual(('k', 'r'), (found['ami'].user_properties[
            'kernel_id'], found['ami'].user_properties['ramdisk_id']))
        self.assertTrue(self.sync()[0].synchronised)

    def test_a_deleted_id_is_reported_once_and_the_rest_goes_on(self):
        self.sync()
        self.region.delete('m')
        self.region.reset_calls()
        plan, report = self.sync()
        self.assertEqual(['m'], [c['image_id'] for c in
                                 self.region.calls_to('create_image')])
        self.assertEqual(['meta'], list(report.id_refused))
        self.assertIn('refuses to create an image with the id m',
                      report.id_refused['meta'])
        self.assertIn('Burgos: image meta cannot be copied with its master '
                      'id', self.logger.output)
        self.assertEqual([], report.done)
        statuses = report.mark_refused(plan.statuses)
        self.assertEqual({'meta': Status.ERROR_ID},
                         {s.name: s.status for s in statuses
                          if s.status is not Status.OK})
        self.assertTrue(Status.ERROR_ID.is_error)

    def test_name_mode_refusals_still_stop_the_region(self):
        def refusing(master_region, master_image, target, record):
            raise IdInUse('Burgos', image='x', reason='409')
        plan = plan_region(MasterIndex.build(master_images(), fakes.TENANT),
                           [], fakes.rules(), 'Burgos')
        self.assertRaises(engine.ApplyError, engine.apply_plan, plan,
                          self.region, master_region=self.master_region,
                          copier=refusing)


class MasterChangesTest(base.BaseTestCase):
    """Issue 14: renames, reactivations, tags and protection applied."""

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.rules = fakes.rules(record_source=True)
        self.master = fakes.image('new', 'm').copy(
            tags=frozenset({'t1'}), protected=True)
        self.master_region = MemoryRegion('Valladolid', [self.master],
                                          tenant_id=fakes.TENANT)

    def sync(self, *images, **rules):
        region = MemoryRegion('Burgos', images, tenant_id=fakes.TENANT)
        index = MasterIndex.build(self.master_region.list_images(True),
                                  fakes.TENANT, 'Valladolid')
        plan, report = engine.sync_region(
            index, self.master_region, region,
            fakes.rules(record_source=True, **rules),
            copier=offline_copier())
        return region, plan, report

    def made_copy(self, name, image_id='r1', **changes):
        return fakes.copy_of(self.master, image_id, name=name,
                             user_properties={SOURCE_PROPERTY: 'm'},
                             **changes)

    def test_rename_moves_no_bytes(self):
        region, _, report = self.sync(self.made_copy('old'))
        self.assertEqual(0, report.uploaded_bytes)
        self.assertEqual({}, report.created)
        [copy] = region.snapshot()
        self.assertEqual(('r1', 'new'), (copy.id, copy.name))
        self.assertEqual([], region.calls_to('create_image'))

    def test_rename_onto_a_replaced_image(self):
        other = fakes.image('new', 'r2', checksum='c-other')
        region, _, _ = self.sync(self.made_copy('old'), other,
                                 replace=['c-other'])
        self.assertEqual([('r1', 'new')],
                         [(i.id, i.name) for i in region.snapshot()])

    def test_rename_onto_a_renamed_image(self):
        other = fakes.image('new', 'r2', checksum='c-other')
        region, _, _ = self.sync(self.made_copy('old'), other,
                                 rename=['c-other'])
        self.assertEqual({('r1', 'new', 'public'),
                          ('r2', 'new.old', 'private')},
                         {(i.id, i.name, i.visibility)
                          for i in region.snapshot()})

    def test_reactivated_then_attributes_follow(self):
        region, _, report = self.sync(self.made_copy(
            'new', status='deactivated', tags=frozenset({'t2'})))
        [copy] = region.snapshot()
        self.assertEqual(('active', frozenset({'t1'}), True),
                         (copy.status, copy.tags, copy.protected))
        self.assertEqual(['reactivate', 'update', 'set_attributes'],
                         [c.method for c in region.calls
                          if c.method != 'list_images'])

    def test_new_copy_protected_after_its_data(self):
        region, _, _ = self.sync()
        [copy] = region.snapshot()
        self.assertEqual(('active', frozenset({'t1'}), True),
                         (copy.status, copy.tags, copy.protected))
        methods = [c.method for c in region.calls]
        self.assertLess(methods.index('set_data_info'),
                        methods.index('set_attributes'))

    def test_protected_copy_unprotected_to_be_replaced(self):
        old = self.made_copy('new', checksum='c-old', protected=True)
        region, _, _ = self.sync(old, replace=['c-old'])
        [copy] = region.snapshot()
        self.assertNotEqual('r1', copy.id)

    def test_protected_image_of_someone_else_is_not_unprotected(self):
        other = fakes.copy_of(self.master, 'r1', checksum='c-old',
                              protected=True)
        self.assertRaises(engine.ApplyError, self.sync, other,
                          replace=['c-old'])

    def test_deactivated_master_deactivates_our_copy_only(self):
        self.master_region.deactivate('m')
        local = fakes.copy_of(self.master, 'r2', protected=False)
        region, plan, _ = self.sync(self.made_copy('new', protected=False),
                                    local)
        self.assertEqual({'r1': 'deactivated', 'r2': 'active'},
                         {i.id: i.status for i in region.snapshot()})
        self.assertEqual(['deactivate new'],
                         [a.describe() for a in plan.actions])
