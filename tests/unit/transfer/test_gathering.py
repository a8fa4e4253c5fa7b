"""Strategies behind the engine's copier: per copy, or gathered per image."""

import dataclasses
import os
import threading
import time
from concurrent import futures

from oslotest import base as test_base

from glance_sync import engine
from glance_sync.regions import base
from glance_sync.regions.drivers import memory
from glance_sync.rules.actions import ImageRecord
from glance_sync.rules.selection import MasterIndex
from glance_sync.transfer import gathering, loader, metering
from tests.unit.rules import fakes as rule_fakes
from tests.unit.transfer import fakes

TENANT = rule_fakes.TENANT


def master_with_data(sizes):
    """A master region holding one public image of random bytes per size."""
    master = memory.MemoryRegion('RegionOne', tenant_id=TENANT)
    for name, size in sizes.items():
        record = master.create_image(name, visibility='public',
                                     properties={'type': 'base'},
                                     disk_format='raw',
                                     container_format='bare')
        master.upload(record.id, [os.urandom(size)], size=size)
    master.reset_calls()
    return master


def record(name):
    return ImageRecord(name=name, visibility='public',
                       properties={'type': 'base'}, disk_format='raw',
                       container_format='bare')


class StrategyCopierTest(test_base.BaseTestCase):

    def test_copies_through_the_strategy_of_the_region_target(self):
        master = master_with_data({'a': 5000})
        image = master.list_images()[0]
        region = memory.MemoryRegion('other:RegionFour')
        copier = gathering.strategy_copier(loader.StrategySelector())
        copy = copier(master, image, region, record('a'))
        self.assertEqual((image.checksum, 'active', 'a'),
                         (copy.checksum, copy.status, copy.name))
        self.assertRaises(base.CopyFailed, copier, master,
                          image.copy(status='queued'), region, record('a'))


class CopierTestCase(test_base.BaseTestCase):
    """Two master images, three empty regions."""

    def setUp(self):
        super().setUp()
        self.master = master_with_data({'small': 3000, 'big': 9000})
        self.images = {i.name: i for i in self.master.list_images()}
        self.regions = [memory.MemoryRegion(n) for n in
                        ('RegionTwo', 'RegionThree', 'other:RegionFour')]

    def copier(self, **kwargs):
        kwargs.setdefault('gather_window', 10)
        return gathering.GatheringCopier(loader.StrategySelector(), **kwargs)


class GatheringCopierTest(CopierTestCase):

    def run_regions(self, copier, plans, pause=None):
        """Each region in its own thread, copying its images in order."""
        copier.announce(list(plans))

        def one(region):
            names = plans[region.name]
            with copier.region(region.name):
                time.sleep(0.05)  # listing and planning
                copier.plan(region.name, [self.images[n].id for n in names])
                copies = []
                for name in names:
                    if pause and pause[0] == (region.name, name):
                        time.sleep(pause[1])
                    copies.append(copier(self.master, self.images[name],
                                         region, record(name)))
                return copies
        with futures.ThreadPoolExecutor(len(self.regions)) as pool:
            return dict(zip(plans, pool.map(one, [
                r for r in self.regions if r.name in plans])))

    def test_each_image_read_once_for_every_region(self):
        plans = {r.name: ['small', 'big'] for r in self.regions}
        started = time.monotonic()
        result = self.run_regions(self.copier(), plans)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(2, len(self.master.calls_to('download')))
        for region in self.regions:
            self.assertEqual(
                [(self.images[n].checksum, 'active')
                 for n in ('small', 'big')],
                [(c.checksum, c.status) for c in result[region.name]])

    def test_regions_planning_different_images(self):
        plans = {'RegionTwo': ['small', 'big'], 'RegionThree': ['big'],
                 'other:RegionFour': ['small']}
        self.run_regions(self.copier(), plans)
        self.assertEqual(2, len(self.master.calls_to('download')))

    def test_a_region_that_left_is_not_waited_for(self):
        copier = self.copier(gather_window=30)
        with copier.region('other:RegionFour', [self.images['small'].id]):
            pass
        started = time.monotonic()
        self.run_regions(copier, {'RegionTwo': ['small']})
        self.assertLess(time.monotonic() - started, 5)

    def test_a_region_that_passed_an_image_is_not_waited_for(self):
        copier = self.copier(gather_window=30)
        small = self.images['small']
        with copier.region('RegionThree', [small.id]):
            # RegionThree found a copy made meanwhile: it will not come.
            copier.passed('RegionThree', small.id)
            started = time.monotonic()
            self.run_regions(copier, {'RegionTwo': ['small']})
            self.assertLess(time.monotonic() - started, 5)

    def test_late_region_not_waited_for_beyond_the_window(self):
        plans = {r.name: ['small'] for r in self.regions}
        started = time.monotonic()
        self.run_regions(self.copier(gather_window=0.3), plans,
                         pause=(('RegionThree', 'small'), 1.0))
        self.assertLess(time.monotonic() - started, 5)
        # The late region got a transfer of its own.
        self.assertEqual(2, len(self.master.calls_to('download')))

    def test_an_interrupted_transfer_fails_the_others_instead_of_hanging(self):
        copier = self.copier(gather_window=0.2)
        strategy = copier.selector.for_target('master')

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt()
        strategy.transfer = interrupted
        image = self.images['small']
        outcomes = {}
        copier.announce([r.name for r in self.regions[:2]])

        def one(region):
            with copier.region(region.name, [image.id]):
                try:
                    outcomes[region.name] = copier(self.master, image,
                                                   region, record('small'))
                except BaseException as exc:
                    outcomes[region.name] = exc
        threads = [threading.Thread(target=one, args=(r,), daemon=True)
                   for r in self.regions[:2]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertEqual(
            {KeyboardInterrupt, base.CopyFailed},
            {type(outcome) for outcome in outcomes.values()})

    def test_failure_raised_in_its_region_only(self):
        broken = fakes.FakeRegion('RegionThree')
        broken.fail_after = 10
        self.regions[1] = broken
        copier = self.copier()
        copier.announce([r.name for r in self.regions])
        errors = {}

        def one(region):
            with copier.region(region.name, [self.images['big'].id]):
                try:
                    return copier(self.master, self.images['big'], region,
                                  record('big'))
                except base.CopyFailed as exc:
                    errors[region.name] = exc
        with futures.ThreadPoolExecutor(3) as pool:
            list(pool.map(one, self.regions))
        self.assertEqual(['RegionThree'], list(errors))
        self.assertIn('disk full', str(errors['RegionThree']))
        self.assertEqual(1, len(self.master.calls_to('download')))


class TaskParticipantTest(CopierTestCase):
    """The daemon's tasks: one per (image, region), gathered per image."""

    def run_tasks(self, copier, tasks, late=()):
        """Each (region, image name) task in its own thread."""
        by_name = {r.name: r for r in self.regions}

        def one(pair):
            region, name = pair
            if pair in late:
                time.sleep(late[pair] if isinstance(late, dict) else 0.5)
            with copier.task(self.images[name].id, region):
                time.sleep(0.05)  # listing and planning
                return copier(self.master, self.images[name],
                              by_name[region], record(name))
        with futures.ThreadPoolExecutor(len(tasks)) as pool:
            return list(pool.map(one, tasks))

    def test_running_tasks_of_an_image_share_one_read(self):
        tasks = [(r.name, 'big') for r in self.regions]
        copies = self.run_tasks(self.copier(), tasks)
        self.assertEqual(1, len(self.master.calls_to('download')))
        self.assertEqual({self.images['big'].checksum},
                         {c.checksum for c in copies})

    def test_a_task_starting_late_joins_within_the_arrival_grace(self):
        # Claimed together, run 0.2 s apart (the first one read the master
        # and its region meanwhile): one read with the grace, two without.
        tasks = [('RegionTwo', 'big'), ('RegionThree', 'big')]
        late = {('RegionThree', 'big'): 0.2}
        self.run_tasks(self.copier(arrival_grace=0.5), tasks, late=late)
        self.assertEqual(1, len(self.master.calls_to('download')))
        self.run_tasks(self.copier(), tasks, late=late)
        self.assertEqual(3, len(self.master.calls_to('download')))

    def test_the_grace_is_not_waited_when_the_window_is_shorter(self):
        started = time.monotonic()
        self.run_tasks(self.copier(arrival_grace=5, gather_window=0.1),
                       [('RegionTwo', 'big')])
        self.assertLess(time.monotonic() - started, 2)

    def test_two_images_of_one_region_at_once(self):
        tasks = [('RegionTwo', 'big'), ('RegionTwo', 'small'),
                 ('RegionThree', 'big')]
        started = time.monotonic()
        self.run_tasks(self.copier(), tasks)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(2, len(self.master.calls_to('download')))

    def test_a_task_that_copies_nothing_releases_the_others(self):
        copier = self.copier(gather_window=30)
        started = time.monotonic()
        with futures.ThreadPoolExecutor(2) as pool:
            idle = pool.submit(self._idle_task, copier, 'RegionThree', 0.3)
            self.run_tasks(copier, [('RegionTwo', 'big')])
            idle.result()
        self.assertLess(time.monotonic() - started, 5)

    def _idle_task(self, copier, region, seconds):
        with copier.task(self.images['big'].id, region):
            time.sleep(seconds)  # planned: nothing to copy

    def test_same_region_twice_goes_alone(self):
        # Two names for one image in one region (a rename in flight) while
        # a third task keeps the image's batch open: a transfer takes each
        # region once, so the second copy goes alone and both are made.
        tasks = [('RegionTwo', 'small'), ('RegionTwo', 'small.old'),
                 ('RegionThree', 'small')]
        by_name = {r.name: r for r in self.regions}
        image = self.images['small']
        copier = self.copier(gather_window=5)

        def one(task):
            region, name = task
            with copier.task(image.id, region):
                if region == 'RegionThree':
                    time.sleep(0.5)
                return copier(self.master, image, by_name[region],
                              record(name))
        with futures.ThreadPoolExecutor(3) as pool:
            copies = list(pool.map(one, tasks))
        self.assertEqual(['active'] * 3, [c.status for c in copies])
        self.assertEqual({'small', 'small.old'},
                         {i.name for i in by_name['RegionTwo'].list_images()})


class EngineTest(test_base.BaseTestCase):
    """The engine applies whole region plans through the gathering copier."""

    def test_parallel_region_plans_read_each_image_once(self):
        master = master_with_data({'cirros': 4000, 'ubuntu': 7000})
        index = MasterIndex.build(master.list_images(True), TENANT,
                                  'RegionOne')
        rules = rule_fakes.rules()
        regions = [memory.MemoryRegion(n, tenant_id=TENANT)
                   for n in ('RegionTwo', 'RegionThree')]
        copier = gathering.GatheringCopier(loader.StrategySelector())
        copier.announce([r.name for r in regions])

        def sync(region):
            with copier.region(region.name):
                plan = engine.plan_region(index, region.list_images(True),
                                          rules, region.name)
                copier.plan(region.name, [u.master.id for u in plan.uploads])
                return engine.apply_plan(plan, region, master_region=master,
                                         copier=copier)
        with futures.ThreadPoolExecutor(2) as pool:
            reports = list(pool.map(sync, regions))
        self.assertEqual([{'cirros', 'ubuntu'}] * 2,
                         [set(r.created) for r in reports])
        self.assertEqual(2, len(master.calls_to('download')))
        sums = {i.name: i.checksum for i in master.list_images()}
        for region in regions:
            self.assertEqual(sums, {i.name: i.checksum
                                    for i in region.list_images()})


class MeterTest(CopierTestCase):
    """A task's copies measured for its record."""

    def test_a_copy_is_timed_from_its_transfer_not_from_the_wait(self):
        copier = self.copier(gather_window=10)
        by_name = {r.name: r for r in self.regions}
        image = self.images['big']
        meters = {}
        declared = threading.Barrier(2)

        def one(region, delay):
            meter = meters[region] = metering.CopyMeter()
            with copier.task(image.id, region):
                declared.wait(5)  # both running before either copies
                time.sleep(delay)  # RegionThree plans slowly
                return copier(self.master, image, by_name[region],
                              record('big'), meter=meter)
        with futures.ThreadPoolExecutor(2) as pool:
            copies = list(pool.map(one, ['RegionTwo', 'RegionThree'],
                                   [0.0, 1.0]))
        self.assertEqual(['active'] * 2, [c.status for c in copies])
        self.assertEqual(1, len(self.master.calls_to('download')))
        for meter in meters.values():
            self.assertEqual((9000, 1), (meter.bytes, meter.copies))
            self.assertGreater(meter.seconds, 0)
        # RegionTwo waited a second for RegionThree; that is not copying.
        self.assertLess(meters['RegionTwo'].seconds, 0.5)

    def test_the_progress_still_sees_the_bytes(self):
        seen = []

        def prepare(region, master_image, rec):
            target = gathering.target_of(region, master_image, rec)
            return dataclasses.replace(target, on_bytes=seen.append)
        copier = self.copier(prepare=prepare)
        meter = metering.CopyMeter()
        copier(self.master, self.images['small'], self.regions[0],
               record('small'), meter=meter)
        self.assertEqual(3000, sum(seen))
        self.assertEqual(3000, meter.bytes)

    def test_a_failed_copy_adds_nothing(self):
        broken = fakes.FakeRegion('RegionThree')
        broken.fail_after = 10
        meter = metering.CopyMeter()
        self.assertRaises(base.CopyFailed, self.copier(), self.master,
                          self.images['big'], broken, record('big'),
                          meter=meter)
        self.assertEqual((0, 0, 0.0),
                         (meter.copies, meter.bytes, meter.seconds))
        # The next copy counts only its own bytes.
        self.copier()(self.master, self.images['small'], self.regions[0],
                      record('small'), meter=meter)
        self.assertEqual((1, 3000), (meter.copies, meter.bytes))
