"""Read a FIWARE GlanceSync ``glancesync.conf`` as it is.

The file has a ``[main]`` section (``master_region``, ``preferable_order``,
``max_children``, ...), a ``[DEFAULT]`` section whose options are defaults
for every target, and one section per target holding the target's
credential and rule options. ``[master]`` may be missing: its credential
then comes, field by field, from the ``OS_*`` environment variables, as in
GlanceSync (``OS_USERNAME``, ``OS_PASSWORD``, ``OS_AUTH_URL``,
``OS_TENANT_NAME``; ``OS_REGION_NAME`` names the master region when
``[main]`` does not).

A target's credential is either ``credential = user,base64(password),
keystone_url,tenant`` or the four options ``user``, ``password`` (plain),
``keystone_url`` and ``tenant``. Lists are comma (or space) separated;
values may be continued on the next, indented, line, with or without a
trailing backslash.

Overrides (``glance-sync-manage --config``) are ``key=value`` (options of
``[main]`` go to ``[main]``, any other to ``[DEFAULT]``) or
``section.key=value``.

Usage::

    config = legacy.load('/etc/glancesync.conf', ['master.forcesyncs=abc'])
    config.settings.targets['master'].metadata_set
    config.auth_plugin('other')      # a keystoneauth1 auth plugin
"""

from __future__ import annotations

import base64
import binascii
import configparser
import dataclasses
import difflib
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping

from keystoneauth1 import plugin as ks_plugin
from keystoneauth1.identity import generic

from glance_sync.conf import checks
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig
from glance_sync.rules.options import (COPY_OWNER_PROJECT, MATCH_BY_NAME,
                                       SyncSettings, TargetRules)

__all__ = ['LegacyConfig', 'TargetCredentials', 'load']

LOG = logging.getLogger(__name__)

MAIN = 'main'
MASTER = 'master'
DEFAULT = 'DEFAULT'
IGNORED_SECTION = 'DEFAULTS'

#: Options read from ``[main]`` (or inherited from ``[DEFAULT]``).
MAIN_OPTIONS = frozenset({'master_region', 'preferable_order', 'max_children',
                          'images_dir', 'list_images_timeout'})
#: The four options that together make a credential.
CREDENTIAL_OPTIONS = ('user', 'password', 'keystone_url', 'tenant')
#: Set-valued rule options, with the :class:`TargetRules` field they fill.
SET_OPTIONS = {
    'metadata_set': 'metadata_set', 'forcesyncs': 'forcesyncs',
    'dontupdate': 'dontupdate', 'rename': 'rename', 'replace': 'replace',
    'obsolete_syncprops': 'obsolete_syncprops',
    'ignore_regions': 'ignore_regions', 'ignore_region': 'ignore_regions',
}
BOOL_OPTIONS = {'only_tenant_images': True, 'support_obsolete_images': True,
                'use_keystone_v3': False}
DOMAIN_OPTIONS = ('user_domain_name', 'user_domain_id',
                  'project_domain_name', 'project_domain_id')
TARGET_OPTIONS = (frozenset(SET_OPTIONS) | frozenset(BOOL_OPTIONS)
                  | frozenset(CREDENTIAL_OPTIONS) | frozenset(DOMAIN_OPTIONS)
                  | {'credential', 'metadata_condition', 'tenant_id',
                     'list_images_timeout'})
#: The environment variables that may complete the master's credential.
ENVIRONMENT = {
    'user': ('OS_USERNAME',),
    'password': ('OS_PASSWORD',),
    'keystone_url': ('OS_AUTH_URL',),
    'tenant': ('OS_TENANT_NAME', 'OS_PROJECT_NAME'),
    'tenant_id': ('OS_TENANT_ID', 'OS_PROJECT_ID'),
    'user_domain_name': ('OS_USER_DOMAIN_NAME',),
    'user_domain_id': ('OS_USER_DOMAIN_ID',),
    'project_domain_name': ('OS_PROJECT_DOMAIN_NAME',),
    'project_domain_id': ('OS_PROJECT_DOMAIN_ID',),
}
DEFAULT_TIMEOUT = 30.0
_CONTINUATION = re.compile(r'\\[ \t]*\n')
_SEPARATORS = re.compile(r'[,\s]+')
#: What every real option name looks like, as written in the file. An
#: unknown option whose name does not is reported without its name: it is
#: most likely a value (a base64 password...) whose line lost its
#: indentation.
_OPTION_NAME = re.compile(r'[a-z_]{1,40}')
_DIGITS = re.compile(r'[0-9]+')


@dataclasses.dataclass(frozen=True)
class TargetCredentials:
    """How to authenticate to one target's Keystone.

    ``password`` is never shown by ``repr``. ``project_id`` is the
    ``tenant_id`` of the configuration or ``OS_PROJECT_ID``; it scopes the
    token only when no ``project_name`` is known.
    """

    username: str
    password: str = dataclasses.field(repr=False)
    auth_url: str
    project_name: str | None
    project_id: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    region_name: str | None = None

    def auth_plugin(self) -> ks_plugin.BaseAuthPlugin:
        """A keystoneauth password plugin that discovers the API version.

        Without domain options, v3 uses the ``default`` domain.
        """
        return generic.Password(
            auth_url=self.auth_url, username=self.username,
            password=self.password, project_name=self.project_name,
            project_id=None if self.project_name else self.project_id,
            user_domain_name=self.user_domain_name,
            user_domain_id=self.user_domain_id,
            project_domain_name=self.project_domain_name,
            project_domain_id=self.project_domain_id,
            default_domain_id='default')


class LegacyConfig(SyncConfig):
    """A loaded ``glancesync.conf``: rules settings and credentials."""

    def __init__(self, source: str | None, settings: SyncSettings,
                 credentials: Mapping[str, TargetCredentials],
                 max_workers: int = 1) -> None:
        super().__init__(source, settings, max_workers)
        #: The credentials of every target, by target name.
        self.credentials = dict(credentials)

    def project_name(self, target: str) -> str | None:
        """The target's tenant name, as the file (or ``OS_*``) gives it."""
        self._check_target(target)
        return self.credentials[target].project_name

    def _make_auth(self, target: str) -> ks_plugin.BaseAuthPlugin:
        return self.credentials[target].auth_plugin()


def load(path: str | None, overrides: Iterable[str] = (),
         environ: Mapping[str, str] | None = None) -> LegacyConfig:
    """Read a GlanceSync configuration file.

    :param path: the file; ``None`` reads no file (everything then comes
        from the overrides and the ``OS_*`` variables, as in GlanceSync).
    :param overrides: ``key=value`` or ``section.key=value`` strings.
    :param environ: the environment for the master's ``OS_*`` fallback
        (``os.environ`` by default).
    :returns: the settings for the rules and each target's credentials.
    :raises ConfigError: anything unusable, named by file, section, option.
    """
    env = os.environ if environ is None else environ
    reader = _Reader(path, _parse(path))
    for item in overrides:
        reader.override(item)
    return _build(reader, env)


def _build(reader: _Reader, env: Mapping[str, str]) -> LegacyConfig:
    sections = reader.target_sections()
    master_region = reader.get(MAIN, 'master_region') or env.get(
        'OS_REGION_NAME')
    if not master_region:
        raise ConfigError(reader.path, MAIN, 'master_region',
                          'missing, and OS_REGION_NAME is not set')
    rules = {name: _target_rules(reader, name) for name in sections}
    creds = {name: _credentials(reader, name, env, master_region)
             for name in sections}
    settings = SyncSettings(
        master_region=master_region.strip(), targets=rules,
        preferable_order=tuple(reader.get_list(MAIN, 'preferable_order')),
        list_images_timeout=_timeout(reader, sections))
    workers = reader.get_int(MAIN, 'max_children', 1)
    return LegacyConfig(reader.path, settings, creds, workers)


def _timeout(reader: _Reader, sections: Iterable[str]) -> float:
    """The largest ``list_images_timeout`` set anywhere.

    GlanceSync reads it per target; the rules take one value for the whole
    sync, so the most patient target wins.
    """
    values = [reader.get_number(MAIN, 'list_images_timeout', DEFAULT_TIMEOUT)]
    values += [reader.get_number(s, 'list_images_timeout', DEFAULT_TIMEOUT)
               for s in sections]
    return max(values)


def _target_rules(reader: _Reader, section: str) -> TargetRules:
    sets: dict[str, frozenset[str]] = {}
    for option, field in SET_OPTIONS.items():
        sets[field] = sets.get(field, frozenset()) | reader.get_set(
            section, option)
    for option, default in BOOL_OPTIONS.items():
        reader.get_bool(section, option, default)  # validate every one
    reader.warn_unknown(section, TARGET_OPTIONS)
    return TargetRules(
        name=section, metadata_condition=_condition(reader, section),
        only_tenant_images=reader.get_bool(section, 'only_tenant_images',
                                           True),
        support_obsolete_images=reader.get_bool(
            section, 'support_obsolete_images', True),
        tenant_id=reader.get(section, 'tenant_id') or None,
        # GlanceSync knows copies by name only.
        # follow_deactivation is inert without record_source.
        record_source=False, match_by=MATCH_BY_NAME,
        follow_deactivation=True, metadata_only=False,
        member_project_map=(), stores=frozenset(),
        copy_owner=COPY_OWNER_PROJECT, **sets)


def _condition(reader: _Reader, section: str) -> str | None:
    text = reader.get(section, 'metadata_condition')
    if not text:
        return None
    try:
        checks.check_condition(text)
    except ValueError as exc:
        raise ConfigError(reader.path, reader.where(section,
                                                    'metadata_condition'),
                          'metadata_condition', str(exc)) from exc
    return text


def _credentials(reader: _Reader, section: str, env: Mapping[str, str],
                 master_region: str) -> TargetCredentials:
    fields = _credential_fields(reader, section)
    if section == MASTER:
        for key, names in ENVIRONMENT.items():
            if not fields.get(key):
                fields[key] = next((env[n] for n in names if env.get(n)),
                                   None)
    missing = [k for k in CREDENTIAL_OPTIONS if not fields.get(k)]
    if missing:
        raise ConfigError(reader.path, section, 'credential',
                          _missing_reason(section, missing))
    return TargetCredentials(
        username=str(fields['user']), password=str(fields['password']),
        auth_url=str(fields['keystone_url']), project_name=fields['tenant'],
        project_id=fields.get('tenant_id'),
        region_name=master_region if section == MASTER else None,
        **{k: fields.get(k) for k in DOMAIN_OPTIONS})


def _missing_reason(section: str, missing: list[str]) -> str:
    reason = ('missing; set credential = user,base64(password),keystone_url,'
              'tenant or the options %s (missing: %s)'
              % (', '.join(CREDENTIAL_OPTIONS), ', '.join(missing)))
    if section == MASTER:
        env = ', '.join(ENVIRONMENT[k][0] for k in missing)
        reason += ', or the environment variables %s' % env
    return reason


def _credential_fields(reader: _Reader, section: str) -> dict[str, str | None]:
    """The credential as the file gives it (possibly incomplete)."""
    fields: dict[str, str | None] = {
        k: reader.get(section, k) for k in DOMAIN_OPTIONS + ('tenant_id',)}
    plain = {k: reader.get(section, k) for k in CREDENTIAL_OPTIONS}
    credential = reader.get(section, 'credential')
    if all(plain.values()) or not credential:
        fields.update(plain)
        return fields
    fields.update(_split_credential(reader, section, credential))
    return fields


def _split_credential(reader: _Reader, section: str,
                      value: str) -> dict[str, str | None]:
    where = reader.where(section, 'credential')
    parts = [p.strip() for p in value.split(',')]
    if len(parts) != 4 or not all(parts):
        raise ConfigError(reader.path, where, 'credential',
                          'expected 4 non-empty comma separated fields '
                          '(user,base64(password),keystone_url,tenant), '
                          'found %d' % len(parts))
    return {'user': parts[0], 'password': _decode(reader, where, parts[1]),
            'keystone_url': parts[2], 'tenant': parts[3]}


def _decode(reader: _Reader, section: str, encoded: str) -> str:
    try:
        raw = base64.b64decode(''.join(encoded.split()), validate=True)
        return raw.decode('utf-8')
    except (binascii.Error, ValueError) as exc:
        # The message must not quote the secret, not even encoded.
        raise ConfigError(reader.path, section, 'credential',
                          'the password (second field) is not valid '
                          'base64-encoded UTF-8 text') from exc


class _Parser(configparser.ConfigParser):
    """configparser that remembers how each option name was written."""

    def __init__(self) -> None:
        # strict: a section or an option given twice is an error, as in
        # FIWARE's parser, not silently merged.
        super().__init__(strict=True)
        #: Option name as read (lower case) -> as written first.
        self.written: dict[str, str] = {}

    def optionxform(self, optionstr: str) -> str:
        name = optionstr.lower()
        self.written.setdefault(name, optionstr)
        return name


def _parse(path: str | None) -> _Parser:
    parser = _Parser()
    if path is None:
        return parser
    try:
        text = checks.read_utf8(path)
        parser.read_string(text, source=path)
    except ValueError as exc:  # not UTF-8; names the line
        raise ConfigError(path, reason=str(exc)) from exc
    except OSError as exc:
        raise ConfigError(path, reason='cannot read the file: %s'
                          % (exc.strerror or exc)) from exc
    except configparser.Error as exc:
        raise ConfigError(path, reason=_parse_error(exc, parser.written)
                          ) from exc
    return parser


def _parse_error(exc: configparser.Error, written: dict[str, str]) -> str:
    """What is wrong and where, never the text of a line or a value: a
    line configparser cannot read is often a piece of a credential."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return 'line %d: option before the first [section]' % exc.lineno
    if isinstance(exc, configparser.ParsingError):
        lines = ', '.join(str(n) for n, _text in exc.errors)
        return ('cannot parse line %s: neither [section], option = value '
                'nor an indented continuation (the text is not shown: it '
                'may be part of a secret)' % lines)
    if isinstance(exc, configparser.DuplicateSectionError):
        return 'line %s: section [%s] given twice' % (exc.lineno,
                                                       exc.section)
    if isinstance(exc, configparser.DuplicateOptionError):
        return 'line %s: [%s] %s given twice' % (
            exc.lineno, exc.section,
            _shown_name(exc.option, written.get(exc.option, exc.option)))
    return type(exc).__name__


def _looks_like_option(written: str) -> bool:
    """Whether a name, as written, looks like an option rather than a value.

    Every option is lower case letters and underscores; one without an
    underscore must be close to a known one (a typo) to be shown, since a
    short base64 password can be plain lower case letters too.
    """
    if not _OPTION_NAME.fullmatch(written):
        return False
    known = TARGET_OPTIONS | MAIN_OPTIONS
    return '_' in written or bool(
        difflib.get_close_matches(written, known, n=1, cutoff=0.8))


def _shown_name(name: str, written: str) -> str:
    """The option name for a message, unless it looks like a value."""
    if _looks_like_option(written):
        return name
    return 'an option (name not shown: it does not look like one, maybe ' \
        'a value whose line lost its indentation)'


def _interpolation_error(exc: configparser.InterpolationError) -> str:
    """configparser's messages quote the value; ours never do (it may be a
    password)."""
    if isinstance(exc, configparser.InterpolationMissingOptionError):
        return ('the value refers with %(...)s to an option that does not '
                'exist (write %% for a literal %; the value is not shown)')
    if isinstance(exc, configparser.InterpolationDepthError):
        return ('the value\'s %(...)s references nest too deep (the value '
                'is not shown)')
    return ("a '%' in the value is neither %% nor %(option)s (write %% "
            "for a literal %; the value is not shown)")


def unfold(value: str) -> str:
    """One line from a value continued over several lines.

    A backslash at the end of a line (GlanceSync's files use it) and the
    line break itself both become one space.
    """
    return ' '.join(_CONTINUATION.sub(' ', value).split())


class _Reader:
    """Typed access to a parsed file; errors name file, section, option."""

    def __init__(self, path: str | None,
                 parser: _Parser) -> None:
        self.path = path
        self.parser = parser

    def target_sections(self) -> list[str]:
        names = [s for s in self.parser.sections() if s != MAIN]
        if IGNORED_SECTION in names:
            # GlanceSync skipped it too: a common misspelling of DEFAULT.
            LOG.warning('%s: [%s] is not [DEFAULT]; section ignored',
                        self.path, IGNORED_SECTION)
            names.remove(IGNORED_SECTION)
        for name in names:
            try:
                checks.check_target_name(name)
            except ValueError as exc:
                raise ConfigError(self.path, name, None, str(exc)) from exc
        return names if MASTER in names else [MASTER] + names

    def override(self, item: str) -> None:
        key, sep, value = item.partition('=')
        key = key.strip()
        if not sep or not key:
            raise ConfigError(self.path, None, item,
                              'an override must be key=value or '
                              'section.key=value')
        section, _, option = key.rpartition('.')
        if not section:
            section = MAIN if option in MAIN_OPTIONS else DEFAULT
        self._set(section, option.strip().lower(), value)

    def _set(self, section: str, option: str, value: str) -> None:
        if section in (MAIN, MASTER) and not self.parser.has_section(section):
            self.parser.add_section(section)
        if section != DEFAULT and not self.parser.has_section(section):
            raise ConfigError(self.path, section, option,
                              'unknown target %r in an override' % section)
        self.parser.set(section, option, value.replace('%', '%%'))

    def where(self, section: str, option: str) -> str:
        """``DEFAULT`` when ``section`` inherits the option from there."""
        defaults = self.parser.defaults()
        if option in defaults and section != DEFAULT and (
                self._raw(section, option) == defaults[option]):
            return DEFAULT
        return section

    def _raw(self, section: str, option: str) -> str | None:
        if not self.parser.has_section(section):
            return self.parser.defaults().get(option)
        return self.parser.get(section, option, raw=True, fallback=None)

    def get(self, section: str, option: str) -> str | None:
        """The value, unfolded to one line; ``None`` when not set."""
        try:
            if self.parser.has_section(section):
                value = self.parser.get(section, option, fallback=None)
            else:
                value = self.parser.get(DEFAULT, option, fallback=None)
        except configparser.InterpolationError as exc:
            raise ConfigError(self.path, self.where(section, option),
                              option, _interpolation_error(exc)) from None
        return None if value is None else unfold(value)

    def get_list(self, section: str, option: str) -> list[str]:
        value = self.get(section, option) or ''
        return [item for item in _SEPARATORS.split(value) if item]

    def get_set(self, section: str, option: str) -> frozenset[str]:
        return frozenset(self.get_list(section, option))

    def get_bool(self, section: str, option: str, default: bool) -> bool:
        value = self.get(section, option)
        if value is None or value == '':
            return default
        states = configparser.ConfigParser.BOOLEAN_STATES
        if value.lower() not in states:
            raise ConfigError(self.path, self.where(section, option), option,
                              'not a boolean: %r (use true or false)' % value)
        return states[value.lower()]

    def get_number(self, section: str, option: str, default: float) -> float:
        value = self.get(section, option)
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not (number > 0 and math.isfinite(number)):
            raise ConfigError(self.path, self.where(section, option), option,
                              'not a positive finite number: %r' % value)
        return number

    def get_int(self, section: str, option: str, default: int) -> int:
        value = self.get(section, option)
        if not value:
            return default
        # str.isdigit() accepts '²', which int() does not.
        if not _DIGITS.fullmatch(value) or int(value) < 1:
            raise ConfigError(self.path, self.where(section, option), option,
                              'not a positive integer: %r' % value)
        return int(value)

    def warn_unknown(self, section: str, known: Iterable[str]) -> None:
        if not self.parser.has_section(section):
            return
        names = set(known) | MAIN_OPTIONS
        for option in self.parser.options(section):
            if option not in names:
                self._warn_unknown(section, option)

    def _warn_unknown(self, section: str, option: str) -> None:
        where = self.where(section, option)
        written = self.parser.written.get(option, option)
        if _looks_like_option(written):
            LOG.warning('%s: [%s] %s: unknown option, ignored', self.path,
                        where, option)
        else:
            LOG.warning('%s: [%s]: an unknown option whose name looks like '
                        'a value (a continued line that lost its '
                        'indentation?) is ignored; the name is not shown, it '
                        'may be part of a secret', self.path, where)
