import errno
import logging
import os
import textwrap
from unittest import mock

import fixtures
from keystoneauth1.identity import generic
from keystoneauth1.identity.v3 import application_credential
from oslotest import base

from glance_sync.conf import errors, native
from glance_sync.regions import auth
from tests.unit.conf import checks

FULL = """\
[DEFAULT]
metadata_set = nid, type
only_tenant_images = false
forcesyncs = f1

[sync]
master_region = Valladolid
targets = other, master
preferable_order = Burgos, other:Madrid
parallelism = 3
list_images_timeout = 12.5
rename = any

[target:master]
auth_type = password
auth_url = http://k:5000/v3
username = u
password = p$$w
project_name = admin
user_domain_name = Default
project_domain_name = Default
ignore_regions = R2, R3
timeout = 7

[target:other]
auth_type = password
auth_url = http://k2:5000/v3
username = u2
password = p2
project_id = abc
metadata_set =
metadata_condition = image.is_public
owner_project_id = owner2
insecure = true
"""

MASTER_ONLY = """\
[sync]
master_region = R

[target:master]
auth_type = password
auth_url = http://k:5000/v3
username = u
password = p
project_name = admin
"""


class NativeTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, text, name='glance-sync.conf'):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def load(self, text):
        return native.load_files([self.write(text)])

    def assertConfigError(self, text, *parts):
        return checks.assert_one_line_error(self, self.dir, parts, self.load,
                                            text)


class LoadTest(NativeTestCase):

    def test_settings(self):
        config = self.load(FULL)
        settings = config.settings
        self.assertEqual('Valladolid', settings.master_region)
        self.assertEqual(('master', 'other'), tuple(settings.targets))
        self.assertEqual(('Burgos', 'other:Madrid'), settings.preferable_order)
        self.assertEqual(12.5, settings.list_images_timeout)
        self.assertEqual(3, config.max_workers)

    def test_rule_inheritance(self):
        targets = self.load(FULL).settings.targets
        master, other = targets['master'], targets['other']
        # [DEFAULT]
        self.assertEqual({'nid', 'type'}, master.metadata_set)
        self.assertEqual({'f1'}, other.forcesyncs)
        self.assertFalse(master.only_tenant_images)
        # [sync] wins over [DEFAULT]
        self.assertEqual({'any'}, master.rename)
        self.assertEqual({'any'}, other.rename)
        # the target wins over both, even with an empty value
        self.assertEqual(frozenset(), other.metadata_set)
        self.assertEqual({'R2', 'R3'}, master.ignore_regions)
        self.assertEqual(frozenset(), other.ignore_regions)
        self.assertEqual('image.is_public', other.metadata_condition)
        self.assertIsNone(master.metadata_condition)
        # built-in defaults
        self.assertTrue(master.support_obsolete_images)
        self.assertEqual(frozenset(), master.replace)

    def test_native_records_source(self):
        targets = self.load(FULL).settings.targets
        self.assertTrue(targets['master'].record_source)
        config = self.load(MASTER_ONLY.replace(
            'master_region = R', 'master_region = R\nrecord_source = false'))
        self.assertFalse(config.settings.targets['master'].record_source)

    def test_match_by_and_dont_replicate(self):
        targets = self.load(FULL.replace(
            'owner_project_id = owner2', 'owner_project_id = owner2\n'
            'match_by = id\ndont_replicate = build, owner')).settings.targets
        self.assertEqual(('name', 'id'), (targets['master'].match_by,
                                          targets['other'].match_by))
        self.assertEqual((frozenset(), {'build', 'owner'}),
                         (targets['master'].dont_replicate,
                          targets['other'].dont_replicate))

    def test_owner_project_id_does_not_scope_the_token(self):
        config = self.load(FULL)
        self.assertEqual('owner2', config.settings.targets['other'].tenant_id)
        self.assertIsNone(config.settings.targets['master'].tenant_id)
        self.assertEqual('abc', config.auth_plugin('other')._project_id)

    def test_targets_discovered_from_groups(self):
        config = self.load(FULL.replace('targets = other, master\n', ''))
        self.assertEqual(('master', 'other'), config.targets)

    def test_deprecated_ignore_region(self):
        config = self.load(MASTER_ONLY + 'ignore_region = X\n')
        self.assertEqual({'X'},
                         config.settings.targets['master'].ignore_regions)

    def test_project_name(self):
        config = self.load(FULL)
        self.assertEqual('admin', config.project_name('master'))
        self.assertIsNone(config.project_name('other'))
        self.assertRaises(errors.ConfigError, config.project_name, 'nope')


class SessionTest(NativeTestCase):

    def test_password_plugin(self):
        config = self.load(FULL)
        plugin = config.auth_plugin('master')
        self.assertIsInstance(plugin, generic.Password)
        self.assertEqual('http://k:5000/v3', plugin.auth_url)
        self.assertEqual('admin', plugin._project_name)
        self.assertEqual('Default', plugin._user_domain_name)

    def test_session_options(self):
        config = self.load(FULL)
        master = auth.target_session(config, 'master')
        self.assertEqual(7, master.timeout)
        self.assertTrue(master.verify)
        self.assertFalse(auth.target_session(config, 'other').verify)
        self.assertEqual('p$w', master.auth._password)

    def test_any_keystoneauth_plugin(self):
        config = self.load("""\
            [sync]
            master_region = R
            [target:master]
            auth_type = v3applicationcredential
            auth_url = http://k:5000/v3
            application_credential_id = ac1
            application_credential_secret = s
            """)
        self.assertIsInstance(config.auth_plugin('master'),
                              application_credential.ApplicationCredential)
        self.assertIsNone(config.project_name('master'))


class ErrorTest(NativeTestCase):

    def test_unreadable(self):
        path = os.path.join(self.dir, 'missing.conf')
        exc = self.assertRaises(errors.ConfigError, native.load_files, [path])
        self.assertEqual(path + ': cannot read the file', str(exc))

    def test_directory(self):
        exc = self.assertRaises(errors.ConfigError, native.load_files,
                                [self.dir])
        self.assertEqual(self.dir + ': cannot read the file: Is a directory',
                         str(exc))

    def test_permission_denied(self):
        path = self.write('[sync]\n')
        opener = mock.Mock(side_effect=PermissionError(
            errno.EACCES, 'Permission denied', path))
        # Mocked: the tests may run as root, who reads any file.
        with mock.patch('oslo_config.cfg.open', opener, create=True):
            exc = self.assertRaises(errors.ConfigError, native.load_files,
                                    [path])
        self.assertEqual(path + ': cannot read the file: permission denied',
                         str(exc))

    def test_unparsable(self):
        self.assertConfigError('[sync\n', 'Invalid section')

    def test_missing_master_region(self):
        self.assertConfigError(MASTER_ONLY.replace('master_region = R', ''),
                               '[sync] master_region: missing')

    def test_missing_master_target(self):
        self.assertConfigError(
            MASTER_ONLY.replace('[target:master]', '[target:other]'),
            '[sync] targets', '"master" target is required')

    def test_listed_target_without_group(self):
        self.assertConfigError(
            MASTER_ONLY.replace('master_region = R',
                                'master_region = R\ntargets = master,x'),
            '[target:x] auth_type: missing')

    def test_bad_target_name(self):
        self.assertConfigError(
            MASTER_ONLY.replace('master_region = R',
                                'master_region = R\ntargets = master,a:b'),
            '[sync] targets', 'invalid target name')

    def test_missing_auth_option(self):
        self.assertConfigError(MASTER_ONLY.replace('auth_url', '#'),
                               '[target:master] auth_url: missing',
                               'auth_type password')

    def test_empty_auth_option(self):
        # keystoneauth took "auth_url =" for a value; the error came much
        # later as a catalog without endpoints.
        self.assertConfigError(
            MASTER_ONLY.replace('auth_url = http://k:5000/v3', 'auth_url ='),
            '[target:master] auth_url: empty, required by auth_type '
            'password')

    def test_unknown_plugin(self):
        self.assertConfigError(
            MASTER_ONLY.replace('= password\n', '= passwrd\n'),
            "[target:master] auth_type: unknown auth plugin 'passwrd'")

    def test_bad_boolean(self):
        self.assertConfigError(MASTER_ONLY + 'only_tenant_images = maybe\n',
                               '[target:master] only_tenant_images',
                               "'maybe'")

    def test_bad_boolean_in_default(self):
        exc = self.assertConfigError(
            MASTER_ONLY + '[DEFAULT]\nsupport_obsolete_images = 3\n',
            '[DEFAULT] support_obsolete_images')
        self.assertNotIn('LocationInfo', str(exc))

    def test_bad_match_by(self):
        self.assertConfigError(MASTER_ONLY + 'match_by = uuid\n',
                               'target:master', 'match_by', 'uuid')

    def test_bad_integer(self):
        self.assertConfigError(
            MASTER_ONLY.replace('master_region = R',
                                'master_region = R\nparallelism = 0'),
            '[sync] parallelism')

    def test_forbidden_condition(self):
        self.assertConfigError(
            MASTER_ONLY.replace('master_region = R',
                                'master_region = R\nmetadata_condition = '
                                '__import__("os")'),
            '[sync] metadata_condition', '__import__')

    def test_unknown_transfer_strategy_named_where_set(self):
        self.assertConfigError(MASTER_ONLY + 'transfer_strategy = streem\n',
                               '[target:master] transfer_strategy',
                               "'streem'", 'stream')
        self.assertConfigError(
            MASTER_ONLY.replace('master_region = R',
                                'master_region = R\ntransfer_strategy = x'),
            '[sync] transfer_strategy', "'x'")

    def test_known_transfer_strategy(self):
        config = self.load(MASTER_ONLY + 'transfer_strategy = store\n')
        self.assertEqual('store', config.conf['target:master']
                         .transfer_strategy)

    def test_unknown_target_auth_plugin(self):
        config = self.load(MASTER_ONLY)
        self.assertRaises(errors.ConfigError, config.auth_plugin, 'other')


class OverrideTest(NativeTestCase):

    def load_with(self, *overrides):
        return native.load_files([self.write(FULL)], overrides=overrides)

    def test_overrides(self):
        config = self.load_with('sync.master_region=Burgos',
                                'target:other.metadata_set=a,b',
                                'rename=z', 'sync.rename=',
                                'target:master.password=other')
        targets = config.settings.targets
        self.assertEqual('Burgos', config.settings.master_region)
        self.assertEqual({'a', 'b'}, targets['other'].metadata_set)
        # [sync] set (to empty) wins over [DEFAULT]
        self.assertEqual(frozenset(), targets['master'].rename)
        self.assertEqual('other', config.auth_plugin('master')._password)

    def test_override_auth_type(self):
        overrides = ['target:other.auth_type=v3applicationcredential',
                     'target:other.application_credential_id=ac',
                     'target:other.application_credential_secret=s']
        # the file's username needs a domain with this plugin
        exc = self.assertRaises(errors.ConfigError, self.load_with,
                                *overrides)
        self.assertIn('[target:other]: You have provided a username',
                      str(exc))
        config = self.load_with(*overrides, 'target:other.username=')
        self.assertIsInstance(config.auth_plugin('other'),
                              application_credential.ApplicationCredential)

    def test_bad_overrides(self):
        for item, parts in (
                ('nope.x=1', ['[nope] x', 'no such option']),
                ('sync.parallelism=x', ['[sync] parallelism',
                                        "bad override value 'x'"]),
                ('x', ['x: an override must be'])):
            exc = self.assertRaises(errors.ConfigError, self.load_with, item)
            for part in parts:
                self.assertIn(part, str(exc))


class HostileValueTest(NativeTestCase):
    """Secrets with template characters, bytes that are not UTF-8, numbers
    no timeout can be."""

    SECRETS = ['pa$ss', '${x}y', '$nope', 'a${password}b', 'tail$',
               '${sync.master_region', 'x$$y${', '$(x)s']

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))

    def with_value(self, option, value, group='target:master',
                   base=MASTER_ONLY):
        lines = [line for line in base.splitlines()
                 if not line.startswith(option + ' =')]
        at = lines.index('[%s]' % group) + 1 if '[%s]' % group in lines \
            else None
        if at is None:
            lines += ['[%s]' % group, '%s = %s' % (option, value)]
        else:
            lines.insert(at, '%s = %s' % (option, value))
        return '\n'.join(lines) + '\n'

    def assertHidden(self, secret, text, option, size=3):
        """No ``size``-character piece of the secret (with a letter or
        digit) is in ``text``, the file name and option aside."""
        text = text.replace(self.dir, '').replace(option, '')
        pieces = {secret[i:i + size]
                  for i in range(max(len(secret) - size + 1, 1))}
        for piece in pieces:
            if any(c.isalnum() for c in piece):
                self.assertNotIn(piece, text, secret)

    def test_secrets_with_dollars_in_every_auth_option(self):
        refused = 0
        for option in ('password', 'username', 'auth_url', 'project_name',
                       'user_domain_name', 'project_domain_id'):
            for secret in self.SECRETS:
                text = self.with_value(option, secret)
                try:
                    self.load(text)
                except errors.ConfigError as exc:
                    refused += 1
                    message = str(exc)
                    self.assertNotIn('\n', message)
                    self.assertIn('[target:master] %s:' % option, message)
                    self.assertHidden(secret, message, option)
                # Log lines are longer and varied: bigger pieces.
                self.assertHidden(secret, self.logger.output, option, 5)
        # At least $nope, ${x}y and pa$ss in each option (the others may
        # name an option that exists, ${password} in username for one).
        self.assertGreaterEqual(refused, 6 * 3)

    def test_dollar_password_error_names_the_option(self):
        exc = self.assertConfigError(
            self.with_value('password', 'Sec$ret${zq}'),
            '[target:master] password:', '$$', 'not shown')
        self.assertNotIn('Sec', str(exc).replace(self.dir, ''))
        self.assertNotIn('zq', str(exc))

    def test_escaped_dollars_and_percents_are_kept(self):
        for secret, value in (('p$$w%d', 'p$w%d'), ('%(x)s', '%(x)s'),
                              ('cGFzcw==', 'cGFzcw==')):
            config = self.load(self.with_value('password', secret))
            self.assertEqual(value, config.auth_plugin('master')._password)

    def test_bad_secret_option_value_is_not_quoted(self):
        # transport_url-like secret options: coordination's backend_url.
        from glance_sync.conf import coordination
        conf = native.cfg.ConfigOpts()
        coordination.register_opts(conf)
        path = self.write(MASTER_ONLY + '[coordination]\n'
                          'backend_url = redis://u:pw$zz@h\n')
        exc = self.assertRaises(errors.ConfigError, native.load_files,
                                [path], conf)
        self.assertIn('backend_url', str(exc))
        self.assertNotIn('pw', str(exc).replace(self.dir, ''))

    def test_not_utf8(self):
        path = os.path.join(self.dir, 'glance-sync.conf')
        with open(path, 'wb') as f:
            f.write(MASTER_ONLY.encode() + b'username = \xc3\x28\xff\n')
        exc = self.assertRaises(errors.ConfigError, native.load_files,
                                [path])
        self.assertEqual(path + ': line 10: not UTF-8 text', str(exc))

    def test_every_number_option_refuses_inf_nan_and_negatives(self):
        from oslo_config import cfg as oslo_cfg

        from glance_sync.conf import api, daemon, executor
        from glance_sync.conf import opts as all_opts
        checked = 0
        for group, options in all_opts.list_opts():
            name = getattr(group, 'name', group)
            if name in ('database', 'glance_sync'):
                continue  # oslo.db's; the glance-api plugin's
            for opt in options:
                if not isinstance(opt, (oslo_cfg.IntOpt, oslo_cfg.FloatOpt)):
                    continue
                for value in ('inf', 'nan', '-inf', '-1', 'Infinity',
                              '1e999'):
                    conf = oslo_cfg.ConfigOpts()
                    for module in (api, daemon, executor):
                        module.register_opts(conf)
                    group_name = 'target:master' if name.startswith(
                        'target:') else name
                    text = self.with_value(opt.name, value, group_name)
                    path = self.write(text)
                    exc = self.assertRaises(
                        errors.ConfigError, native.load_files, [path], conf)
                    self.assertIn('[%s] %s:' % (group_name, opt.name),
                                  str(exc))
                    self.assertNotIn('\n', str(exc))
                checked += 1
        self.assertGreater(checked, 20)

    def test_session_timeout_must_be_finite_and_positive(self):
        for value in ('inf', 'nan', '-3', '0'):
            self.assertConfigError(self.with_value('timeout', value),
                                   '[target:master] timeout:')
        config = self.load(self.with_value('timeout', '2.5'))
        self.assertEqual(['master'], list(config.settings.targets))

    def test_override_of_a_secret_is_not_shown(self):
        path = self.write(MASTER_ONLY)
        for secret in ('Hid${den}', 'Hid$den'):
            exc = self.assertRaises(
                errors.ConfigError, native.load_files, [path],
                overrides=['target:master.password=%s' % secret])
            self.assertIn('password', str(exc))
            self.assertNotIn('Hid', str(exc))
            self.assertNotIn('den', str(exc))

    def test_application_credential_secret(self):
        base = ('[sync]\nmaster_region = R\n\n[target:master]\n'
                'auth_type = v3applicationcredential\n'
                'auth_url = http://k:5000/v3\n'
                'application_credential_id = abc\n')
        refused = 0
        for secret in self.SECRETS:
            text = base + 'application_credential_secret = %s\n' % secret
            try:
                self.load(text)
            except errors.ConfigError as exc:
                refused += 1
                self.assertIn('[target:master] application_credential_'
                              'secret:', str(exc))
                self.assertHidden(secret, str(exc),
                                  'application_credential_secret')
        self.assertGreaterEqual(refused, 4)


class MasterProjectsTest(NativeTestCase):

    def test_default_is_the_credentials_project(self):
        config = self.load(MASTER_ONLY)
        self.assertEqual((), config.settings.master_projects)
        self.assertEqual('project',
                         config.settings.targets['master'].copy_owner)

    def test_listed_projects_and_copy_owner(self):
        config = self.load(MASTER_ONLY + 'master_projects = admin, demo,'
                           ' admin\ncopy_owner = master\n')
        self.assertEqual(('admin', 'demo'), config.settings.master_projects)
        self.assertEqual('master',
                         config.settings.targets['master'].copy_owner)

    def test_only_the_master_lists_projects(self):
        text = (MASTER_ONLY.replace('[sync]\n', '[sync]\ntargets = master,'
                                    ' other\n')
                + '[target:other]\nauth_type = password\nauth_url = '
                'http://k2/v3\nusername = u\npassword = p\nproject_name = '
                'x\nmaster_projects = demo\n')
        self.assertConfigError(text, '[target:other] master_projects',
                               'only [target:master]')

    def test_bad_copy_owner(self):
        self.assertConfigError(MASTER_ONLY + 'copy_owner = everyone\n',
                               '[target:master] copy_owner', 'everyone')
