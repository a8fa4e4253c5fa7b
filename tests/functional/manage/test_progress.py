"""Upload progress of ``glance-sync-manage sync``, on a terminal or not.

On a terminal (a pseudo-terminal here) a line per region is redrawn with
the bytes sent, the rate and the ETA, and log lines still show; without
one, each upload gives plain log lines and no redrawn line.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

from tests.functional.manage import base

SIZE = 16 << 20
_AMOUNT = r'\d+(\.\d)? (B|KiB|MiB|GiB)'
#: ``RegionTwo 12.0 MiB/16.0 MiB 85.3 MiB/s ETA 0:00:00``
PROGRESS = re.compile(r'RegionTwo %s/16\.0 MiB %s/s ETA \d+:\d\d:\d\d'
                      % (_AMOUNT, _AMOUNT))


def run_in_pty(argv, env, cwd, timeout=base.COMMAND_TIMEOUT):
    """Run a command with its standard error on a pseudo-terminal.

    :returns: ``(exit status, standard output, what the terminal got)``.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 200, 0, 0))
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=slave,
                                env=env, cwd=cwd)
    finally:
        os.close(slave)
    try:
        terminal = _read_until_closed(master, time.monotonic() + timeout)
        stdout, _ = proc.communicate(timeout=timeout)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, stdout.decode(), terminal


def _read_until_closed(fd, deadline):
    chunks = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError as exc:
            if exc.errno == errno.EIO:  # Linux: every writer has closed
                break
            raise
        if not chunk:
            break
        chunks.append(chunk)
    return b''.join(chunks).decode(errors='replace')


class ProgressTest(base.ManageTestCase):

    def test_terminal_shows_bytes_rate_and_eta(self):
        image = self.master_image('big', SIZE)
        conf = self.native_config()
        for region in self.regions_reached(['sync', 'RegionTwo']):
            self.use_region(region)
        env = base.command_env({'COLUMNS': '200'})
        rc, stdout, terminal = run_in_pty(
            base.manage_command() + conf + ['sync', 'RegionTwo'], env,
            self.folder)
        shown = terminal + '\n--- stdout\n' + stdout
        self.assertEqual(0, rc, shown)
        self.assertNotIn('Traceback', terminal)
        lines = re.split(r'[\r\n]+', terminal)
        self.assertTrue([line for line in lines if PROGRESS.search(line)],
                        shown)
        # Log records are still readable between redraws.
        self.assertIn('Streamed image %s' % image.name, terminal)
        self.assertIn('RegionTwo,synchronised,1,%d' % SIZE, stdout)
        self.assertEqual(image.checksum,
                         self.one_image('RegionTwo', image.name).checksum)

    def test_without_terminal_plain_log_lines(self):
        image = self.master_image('big', SIZE)
        conf = self.native_config()
        result = self.manage(conf, 'sync', 'other:RegionFour', rc=0)
        self.assertIn('other:RegionFour: uploading %s (16.0 MiB)'
                      % image.name, result.stderr)
        self.assertRegex(result.stderr, r'other:RegionFour: uploaded %s, '
                         r'16\.0 MiB in [\d.]+ s \(%s/s\)'
                         % (re.escape(image.name), _AMOUNT))
        self.assertNotIn('\r', result.stderr)
        self.assertNotIn('ETA', result.stderr)
