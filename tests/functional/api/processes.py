"""The API (under gunicorn) and the daemon as subprocesses of a test.

Both read one ``glance-sync.conf`` written for the local cloud and share
one SQLite journal. Every process started here is stopped at cleanup, by
its own pid.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import uuid

import fixtures
import requests

from glance_sync.db import migration
from tools.localcloud import snippets
from tools.localcloud import syncconf

BIN = pathlib.Path(sys.executable).parent
#: Seconds a process gets to answer, then to stop.
START_TIMEOUT = 60
STOP_TIMEOUT = 15


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def daemon_available() -> bool:
    """Whether the ``glance-sync`` daemon is part of this tree."""
    try:
        __import__('glance_sync.cmd.daemon')
    except ImportError:
        return False
    return (BIN / 'glance-sync').exists()


class SyncConfigFile(fixtures.Fixture):
    """A glance-sync.conf for the cloud, scoped to this test's images.

    Only master images whose property ``api_test`` is :attr:`tag` are
    selected, so that the syncs started here leave other tests' images
    alone. ``[keystone_authtoken]`` uses the master sync account.
    """

    def __init__(self, cloud, folder: pathlib.Path,
                 transport_url: str | None = None) -> None:
        super().__init__()
        self.cloud = cloud
        self.folder = folder
        self.transport_url = transport_url
        self.tag = uuid.uuid4().hex

    def _setUp(self) -> None:
        self.db_url = 'sqlite:///%s' % (self.folder / 'journal.sqlite')
        sections = {
            'sync': {'metadata_condition':
                     "image.user_properties.get('api_test') == '%s'"
                     % self.tag},
            'database': {'connection': self.db_url},
            'api': {'region_cache_seconds': '5'},
            'keystone_authtoken': syncconf.authtoken_section(self.cloud),
        }
        self.path = syncconf.write_sync_config(
            self.cloud, self.folder / 'glance-sync.conf', sections)
        if self.transport_url:
            # The broker's settings are the install guide's snippet (it
            # has the [DEFAULT] section write_sync_config does not write).
            self.path.write_text('%s\n%s' % (
                snippets.render(snippets.DAEMON, self.transport_url),
                self.path.read_text()))
        migration.upgrade(self.db_url)


class Process(fixtures.Fixture):
    """A subprocess logging to a file, stopped (SIGTERM, then SIGKILL) at
    cleanup."""

    def __init__(self, argv: list[str], log: pathlib.Path,
                 env: dict[str, str] | None = None) -> None:
        super().__init__()
        self.argv = argv
        self.log = log
        self.env = env

    def _setUp(self) -> None:
        out = open(self.log, 'ab')  # noqa: SIM115 - closed at cleanup
        self.addCleanup(out.close)
        self.process = subprocess.Popen(
            self.argv, stdout=out, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(self.env or {})),
            start_new_session=True)
        self.addCleanup(self.stop)

    def stop(self) -> None:
        """Stop the process (and its workers) if it still runs."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the process's log, for failure messages."""
        text = self.log.read_text(errors='replace').splitlines()
        return '\n'.join(text[-lines:])


class ApiServer(fixtures.Fixture):
    """``glance_sync.api.wsgi:application`` under gunicorn on a free port;
    ``self.url`` once it answers."""

    def __init__(self, config: SyncConfigFile) -> None:
        super().__init__()
        self.config = config

    def _setUp(self) -> None:
        port = free_port()
        self.url = 'http://127.0.0.1:%d' % port
        self.process = self.useFixture(Process(
            [str(BIN / 'gunicorn'), '-k', 'gthread', '-w', '1', '--threads',
             '4', '-b', '127.0.0.1:%d' % port, '--timeout', '120',
             'glance_sync.api.wsgi:application'],
            self.config.folder / 'api.log',
            {'GLANCE_SYNC_CONFIG_FILE': str(self.config.path)}))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                requests.get(self.url + "/", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                if (self.process.process.poll() is not None
                        or time.monotonic() > deadline):
                    raise RuntimeError('glance-sync-api did not start:\n%s'
                                       % self.process.log_tail()) from None
                time.sleep(0.2)


class Daemon(fixtures.Fixture):
    """The ``glance-sync`` daemon on the same configuration."""

    def __init__(self, config: SyncConfigFile) -> None:
        super().__init__()
        self.config = config

    def _setUp(self) -> None:
        self.process = self.useFixture(Process(
            [str(BIN / 'glance-sync'), '--config-file',
             str(self.config.path)], self.config.folder / 'daemon.log'))
