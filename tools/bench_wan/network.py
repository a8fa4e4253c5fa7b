"""The benchmark's sites on this machine: namespaces, veth pairs, shaping.

::

    this machine (root namespace)         gsw-core namespace
    bridge gsw-ctl 10.78.0.1/24           bridge gsw-br
      |-- gsw-h<i> ==== gsw-c<i> --+        |-- gsw-b<i> ==== gsw-d<i> --+
      |   (control, unshaped)      |        |   (data, tbf both ways)    |
      |                      site namespace gsw-s<i>: 10.78.0.1x, 10.77.0.1x

Each site's data link is shaped by a ``tbf`` qdisc at the same rate on
both of its ends (each end shapes what it sends: one direction each).
The control links are not shaped and their bytes are not counted.
Everything is named ``gsw-*``: :func:`remove_leftovers` deletes what a
run left behind, and :class:`Network` removes what it made even when the
run fails or is interrupted.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from tools.bench_wan import counters, plan

LOG = logging.getLogger(__name__)
#: tbf's bucket: a few packets at these rates, so short bursts stay small.
BURST_BYTES = 32 * 1024
#: Longest a packet may wait in tbf's queue before being dropped.
LATENCY_MS = 400


class NetworkError(Exception):
    """A command that sets the network up failed."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(['ip', *args], capture_output=True, text=True,
                          check=False)
    if check and done.returncode:
        raise NetworkError('ip %s: %s' % (' '.join(args),
                                         done.stderr.strip()))
    return done


def _tc(netns: str, *args: str) -> None:
    done = subprocess.run(['tc', '-n', netns, *args], capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise NetworkError('tc -n %s %s: %s' % (netns, ' '.join(args),
                                                done.stderr.strip()))


def namespaces() -> list[str]:
    """:returns: the network namespaces of this machine."""
    out = _ip('netns', 'list', check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def remove_leftovers() -> list[str]:
    """Delete every ``gsw-*`` namespace and link, ending the processes
    still running in those namespaces (only an earlier run of this
    benchmark puts processes there).

    :returns: what was removed.
    """
    removed = []
    for ns in namespaces():
        if not ns.startswith(plan.PREFIX):
            continue
        pids = _ip('netns', 'pids', ns, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        _ip('netns', 'del', ns, check=False)
        removed.append(ns)
    links = _ip('-o', 'link', 'show', check=False).stdout
    for line in links.splitlines():
        name = line.split(':')[1].strip().split('@')[0]
        if name.startswith(plan.PREFIX):
            _ip('link', 'del', name, check=False)
            removed.append(name)
    return removed


def shape(netns: str, dev: str, rate: int) -> None:
    """Shape what ``dev`` sends to ``rate`` bytes per second (tbf)."""
    _tc(netns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf',
        'rate', '%dbit' % (rate * 8), 'burst', str(BURST_BYTES),
        'latency', '%dms' % LATENCY_MS)


class Network:
    """The sites' namespaces and links, made by :meth:`create`.

    :param sites: the layout's sites.
    :param rate: bytes per second of every site link, both ways.
    """

    def __init__(self, sites: Sequence[plan.Site], rate: int) -> None:
        self.sites = list(sites)
        self.rate = rate

    def create(self) -> None:
        """Make everything; on failure remove what was made."""
        try:
            self._create()
        except BaseException:
            self.remove()
            raise

    def _create(self) -> None:
        remove_leftovers()
        _ip('netns', 'add', plan.CORE_NS)
        _ip('-n', plan.CORE_NS, 'link', 'add', plan.DATA_BRIDGE,
            'type', 'bridge')
        _ip('-n', plan.CORE_NS, 'link', 'set', plan.DATA_BRIDGE, 'up')
        _ip('link', 'add', plan.CTL_BRIDGE, 'type', 'bridge')
        _ip('addr', 'add', '%s/%d' % (plan.CTL_HOST, plan.PREFIX_LEN),
            'dev', plan.CTL_BRIDGE)
        _ip('link', 'set', plan.CTL_BRIDGE, 'up')
        for site in self.sites:
            self._site(site)

    def _site(self, site: plan.Site) -> None:
        ns = site.netns
        _ip('netns', 'add', ns)
        _ip('-n', ns, 'link', 'set', 'lo', 'up')
        # Data: site <-> core bridge, shaped both ways.
        _ip('link', 'add', site.data_dev, 'type', 'veth', 'peer', 'name',
            site.core_dev)
        _ip('link', 'set', site.data_dev, 'netns', ns)
        _ip('link', 'set', site.core_dev, 'netns', plan.CORE_NS)
        _ip('-n', ns, 'addr', 'add', '%s/%d' % (site.data_address,
                                               plan.PREFIX_LEN),
            'dev', site.data_dev)
        _ip('-n', ns, 'link', 'set', site.data_dev, 'up')
        _ip('-n', plan.CORE_NS, 'link', 'set', site.core_dev, 'master',
            plan.DATA_BRIDGE)
        _ip('-n', plan.CORE_NS, 'link', 'set', site.core_dev, 'up')
        shape(ns, site.data_dev, self.rate)
        shape(plan.CORE_NS, site.core_dev, self.rate)
        # Control: site <-> this machine's control bridge, not shaped.
        _ip('link', 'add', site.ctl_dev, 'type', 'veth', 'peer', 'name',
            site.host_dev)
        _ip('link', 'set', site.ctl_dev, 'netns', ns)
        _ip('-n', ns, 'addr', 'add', '%s/%d' % (site.ctl_address,
                                               plan.PREFIX_LEN),
            'dev', site.ctl_dev)
        _ip('-n', ns, 'link', 'set', site.ctl_dev, 'up')
        _ip('link', 'set', site.host_dev, 'master', plan.CTL_BRIDGE)
        _ip('link', 'set', site.host_dev, 'up')

    def remove(self) -> None:
        """Remove every namespace and link of the benchmark."""
        removed = remove_leftovers()
        LOG.debug('removed %s', ', '.join(removed))

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """The rx/tx byte counters of the core's end of every site link."""
        return read_counters(plan.CORE_NS,
                             [site.core_dev for site in self.sites])

    def devices(self) -> dict[str, str]:
        """The core's end of each site's link, by site."""
        return {site.name: site.core_dev for site in self.sites}


def read_counters(netns: str,
                  devices: Sequence[str]) -> dict[str, tuple[int, int]]:
    """The rx/tx byte counters of ``devices`` in ``netns``, from
    ``/sys/class/net/<dev>/statistics`` (``ip netns exec`` mounts the
    namespace's own ``/sys``)."""
    script = ' '.join(
        'echo %s $(cat /sys/class/net/%s/statistics/rx_bytes '
        '/sys/class/net/%s/statistics/tx_bytes);' % (dev, dev, dev)
        for dev in devices)
    done = subprocess.run(['ip', 'netns', 'exec', netns, 'sh', '-c', script],
                          capture_output=True, text=True, check=True)
    return counters.parse_counters(done.stdout)


def wait_reachable(netns: str, address: str, port: int,
                   timeout: float = 10) -> None:
    """Wait until ``address:port`` accepts a connection from ``netns``.

    :raises NetworkError: when it does not in time.
    """
    deadline = time.monotonic() + timeout
    probe = ('import socket,sys; socket.create_connection((sys.argv[1], '
             'int(sys.argv[2])), timeout=2).close()')
    while True:
        done = subprocess.run(['ip', 'netns', 'exec', netns, sys.executable,
                               '-c', probe, address, str(port)],
                              capture_output=True, check=False)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise NetworkError('%s:%d not reachable from %s'
                               % (address, port, netns))
        time.sleep(0.3)
