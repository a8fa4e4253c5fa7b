import base64
import logging
import os
import textwrap

import fixtures
from keystoneauth1.identity import generic
from oslotest import base

from glance_sync.conf import errors, legacy
from glance_sync.regions import auth
from tests import fiware_data
from tests.unit.conf import checks


def b64(text):
    return base64.b64encode(text.encode()).decode()


MINIMAL = """\
[main]
master_region = Valladolid

[master]
credential = user,%s,http://server:4730/v2.0,tenant1
""" % b64('s3cret')


class LegacyTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, text, name='glancesync.conf'):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def load(self, text, overrides=(), environ=None):
        return legacy.load(self.write(text), overrides, environ or {})

    def assertConfigError(self, text, *parts, overrides=(), environ=None):
        return checks.assert_one_line_error(self, self.dir, parts, self.load,
                                            text, overrides, environ)


class LoadTest(LegacyTestCase):

    def test_minimal(self):
        config = self.load(MINIMAL)
        self.assertEqual('Valladolid', config.settings.master_region)
        self.assertEqual(['master'], list(config.settings.targets))
        rules = config.settings.targets['master']
        self.assertEqual('master', rules.name)
        self.assertIsNone(rules.metadata_condition)
        self.assertTrue(rules.only_tenant_images)
        self.assertTrue(rules.support_obsolete_images)
        self.assertFalse(rules.record_source)
        self.assertIsNone(rules.tenant_id)
        self.assertEqual(30.0, config.settings.list_images_timeout)
        self.assertEqual((), config.settings.preferable_order)
        self.assertEqual(1, config.max_workers)
        self.assertEqual(os.path.join(self.dir, 'glancesync.conf'),
                         config.source)

    def test_credential_is_decoded(self):
        cred = self.load(MINIMAL).credentials['master']
        self.assertEqual(('user', 's3cret', 'http://server:4730/v2.0',
                          'tenant1'),
                         (cred.username, cred.password, cred.auth_url,
                          cred.project_name))
        self.assertEqual('Valladolid', cred.region_name)
        self.assertNotIn('s3cret', repr(cred))

    def test_four_options_with_plain_password(self):
        config = self.load("""\
            [main]
            master_region = R
            [master]
            user = u
            password = p%%w
            keystone_url = http://k:5000/v3
            tenant = t
            tenant_id = abc123
            user_domain_name = Users
            """)
        cred = config.credentials['master']
        self.assertEqual(('u', 'p%w', 'http://k:5000/v3', 't', 'abc123',
                          'Users'),
                         (cred.username, cred.password, cred.auth_url,
                          cred.project_name, cred.project_id,
                          cred.user_domain_name))
        self.assertEqual('abc123', config.settings.targets['master'].tenant_id)
        self.assertEqual('t', config.project_name('master'))

    def test_main_options(self):
        config = self.load(MINIMAL.replace(
            '[master]', 'preferable_order = Trento, Lannion Berlin\n'
            'max_children = 4\nlist_images_timeout = 60\n'
            'images_dir = /x\n\n[master]'))
        self.assertEqual(('Trento', 'Lannion', 'Berlin'),
                         config.settings.preferable_order)
        self.assertEqual(4, config.max_workers)
        self.assertEqual(60.0, config.settings.list_images_timeout)

    def test_rule_options(self):
        config = self.load(MINIMAL + textwrap.dedent("""\
            forcesyncs = id1, id2
            dontupdate = ch1
            rename = ch2 ch3
            replace = any
            metadata_set = nid , type
            obsolete_syncprops = prop1,prop3
            only_tenant_images = False
            support_obsolete_images = no
            ignore_regions = Spain1
            ignore_region = Spain2
            metadata_condition = image.is_public
            """))
        rules = config.settings.targets['master']
        self.assertEqual({'id1', 'id2'}, rules.forcesyncs)
        self.assertEqual({'ch1'}, rules.dontupdate)
        self.assertEqual({'ch2', 'ch3'}, rules.rename)
        self.assertEqual({'any'}, rules.replace)
        self.assertEqual({'nid', 'type'}, rules.metadata_set)
        self.assertEqual({'prop1', 'prop3'}, rules.obsolete_syncprops)
        self.assertFalse(rules.only_tenant_images)
        self.assertFalse(rules.support_obsolete_images)
        self.assertEqual({'Spain1', 'Spain2'}, rules.ignore_regions)
        self.assertEqual('image.is_public', rules.metadata_condition)

    def test_default_section_is_a_default_for_every_target(self):
        config = self.load(MINIMAL + textwrap.dedent("""\
            [DEFAULT]
            metadata_set = nid, type
            only_tenant_images = False
            [other]
            credential = u2,%s,http://k2/v3,t2
            metadata_set =
            """) % b64('x'))
        master = config.settings.targets['master']
        other = config.settings.targets['other']
        self.assertEqual({'nid', 'type'}, master.metadata_set)
        self.assertEqual(frozenset(), other.metadata_set)
        self.assertFalse(master.only_tenant_images)
        self.assertFalse(other.only_tenant_images)
        self.assertEqual(('master', 'other'), config.targets)

    def test_continuation_lines(self):
        config = self.load("""\
            [main]
            master_region = R
            [master]
            credential = user,%s,\\
              http://server:4730/v2.0,tenant1
            metadata_condition = image.is_public and\\
             'type' in image.user_properties and\\
              image.user_properties['type'] == 'baseimage'
            """ % b64('pw'))
        cred = config.credentials['master']
        self.assertEqual('http://server:4730/v2.0', cred.auth_url)
        self.assertEqual(
            "image.is_public and 'type' in image.user_properties and "
            "image.user_properties['type'] == 'baseimage'",
            config.settings.targets['master'].metadata_condition)

    def test_empty_condition_is_no_condition(self):
        config = self.load(MINIMAL + 'metadata_condition =\n')
        self.assertIsNone(
            config.settings.targets['master'].metadata_condition)

    def test_defaults_section_is_ignored(self):
        config = self.load(MINIMAL + '[DEFAULTS]\nfoo = 1\n')
        self.assertEqual(['master'], list(config.settings.targets))

    def test_no_file_everything_from_environment(self):
        config = legacy.load(None, (), {
            'OS_USERNAME': 'u', 'OS_PASSWORD': 'p', 'OS_AUTH_URL': 'http://k',
            'OS_TENANT_NAME': 't', 'OS_REGION_NAME': 'Spain2'})
        self.assertEqual('Spain2', config.settings.master_region)
        self.assertEqual('p', config.credentials['master'].password)
        self.assertIsNone(config.source)


class EnvironmentTest(LegacyTestCase):

    ENV = {'OS_USERNAME': 'envuser', 'OS_PASSWORD': 'envpw',
           'OS_AUTH_URL': 'http://env:5000/v3', 'OS_PROJECT_NAME': 'envp',
           'OS_USER_DOMAIN_NAME': 'Dom', 'OS_PROJECT_DOMAIN_ID': 'd1',
           'OS_REGION_NAME': 'EnvRegion'}

    def test_master_without_section_uses_environment(self):
        config = self.load('[main]\nmaster_region = R\n', environ=self.ENV)
        cred = config.credentials['master']
        self.assertEqual(('envuser', 'envpw', 'http://env:5000/v3', 'envp',
                          'Dom', 'd1'),
                         (cred.username, cred.password, cred.auth_url,
                          cred.project_name, cred.user_domain_name,
                          cred.project_domain_id))
        self.assertEqual('R', config.settings.master_region)
        self.assertIn('master', config.settings.targets)

    def test_fields_mix_file_and_environment(self):
        config = self.load('[main]\nmaster_region = R\n[master]\n'
                           'user = fileuser\ntenant = filet\n',
                           environ={'OS_PASSWORD': 'envpw',
                                    'OS_AUTH_URL': 'http://env'})
        cred = config.credentials['master']
        self.assertEqual(('fileuser', 'envpw', 'http://env', 'filet'),
                         (cred.username, cred.password, cred.auth_url,
                          cred.project_name))

    def test_master_region_from_environment(self):
        config = self.load(MINIMAL.replace('master_region = Valladolid', ''),
                           environ={'OS_REGION_NAME': 'Env'})
        self.assertEqual('Env', config.settings.master_region)

    def test_environment_is_only_for_master(self):
        self.assertConfigError(
            MINIMAL + '[other]\nmetadata_set = x\n', '[other] credential',
            'missing', environ=self.ENV)

    def test_missing_master_credential_names_variables(self):
        exc = self.assertConfigError(
            '[main]\nmaster_region = R\n', '[master] credential',
            'OS_PASSWORD', environ={'OS_USERNAME': 'u'})
        self.assertEqual('master', exc.section)
        self.assertEqual('credential', exc.option)
        self.assertNotIn('OS_USERNAME', str(exc))


class OverrideTest(LegacyTestCase):

    def test_plain_key_goes_to_default(self):
        config = self.load(MINIMAL, ['metadata_set=a,b'])
        self.assertEqual({'a', 'b'},
                         config.settings.targets['master'].metadata_set)

    def test_plain_main_key_goes_to_main(self):
        config = self.load(MINIMAL, ['master_region=Burgos'])
        self.assertEqual('Burgos', config.settings.master_region)

    def test_section_key(self):
        config = self.load(MINIMAL, [
            'main.master_region=Burgos', 'master.forcesyncs=x y',
            "master.metadata_condition=image.name == 'a=b' and 1 % 2"])
        rules = config.settings.targets['master']
        self.assertEqual('Burgos', config.settings.master_region)
        self.assertEqual({'x', 'y'}, rules.forcesyncs)
        self.assertEqual("image.name == 'a=b' and 1 % 2",
                         rules.metadata_condition)

    def test_section_beats_default_override(self):
        config = self.load(MINIMAL + 'metadata_set = own\n',
                           ['metadata_set=a'])
        self.assertEqual({'own'},
                         config.settings.targets['master'].metadata_set)

    def test_override_creates_master_section(self):
        config = legacy.load(None, ['main.master_region=R',
                                    'master.credential=u,%s,http://k,t'
                                    % b64('p')], {})
        self.assertEqual('p', config.credentials['master'].password)

    def test_unknown_target(self):
        self.assertConfigError(MINIMAL, '[nope] forcesyncs',
                               'unknown target',
                               overrides=['nope.forcesyncs=1'])

    def test_malformed(self):
        self.assertConfigError(MINIMAL, 'forcesyncs', 'key=value',
                               overrides=['forcesyncs'])


class ErrorTest(LegacyTestCase):

    def test_unreadable_file(self):
        path = os.path.join(self.dir, 'missing.conf')
        exc = self.assertRaises(errors.ConfigError, legacy.load, path, (), {})
        self.assertEqual(path + ': cannot read the file: No such file or '
                         'directory', str(exc))

    def test_not_an_ini_file(self):
        self.assertConfigError('master_region = R\n', 'line 1',
                               'before the first [section]')

    def test_bad_syntax(self):
        self.assertConfigError(MINIMAL + 'this line is wrong\n',
                               'cannot parse', 'line 6')

    def test_missing_master_region(self):
        self.assertConfigError(MINIMAL.replace('master_region = Valladolid',
                                               ''),
                               '[main] master_region', 'OS_REGION_NAME')

    def test_bad_base64(self):
        exc = self.assertConfigError(
            MINIMAL.replace(b64('s3cret'), 'not*base64'),
            '[master] credential', 'not valid base64')
        self.assertNotIn('not*base64', str(exc))

    def test_credential_field_count(self):
        self.assertConfigError(
            MINIMAL.replace(',tenant1', ''), '[master] credential',
            '4 non-empty', 'found 3')

    def test_missing_credential(self):
        exc = self.assertConfigError(MINIMAL + '[other]\nrename = any\n',
                                     '[other] credential', 'missing')
        self.assertNotIn('OS_', str(exc))

    def test_bad_boolean(self):
        self.assertConfigError(MINIMAL + 'only_tenant_images = maybe\n',
                               '[master] only_tenant_images', "'maybe'")

    def test_bad_boolean_in_default_names_default(self):
        exc = self.assertConfigError(
            MINIMAL + '[DEFAULT]\nsupport_obsolete_images = 2\n',
            '[DEFAULT] support_obsolete_images', 'not a boolean')
        self.assertEqual('DEFAULT', exc.section)

    def test_malformed_condition(self):
        self.assertConfigError(MINIMAL + 'metadata_condition = image.(\n',
                               '[master] metadata_condition', 'image.(')

    def test_bad_numbers(self):
        self.assertConfigError(MINIMAL.replace('[master]',
                                               'max_children = two\n[master]'),
                               '[main] max_children', 'positive integer')
        self.assertConfigError(MINIMAL + 'list_images_timeout = -3\n',
                               '[master] list_images_timeout', 'positive')

    def test_bad_target_name(self):
        self.assertConfigError(MINIMAL + '[a:b]\ncredential = x\n',
                               '[a:b]', 'invalid target name')

    def test_unknown_target_auth_plugin(self):
        config = self.load(MINIMAL)
        exc = self.assertRaises(errors.ConfigError, config.auth_plugin,
                                'other')
        self.assertIn("[other]: unknown target 'other'", str(exc))
        self.assertRaises(errors.ConfigError, config.project_name, 'other')

    def test_interpolation_error(self):
        self.assertConfigError(MINIMAL + 'rename = 100%\n',
                               '[master] rename', "'%'")


class SessionTest(LegacyTestCase):

    def test_auth_plugin(self):
        config = self.load(MINIMAL + 'tenant_id = abc\n')
        plugin = config.auth_plugin('master')
        self.assertIsInstance(plugin, generic.Password)
        self.assertEqual('http://server:4730/v2.0', plugin.auth_url)
        self.assertEqual('tenant1', plugin._project_name)
        self.assertIsNone(plugin._project_id)
        self.assertEqual('default', plugin._default_domain_id)

    def test_project_id_scopes_without_name(self):
        cred = legacy.TargetCredentials('u', 'p', 'http://k', None, 'pid')
        self.assertEqual('pid', cred.auth_plugin()._project_id)

    def test_session_has_the_default_timeouts(self):
        config = self.load(MINIMAL)
        session = auth.target_session(config, 'master')
        self.assertIsInstance(session.auth, generic.Password)
        self.assertEqual((auth.DEFAULT_CONNECT_TIMEOUT,
                          auth.DEFAULT_READ_TIMEOUT),
                         session.session._timeout)


class ConformanceConfigsTest(base.BaseTestCase):
    """Every configuration shipped with the FIWARE scenarios loads."""

    def test_every_config_loads(self):
        paths = fiware_data.config_paths(self)
        for path in paths:
            config = legacy.load(path, (), {})
            self.assertEqual('Valladolid', config.settings.master_region)
            self.assertIn('master', config.settings.targets)
            for target, cred in config.credentials.items():
                self.assertEqual('fakepassword,ofcourse', cred.password)
                self.assertTrue(cred.auth_url.startswith('http://server'))
                self.assertFalse(config.settings.targets[target].record_source)

    def test_obsolete_config(self):
        path = os.path.join(fiware_data.root(self), 'obsolete', 'config')
        targets = legacy.load(path, (), {}).settings.targets
        self.assertEqual({'prop1', 'prop3'},
                         targets['other'].obsolete_syncprops)
        self.assertFalse(targets['target2'].support_obsolete_images)
        self.assertEqual('False', targets['target2'].metadata_condition)
        self.assertEqual('tenant3',
                         legacy.load(path, (), {}).project_name('target2'))


#: Secrets that configparser or a template engine would try to read.
HOSTILE_SECRETS = ['pa%ss', 'p%(x)s', '%(nope)s!', 'tail%', '100%%d$',
                   '${x}y', '$x', 'cGFzc3dvcmQ=', 'a%(user)s%']


class SecretsTest(LegacyTestCase):
    """No message or log line shows a secret, whatever it contains."""

    PLAIN = """\
    [main]
    master_region = Valladolid

    [master]
    user = admin
    password = secret
    keystone_url = http://k:5000/v3
    tenant = admin
    """

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))

    def assertHidden(self, secret, text, option='', size=3):
        """Neither the secret nor any ``size``-character piece of it (with
        a letter or digit) is in ``text``, the file name and option
        aside."""
        text = text.replace(self.dir, '')
        if option:
            text = text.replace(option, '')
        self.assertNotIn(b64(secret), text)
        for form in (secret, secret.lower()):
            pieces = {form[i:i + size]
                      for i in range(max(len(form) - size + 1, 1))}
            for piece in pieces:
                if any(c.isalnum() for c in piece):
                    self.assertNotIn(piece, text, secret)

    def check(self, text, secret, option):
        try:
            config = self.load(text)
        except errors.ConfigError as exc:
            self.assertNotIn('\n', str(exc))
            self.assertIn('[master] %s:' % option, str(exc))
            self.assertHidden(secret, str(exc), option)
            config = None
        self.assertHidden(secret, self.logger.output, option, 5)
        return config

    def test_every_credential_option(self):
        for option in ('user', 'password', 'keystone_url', 'tenant',
                       'user_domain_name', 'project_domain_id'):
            for secret in HOSTILE_SECRETS:
                lines = [line for line in self.PLAIN.splitlines()
                         if not line.strip().startswith(option + ' =')]
                lines.append('    %s = %s' % (option, secret))
                self.check('\n'.join(lines) + '\n', secret, option)

    def test_password_with_percent_is_named_not_shown(self):
        exc = self.assertConfigError(
            self.PLAIN.replace('= secret', '= s3cr%t'),
            '[master] password', "'%'", 'not shown')
        self.assertNotIn('s3cr', str(exc))
        exc = self.assertConfigError(
            self.PLAIN.replace('= secret', '= top%(sekrit)s'),
            '[master] password', 'does not exist')
        self.assertNotIn('sekrit', str(exc))

    def test_secret_in_default_section(self):
        exc = self.assertConfigError(
            self.PLAIN.replace('    password = secret\n', '') +
            '[DEFAULT]\npassword = hush%hush\n', 'password', 'not shown')
        self.assertNotIn('hush', str(exc))

    def test_credential_line_with_hostile_base64(self):
        for secret in HOSTILE_SECRETS:
            text = MINIMAL.replace(b64('s3cret'), secret)
            self.check(text, secret, 'credential')

    def test_dollars_are_kept_as_written(self):
        config = self.load(self.PLAIN.replace('= secret', '= a$b${c}'))
        self.assertEqual('a$b${c}', config.credentials['master'].password)

    def test_mis_split_credential_hides_the_password(self):
        for encoded in (b64('Sup3rSecret!'), b64('pw').rstrip('='),
                        b64('zz') + '=='):
            text = ('[main]\nmaster_region = V\n[master]\n'
                    'credential = admin,\n%s,http://k:5000/v3,admin\n'
                    % encoded)
            self.assertRaises(errors.ConfigError, self.load, text)
            self.assertHidden(encoded.rstrip('='), self.logger.output)

    def test_unparsable_line_is_not_shown(self):
        encoded = b64('Sup3rSecret!').rstrip('=')
        exc = self.assertConfigError(
            '[main]\nmaster_region = V\n[master]\ncredential = admin,\n'
            '%s\n' % encoded, 'line 5', 'cannot parse')
        self.assertHidden(encoded, str(exc))

    def test_unknown_option_with_a_name_is_still_named(self):
        self.load(MINIMAL + 'metadata_sett = a\n')
        self.assertIn('metadata_sett: unknown option', self.logger.output)


class BadInputTest(LegacyTestCase):

    def test_duplicate_section(self):
        self.assertConfigError(MINIMAL + '[master]\nforcesyncs = a\n',
                               'line 6', 'section [master] given twice')

    def test_duplicate_option(self):
        self.assertConfigError(MINIMAL + 'forcesyncs = a\nForceSyncs = b\n',
                               'line 7', '[master] forcesyncs given twice')

    def test_duplicate_default_option(self):
        self.assertConfigError(
            MINIMAL + '[DEFAULT]\nrename = a\nrename = b\n',
            'line 8', '[DEFAULT] rename given twice')

    def test_not_utf8(self):
        path = os.path.join(self.dir, 'glancesync.conf')
        with open(path, 'wb') as f:
            f.write(MINIMAL.encode() + b'rename = caf\xe9\xff\n')
        exc = self.assertRaises(errors.ConfigError, legacy.load, path, (), {})
        self.assertEqual(path + ': line 6: not UTF-8 text', str(exc))

    def test_max_children_is_ascii_digits(self):
        for value in ('\u00b2', '\u0661', '\uff13', '-1', '0', '1.5', '1e3',
                      ' ', 'inf', 'nan'):
            text = MINIMAL.replace('[master]',
                                   'max_children = %s\n[master]' % value)
            if not value.strip():
                continue  # empty: the default
            self.assertConfigError(text, '[main] max_children',
                                   'positive integer')

    def test_timeouts_are_finite_and_positive(self):
        for value in ('inf', '-inf', 'nan', 'Infinity', '1e999', '-1', '0',
                      '-0.5', 'NaN'):
            for where in ('[main]\n', '[master]\n'):
                text = MINIMAL.replace(
                    where, where + 'list_images_timeout = %s\n' % value)
                self.assertConfigError(text, 'list_images_timeout',
                                       'positive finite number')
