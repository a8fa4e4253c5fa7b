"""``sync`` next to a daemon: the command waits for the daemons' pair lock
(on the machine's Redis) and then uses the copy the daemon made instead of
making a second one."""

from __future__ import annotations

import os
import subprocess
import threading
import time

from glance_sync import coordination
from tests.functional import redis_fixtures
from tests.functional.manage import base

SIZE = 256 * 1024


class LockedSyncTest(base.ManageTestCase):

    def test_waits_for_the_daemon_then_uses_its_copy(self):
        data = os.urandom(SIZE)
        image = self.master_image('a', data=data)
        url = redis_fixtures.coordination_url(
            redis_fixtures.redis_namespace(self))
        conf = self.native_config({'coordination': {'backend_url': url}})
        for region in self.regions_reached(['sync', 'RegionTwo']):
            self.use_region(region)
        daemon = coordination.Coordinator(url, 'test-daemon')
        daemon.start()
        self.addCleanup(daemon.stop)
        with daemon.lock(image.id, 'RegionTwo'):
            command, lines = self.start_sync(conf, 'RegionTwo')
            self.wait_for_line(lines, 'a daemon is working on image %s'
                               % image.name)
            self.assertIsNone(command.poll(), ''.join(lines))
            # Meanwhile, "the daemon" makes its copy.
            made = self.make_image('RegionTwo', name=image.name, data=data,
                                   visibility='public',
                                   gstest=self.token,
                                   glance_sync_source=image.id)
        self.assertEqual(0, command.wait(base.COMMAND_TIMEOUT),
                         ''.join(lines))
        self.assertEqual([made.id], [i.id for i in self.images_named(
            'RegionTwo', image.name)])
        self.assertIn('was copied meanwhile, by a daemon', ''.join(lines))

    def start_sync(self, conf, *regions):
        """The command, running; its standard error gathered line by line
        (standard output is left out)."""
        command = subprocess.Popen(
            base.manage_command() + conf + ['sync', *regions],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=base.command_env(), cwd=self.folder)
        self.addCleanup(_stop, command)
        lines: list[str] = []

        def read() -> None:
            for line in command.stderr:
                lines.append(line)
        threading.Thread(target=read, daemon=True).start()
        return command, lines

    def wait_for_line(self, lines, fragment, timeout=60):
        deadline = time.monotonic() + timeout
        while not any(fragment in line for line in list(lines)):
            if time.monotonic() > deadline:
                self.fail('no %r in:\n%s' % (fragment, ''.join(lines)))
            time.sleep(0.1)


def _stop(command: subprocess.Popen[str]) -> None:
    if command.poll() is None:
        command.kill()
    command.wait()
