import dataclasses
import datetime
import threading
from concurrent import futures

import fixtures
from oslotest import base

from glance_sync import coordination
from glance_sync.daemon import runner
from glance_sync.db import data_models as dm
from glance_sync.rules.metadata import SOURCE_PROPERTY
from tests.unit.daemon import fakes

NOW = datetime.datetime(2030, 1, 1)


def task(image_id, region, last_error=None, image_name=None):
    return dm.Task(id='t-%s-%s' % (image_id, region), image_id=image_id,
                   image_name=image_name, region=region, reason='test',
                   state=dm.TaskState.RUNNING, attempts=1,
                   last_error=last_error, recheck=False, request_id=None,
                   created_at=NOW, updated_at=NOW, next_attempt_at=None,
                   lease_owner='w', lease_token='tok', lease_expires_at=NOW)


def after(barrier, call):
    """``call``, once every thread of ``barrier`` is there."""
    def wait_then_call(*args, **kwargs):
        barrier.wait(5)
        return call(*args, **kwargs)
    return wait_then_call


class RunnerTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.use(fakes.make_context())

    def use(self, context):
        self.context = context
        self.regions = context.cloud.memory
        self.master = self.regions['Master']
        self.runner = runner.TaskRunner(
            lambda: self.context, coordination.Coordinator(None),
            lock_timeout=1)

    def run_task(self, image_id, region, **kwargs):
        return self.runner.run(task(image_id, region, **kwargs))

    def only_copy(self, region, name):
        copies = fakes.named(self.regions[region], name)
        self.assertEqual(1, len(copies), copies)
        return copies[0]


class SyncTest(RunnerTestCase):

    def test_uploads_a_verified_copy_once(self):
        image = fakes.put(self.master, 'a', 1000, colour='red')
        outcome = self.run_task(image.id, 'R2')
        self.assertEqual(runner.Kind.DONE, outcome.kind)
        self.assertIn('upload a', outcome.detail)
        copy = self.only_copy('R2', 'a')
        self.assertEqual((image.size, image.checksum, image.os_hash_value),
                         (copy.size, copy.checksum, copy.os_hash_value))
        self.assertEqual({'colour': 'red', SOURCE_PROPERTY: image.id},
                         copy.user_properties)
        # Idempotent: a replay finds nothing to do.
        self.assertIn('nothing to do', self.run_task(image.id,
                                                     'R2').detail)
        self.only_copy('R2', 'a')

    def test_a_copy_says_how_much_how_long_and_from_where(self):
        image = fakes.put(self.master, 'a', 7000)
        outcome = self.run_task(image.id, 'R2')
        self.assertEqual((7000, 'Master'), (outcome.bytes, outcome.source))
        self.assertGreater(outcome.seconds, 0)
        self.assertEqual(dm.CopyRecord(7000, outcome.seconds, 'Master'),
                         outcome.copy)
        # A run that copies nothing has no copy to record.
        again = self.run_task(image.id, 'R2')
        self.assertEqual((None, None, None, None),
                         (again.bytes, again.seconds, again.source,
                          again.copy))

    def test_a_metadata_update_is_no_copy(self):
        self.use(fakes.make_context(master={'metadata_set': ['colour']}))
        image = fakes.put(self.master, 'a', colour='red')
        self.run_task(image.id, 'R2')
        self.master.update(image.id, set_properties={'colour': 'blue'})
        outcome = self.run_task(image.id, 'R2')
        self.assertIn('blue', str(self.only_copy('R2', 'a').user_properties))
        self.assertIsNone(outcome.copy)

    def test_concurrent_tasks_of_an_image_read_it_once(self):
        image = fakes.put(self.master, 'a', 100000)
        self.master.reset_calls()
        # Both tasks start before either reaches its copy, as a burst of
        # tasks does against real regions.
        barrier = threading.Barrier(2)
        for name in ('R2', 'R3'):
            region = self.regions[name]
            region.find_images = after(barrier, region.find_images)
        with futures.ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(lambda region: self.run_task(
                image.id, region), ['R2', 'R3']))
        self.assertEqual([runner.Kind.DONE] * 2, [o.kind for o in outcomes])
        self.assertEqual(1, len(self.master.calls_to('download')))
        for region in ('R2', 'R3'):
            self.assertEqual(image.checksum,
                             self.only_copy(region, 'a').checksum)

    def test_only_the_tasks_image_is_touched(self):
        image = fakes.put(self.master, 'a')
        fakes.put(self.master, 'b')
        self.run_task(image.id, 'other:O1')
        self.assertEqual(['a'], [i.name for i in
                                 self.regions['other:O1'].snapshot()])

    def test_an_unselected_image_is_not_copied(self):
        image = fakes.put(self.master, 'p', visibility='private')
        outcome = self.run_task(image.id, 'R2')
        self.assertEqual(runner.Kind.DONE, outcome.kind)
        self.assertEqual([], self.regions['R2'].snapshot())

    def test_ignored_region_has_nothing_to_do(self):
        self.use(fakes.make_context(master={'ignore_regions': ['R3']}))
        image = fakes.put(self.master, 'a')
        self.assertIn('not a candidate', self.run_task(image.id,
                                                       'R3').detail)
        self.assertEqual([], self.regions['R3'].snapshot())

    def test_metadata_change_is_propagated(self):
        self.use(fakes.make_context(master={'metadata_set': ['colour']}))
        image = fakes.put(self.master, 'a', colour='red', local='x')
        self.run_task(image.id, 'R2')
        self.master.update(image.id, set_properties={'colour': 'blue'})
        self.run_task(image.id, 'R2')
        self.assertEqual('blue', self.only_copy(
            'R2', 'a').user_properties['colour'])

    def test_obsolete_rename_follows_the_master(self):
        image = fakes.put(self.master, 'a')
        self.run_task(image.id, 'R2')
        self.master.update(image.id, name='a_obsolete', visibility='private')
        self.run_task(image.id, 'R2')
        copy = self.only_copy('R2', 'a_obsolete')
        self.assertEqual('private', copy.visibility)
        self.assertEqual([], fakes.named(self.regions['R2'], 'a'))

    def test_ami_dependencies_come_along(self):
        self.use(fakes.make_context('none'))
        kernel = fakes.put(self.master, 'k', 10, visibility='private')
        ami = fakes.put(self.master, 'ami', 100, kernel_id=kernel.id,
                        glance_sync_regions='R2')
        self.run_task(ami.id, 'R2')
        new_kernel = self.only_copy('R2', 'k')
        self.assertEqual(new_kernel.id, self.only_copy(
            'R2', 'ami').user_properties['kernel_id'])

    def test_leftovers_are_removed_before_the_copy(self):
        image = fakes.put(self.master, 'a')
        region = self.regions['R2']
        left = region.create_image('a', visibility='public', properties={
            SOURCE_PROPERTY: image.id})
        foreign = region.create_image('a', visibility='public',
                                      properties={})
        self.run_task(image.id, 'R2')
        self.assertEqual([{'image_id': left.id}], region.calls_to('delete'))
        statuses = {i.id: i.status for i in fakes.named(region, 'a')}
        self.assertEqual('queued', statuses.pop(foreign.id))  # not ours
        self.assertEqual(['active'], list(statuses.values()))

    def test_legacy_leftovers_are_found_by_name(self):
        self.use(fakes.make_context(master={'record_source': False}))
        image = fakes.put(self.master, 'a')
        region = self.regions['R2']
        left = region.create_image('a', visibility='public', properties={})
        self.run_task(image.id, 'R2', image_name='a')
        self.assertEqual([{'image_id': left.id}], region.calls_to('delete'))
        self.assertEqual(['active'], [i.status for i in fakes.named(
            region, 'a')])


class WaitTest(RunnerTestCase):

    def test_image_being_written_asks_to_wait(self):
        queued = self.master.create_image('s', visibility='public',
                                          properties={})
        outcome = self.run_task(queued.id, 'R2')
        self.assertEqual((runner.Kind.WAIT, 'queued'),
                         (outcome.kind, outcome.status))

    def test_a_finished_wait_asks_for_a_fresh_run(self):
        image = fakes.put(self.master, 's')
        marker = runner.wait_message(image.id, 'saving', NOW)
        outcome = self.run_task(image.id, 'R2', last_error=marker)
        self.assertEqual(runner.Kind.READY, outcome.kind)
        self.assertEqual([], self.regions['R2'].snapshot())

    def test_wait_message_round_trip(self):
        marker = runner.wait_message('id', 'saving', NOW)
        self.assertEqual(NOW, runner.waiting_since(marker))
        self.assertIsNone(runner.waiting_since('Region R2 is unavailable'))
        self.assertIsNone(runner.waiting_since(None))


class DeletePolicyTest(RunnerTestCase):

    def synced_then_deleted(self, policy):
        self.use(fakes.make_context(delete_policy=policy))
        image = fakes.put(self.master, 'a')
        self.run_task(image.id, 'R2')
        region = self.regions['R2']
        mine = fakes.named(region, 'a')[0]
        other = fakes.put(region, 'a-local')   # no source: not ours
        left = region.create_image('b', visibility='public', properties={
            SOURCE_PROPERTY: image.id})
        self.master.delete(image.id)
        outcome = self.run_task(image.id, 'R2')
        self.assertEqual(runner.Kind.DONE, outcome.kind)
        images = {i.id: i for i in region.snapshot()}
        self.assertIn(other.id, images)
        self.assertNotIn(left.id, images)  # leftovers go whatever the policy
        return images.get(mine.id)

    def test_keep(self):
        self.assertEqual('active', self.synced_then_deleted('keep').status)

    def test_deactivate(self):
        self.assertEqual('deactivated',
                         self.synced_then_deleted('deactivate').status)

    def test_delete(self):
        self.assertIsNone(self.synced_then_deleted('delete'))


class DeactivationTest(RunnerTestCase):
    """Issue 14: the copies glance-sync made follow their master."""

    def synced(self, **rules):
        if rules:
            self.use(fakes.make_context(master=rules))
        image = fakes.put(self.master, 'a')
        self.run_task(image.id, 'R2')
        return image, fakes.named(self.regions['R2'], 'a')[0]

    def test_deactivation_and_reactivation_follow(self):
        image, copy = self.synced()
        other = fakes.put(self.regions['R2'], 'a-local')  # not ours
        self.master.deactivate(image.id)
        outcome = self.run_task(image.id, 'R2')
        self.assertIn('copy %s deactivated' % copy.id, outcome.detail)
        region = self.regions['R2']
        self.assertEqual(('deactivated', 'active'), (
            region.get_image(copy.id).status,
            region.get_image(other.id).status))
        self.master.reactivate(image.id)
        self.run_task(image.id, 'R2')
        self.assertEqual([copy.id], [i.id for i in fakes.named(region, 'a')])
        self.assertEqual('active', region.get_image(copy.id).status)

    def test_deactivated_master_is_not_copied(self):
        image = fakes.put(self.master, 'a')
        self.master.deactivate(image.id)
        outcome = self.run_task(image.id, 'R2')
        self.assertEqual(runner.Kind.DONE, outcome.kind)
        self.assertEqual([], fakes.named(self.regions['R2'], 'a'))

    def test_follow_deactivation_off(self):
        image, copy = self.synced(follow_deactivation=False)
        self.master.deactivate(image.id)
        outcome = self.run_task(image.id, 'R2')
        self.assertIn('do not follow', outcome.detail)
        self.assertEqual('active',
                         self.regions['R2'].get_image(copy.id).status)

    def test_rename_renames_the_copy(self):
        image, copy = self.synced()
        self.master.update(image.id, name='b')
        self.run_task(image.id, 'R2')
        region = self.regions['R2']
        self.assertEqual([copy.id], [i.id for i in fakes.named(region, 'b')])
        self.assertEqual([], fakes.named(region, 'a'))
        self.assertEqual([], region.calls_to('create_image')[1:])


class TargetedReadTest(RunnerTestCase):
    """A task reads its image and what its plan needs, never listings."""

    def test_upload_and_metadata_tasks_read_no_listing(self):
        image = fakes.put(self.master, 'a')
        self.runner.master_catalog.replace(self.master,
                                           self.master.list_images())
        for changes in ({}, {'x': '1'}):
            if changes:
                self.master.update(image.id, set_properties=changes)
            for region in self.regions.values():
                region.reset_calls()
            self.run_task(image.id, 'R2')
            self.assertEqual([], self.master.calls_to('list_images'))
            self.assertEqual([{'image_id': image.id}],
                             self.master.calls_to('get_image'))
            self.assertEqual([], self.regions['R2'].calls_to('list_images'))
            queries = self.regions['R2'].calls_to('find_images')
            self.assertEqual(1, len(queries))
            self.assertEqual({'a'}, queries[0]['query'].names)
            self.assertEqual({image.id}, queries[0]['query'].sources)
        self.assertEqual({'x': '1'}, {
            k: v for k, v in self.only_copy('R2', 'a').user_properties.items()
            if k == 'x'})

    def test_first_task_lists_the_master_once(self):
        image = fakes.put(self.master, 'a')
        self.master.reset_calls()
        self.run_task(image.id, 'R2')
        self.run_task(image.id, 'R3')
        self.assertEqual(1, len(self.master.calls_to('list_images')))

    def test_an_events_first_run_reads_no_sources(self):
        image = fakes.put(self.master, 'a')
        event = dataclasses.replace(task(image.id, 'R2'),
                                    reason='glance_sync.image.uploaded')
        self.runner.run(event)
        self.runner.run(dataclasses.replace(event, attempts=2))
        queries = [c['query'] for c in self.regions['R2'].calls_to(
            'find_images')]
        self.assertEqual([frozenset(), {image.id}],
                         [q.sources for q in queries])
        self.assertEqual(['a'], [i.name for i in
                                 self.regions['R2'].snapshot()])
