"""``glance-sync-manage`` when something is wrong, against the local cloud.

Usage and configuration errors: exit status 2 and exactly one line on
standard error naming the file, section and option, never a traceback,
and nothing done. A region (or a whole Keystone) that does not answer:
one clear error line, exit status 1, and the other regions synchronised.
"""

from __future__ import annotations

import csv
import io
import os

from tests.functional.manage import base

PREFIX = 'glance-sync-manage: error: '


class ConfigErrorTest(base.ManageTestCase):

    def assertConfigError(self, config, *args, parts=()):
        result = self.manage(config, *args, rc=2)
        lines = result.stderr.splitlines()
        self.assertEqual(1, len(lines), result.describe())
        self.assertTrue(lines[0].startswith(PREFIX), result.describe())
        for part in parts:
            self.assertIn(part, lines[0])
        self.assertEqual('', result.stdout)
        return lines[0]

    def test_unknown_target(self):
        conf = self.native_config()
        self.assertConfigError(conf, 'sync', 'nosuch:RegionTwo', parts=(
            conf[1], ("unknown target 'nosuch' in region argument "
                      "'nosuch:RegionTwo' (targets: master, other)")))

    def test_unknown_region(self):
        conf = self.legacy_config()
        self.assertConfigError(conf, 'status', 'other:RegionTwo', parts=(
            conf[1], "unknown region 'other:RegionTwo'", 'RegionFour'))

    def test_bad_base64_credential(self):
        secret = 'not base64!'
        conf = self.legacy_config({'other': {'credential': 'u,%s,%s,images'
                                             % (secret, 'http://k/v3')}})
        line = self.assertConfigError(conf, 'status', parts=(
            conf[1], ('[other] credential: the password (second field) is '
                      'not valid base64')))
        self.assertNotIn(secret, line)

    def test_forbidden_condition(self):
        marker = self.folder / 'pwned'
        condition = "__import__('os').system('touch %s')" % marker
        native = self.native_config({'target:master': {
            'metadata_condition': condition}})
        self.assertConfigError(native, 'sync', 'RegionTwo', parts=(
            native[1], '[target:master] metadata_condition:',
            "calling '__import__' is not allowed"))
        legacy = self.legacy_config({'DEFAULT': {
            'metadata_condition': condition}})
        self.assertConfigError(legacy, 'status', parts=(
            legacy[1], '[DEFAULT] metadata_condition:', '__import__'))
        self.assertFalse(marker.exists())

    def test_unparsable_condition(self):
        conf = self.native_config({'sync': {
            'metadata_condition': 'image.is_public and'}})
        self.assertConfigError(conf, 'status', parts=(
            '[sync] metadata_condition:',))

    def test_missing_credential(self):
        legacy = self.legacy_config({'other': {'credential': ''}})
        self.assertConfigError(legacy, 'status', parts=(
            legacy[1], '[other] credential: missing'))
        native = self.native_config({'target:other': {'auth_url': ''}})
        self.assertConfigError(native, 'status', parts=(
            native[1], ('[target:other] auth_url: empty, required by '
                        'auth_type password')))

    def test_master_credential_from_the_environment_only(self):
        # No [master] section: GlanceSync takes it from OS_*, unset here.
        conf = self.legacy_config(without=('master',))
        self.assertConfigError(conf, 'status', parts=(
            '[master] credential: missing', 'OS_USERNAME'))

    def test_unreadable_files(self):
        missing = str(self.folder / 'missing.conf')
        self.assertConfigError(['--config-file', missing], 'status',
                               parts=(missing, 'cannot read the file'))
        self.assertConfigError(['--glancesync-config', missing], 'status',
                               parts=(missing, 'cannot read the file'))
        folder = str(self.folder)
        self.assertConfigError(['--config-file', folder], 'status',
                               parts=(folder, 'Is a directory'))
        if os.geteuid() != 0:  # root reads any file
            conf = self.native_config()
            os.chmod(conf[1], 0)
            self.assertConfigError(conf, 'status', parts=(
                conf[1], 'permission denied'))

    def test_usage_errors(self):
        conf = self.native_config()
        result = self.manage(conf, 'sync', '--parallel', '0', rc=2)
        self.assertIn("argument --parallel: '0' is not a positive integer",
                      result.stderr.splitlines()[-1])
        self.manage(conf, 'nosuchcommand', rc=2)
        self.assertConfigError(
            conf + ['--glancesync-config', conf[1]], 'status',
            parts=('not both',))


class UnreachableTest(base.ManageTestCase):

    def _summary(self, result):
        return {row[0]: row[1] for row in csv.reader(
            io.StringIO(result.stdout)) if row}

    def _error_lines(self, result):
        return [line for line in result.errors() if ' ERROR ' in line]

    def test_unreachable_region(self):
        image = self.master_image('image', 1024)
        conf = self.native_config()
        with self.stop_glance('RegionThree'):
            # The region that fails comes first: the next one still runs.
            result = self.manage(conf, 'sync', 'RegionThree', 'RegionTwo',
                                 rc=1)
            errors = self._error_lines(result)
            self.assertEqual(1, len(errors), result.describe())
            self.assertIn('RegionThree', errors[0])
            self.assertIn('unavailable', errors[0])
            summary = self._summary(result)
            self.assertTrue(summary['RegionThree'].startswith('failed: '))
            self.assertEqual('synchronised', summary['RegionTwo'])
            status = self.manage(conf, 'status', 'RegionThree', rc=1)
            self.assertEqual(1, len(self._error_lines(status)),
                             status.describe())
        self.assertEqual(image.checksum,
                         self.one_image('RegionTwo', image.name).checksum)
        self.assertEqual({('RegionThree', image.name): 'pending_upload'},
                         self.statuses(conf, 'RegionThree', rc=1))

    def test_unreachable_keystone(self):
        image = self.master_image('image', 1024)
        conf = self.native_config({'target:other': {
            'auth_url': 'http://127.0.0.1:9/v3'}})
        result = self.manage(conf, 'sync', 'other:RegionFour', 'RegionTwo',
                             rc=1)
        errors = self._error_lines(result)
        self.assertEqual(1, len(errors), result.describe())
        self.assertIn('other', errors[0])
        self.assertEqual('synchronised', self._summary(result)['RegionTwo'])
        self.assertEqual(image.checksum,
                         self.one_image('RegionTwo', image.name).checksum)
        self.assertEqual([], self.images_named('other:RegionFour',
                                               image.name))
