"""Load a native ``glance-sync.conf`` (oslo.config).

::

    [sync]
    master_region = RegionOne
    targets = master, other

    [target:master]
    auth_type = password
    auth_url = http://keystone-a:5000/v3
    username = glance-sync
    password = secret
    project_name = admin
    user_domain_name = Default
    project_domain_name = Default
    metadata_set = nid, type

    [target:other]
    auth_type = v3applicationcredential
    ...

Usage::

    config = native.load_files(['/etc/glance-sync/glance-sync.conf'])
    config.settings            # SyncSettings, as from a legacy file
    config.auth_plugin('other')   # keystoneauth1 plugin of that target

or, from an already parsed ``ConfigOpts``, ``native.load(conf)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin as ks_plugin
from oslo_config import cfg

from glance_sync.conf import checks, rules, sites, sync, targets, transfer
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import EndpointSettings, SyncConfig
from glance_sync.rules.options import SyncSettings, TargetRules

__all__ = ['NativeConfig', 'load', 'load_files', 'parse_files',
           'register_opts']

PROJECT = 'glance-sync'
MASTER = 'master'
_SET_FIELDS = tuple(n for n in rules.RULE_OPTION_NAMES
                    if n not in ('metadata_condition', 'only_tenant_images',
                                 'support_obsolete_images'))


class NativeConfig(SyncConfig):
    """A loaded ``glance-sync.conf``; auth plugins come from keystoneauth."""

    def __init__(self, conf: cfg.ConfigOpts, settings: SyncSettings,
                 auth: dict[str, ks_plugin.BaseAuthPlugin],
                 max_workers: int) -> None:
        super().__init__(_files(conf), settings, max_workers)
        #: The parsed options, with every target group registered.
        self.conf = conf
        self._auth = auth

    def project_name(self, target: str) -> str | None:
        """The target group's ``project_name``, if its plugin has one."""
        self._check_target(target)
        try:
            name = self.conf[targets.group_name(target)].project_name
        except cfg.NoSuchOptError:
            return None
        return str(name) if name else None

    def endpoints(self, target: str) -> EndpointSettings:
        """The target group's ``interface`` and ``endpoint_override``."""
        self._check_target(target)
        return targets.endpoint_settings(self.conf, target)

    def _make_auth(self, target: str) -> ks_plugin.BaseAuthPlugin:
        return self._auth[target]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the static groups (``[DEFAULT]`` rules and ``[sync]``)."""
    rules.register_opts(conf)
    sync.register_opts(conf)


def load_files(paths: Sequence[str], conf: cfg.ConfigOpts | None = None,
               overrides: Iterable[str] = ()) -> NativeConfig:
    """Parse configuration files and load them (:func:`parse_files`, then
    :func:`load`).

    :param paths: the files, later ones overriding earlier ones.
    :param conf: options to parse into; other modules may have registered
        their options on it already (oslo.log's, for instance).
    :param overrides: ``option=value`` (``[DEFAULT]``) or
        ``group.option=value`` strings, applied over the files.
    :raises ConfigError: a file is missing, unparsable or wrong.
    """
    return load(parse_files(paths, conf), overrides)


def parse_files(paths: Sequence[str],
                conf: cfg.ConfigOpts | None = None) -> cfg.ConfigOpts:
    """Register the static options and parse the files into ``conf``.

    :returns: ``conf``, or a new ``ConfigOpts`` when none is given.
    :raises ConfigError: a file is missing or unparsable.
    """
    conf = cfg.ConfigOpts() if conf is None else conf
    register_opts(conf)
    _check_utf8(paths)
    try:
        conf([], project=PROJECT, default_config_files=list(paths),
             default_config_dirs=[], validate_default_values=True)
    except cfg.ConfigFilesNotFoundError as exc:
        raise ConfigError(', '.join(exc.config_files),
                          reason='cannot read the file') from exc
    except cfg.ConfigFilesPermissionDeniedError as exc:
        raise ConfigError(', '.join(exc.config_files),
                          reason='cannot read the file: permission denied'
                          ) from exc
    except OSError as exc:
        # oslo.config only turns "missing" and "permission denied" into
        # its own errors; a directory, for one, escapes as is.
        raise ConfigError(exc.filename or ', '.join(paths),
                          reason='cannot read the file: %s'
                          % (exc.strerror or exc)) from exc
    except cfg.ConfigFileParseError as exc:
        raise ConfigError(exc.config_file, reason=str(exc.msg)) from exc
    return conf


def _check_utf8(paths: Sequence[str]) -> None:
    """oslo.config lets a UnicodeDecodeError escape; name file and line.

    Files that cannot be read are left to oslo.config, which reports them.
    """
    for path in paths:
        try:
            checks.read_utf8(path)
        except OSError:
            continue
        except ValueError as exc:
            raise ConfigError(path, reason=str(exc)) from None


def load(conf: cfg.ConfigOpts, overrides: Iterable[str] = ()) -> NativeConfig:
    """Turn parsed options into settings and per-target credentials.

    Registers each target's group, loads each target's auth plugin (no
    network I/O) and validates every value.

    :param conf: parsed options on which :func:`register_opts` was called.
    :param overrides: see :func:`load_files`.
    :raises ConfigError: anything unusable, named by file, group, option.
    """
    names = _register_targets(conf, [_split_override(conf, item)
                                     for item in overrides])
    section = _get(conf, 'sync')
    master_region = section('master_region')
    if not master_region:
        raise ConfigError(_files(conf), 'sync', 'master_region', 'missing')
    settings = SyncSettings(
        master_region=master_region,
        targets={n: _target_rules(conf, n) for n in names},
        preferable_order=tuple(section('preferable_order')),
        list_images_timeout=section('list_images_timeout'),
        master_projects=_master_projects(conf, names))
    for name in names:
        _check_strategy(conf, name)
        targets.endpoint_settings(conf, name)  # a bad URL fails now
    sites.load_topology(conf)  # registers and checks [region:*], [site:*]
    # Every option registered so far, now: oslo.config checks a value
    # only when it is read, which for some is hours later.
    _check_all_values(conf)
    for name in names:
        _check_session_timeout(conf, targets.group_name(name))
    auth = {n: _auth_plugin(conf, n) for n in names}
    return NativeConfig(conf, settings, auth, section('parallelism'))


def _check_session_timeout(conf: cfg.ConfigOpts, group: str) -> None:
    """keystoneauth's ``timeout`` has no bounds: ``nan``, ``inf`` or a
    negative number would make every request hang or fail oddly.

    :raises ConfigError: it is set and not a finite positive number.
    """
    value = _get(conf, group)('timeout')
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ConfigError(_location(conf, group, 'timeout'), group,
                          'timeout', 'must be a finite positive number of '
                          'seconds, not %s' % value)


def _check_all_values(conf: cfg.ConfigOpts) -> None:
    """Read every registered option of every group.

    :raises ConfigError: the first bad value, named by file, group and
        option (and never quoted for a secret option).
    """
    read_default = _get(conf, 'DEFAULT')
    for name in list(conf):
        value = read_default(name)  # a group's value is the group
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            read_group = _get(conf, name)
            for option in list(value):
                read_group(option)


def _register_targets(conf: cfg.ConfigOpts,
                      overrides: list[tuple[str, str, str]]) -> list[str]:
    """Register every target group, applying the overrides on the way.

    The overrides of ``[sync] targets`` come first (they say which groups
    exist), then those of ``auth_type`` (they say which plugin options
    exist), then the rest.
    """
    def apply(wanted: Callable[[str, str], bool]) -> None:
        for group, option, value in overrides:
            if wanted(group, option):
                _override(conf, group, option, value)

    apply(lambda group, option: (group, option) == ('sync', 'targets'))
    names = _target_names(conf)
    for name in names:
        targets.register_target_opts(conf, name)
    apply(lambda group, option: option == 'auth_type')
    for name in names:
        _register_plugin_opts(conf, targets.group_name(name))
    apply(lambda group, option: option not in ('targets', 'auth_type'))
    return names


def _check_strategy(conf: cfg.ConfigOpts, target: str) -> None:
    """A target's transfer strategy must be installed: a typo is a
    configuration error at start, not a failed copy later."""
    transfer.register_opts(conf)
    group, name = transfer.strategy_source(conf, targets.group_name(target))
    installed = transfer.installed_strategies()
    if name not in installed:
        raise ConfigError(_location(conf, group, 'transfer_strategy'), group,
                          'transfer_strategy',
                          'unknown strategy %r (installed: %s)'
                          % (name, ', '.join(installed)))


def _register_plugin_opts(conf: cfg.ConfigOpts, group: str) -> None:
    """What keystoneauth registers when it loads the plugin, earlier."""
    auth_type = conf[group].auth_type
    if not auth_type:
        return
    try:
        opts = ks_loading.get_auth_plugin_conf_options(auth_type)
    except ks_exceptions.NoMatchingPlugin:
        return  # reported with the file's location when loading
    conf.register_opts(opts, group=group)


def _split_override(conf: cfg.ConfigOpts,
                    item: str) -> tuple[str, str, str]:
    key, sep, value = item.partition('=')
    group, _, option = key.strip().rpartition('.')
    if not sep or not option:
        raise ConfigError(_files(conf), None, item, 'an override must be '
                          'option=value or group.option=value')
    return group or 'DEFAULT', option, value


def _override(conf: cfg.ConfigOpts, group: str, option: str,
              value: str) -> None:
    try:
        conf.set_override(option, value,
                          None if group == 'DEFAULT' else group)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError) as exc:
        raise ConfigError(_files(conf), group, option,
                          'no such option to override') from exc
    except ValueError as exc:
        if _is_secret(conf, group, option):
            reason = 'bad override value (not shown: the option is secret)'
        else:
            reason = 'bad override value %r: %s' % (value, exc)
        raise ConfigError(_files(conf), group, option, reason) from None


def _target_names(conf: cfg.ConfigOpts) -> list[str]:
    names = list(_get(conf, 'sync')('targets'))
    if not names:
        found = (targets.target_of(s) for s in conf.list_all_sections())
        names = sorted(n for n in found if n is not None)
    for name in names:
        try:
            checks.check_target_name(name)
        except ValueError as exc:
            raise ConfigError(_files(conf), 'sync', 'targets',
                              str(exc)) from exc
    if MASTER not in names:
        raise ConfigError(_files(conf), 'sync', 'targets',
                          'the "master" target is required (add it to '
                          'targets and configure [target:master])')
    return [MASTER] + [n for n in names if n != MASTER]


def _target_rules(conf: cfg.ConfigOpts, target: str) -> TargetRules:
    value = _rule_getter(conf, target)
    condition = value('metadata_condition') or None
    if condition is not None:
        try:
            checks.check_condition(condition)
        except ValueError as exc:
            group = _rule_group(conf, target, 'metadata_condition')
            raise ConfigError(_location(conf, group, 'metadata_condition'),
                              group, 'metadata_condition', str(exc)) from exc
    own = _get(conf, targets.group_name(target))
    return TargetRules(
        name=target, metadata_condition=condition,
        only_tenant_images=value('only_tenant_images'),
        support_obsolete_images=value('support_obsolete_images'),
        tenant_id=own('owner_project_id'), match_by=own('match_by'),
        record_source=_get(conf, 'sync')('record_source'),
        follow_deactivation=own('follow_deactivation'),
        metadata_only=own('metadata_only'),
        member_project_map=tuple(sorted(own('member_project_map').items())),
        stores=frozenset(own('stores')),
        copy_owner=own('copy_owner'),
        **{name: frozenset(value(name)) for name in _SET_FIELDS})


def _master_projects(conf: cfg.ConfigOpts,
                     names: list[str]) -> tuple[str, ...]:
    """``[target:master] master_projects``, stripped; set elsewhere it is
    an error (only the master has candidates).

    :raises ConfigError: set in another target, or with an empty entry.
    """
    for name in names:
        group = targets.group_name(name)
        found = _get(conf, group)('master_projects')
        if name != MASTER and found:
            raise ConfigError(_location(conf, group, 'master_projects'),
                              group, 'master_projects',
                              'only [%s] may list master projects'
                              % targets.group_name(MASTER))
    group = targets.group_name(MASTER)
    projects = tuple(p.strip() for p in _get(conf, group)('master_projects'))
    if any(not p for p in projects):
        raise ConfigError(_location(conf, group, 'master_projects'), group,
                          'master_projects', 'an empty project name in %r'
                          % ', '.join(projects))
    return tuple(dict.fromkeys(projects))


def _rule_group(conf: cfg.ConfigOpts, target: str, option: str) -> str:
    """The group a target's rule option comes from."""
    for group in (targets.group_name(target), 'sync'):
        if _get(conf, group)(option) is not None:
            return group
    return 'DEFAULT'


def _rule_getter(conf: cfg.ConfigOpts, target: str) -> Any:
    def value(option: str) -> Any:
        return _get(conf, _rule_group(conf, target, option))(option)
    return value


def _get(conf: cfg.ConfigOpts, group: str) -> Any:
    """A reader of one group whose errors name the file and option."""
    def value(option: str) -> Any:
        try:
            section = conf if group == 'DEFAULT' else conf[group]
            return section[option]
        except (cfg.ConfigFileValueError, ValueError) as exc:
            raise ConfigError(_location(conf, group, option), group, option,
                              _value_error(conf, group, option, exc)
                              ) from None
        except (cfg.TemplateSubstitutionError, cfg.NoSuchOptError,
                cfg.NoSuchGroupError, RecursionError) as exc:
            # RecursionError: a value that substitutes itself, ${password}
            # in password.
            if isinstance(exc, cfg.NoSuchOptError) and (
                    exc.opt_name == option):
                raise  # the caller asked for an option that is not there
            raise ConfigError(_location(conf, group, option), group, option,
                              _SUBSTITUTION_ERROR) from None
    return value


#: A ``$`` in a value is oslo.config's substitution of another option.
_SUBSTITUTION_ERROR = (
    'the value has a $name or ${name} that is not an option to substitute '
    '(write $$ for a literal $; the value is not shown)')


def _value_error(conf: cfg.ConfigOpts, group: str, option: str,
                 exc: Exception) -> str:
    """oslo.config's message without its location (we give our own), and
    without the value for a secret option."""
    if _is_secret(conf, group, option):
        return 'not a valid value (the value is not shown: it is secret)'
    return str(exc).rpartition(' is not valid: ')[2]


def _is_secret(conf: cfg.ConfigOpts, group: str, option: str) -> bool:
    try:
        # oslo.config has no public accessor for a registered Opt; its own
        # log_opt_values() uses this one.
        info = conf._get_opt_info(option, None if group == 'DEFAULT'
                                  else group)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return True  # unknown: assume the worst
    return bool(getattr(info['opt'], 'secret', True))


def _auth_plugin(conf: cfg.ConfigOpts,
                 target: str) -> ks_plugin.BaseAuthPlugin:
    group = targets.group_name(target)
    _check_not_empty(conf, group)
    try:
        plugin = ks_loading.load_auth_from_conf_options(conf, group)
    except ks_exceptions.NoMatchingPlugin as exc:
        raise ConfigError(_location(conf, group, 'auth_type'), group,
                          'auth_type', 'unknown auth plugin %r' % exc.name
                          ) from exc
    except ks_exceptions.MissingRequiredOptions as exc:
        missing = ', '.join(o.dest for o in exc.options)
        raise ConfigError(_files(conf), group, missing,
                          'missing, required by auth_type %s'
                          % conf[group].auth_type) from exc
    except ks_exceptions.OptionError as exc:
        raise ConfigError(_files(conf), group, None, str(exc)) from exc
    except (cfg.ConfigFileValueError, ValueError, cfg.Error) as exc:
        # Every value was read by _check_all_values; keystoneauth's own
        # checks remain, and their text may quote a value: not shown.
        raise ConfigError(_files(conf), group, None,
                          'unusable auth options (%s)'
                          % type(exc).__name__) from None
    if plugin is None:
        raise ConfigError(_files(conf), group, 'auth_type',
                          'missing: every target needs credentials, e.g. '
                          'auth_type = password with auth_url, username, '
                          'password and project_name')
    return plugin


def _check_not_empty(conf: cfg.ConfigOpts, group: str) -> None:
    """An empty required auth option is missing too.

    keystoneauth only finds unset ones (``None``); ``auth_url =`` would
    get through and fail much later as an unusable catalog.

    :raises ConfigError: naming the first empty required option.
    """
    auth_type = conf[group].auth_type
    try:
        loader: Any = (ks_loading.get_plugin_loader(auth_type)
                       if auth_type else None)
    except ks_exceptions.NoMatchingPlugin:
        return  # reported with the file's location when loading
    for opt in loader.get_options() if loader else ():
        if opt.required and _value_or_none(conf, group, opt.dest) == '':
            raise ConfigError(_location(conf, group, opt.dest), group,
                              opt.dest, 'empty, required by auth_type %s'
                              % auth_type)


def _value_or_none(conf: cfg.ConfigOpts, group: str, option: str) -> Any:
    try:
        return conf[group][option]
    except cfg.NoSuchOptError:
        return None


def _location(conf: cfg.ConfigOpts, group: str, option: str) -> str:
    """The file that set an option, else every file read."""
    try:
        found = conf.get_location(option, None if group == 'DEFAULT'
                                  else group)
    except (cfg.Error, ValueError, RecursionError):
        # get_location substitutes the value too, and fails as reading it
        # did: fall back on the files.
        found = None
    detail = found.detail if found is not None else None
    return detail if detail and '/' in detail else _files(conf)


def _files(conf: cfg.ConfigOpts) -> str:
    return ', '.join(conf.config_file) or '<no configuration file>'
