"""The WAN benchmark's shaping on this machine: one namespace behind one
tbf-shaped veth pair holds its rate, and the veth counters see the bytes.

Needs root and ``ip netns``; skipped with the reason otherwise. The names
(``gswt-*``) are not the benchmark's (``gsw-*``), so a benchmark running
meanwhile is left alone. A second or two of traffic, no local cloud.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import testtools

from tools.bench_wan import network

NS = 'gswt-%d' % os.getpid()
OUTSIDE, INSIDE = 'gswt-o%d' % (os.getpid() % 10000), 'gswt-i%d' % (
    os.getpid() % 10000)
HOST_ADDR, NS_ADDR = '10.79.0.1', '10.79.0.2'
RATE = 512 * 1024
PAYLOAD = 768 * 1024
PORT = 9797
SERVER = ('import socket,sys\n'
          's = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2])))\n'
          's.listen(); print("ready", flush=True); c, _ = s.accept()\n'
          'n = 0\n'
          'while data := c.recv(65536): n += len(data)\n'
          'print(n, flush=True)\n')


def _ip(*args: str) -> None:
    subprocess.run(['ip', *args], check=True, capture_output=True)


def _netns_problem() -> str | None:
    if os.geteuid() != 0:
        return 'needs root for ip netns, veth and tbf'
    try:
        done = subprocess.run(['ip', 'netns', 'add', NS],
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return 'no ip command'
    if done.returncode:
        return 'ip netns add is not permitted: %s' % done.stderr.strip()
    return None


class ShapedLinkTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        problem = _netns_problem()
        if problem:
            self.skipTest(problem)
        self.addCleanup(subprocess.run, ['ip', 'netns', 'del', NS],
                        check=False)
        _ip('link', 'add', OUTSIDE, 'type', 'veth', 'peer', 'name', INSIDE)
        self.addCleanup(subprocess.run, ['ip', 'link', 'del', OUTSIDE],
                        check=False, capture_output=True)
        _ip('link', 'set', INSIDE, 'netns', NS)
        _ip('addr', 'add', HOST_ADDR + '/24', 'dev', OUTSIDE)
        _ip('link', 'set', OUTSIDE, 'up')
        _ip('-n', NS, 'addr', 'add', NS_ADDR + '/24', 'dev', INSIDE)
        _ip('-n', NS, 'link', 'set', INSIDE, 'up')
        _ip('-n', NS, 'link', 'set', 'lo', 'up')
        # Both ends, as the benchmark does for every site link.
        network.shape(NS, INSIDE, RATE)
        subprocess.run(['tc', 'qdisc', 'replace', 'dev', OUTSIDE, 'root',
                        'tbf', 'rate', '%dbit' % (RATE * 8), 'burst',
                        str(network.BURST_BYTES), 'latency',
                        '%dms' % network.LATENCY_MS], check=True)

    def test_the_link_holds_its_rate_and_counts_the_bytes(self):
        server = subprocess.Popen(
            ['ip', 'netns', 'exec', NS, sys.executable, '-c', SERVER,
             NS_ADDR, str(PORT)], stdout=subprocess.PIPE, text=True)
        self.addCleanup(server.kill)
        assert server.stdout is not None
        self.assertEqual('ready', server.stdout.readline().strip())
        before = network.read_counters(NS, [INSIDE])[INSIDE]
        with socket.create_connection((NS_ADDR, PORT), timeout=30) as conn:
            # The first bucket's worth goes at once; time the rest.
            conn.sendall(b'x' * network.BURST_BYTES)
            started = time.monotonic()
            conn.sendall(b'x' * (PAYLOAD - network.BURST_BYTES))
            conn.shutdown(socket.SHUT_WR)
            received = int(server.stdout.readline())
            elapsed = time.monotonic() - started
        self.assertEqual(PAYLOAD, received)
        rate = (PAYLOAD - network.BURST_BYTES) / elapsed
        self.assertLessEqual(rate, RATE * 1.10,
                             'measured %.0f B/s over a %d B/s link'
                             % (rate, RATE))
        after = network.read_counters(NS, [INSIDE])[INSIDE]
        into = after[0] - before[0]
        # Every byte, plus the Ethernet, IP and TCP headers.
        self.assertGreaterEqual(into, PAYLOAD)
        self.assertLess(into, PAYLOAD * 1.10)
