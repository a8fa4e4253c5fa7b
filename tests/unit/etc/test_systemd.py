"""The systemd units of etc/systemd, as systemd itself reads them."""

import configparser
import os
import shutil
import subprocess
import sys

import fixtures
from oslotest import base

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
UNITS = os.path.join(TOP, 'etc', 'systemd')
BIN = os.path.dirname(sys.executable)
#: Where each unit's ExecStart points once installed, and the program of
#: this virtualenv that stands for it in the check.
EXECUTABLES = {'/usr/bin/glance-sync': os.path.join(BIN, 'glance-sync'),
               '/usr/bin/gunicorn': os.path.join(BIN, 'gunicorn')}
HARDENING = {'NoNewPrivileges': 'yes', 'PrivateTmp': 'yes',
             'ProtectSystem': 'strict', 'ProtectHome': 'yes',
             'User': 'glance-sync'}


def units():
    return sorted(n for n in os.listdir(UNITS) if n.endswith('.service'))


def service_section(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    with open(os.path.join(UNITS, name)) as f:
        parser.read_file(f)
    return parser['Service']


class UnitsTest(base.BaseTestCase):

    def test_both_services_ship(self):
        self.assertEqual(['glance-sync-api.service', 'glance-sync.service'],
                         units())

    def test_hardening(self):
        for name in units():
            service = service_section(name)
            for key, value in HARDENING.items():
                self.assertEqual(value, service.get(key), '%s: %s'
                                 % (name, key))

    def test_notify_and_watchdog(self):
        daemon = service_section('glance-sync.service')
        self.assertEqual('notify', daemon['Type'])
        self.assertEqual('main', daemon['NotifyAccess'])
        self.assertGreater(int(daemon['WatchdogSec']), 0)
        # gunicorn sends READY=1 but never WATCHDOG=1.
        self.assertEqual('notify', service_section(
            'glance-sync-api.service')['Type'])
        self.assertNotIn('WatchdogSec',
                         service_section('glance-sync-api.service'))

    def test_packaged_as_data_files(self):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(os.path.join(TOP, 'setup.cfg'))
        listed = parser['files']['data_files'].split(
            'share/glance-sync/systemd =')[1].split('=')[0].split()
        expected = ['etc/systemd/%s' % n for n in sorted(os.listdir(UNITS))]
        self.assertEqual(expected, sorted(listed))


class VerifyTest(base.BaseTestCase):
    """``systemd-analyze verify`` on copies whose programs exist here."""

    def setUp(self):
        super().setUp()
        self.analyze = shutil.which('systemd-analyze')
        if self.analyze is None:
            self.skipTest('systemd-analyze is not installed (Debian package '
                          'systemd; tools/bootstrap installs it as root)')
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def copy(self, name):
        with open(os.path.join(UNITS, name)) as f:
            text = f.read()
        for installed, here in EXECUTABLES.items():
            text = text.replace(installed + ' ', here + ' ')
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def verify(self, *paths):
        return subprocess.run(
            [self.analyze, 'verify', '--man=no', *paths],
            capture_output=True, text=True, timeout=120, check=False)

    def test_units_verify_without_a_warning(self):
        for program in EXECUTABLES.values():
            self.assertTrue(os.access(program, os.X_OK), program)
        result = self.verify(*[self.copy(n) for n in units()])
        self.assertEqual(0, result.returncode, result.stderr)
        # Unknown keys and bad values are only warnings: none is allowed.
        self.assertEqual('', result.stderr.strip())

    def test_a_bad_unit_is_reported(self):
        # The check itself can fail: a misspelt key is seen.
        path = self.copy('glance-sync.service')
        with open(path, 'a') as f:
            f.write('[Service]\nProtectSystm=strict\n')
        result = self.verify(path)
        self.assertIn("Unknown key 'ProtectSystm'", result.stderr)
