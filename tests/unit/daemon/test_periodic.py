"""The background loop shared by the reconcile and the retention purge."""

import threading

from oslotest import base

from glance_sync.daemon import periodic


class PeriodicTest(base.BaseTestCase):

    def test_runs_until_the_step_returns_none(self):
        waits = iter([0.0, 0.0, None])
        runs = []

        def step():
            runs.append(1)
            return next(waits)

        periodic.Periodic('t', step).run()
        self.assertEqual(3, len(runs))

    def test_stop_interrupts_the_wait_not_the_run(self):
        ran = threading.Event()
        release = threading.Event()
        runs = []

        def step():
            runs.append(1)
            ran.set()
            release.wait(10)
            return 3600.0  # the stop must cut this wait short

        loop = periodic.Periodic('t', step)
        loop.start()
        self.assertTrue(ran.wait(10))
        stopper = threading.Thread(target=loop.stop, args=(10,))
        stopper.start()
        release.set()
        stopper.join(10)
        self.assertFalse(stopper.is_alive())
        self.assertEqual([1], runs)

    def test_first_run_waits_the_first_delay(self):
        runs = []
        loop = periodic.Periodic('t', lambda: runs.append(1) or 0.0,
                                 first_delay=3600)
        loop.start()
        loop.stop(10)
        self.assertEqual([], runs)

    def test_an_exception_ends_the_loop_and_is_logged(self):
        runs = []

        def step():
            runs.append(1)
            raise RuntimeError('boom')

        with self.assertLogs('glance_sync.daemon.periodic') as logs:
            periodic.Periodic('loop-x', step).run()
        self.assertEqual([1], runs)
        self.assertIn('loop-x stopped', logs.output[0])
        self.assertIn('boom', logs.output[0])
