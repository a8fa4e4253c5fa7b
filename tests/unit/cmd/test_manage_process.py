"""glance-sync-manage as a process: bad input and a closed standard output
end in status 2 and one line on standard error, never a traceback."""

import os
import subprocess
import sys

import fixtures
from oslotest import base

from tests.unit.manage import data

SCRIPT = os.path.join(os.path.dirname(sys.executable), 'glance-sync-manage')
PREFIX = 'glance-sync-manage: error: '


class ProcessTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.legacy, self.native, self.backups = data.write_cloud(self.dir)
        with open(self.native, 'a') as stream:
            stream.write('\n[database]\nconnection = sqlite:///%s\n'
                         % os.path.join(self.dir, 'journal.db'))

    def run_cli(self, *argv, stdout=subprocess.PIPE):
        env = dict(os.environ)
        env.pop('GLANCESYNC_CONFIG', None)
        return subprocess.run([SCRIPT, *argv], stdout=stdout,
                              stderr=subprocess.PIPE, env=env, timeout=120,
                              check=False)

    def assertOneLineError(self, result, *parts, hidden=(), logs=False):
        """Status 2 and one error line; with ``logs``, the verb's own log
        lines (sync --dry-run logs what it would do) may come before."""
        err = result.stderr.decode('utf-8', 'replace')
        self.assertEqual(2, result.returncode, err)
        self.assertNotIn('Traceback', err)
        self.assertNotIn('Exception ignored', err)
        lines = err.splitlines()
        if logs:
            lines = [line for line in lines if ' INFO ' not in line]
        self.assertEqual(1, len(lines), err)
        self.assertTrue(lines[0].startswith(PREFIX), err)
        for part in parts:
            self.assertIn(part, lines[0])
        out = (result.stdout or b'').decode('utf-8', 'replace')
        for secret in hidden:
            self.assertNotIn(secret, err)
            self.assertNotIn(secret, out)
        return lines[0]

    def write(self, name, content):
        path = os.path.join(self.dir, name)
        with open(path, 'wb') as stream:
            stream.write(content if isinstance(content, bytes)
                         else content.encode())
        return path


class BrokenPipeTest(ProcessTestCase):

    def run_closed(self, *argv):
        read, write = os.pipe()
        os.close(read)  # nobody reads: the first flush fails (EPIPE)
        try:
            return self.run_cli(*argv, stdout=write)
        finally:
            os.close(write)

    def test_every_verb_that_prints(self):
        offline = ('--offline', self.backups)
        legacy = ('--glancesync-config', self.legacy) + offline
        native = ('--config-file', self.native) + offline
        self.assertEqual(0, self.run_cli(*native, 'db', 'sync').returncode)
        verbs = [
            legacy + ('regions',), legacy + ('status',),
            legacy + ('sync', '--dry-run'), legacy + ('convert-config',),
            legacy + ('size',), legacy + ('compare',),
            legacy + ('backup', '--output', os.path.join(self.dir, 'b')),
            legacy + ('dump', '--output', os.path.join(self.dir, 'd'),
                      '--metadata-only'),
            legacy + ('load', os.path.join(self.dir, 'd'), '--dry-run'),
            native + ('status', '-f', 'json'), native + ('db', 'version'),
        ]
        for argv in verbs:
            # The verb does print something when stdout is open.
            self.assertTrue(self.run_cli(*argv).stdout, argv)
            self.assertOneLineError(self.run_closed(*argv), 'broken pipe',
                                    logs=True)


class BadInputTest(ProcessTestCase):

    def legacy_with(self, text, *argv):
        path = self.write('bad.conf', text)
        return self.run_cli('--glancesync-config', path, '--offline',
                            self.backups, *argv or ('regions',))

    def native_with(self, text):
        path = self.write('bad-native.conf', text)
        return self.run_cli('--config-file', path, '--offline', self.backups,
                            'regions')

    def test_native_config_not_utf8(self):
        result = self.native_with(data.NATIVE.encode()
                                  + b'rename = \xff\xfe\n')
        self.assertOneLineError(result, 'bad-native.conf', 'line ',
                                'not UTF-8')

    def test_legacy_config_not_utf8(self):
        result = self.legacy_with(data.LEGACY.encode() + b'rename = \xff\n')
        self.assertOneLineError(result, 'bad.conf', 'line ', 'not UTF-8')

    def test_legacy_odd_digits(self):
        text = data.LEGACY.replace('[master]', 'max_children = \u00b2\n'
                                   '[master]')
        self.assertOneLineError(self.legacy_with(text), '[main] max_children')

    def test_legacy_duplicates(self):
        self.assertOneLineError(
            self.legacy_with(data.LEGACY + '[other]\nrename = x\n'),
            'section [other] given twice')
        self.assertOneLineError(
            self.legacy_with(data.LEGACY + 'rename = x\nrename = y\n'),
            '[other] rename given twice')

    def test_legacy_secret_with_percent(self):
        for secret in ('Hid%den', 'Hid%(den)s', 'Hid%(user)s%'):
            text = data.LEGACY.replace(
                'credential = u,%s,http://k:5000/v3,t1' % data.PASSWORD,
                'user = u\npassword = %s\nkeystone_url = http://k/v3\n'
                'tenant = t1' % secret)
            self.assertOneLineError(self.legacy_with(text),
                                    '[master] password', hidden=('Hid',))

    def test_native_secret_with_dollar(self):
        for secret in ('Hid$den', 'Hid${den}', 'Hid${password}'):
            text = data.NATIVE.replace('password = pw',
                                       'password = %s' % secret, 1)
            self.assertOneLineError(self.native_with(text),
                                    '[target:master] password',
                                    hidden=('Hid', 'den'))

    def test_timeouts(self):
        for value in ('inf', 'nan', '-1'):
            self.assertOneLineError(
                self.native_with(data.NATIVE + '[transfer]\n'
                                 'stall_timeout = %s\n' % value),
                '[transfer] stall_timeout')
            self.assertOneLineError(
                self.legacy_with(data.LEGACY + 'list_images_timeout = %s\n'
                                 % value), 'list_images_timeout')

    def test_backup_not_utf8(self):
        path = os.path.join(self.backups, 'backup_R1.csv')
        with open(path, 'ab') as stream:
            stream.write(b'R1,\xff\xfe,id,active,1,md5,t1id,True,{}\n')
        result = self.run_cli('--glancesync-config', self.legacy,
                              '--offline', self.backups, 'status')
        self.assertOneLineError(result, 'backup_R1.csv', 'line 2',
                                'not UTF-8')

    def test_backup_field_too_big(self):
        path = os.path.join(self.backups, 'backup_R1.csv')
        with open(path, 'a') as stream:
            stream.write('R1,big,"%s",active,1,md5,t1id,True,{}\n'
                         % ('x' * (129 * 1024)))
        result = self.run_cli('--glancesync-config', self.legacy,
                              '--offline', self.backups, 'status')
        self.assertOneLineError(result, 'backup_R1.csv', 'line 2',
                                'field limit')


class OtherScriptsTest(ProcessTestCase):
    """glance-sync and glance-sync-api: the same one line, status 2."""

    def run_script(self, name, path):
        script = os.path.join(os.path.dirname(sys.executable), name)
        env = dict(os.environ)
        env.pop('GLANCE_SYNC_CONFIG_FILE', None)
        return subprocess.run([script, '--config-file', path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, timeout=120, check=False)

    def check(self, name, content, *parts, hidden=()):
        path = self.write('svc.conf', content)
        result = self.run_script(name, path)
        err = result.stderr.decode('utf-8', 'replace')
        self.assertEqual(2, result.returncode, err)
        self.assertNotIn('Traceback', err)
        # One line names the file: "glance-sync-api: error: ...", or the
        # daemon's ERROR log line when it logs to standard error.
        errors = [line for line in err.splitlines() if 'svc.conf' in line]
        self.assertEqual(1, len(errors), err)
        for part in ('svc.conf',) + parts:
            self.assertIn(part, errors[0])
        for secret in hidden:
            self.assertNotIn(secret, err)

    def test_not_utf8(self):
        for name in ('glance-sync', 'glance-sync-api'):
            self.check(name, data.NATIVE.encode() + b'rename = \xff\n',
                       'not UTF-8')

    def test_secret_with_dollar_and_bad_timeout(self):
        with open(self.native) as stream:
            native = stream.read()
        for name in ('glance-sync', 'glance-sync-api'):
            self.check(name, native.replace('password = pw',
                                            'password = Hid${den}', 1),
                       '[target:master] password', hidden=('Hid', 'den'))
            self.check(name, native + '[transfer]\nstall_timeout = nan\n',
                       '[transfer] stall_timeout')
