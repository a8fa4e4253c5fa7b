"""The daemon under systemd's watchdog protocol, as the unit runs it."""

from __future__ import annotations

import socket

import fixtures

from tests.functional.daemon import base


class WatchdogTest(base.DaemonTestCase):

    def test_watchdog_pings_while_running(self):
        # What systemd sets for WatchdogSec=2: a ping each second.
        self.useFixture(fixtures.EnvironmentVariable('WATCHDOG_USEC',
                                                     '2000000'))
        daemon = self.start_daemon()
        # The fixture's NOTIFY_SOCKET, which already received READY=1.
        sock: socket.socket = daemon._notify
        sock.settimeout(30)
        pings = 0
        while pings < 3:
            message = sock.recv(4096)
            self.assertIn(message, (b'WATCHDOG=1', b'READY=1'))
            pings += message == b'WATCHDOG=1'
        self.assertEqual(0, daemon.stop())
