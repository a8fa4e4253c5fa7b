"""Relay copies in the daemon: the source a task reads, its wait, its
fallback, on the in-memory cloud with a real (SQLite) journal."""

import dataclasses
import datetime
import threading

import fixtures
from oslotest import base

from glance_sync import coordination
from glance_sync.conf.sites import SiteTopology
from glance_sync.daemon import relaying, runner
from glance_sync.db import data_models as dm
from glance_sync.regions.base import RegionUnavailable
from glance_sync.transfer import bandwidth
from glance_sync.transfer.base import TransferOptions
from tests.unit.daemon import fakes

#: Master at west; R2 and R3 at east; west-east costs 10.
SITES = SiteTopology(region_sites={'Master': 'west', 'R2': 'east',
                                   'R3': 'east'},
                     link_costs={('east', 'west'): 10})


class RelayTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level='INFO'))
        self.journal, self.clock = fakes.sqlite_journal(self)
        self.context = fakes.make_context()
        self.context.transfer_options = TransferOptions(relay=True,
                                                        sites=SITES)
        self.regions = self.context.cloud.memory
        self.coordinator = coordination.Coordinator(None)
        self.runner = runner.TaskRunner(
            lambda: self.context, self.coordinator, lock_timeout=1,
            journal=self.journal, clock=self.clock)
        self.image = fakes.put(self.regions['Master'], 'a', 300000)

    def claim(self, region):
        """The region's task, running (claimed now, or still running)."""
        task = self.journal.find(self.image.id, region)
        if task is not None and task.state is dm.TaskState.RUNNING:
            return task
        self.journal.enqueue(self.image.id, region, 'test')
        (task,) = [t for t in self.journal.claim('w', limit=10)
                   if t.region == region]
        return task

    def run_region(self, region, **changes):
        task = self.claim(region)
        if changes:
            task = dataclasses_replace(task, **changes)
        outcome = self.runner.run(task)
        if outcome.kind is runner.Kind.DONE:
            self.journal.mark_done(task)
        return outcome

    def downloads(self, region):
        return len(self.regions[region].calls_to('download'))

    def assert_verified(self, region):
        (copy,) = fakes.named(self.regions[region], 'a')
        self.assertEqual(
            ('active', self.image.size, self.image.checksum,
             self.image.os_hash_value),
            (copy.status, copy.size, copy.checksum, copy.os_hash_value))


def dataclasses_replace(task, **changes):
    return dataclasses.replace(task, **changes)


class SourceTest(RelayTestCase):

    def test_the_second_region_of_a_site_copies_from_the_first(self):
        first = self.run_region('R2')
        self.assertEqual('Master', first.source)
        self.assertIn('copied from Master (master)', first.detail)
        second = self.run_region('R3')
        self.assertEqual('R2', second.source)
        self.assertIn('copied from R2 (relay)', second.detail)
        self.assert_verified('R3')
        # The image left the master once.
        self.assertEqual((1, 1), (self.downloads('Master'),
                                  self.downloads('R2')))
        # The copy's record is the master's, not the relay's.
        (copy,) = fakes.named(self.regions['R3'], 'a')
        self.assertEqual(self.image.id,
                         copy.user_properties['glance_sync_source'])

    def test_the_relay_link_is_the_one_capped(self):
        seen = []
        throttle = bandwidth.Limiter.throttle

        def recording(limiter, source, region, chunks):
            seen.append((source, region))
            return throttle(limiter, source, region, chunks)
        self.useFixture(fixtures.MockPatchObject(
            bandwidth.Limiter, 'throttle', recording))
        self.run_region('R2')
        self.run_region('R3')
        self.assertEqual([('Master', 'R2'), ('R2', 'R3')], seen)

    def test_relay_off_reads_the_master(self):
        self.context.transfer_options = TransferOptions(sites=SITES)
        self.run_region('R2')
        outcome = self.run_region('R3')
        self.assertEqual('Master', outcome.source)
        self.assertNotIn('copied from', outcome.detail)
        self.assertEqual((2, 0), (self.downloads('Master'),
                                  self.downloads('R2')))

    def test_a_region_sharing_the_masters_store_is_no_relay_user(self):
        self.context.transfer_options = TransferOptions(
            relay=True, sites=SiteTopology(
                region_sites=SITES.region_sites, link_costs=SITES.link_costs,
                shared_stores={'R3': (('file:///x/', 'http://y/'),)}))
        relays = relaying.Relays(self.journal, self.coordinator, self.clock)
        self.assertFalse(relays.applies(self.context, 'R3'))
        self.assertTrue(relays.applies(self.context, 'R2'))

    def test_a_relay_without_a_verified_copy_is_passed_over(self):
        self.run_region('R2')
        (copy,) = fakes.named(self.regions['R2'], 'a')
        self.regions['R2'].update(copy.id, set_properties={
            'glance_sync_source': 'another-image'})
        outcome = self.run_region('R3')
        self.assertEqual('Master', outcome.source)
        self.assertIn('Region R2 holds no verified copy', self.logger.output)

    def test_a_kernel_is_read_from_the_master_its_image_from_the_relay(self):
        self.context = fakes.make_context('none')
        self.context.transfer_options = TransferOptions(relay=True,
                                                        sites=SITES)
        self.regions = self.context.cloud.memory
        master = self.regions['Master']
        kernel = fakes.put(master, 'k', 10, visibility='private')
        self.image = fakes.put(master, 'a', 1000, kernel_id=kernel.id,
                               glance_sync_regions='R2,R3')
        self.run_region('R2')
        outcome = self.run_region('R3')
        self.assertEqual('R2', outcome.source)
        self.assert_verified('R3')
        # Kernel and image for R2, the kernel only for R3.
        self.assertEqual([kernel.id, self.image.id, kernel.id],
                         [c['image_id'] for c in
                          self.regions['Master'].calls_to('download')])
        self.assertEqual(1, self.downloads('R2'))

    def test_an_other_keystones_region_relays_too(self):
        self.run_region('R2')
        outcome = self.run_region('other:O1')
        # O1 has no site: every link to it costs 1; the relay wins the tie.
        self.assertEqual('R2', outcome.source)
        self.assert_verified('other:O1')


class WaitTest(RelayTestCase):

    def test_a_region_still_receiving_is_waited_for(self):
        self.claim('R2')  # running...
        receiving = self.coordinator.try_hold('relay-receiving:%s:R2'
                                              % self.image.id)
        outcome = self.run_region('R3')
        self.assertEqual(runner.Kind.WAIT, outcome.kind)
        self.assertEqual('waiting for a copy slot of R2 (still receiving '
                         'the image)', outcome.detail)
        self.assertEqual(relaying.WAIT_POLL, outcome.retry_in)
        self.assertEqual(self.clock.now,
                         relaying.waiting_since(outcome.note))
        self.assertEqual([], fakes.named(self.regions['R3'], 'a'))
        self.assertEqual(0, self.downloads('Master'))
        # A running task that is not copying (not yet, or waiting) is not
        # waited for.
        receiving.release()
        self.assertEqual('Master', self.run_region('R3').source)

    def test_a_running_task_whose_copy_is_made_is_a_relay(self):
        # R2's copy is made; its task's end is not recorded yet.
        self.assertEqual('Master', self.runner.run(self.claim('R2')).source)
        self.assertEqual(dm.TaskState.RUNNING,
                         self.journal.find(self.image.id, 'R2').state)
        self.assertEqual('R2', self.run_region('R3').source)
        self.assertEqual(1, self.downloads('Master'))

    def test_two_tasks_at_once_make_one_read_of_the_master(self):
        master = self.regions['Master']
        download = master.download
        reading, gate = threading.Event(), threading.Event()

        def held(image_id):
            reading.set()
            gate.wait(10)
            return download(image_id)
        self.useFixture(fixtures.MockPatchObject(master, 'download', held))
        first = self.claim('R2')
        second = self.claim('R3')
        outcomes = {}
        thread = threading.Thread(target=lambda: outcomes.setdefault(
            'R2', self.runner.run(first)))
        thread.start()
        self.assertTrue(reading.wait(10))
        # R2 reads the master now: R3 waits for it rather than read the
        # master too.
        waiting = self.runner.run(second)
        gate.set()
        thread.join(10)
        self.assertEqual('waiting for a copy slot of R2 (still receiving '
                         'the image)', waiting.detail)
        self.assertEqual('Master', outcomes['R2'].source)
        self.assertEqual(1, len(master.calls_to('download')))

    def test_a_busy_relay_is_waited_for_until_relay_wait(self):
        self.run_region('R2')
        slots = [self.coordinator.take_slot('relay-slot:R2:%s'
                                            % self.image.id, 2)
                 for _ in range(2)]
        self.addCleanup(lambda: [s.release() for s in slots])
        since = self.clock.now
        outcome = self.run_region('R3')
        self.assertEqual('waiting for a copy slot of R2 (busy)',
                         outcome.detail)
        # The wait goes on across runs, from when it began.
        self.clock.advance(599)
        again = self.run_region('R3', last_error=outcome.note)
        self.assertEqual(since, relaying.waiting_since(again.note))
        self.assertEqual(1, again.retry_in)
        self.clock.advance(1)
        done = self.run_region('R3', last_error=again.note)
        self.assertEqual(runner.Kind.DONE, done.kind)
        self.assertEqual('Master', done.source)
        self.assert_verified('R3')

    def test_the_master_busy_is_waited_for_too(self):
        slots = [self.coordinator.take_slot('relay-slot:Master:%s'
                                            % self.image.id, 2)
                 for _ in range(2)]
        self.addCleanup(lambda: [s.release() for s in slots])
        outcome = self.run_region('R2')
        self.assertEqual('waiting for a copy slot of Master (busy)',
                         outcome.detail)

    def test_the_slot_is_given_back_after_the_copy(self):
        self.run_region('R2')
        self.run_region('R3')
        for source in ('Master', 'R2'):
            held = [self.coordinator.take_slot('relay-slot:%s:%s'
                                               % (source, self.image.id), 2)
                    for _ in range(2)]
            self.assertNotIn(None, held)


class FallbackTest(RelayTestCase):

    def test_a_relay_failing_mid_copy_falls_back_to_the_master(self):
        self.run_region('R2')
        download = self.regions['R2'].download

        def broken(image_id):
            chunks = download(image_id)
            yield next(iter(chunks))
            raise RegionUnavailable('R2', reason='connection reset')
        self.useFixture(fixtures.MockPatchObject(self.regions['R2'],
                                                 'download', broken))
        outcome = self.run_region('R3')
        self.assertEqual(runner.Kind.DONE, outcome.kind)
        self.assertEqual('Master', outcome.source)
        self.assert_verified('R3')  # one copy: the broken one was removed
        self.assertIn('Copy of image %s to R3 from R2 (relay) failed'
                      % self.image.id, self.logger.output)
        # Both slots given back.
        for source in ('Master', 'R2'):
            self.assertEqual(2, len([
                self.coordinator.take_slot('relay-slot:%s:%s'
                                           % (source, self.image.id), 2)
                for _ in range(2)]))

    def test_a_relay_whose_copy_mismatches_falls_back(self):
        self.run_region('R2')
        (copy,) = fakes.named(self.regions['R2'], 'a')
        # The relay serves other bytes than its record says.
        self.regions['R2']._data[copy.id] = b'x' * self.image.size
        outcome = self.run_region('R3')
        self.assertEqual('Master', outcome.source)
        self.assert_verified('R3')
        self.assertIn('Copy of image %s to R3 from R2 (relay) failed'
                      % self.image.id, self.logger.output)


class WaitMessageTest(base.BaseTestCase):

    def test_round_trip(self):
        since = datetime.datetime(2030, 1, 2, 3, 4, 5)
        note = relaying.wait_message('other:RegionFour', 'busy', since)
        self.assertEqual(since, relaying.waiting_since(note))
        self.assertIsNone(relaying.waiting_since('something else'))
        # Not the snapshot wait of the runner: that one ends a wait.
        self.assertIsNone(runner.waiting_since(note))

    def test_is_relay_copy(self):
        context = fakes.make_context()
        master = fakes.put(context.cloud.memory['Master'], 'a', 100)
        copy = master.copy(id='other', region='R2',
                           user_properties={'glance_sync_source': master.id})
        self.assertTrue(relaying.is_relay_copy(copy, master))
        self.assertTrue(relaying.is_relay_copy(
            master.copy(region='R2', user_properties={}), master))
        self.assertFalse(relaying.is_relay_copy(
            copy.copy(os_hash_value='0' * 128), master))
        self.assertFalse(relaying.is_relay_copy(copy.copy(status='saving'),
                                                master))
        self.assertFalse(relaying.is_relay_copy(
            copy.copy(user_properties={}), master))
