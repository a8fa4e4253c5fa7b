"""Two coordinators on the machine's Redis exclude each other.

Each test uses its own key namespace (:mod:`tests.functional.
redis_fixtures`), deleted at the end.
"""

from __future__ import annotations

import threading
import time

from oslotest import base

from glance_sync import coordination
from tests.functional import redis_fixtures


class RedisCoordinationTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.namespace = redis_fixtures.redis_namespace(self)
        self.first = self.coordinator('daemon-a')
        self.second = self.coordinator('daemon-b')

    def coordinator(self, member_id):
        coordinator = coordination.Coordinator(
            redis_fixtures.coordination_url(self.namespace), member_id)
        coordinator.start()
        self.addCleanup(coordinator.stop)
        return coordinator

    def test_a_held_pair_is_refused_to_the_other_daemon(self):
        with self.first.lock('img-1', 'RegionTwo'):
            self.assertRaises(coordination.LockNotAcquired,
                              self._enter, self.second, 'img-1', 'RegionTwo')
            # Another pair is free.
            self._enter(self.second, 'img-1', 'other:RegionFour')
        self._enter(self.second, 'img-1', 'RegionTwo')

    def test_the_other_daemon_waits_for_the_release(self):
        entered = threading.Event()

        def hold():
            with self.first.lock('img-1', 'RegionTwo'):
                entered.set()
                time.sleep(0.5)

        holder = threading.Thread(target=hold)
        holder.start()
        entered.wait(5)
        started = time.monotonic()
        with self.second.lock('img-1', 'RegionTwo', timeout=10):
            waited = time.monotonic() - started
        holder.join(5)
        self.assertGreater(waited, 0.2)

    def test_mutual_exclusion_under_contention(self):
        state = {'holders': 0, 'peak': 0, 'counter': 0}

        def work(coordinator):
            for _ in range(10):
                with coordinator.lock('img-1', 'RegionTwo', timeout=30):
                    state['holders'] += 1
                    state['peak'] = max(state['peak'], state['holders'])
                    value = state['counter']
                    time.sleep(0.002)
                    state['counter'] = value + 1
                    state['holders'] -= 1

        threads = [threading.Thread(target=work, args=(c,))
                   for c in (self.first, self.second) * 2]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual((1, 40), (state['peak'], state['counter']))

    def test_copy_slots_are_bounded_across_daemons(self):
        slot = 'relay-slot:RegionTwo:img-1'
        held = [self.first.take_slot(slot, 2), self.second.take_slot(slot, 2)]
        self.assertNotIn(None, held)
        self.assertEqual({slot + ':0', slot + ':1'}, {h.name for h in held})
        # Both daemons see the source busy.
        self.assertIsNone(self.first.take_slot(slot, 2))
        self.assertIsNone(self.second.take_slot(slot, 2))
        self.assertTrue(self.second.is_held(slot + ':0'))
        held[0].release()
        again = self.second.take_slot(slot, 2)
        self.assertEqual(held[0].name, again.name)
        again.release()
        held[1].release()
        self.assertFalse(self.first.is_held(slot + ':1'))

    @staticmethod
    def _enter(coordinator, image_id, region):
        with coordinator.lock(image_id, region, timeout=0):
            pass
