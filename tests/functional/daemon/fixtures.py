"""The ``glance-sync`` daemon as a subprocess, for the functional tests.

:class:`DaemonProcess` starts ``glance-sync --config-file …`` and waits for
its ``READY=1`` on a ``NOTIFY_SOCKET`` of its own (the systemd protocol the
daemon speaks), and always stops it (SIGTERM, then SIGKILL). Its log file
is kept in the test's folder.

:func:`write_config` writes the two files a test daemon reads: the native
``sync.conf`` of the local cloud (:func:`tools.localcloud.syncconf.
write_sync_config`) and ``daemon.conf`` with the transport, the journal,
the ``[daemon]`` and executor options.

The test case attaches the tail of each daemon's log to its details.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping

import fixtures

from tools.localcloud import info as info_mod
from tools.localcloud import syncconf

__all__ = ['DaemonProcess', 'write_config']

BIN = pathlib.Path(sys.executable).parent / 'glance-sync'
#: Seconds a daemon may take to say it is ready.
START_TIMEOUT = 90


def write_config(cloud: info_mod.CloudInfo, folder: pathlib.Path,
                 sync: Mapping[str, Mapping[str, str]],
                 daemon: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Write ``sync.conf`` and ``daemon.conf`` in ``folder``.

    :param sync: extra options of ``sync.conf``, by section.
    :param daemon: the sections of ``daemon.conf`` (``DEFAULT`` included).
    :returns: the two paths, in the order to pass them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sync_path = syncconf.write_sync_config(cloud, folder / 'sync.conf', sync)
    daemon_path = syncconf.write_ini(folder / 'daemon.conf', daemon)
    return [str(sync_path), str(daemon_path)]


class DaemonProcess(fixtures.Fixture):
    """One ``glance-sync`` process, running while the fixture is set up.

    :param config_files: its ``--config-file`` arguments.
    :param folder: where its notify socket and output go.
    :param log_file: the ``log_file`` its configuration names.
    :param name: a label for the details (several daemons per test).
    """

    def __init__(self, config_files: list[str], folder: pathlib.Path,
                 log_file: pathlib.Path, name: str = 'daemon') -> None:
        super().__init__()
        self.config_files = config_files
        self.folder = folder
        self.log_file = log_file
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._notify: socket.socket | None = None

    def _setUp(self) -> None:
        self.addCleanup(self.stop)
        self.start()

    def start(self, timeout: float = START_TIMEOUT) -> float:
        """Start the process and wait for ``READY=1``.

        :returns: seconds it took.
        :raises AssertionError: it exited or did not get ready in time.
        """
        self.starts += 1
        sock_path = self.folder / ('%s-notify-%d.sock'
                                   % (self.name, self.starts))
        # Open while the process lives: it also reports STOPPING=1.
        self._notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._notify.bind(str(sock_path))
        started = time.monotonic()
        with open(self.folder / ('%s.out' % self.name), 'ab') as output:
            self.process = subprocess.Popen(
                [str(BIN)] + ['--config-file=%s' % f
                              for f in self.config_files],
                stdout=output, stderr=subprocess.STDOUT,
                env=dict(os.environ, NOTIFY_SOCKET=str(sock_path)))
        self._wait_ready(self._notify, timeout)
        return time.monotonic() - started

    def _wait_ready(self, sock: socket.socket, timeout: float) -> None:
        assert self.process is not None
        sock.settimeout(0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if b'READY=1' in sock.recv(4096):
                    return
            except socket.timeout:
                pass
            if self.process.poll() is not None:
                raise AssertionError('%s exited with status %s before it '
                                     'was ready:\n%s' % (
                                         self.name, self.process.returncode,
                                         self.tail()))
        raise AssertionError('%s not ready after %ds:\n%s'
                             % (self.name, timeout, self.tail()))

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout`` s; idempotent.

        :returns: the exit status (None if it was not running).
        """
        process, self.process = self.process, None
        try:
            if process is None or process.poll() is not None:
                return None if process is None else process.returncode
            process.send_signal(signal.SIGTERM)
            try:
                return process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait(10)
        finally:
            self._close_notify()

    def _close_notify(self) -> None:
        if self._notify is not None:
            self._notify.close()
            self._notify = None

    def kill(self) -> None:
        """``kill -9``: no drain, no cleanup."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        self._close_notify()

    def signal(self, signum: int) -> None:
        """Send a signal to the running process."""
        assert self.process is not None, '%s is not running' % self.name
        self.process.send_signal(signum)

    def log(self) -> str:
        """The daemon's log so far."""
        try:
            return self.log_file.read_text(errors='replace')
        except FileNotFoundError:
            return ''

    def tail(self, lines: int = 40) -> str:
        """The end of the log (or of the output, without a log)."""
        text = self.log()
        if not text:
            out = self.folder / ('%s.out' % self.name)
            text = out.read_text(errors='replace') if out.exists() else ''
        return '\n'.join(text.splitlines()[-lines:])
