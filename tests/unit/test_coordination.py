"""Coordinator without a backend: process-local pair locks."""

from __future__ import annotations

import threading
import time

from oslo_config import cfg
from oslotest import base

from glance_sync import coordination


class LocalLockTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.coordinator = coordination.Coordinator(None)
        self.coordinator.start()
        self.addCleanup(self.coordinator.stop)

    def test_one_holder_per_pair(self):
        holders, peak, total = [0], [0], []

        def work(n):
            for _ in range(20):
                with self.coordinator.lock('img-1', 'RegionTwo'):
                    holders[0] += 1
                    peak[0] = max(peak[0], holders[0])
                    time.sleep(0.001)
                    holders[0] -= 1
                    total.append(n)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual((1, 80), (peak[0], len(total)))
        self.assertEqual({}, self.coordinator._local._locks)

    def test_timeout_names_the_pair(self):
        with self.coordinator.lock('img-1', 'other:RegionFour'):
            taken = []
            thread = threading.Thread(target=lambda: taken.append(
                self._try('img-1', 'other:RegionFour', 0.05)))
            thread.start()
            thread.join(5)
        self.assertIn('image img-1 in region other:RegionFour is locked',
                      str(taken[0]))
        with self.coordinator.lock('img-1', 'other:RegionFour', timeout=0):
            pass

    def test_pairs_are_independent(self):
        with self.coordinator.lock('img-1', 'RegionTwo'), \
                self.coordinator.lock('img-1', 'RegionThree', timeout=0), \
                self.coordinator.lock('img-2', 'RegionTwo', timeout=0):
            pass

    def _try(self, image_id, region, timeout):
        try:
            with self.coordinator.lock(image_id, region, timeout=timeout):
                return None
        except coordination.LockNotAcquired as exc:
            return exc


class ConfTest(base.BaseTestCase):

    def test_no_backend_by_default(self):
        conf = cfg.ConfigOpts()
        conf([])
        coordinator = coordination.Coordinator.from_conf(conf, 'me')
        self.assertEqual((False, 'me'), (coordinator.distributed,
                                         coordinator.member_id))

    def test_distributed_lock_needs_start(self):
        coordinator = coordination.Coordinator('redis://127.0.0.1:1')
        error = self.assertRaises(coordination.CoordinationError,
                                  coordinator.lock('i', 'R').__enter__)
        self.assertIn('image i in region R', str(error))

    def test_lock_names_are_stable(self):
        self.assertEqual('glance-sync.image.i-1.region.other:R4',
                         coordination.lock_name('i-1', 'other:R4'))


class HeldLockTest(base.BaseTestCase):
    """Named locks that are tried, never waited for, and copy slots."""

    def setUp(self):
        super().setUp()
        self.coordinator = coordination.Coordinator(None)
        self.coordinator.start()
        self.addCleanup(self.coordinator.stop)

    def test_a_held_name_is_not_taken_twice_until_released(self):
        held = self.coordinator.try_hold('relay-receiving:img:R2')
        self.assertIsNotNone(held)
        self.assertIsNone(self.coordinator.try_hold('relay-receiving:img:R2'))
        self.assertTrue(self.coordinator.is_held('relay-receiving:img:R2'))
        held.release()
        held.release()  # twice: harmless
        self.assertFalse(self.coordinator.is_held('relay-receiving:img:R2'))
        self.assertIsNotNone(self.coordinator.try_hold(
            'relay-receiving:img:R2'))

    def test_slots_bound_the_holders_across_threads(self):
        holders, peak, refused, lock = [0], [0], [0], threading.Lock()

        def work():
            for _ in range(50):
                held = self.coordinator.take_slot('relay-slot:R2:img', 2)
                if held is None:
                    with lock:
                        refused[0] += 1
                    time.sleep(0.0005)
                    continue
                with lock:
                    holders[0] += 1
                    peak[0] = max(peak[0], holders[0])
                time.sleep(0.001)
                with lock:
                    holders[0] -= 1
                held.release()

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(2, peak[0])
        self.assertGreater(refused[0], 0)
        # All given back: both slots free again.
        first = self.coordinator.take_slot('relay-slot:R2:img', 2)
        second = self.coordinator.take_slot('relay-slot:R2:img', 2)
        self.assertEqual(('relay-slot:R2:img:0', 'relay-slot:R2:img:1'),
                         (first.name, second.name))
        self.assertIsNone(self.coordinator.take_slot('relay-slot:R2:img', 2))
        # Another source's slots are its own.
        self.assertIsNotNone(self.coordinator.take_slot('relay-slot:R3:img',
                                                        2))

    def test_a_distributed_coordinator_must_be_started(self):
        coordinator = coordination.Coordinator('redis://127.0.0.1:1')
        self.assertRaises(coordination.CoordinationError,
                          coordinator.try_hold, 'x')
