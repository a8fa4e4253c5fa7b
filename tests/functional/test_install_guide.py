"""doc/source/install.rst, followed step by step against the local cloud.

Every command after a ``$`` prompt of the guide's ``console`` blocks runs
here, in the guide's order, with the local cloud's values in place of the
example ones (:data:`REPLACED`). The configuration file is the guide's
``/etc/glance-sync/glance-sync.conf`` block followed by the messaging
snippet it includes. Three commands install software the test already has
(:data:`NOT_RUN`, each with the reason and what runs it instead). Then the
daemon the guide starts copies a new master image to the other regions of
the target, and the API it starts answers.
"""

import os
import pathlib
import subprocess
import sys
import time
import uuid

import fixtures
import requests

from tests.functional import base
from tests.functional.api import processes
from tools.localcloud import snippets

GUIDE = base.REPO_ROOT / 'doc' / 'source' / 'install.rst'
CONF_CAPTION = ':caption: /etc/glance-sync/glance-sync.conf'
#: Commands of the guide not run here, with what covers them instead.
NOT_RUN = {
    'python3 -m venv /opt/glance-sync':
        'the tests run in the virtualenv tools/bootstrap built',
    '/opt/glance-sync/bin/pip install glance-sync':
        'tools/bootstrap installed this source tree into it',
    "/usr/bin/python3 -m pip install 'glance-sync[plugin]'":
        'tools/check-plugin-install runs it in glance\'s pinned set; the '
        'local cloud\'s master glance-api loads the plugin from this tree',
}
TIMEOUT = 120
#: Verbs that report "something waits" with exit status 1, as the guide
#: says; anything else must exit 0.
PENDING_IS_ONE = (' status', ' sync --dry-run')


def console_commands(text):
    """The ``$`` commands of the guide's console blocks, in order."""
    commands, in_block = [], False
    for line in text.splitlines():
        if line.startswith('.. code-block::'):
            in_block = line.split('::')[1].strip() == 'console'
        elif in_block and line.strip().startswith('$ '):
            commands.append(line.strip()[2:])
        elif in_block and line and not line.startswith(' '):
            in_block = False
    return commands


def conf_block(text):
    """The lines of the guide's glance-sync.conf block, dedented."""
    after = text.split(CONF_CAPTION, 1)[1]
    lines = []
    for line in after.splitlines()[1:]:
        if line and not line.startswith('   '):
            break
        lines.append(line[3:])
    return '\n'.join(lines).strip() + '\n'


class InstallGuideTest(base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        self.text = GUIDE.read_text()
        self.folder = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self.tag = 'install-guide-%s' % uuid.uuid4().hex[:8]
        self.api_port = processes.free_port()
        # The guide's commands and daemon reach the master target's
        # regions: no other test may stop their glance-api meanwhile.
        for region in ('RegionOne', 'RegionTwo', 'RegionThree'):
            self.use_region(region)
        creds = self.cloud.target('master').credentials
        #: Example value in the guide -> the local cloud's.
        self.replaced = {
            '/opt/glance-sync': sys.prefix,
            '/etc/glance-sync': str(self.folder / 'etc'),
            '/var/lib/glance-sync': str(self.folder / 'state'),
            'https://keystone.example.org:5000/v3': creds.auth_url,
            'username = glance-sync': 'username = %s' % creds.username,
            'password = secret': 'password = %s' % creds.password,
            'project_name = images': 'project_name = %s'
                                     % creds.project_name,
        }
        (self.folder / 'etc').mkdir()

    def substitute(self, text):
        for example, local in self.replaced.items():
            text = text.replace(example, local)
        return text

    def write_conf(self):
        transport_url = os.environ.get('GLANCE_SYNC_TRANSPORT_URL',
                                       'rabbit://guest:guest@127.0.0.1:5672/')
        conf = self.substitute(conf_block(self.text))
        # Harness-only, for a machine shared with the other tests: this
        # test's images only (the daemon's start-up reconcile would copy
        # every public image), a queue of its own (not the other daemons'
        # events), a free port for the API.
        conf = conf.replace('[sync]\n', '[sync]\nmetadata_condition = '
                            'image.name == %r\n' % self.tag, 1)
        conf += '\n' + snippets.render(snippets.DAEMON, transport_url)
        conf += '\n[daemon]\npool = %s\n\n[api]\nbind_port = %d\n' % (
            self.tag, self.api_port)
        path = self.folder / 'etc' / 'glance-sync.conf'
        path.write_text(conf)
        return path

    def test_guide_step_by_step(self):
        commands = console_commands(self.text)
        for command in NOT_RUN:
            self.assertIn(command, commands, 'NOT_RUN lists a command the '
                          'guide no longer has')
        self.assertIn('glance-sync-manage --config-file '
                      '/etc/glance-sync/glance-sync.conf db sync',
                      ' '.join(commands))
        image = self.make_image('RegionOne', 2048, name=self.tag,
                                visibility='public')
        self.write_conf()
        background = []
        for command in commands:
            if command in NOT_RUN:
                continue
            command = self.substitute(command)
            if command.endswith('&'):
                background.append(self.start(command.rstrip('& ')))
                continue
            result = subprocess.run(['bash', '-c', command],
                                    capture_output=True, text=True,
                                    timeout=TIMEOUT, check=False)
            allowed = {0, 1} if command.endswith(PENDING_IS_ONE) else {0}
            self.assertIn(result.returncode, allowed, '%s\n%s%s' % (
                command, result.stdout[-2000:], result.stderr[-3000:]))
            if command.endswith(PENDING_IS_ONE):
                # Nothing synchronised yet: the new image waits in both.
                for region in ('RegionTwo', 'RegionThree'):
                    self.assertTrue(any(
                        region in line and self.tag in line
                        for line in result.stdout.splitlines()),
                        result.stdout)
        self.assertEqual(2, len(background))
        # The daemon's start-up reconcile copies the image; the API answers.
        for region in ('RegionTwo', 'RegionThree'):
            self.wait_copy(region, image, background)
        resp = requests.get('http://127.0.0.1:%d/healthcheck'
                            % self.api_port, timeout=10)
        self.assertEqual(200, resp.status_code)

    def start(self, command):
        argv = command.split()
        name = pathlib.Path(argv[0]).name
        return self.useFixture(processes.Process(
            argv, self.folder / ('%s.log' % name)))

    def wait_copy(self, region, image, background):
        glance = self.glance(region)
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = [i for i in glance.images.list(
                filters={'name': self.tag}) if i.status == 'active']
            if found:
                self.addCleanup(self.delete_image, region, found[0].id)
                self.assertEqual(image.checksum, found[0].checksum)
                return
            if time.monotonic() > deadline:
                self.fail('%s never reached %s:\n%s' % (
                    self.tag, region, '\n'.join(p.log_tail()
                                                for p in background)))
            time.sleep(1)

