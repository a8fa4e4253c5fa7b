import os
import socket

import fixtures
from oslotest import base

from glance_sync.daemon import systemd, watchdog


class NotifySocket(fixtures.Fixture):
    """A real unix datagram socket named by ``NOTIFY_SOCKET``, as systemd's."""

    def _setUp(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'notify')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(self.sock.close)
        self.sock.bind(path)
        self.sock.settimeout(10)
        self.useFixture(fixtures.EnvironmentVariable('NOTIFY_SOCKET', path))

    def receive(self):
        return self.sock.recv(4096).decode()

    def pending(self):
        """Every datagram already received, without waiting."""
        self.sock.setblocking(False)
        try:
            messages = []
            while True:
                try:
                    messages.append(self.sock.recv(4096).decode())
                except BlockingIOError:
                    return messages
        finally:
            self.sock.settimeout(10)


class TimeoutTest(base.BaseTestCase):

    def test_usec_becomes_seconds(self):
        self.assertEqual(30.0, watchdog.timeout({'WATCHDOG_USEC': '30000000'}))

    def test_no_watchdog(self):
        self.assertIsNone(watchdog.timeout({}))
        self.assertIsNone(watchdog.timeout({'WATCHDOG_USEC': '0'}))

    def test_our_pid_or_none(self):
        self.assertEqual(1.0, watchdog.timeout(
            {'WATCHDOG_USEC': '1000000', 'WATCHDOG_PID': str(os.getpid())}))
        other = str(os.getpid() + 1)
        self.assertIsNone(watchdog.timeout(
            {'WATCHDOG_USEC': '1000000', 'WATCHDOG_PID': other}))

    def test_malformed_is_ignored_with_a_warning(self):
        logger = self.useFixture(fixtures.FakeLogger())
        self.assertIsNone(watchdog.timeout({'WATCHDOG_USEC': 'soon'}))
        self.assertIn("WATCHDOG_USEC='soon'", logger.output)


class WatchdogTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())
        self.notify = self.useFixture(NotifySocket())

    def test_ping_while_alive(self):
        self.assertTrue(watchdog.Watchdog(lambda: True, 1).ping())
        self.assertEqual('WATCHDOG=1', self.notify.receive())

    def test_no_ping_when_stuck(self):
        self.assertFalse(watchdog.Watchdog(lambda: False, 1).ping())
        self.assertEqual([], self.notify.pending())
        self.assertIn('task loop is stuck', self.logger.output)

    def test_pings_repeat_until_stopped(self):
        dog = watchdog.Watchdog(lambda: True, 0.01)
        dog.start()
        try:
            for _ in range(3):  # the first ping, then the loop's
                self.assertEqual('WATCHDOG=1', self.notify.receive())
        finally:
            dog.stop()
        self.notify.pending()  # what was in flight when it stopped
        self.assertFalse(dog._thread.is_alive())
        self.assertEqual([], self.notify.pending())

    def test_ready_and_stopping_on_the_same_socket(self):
        self.assertTrue(systemd.notify('READY=1'))
        self.assertTrue(systemd.notify('STOPPING=1'))
        self.assertEqual(['READY=1', 'STOPPING=1'], self.notify.pending())

    def test_nothing_without_notify_socket(self):
        self.useFixture(fixtures.EnvironmentVariable('NOTIFY_SOCKET'))
        self.assertFalse(watchdog.Watchdog(lambda: True, 1).ping())
