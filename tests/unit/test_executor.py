"""The executors: native threads here, eventlet in a subprocess.

The eventlet tests run in a child interpreter so that monkey-patching never
reaches this test process.
"""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys
import textwrap
import threading
import time
from concurrent import futures

from oslo_config import cfg
from oslotest import base

import glance_sync
from glance_sync import executor
from glance_sync.conf import executor as executor_conf

PACKAGE = pathlib.Path(glance_sync.__file__).parent


class Probe:
    """Records how many calls run at once, overall and per key."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.order: list[str] = []

    def __call__(self, key: str, name: str, seconds: float = 0.05) -> str:
        with self.lock:
            for k in (key, '*'):
                self.now[k] = self.now.get(k, 0) + 1
                self.peak[k] = max(self.peak.get(k, 0), self.now[k])
            self.order.append(name)
        time.sleep(seconds)
        with self.lock:
            for k in (key, '*'):
                self.now[k] -= 1
        return name


def fail(message: str) -> None:
    raise RuntimeError(message)


class ThreadExecutorTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.pool = executor.ThreadExecutor(3)
        self.addCleanup(self.pool.shutdown, wait=True, timeout=5)

    def test_results_and_errors_come_back_in_futures(self):
        self.assertEqual(3, self.pool.max_workers)
        self.assertEqual(4, self.pool.submit(pow, 2, exp=2).result(5))
        future = self.pool.submit(fail, 'region RegionTwo is down')
        self.assertRaises(RuntimeError, future.result, 5)

    def test_never_more_than_max_workers(self):
        probe = Probe()
        done = [self.pool.submit(probe, 'k', str(n)) for n in range(9)]
        futures.wait(done, 10)
        self.assertEqual(3, probe.peak['*'])

    def test_shutdown_waits_then_refuses_work(self):
        probe = Probe()
        done = [self.pool.submit(probe, 'k', str(n)) for n in range(6)]
        self.assertTrue(self.pool.shutdown(wait=True))
        self.assertTrue(all(f.done() and not f.cancelled() for f in done))
        error = self.assertRaises(executor.ExecutorError, self.pool.submit,
                                  probe, 'k', 'late')
        self.assertIn('shut down', str(error))
        self.assertTrue(self.pool.shutdown())  # idempotent

    def test_shutdown_timeout_cancels_what_has_not_started(self):
        release = threading.Event()
        self.addCleanup(release.set)
        stuck = [self.pool.submit(release.wait, 30) for _ in range(3)]
        queued = [self.pool.submit(time.sleep, 0) for _ in range(4)]
        started = time.monotonic()
        self.assertFalse(self.pool.shutdown(wait=True, timeout=0.3))
        self.assertLess(time.monotonic() - started, 5)
        self.assertTrue(all(f.cancelled() for f in queued))
        self.assertFalse(any(f.done() for f in stuck))
        release.set()
        self.assertEqual([True] * 3, [f.result(5) for f in stuck])


class KeyedExecutorTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.pool = executor.KeyedExecutor(executor.ThreadExecutor(4), 2)
        self.addCleanup(self.pool.shutdown, wait=True, timeout=5)

    def test_limit_per_key_not_overall(self):
        probe = Probe()
        done = [self.pool.submit(key, probe, key, '%s%d' % (key, n))
                for n in range(6) for key in ('RegionTwo', 'RegionThree')]
        futures.wait(done, 10)
        self.assertEqual(2, probe.peak['RegionTwo'])
        self.assertEqual(2, probe.peak['RegionThree'])
        self.assertEqual(4, probe.peak['*'])
        self.assertEqual({'%s%d' % (key, n) for n in range(6)
                          for key in ('RegionTwo', 'RegionThree')},
                         {f.result() for f in done})

    def test_a_busy_region_does_not_starve_the_others(self):
        release = threading.Event()
        self.addCleanup(release.set)
        slow = [self.pool.submit('slow', release.wait, 30) for _ in range(6)]
        self.assertEqual({'slow'}, self.pool.busy_keys())
        # Four waiting "slow" items hold no worker: "fast" still runs.
        self.assertEqual('ok', self.pool.submit('fast', str, 'ok').result(5))
        release.set()
        self.assertEqual([True] * 6, [f.result(5) for f in slow])
        self.assertEqual(set(), self.pool.busy_keys())

    def test_first_in_first_out_within_a_key(self):
        pool = executor.KeyedExecutor(executor.ThreadExecutor(4), 1)
        self.addCleanup(pool.shutdown)
        probe = Probe()
        done = [pool.submit('R', probe, 'R', str(n), 0.01) for n in range(8)]
        futures.wait(done, 10)
        self.assertEqual([str(n) for n in range(8)], probe.order)

    def test_cancelling_a_waiting_item_skips_it(self):
        release = threading.Event()
        self.addCleanup(release.set)
        running = [self.pool.submit('R', release.wait, 30) for _ in range(2)]
        waiting = self.pool.submit('R', str, 'never')
        after = self.pool.submit('R', str, 'after')
        self.assertTrue(waiting.cancel())
        release.set()
        self.assertEqual('after', after.result(5))
        self.assertTrue(all(f.result(5) for f in running))

    def test_errors_free_the_slot(self):
        for _ in range(5):
            future = self.pool.submit('R', fail, 'boom')
            self.assertRaises(RuntimeError, future.result, 5)
        self.assertEqual('ok', self.pool.submit('R', str, 'ok').result(5))

    def test_shutdown_timeout_cancels_waiting_items(self):
        release = threading.Event()
        self.addCleanup(release.set)
        running = [self.pool.submit('R', release.wait, 30) for _ in range(2)]
        waiting = [self.pool.submit('R', str, 'x') for _ in range(3)]
        self.assertFalse(self.pool.shutdown(wait=True, timeout=0.2))
        self.assertTrue(all(f.cancelled() for f in waiting))
        self.assertRaises(executor.ExecutorError, self.pool.submit, 'R', str)
        release.set()
        self.assertTrue(all(f.result(5) for f in running))

    def test_rejects_a_zero_limit(self):
        self.assertRaises(ValueError, executor.KeyedExecutor,
                          executor.ThreadExecutor(1), 0)


class FactoryTest(base.BaseTestCase):

    def conf(self, **overrides):
        conf = cfg.ConfigOpts()
        executor_conf.register_opts(conf)
        conf([])
        for name, value in overrides.items():
            conf.set_override(name, value)
        return conf

    def test_threads_by_default(self):
        conf = self.conf(max_workers=5, per_region_workers=3)
        pool = executor.create_region_executor(conf)
        self.addCleanup(pool.shutdown)
        self.assertIsInstance(pool._executor, executor.ThreadExecutor)
        self.assertEqual((5, 3), (pool.max_workers, pool.per_key))

    def test_threads_mode_patches_nothing(self):
        self.assertFalse(executor.monkey_patch_if_needed(self.conf()))
        self.assertEqual('time', time.sleep.__module__)

    def test_green_executor_refuses_an_unpatched_process(self):
        error = self.assertRaises(executor.ExecutorError,
                                  executor.GreenExecutor, 2)
        self.assertIn('monkey_patch_if_needed', str(error))

    def test_only_the_executor_module_imports_eventlet(self):
        offenders = []
        for path in PACKAGE.rglob('*.py'):
            if path.name == 'executor.py' and path.parent == PACKAGE:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or '']
                if any(n.split('.')[0] == 'eventlet' for n in names):
                    offenders.append(str(path.relative_to(PACKAGE)))
        self.assertEqual([], offenders)


GREEN_SCRIPT = textwrap.dedent('''
    import json, threading, time
    from oslo_config import cfg
    from glance_sync import executor
    from glance_sync.conf import executor as executor_conf

    conf = cfg.ConfigOpts()
    executor_conf.register_opts(conf)
    conf([])
    conf.set_override('executor', 'eventlet')
    conf.set_override('max_workers', 4)
    conf.set_override('per_region_workers', 2)
    patched = executor.monkey_patch_if_needed(conf)

    import eventlet
    lock = threading.Lock()
    now, peak = {}, {}

    def task(key, n):
        with lock:
            for k in (key, '*'):
                now[k] = now.get(k, 0) + 1
                peak[k] = max(peak.get(k, 0), now[k])
        time.sleep(0.2)  # green after patching: other tasks run meanwhile
        with lock:
            for k in (key, '*'):
                now[k] -= 1
        return (key, n, eventlet.getcurrent() is not MAIN)

    MAIN = eventlet.getcurrent()
    pool = executor.create_region_executor(conf)
    started = time.monotonic()
    done = [pool.submit(key, task, key, n)
            for n in range(4) for key in ('RegionTwo', 'RegionThree')]
    results = [f.result(10) for f in done]
    elapsed = time.monotonic() - started
    failing = pool.submit('RegionTwo', int, 'not a number')
    error = type(failing.exception(10)).__name__
    blocked = [pool.submit('R', time.sleep, 30) for _ in range(2)]
    waiting = pool.submit('R', str, 'x')
    drained = pool.shutdown(wait=True, timeout=0.3)
    print(json.dumps({
        'patched': patched,
        'green_pool': type(pool._executor).__name__,
        'results': len(results),
        'in_green_threads': all(r[2] for r in results),
        'peak': peak, 'elapsed': elapsed, 'error': error,
        'drained': drained, 'waiting_cancelled': waiting.cancelled(),
        'socket_patched': eventlet.patcher.is_monkey_patched('socket'),
    }))
''')


class GreenExecutorTest(base.BaseTestCase):

    def test_eventlet_mode_in_a_child_interpreter(self):
        child = subprocess.run([sys.executable, '-c', GREEN_SCRIPT],
                               capture_output=True, text=True, timeout=120,
                               check=False)
        self.assertEqual(0, child.returncode, child.stderr)
        report = json.loads(child.stdout.strip().splitlines()[-1])
        self.assertTrue(report['patched'])
        self.assertTrue(report['socket_patched'])
        self.assertEqual('GreenExecutor', report['green_pool'])
        self.assertEqual(8, report['results'])
        self.assertTrue(report['in_green_threads'])
        self.assertEqual({'RegionTwo': 2, 'RegionThree': 2, '*': 4},
                         report['peak'])
        # 8 tasks of 0.2 s, 4 at a time: about 0.4 s, not 1.6 s.
        self.assertLess(report['elapsed'], 1.2)
        self.assertEqual('ValueError', report['error'])
        self.assertFalse(report['drained'])
        self.assertTrue(report['waiting_cancelled'])


SOCKETSERVER_SCRIPT = textwrap.dedent('''
    import json
    import logging.config  # imports socketserver, as oslo.log does
    import socketserver
    from oslo_config import cfg
    from glance_sync import executor
    from glance_sync.conf import executor as executor_conf

    conf = cfg.ConfigOpts()
    executor_conf.register_opts(conf)
    conf([])
    conf.set_override('executor', 'eventlet')
    executor.monkey_patch_if_needed(conf)

    import selectors
    import urllib.request
    import prometheus_client
    server, _ = prometheus_client.start_http_server(0, '127.0.0.1')
    url = 'http://127.0.0.1:%d/metrics' % server.server_port
    with urllib.request.urlopen(url, timeout=20) as answer:
        status = answer.status
    server.shutdown()
    print(json.dumps({
        'green_selector': socketserver._ServerSelector
        is selectors.SelectSelector, 'status': status}))
''')


class GreenSocketserverTest(base.BaseTestCase):

    def test_a_server_imported_before_patching_serves(self):
        # Without the green selector the server's thread blocks the hub:
        # the request never gets an answer and the child times out.
        child = subprocess.run([sys.executable, '-c', SOCKETSERVER_SCRIPT],
                               capture_output=True, text=True, timeout=120,
                               check=False)
        self.assertEqual(0, child.returncode, child.stderr)
        report = json.loads(child.stdout.strip().splitlines()[-1])
        self.assertEqual({'green_selector': True, 'status': 200}, report)
