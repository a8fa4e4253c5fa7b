"""The daemon's Prometheus endpoint while a region is down, then back.

RegionThree's glance-api is stopped: the task for the region is pending
(``retrying``), failures are counted and the lag rises. Its port is then
taken by a server that accepts connections and never answers: the next
attempt is ``running`` for as long as the test wants. Once glance-api is
back the task finishes (``done``, a copy counted, the lag back to 0).
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
import urllib.request

from prometheus_client import parser

from tests.functional.daemon import base

REGION = 'RegionThree'
#: Seconds a state may take to show (the machine is shared and slow).
WAIT = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


class SilentServer:
    """Accepts TCP connections on a port and never answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', port))
        self.sock.listen(16)
        # accept() wakes up regularly: a socket closed under a blocked
        # accept() stays open in the kernel, with its backlog.
        self.sock.settimeout(0.2)
        self.accepted: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted.append(conn)

    def close(self) -> None:
        """Refuse new connections and reset the accepted ones."""
        self.stopped.set()
        self.thread.join(10)
        self.sock.close()
        for conn in self.accepted:
            conn.close()
        self.accepted.clear()


class MetricsTest(base.DaemonTestCase):

    executor = 'threads'
    wait_timeout = WAIT

    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()
        self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionTwo'}),
            extra={'metrics': {'port': str(self.port)}},
            DEFAULT__task_retry_times='50', DEFAULT__retry_backoff='0.5',
            DEFAULT__retry_backoff_max='2', DEFAULT__executor=self.executor)

    def scrape(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        url = 'http://127.0.0.1:%d/metrics' % self.port
        with urllib.request.urlopen(url, timeout=30) as resp:
            text = resp.read().decode()
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in parser.text_string_to_metric_families(text)
                for s in family.samples}

    def value(self, name: str, **labels: str) -> float:
        return self.scrape().get((name, tuple(sorted(labels.items()))), 0.0)

    def tasks(self, state: str) -> float:
        return self.value('glance_sync_tasks', region=REGION, state=state)

    def lag(self) -> float:
        return self.value('glance_sync_region_lag_seconds', region=REGION)

    def pending(self) -> float:
        return self.tasks('queued') + self.tasks('retrying')

    def failures(self) -> float:
        return self.value('glance_sync_task_failures_total', region=REGION,
                          reason='RegionUnavailable')

    def test_task_life_and_lag_while_the_region_is_down(self):
        self.assertEqual(1, self.value('glance_sync_journal_up'))
        failures = self.failures()
        with self.stop_glance(REGION) as info:
            image = self.upload()
            # Refused: pending, failing, further and further behind.
            self.wait_for('the task pending', lambda: self.pending() == 1)
            self.wait_for('a failure of the region',
                          lambda: self.failures() > failures)
            self.assertGreater(self.value(
                'glance_sync_events_received_total',
                event_type='glance_sync.image.uploaded'), 0)
            first_lag = self.lag()
            self.wait_for('the lag rising',
                          lambda: self.lag() > first_lag + 1)
            # Accepted but never answered: the next attempt hangs, running.
            silent = SilentServer(urllib.parse.urlsplit(info.url).port)
            self.addCleanup(silent.close)
            self.wait_for('the task running',
                          lambda: self.tasks('running') == 1)
            self.assertGreater(self.lag(), first_lag)
            silent.close()
        # glance-api is back: the next attempt copies the image.
        self.wait_for('the task done', lambda: self.tasks('done') == 1)
        self.assertEqual(0, self.pending())
        self.assertEqual(0, self.lag())
        self.assertGreaterEqual(self.value('glance_sync_copies_total',
                                           region=REGION), 1)
        self.assertGreaterEqual(self.value('glance_sync_copied_bytes_total',
                                           region=REGION), image.size)


class EventletMetricsTest(MetricsTest):

    executor = 'eventlet'
