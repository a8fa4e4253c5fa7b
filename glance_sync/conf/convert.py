"""Write the native ``glance-sync.conf`` equivalent of a legacy file.

``glance-sync-manage convert-config`` prints it. Every target gets a
``[target:<name>]`` group with a keystoneauth ``password`` plugin and the
rule options whose value differs from the built-in default, already
resolved (what the legacy file inherited from its ``[DEFAULT]`` is written
out in each target). Loading the result with
:func:`glance_sync.conf.native.load_files` gives the same settings, except
``record_source``, which native files enable: the converted file says how
to keep GlanceSync's exact behaviour.

The output holds the passwords in clear text, since it is a configuration
file; it is returned, never logged.
"""

from __future__ import annotations

from collections.abc import Iterable

from glance_sync.conf import targets
from glance_sync.conf.legacy import LegacyConfig, TargetCredentials
from glance_sync.rules.options import TargetRules

__all__ = ['convert_config']

_LIST_RULES = ('metadata_set', 'forcesyncs', 'dontupdate', 'rename',
               'replace', 'obsolete_syncprops', 'ignore_regions')
_BOOL_RULES = ('only_tenant_images', 'support_obsolete_images')
_DEFAULTS = TargetRules(name='')
_RECORD_SOURCE_NOTE = [
    '# GlanceSync records nothing on the copies; native configurations',
    '# record the master image id. To keep GlanceSync\'s exact behaviour:',
    '# record_source = false']


def convert_config(config: LegacyConfig) -> str:
    """The native configuration equivalent to a loaded legacy one.

    :param config: a configuration from :func:`glance_sync.conf.legacy.load`.
    :returns: the text of a ``glance-sync.conf``, ending with a newline.
    """
    lines = _header(config) + _sync_group(config)
    for name in config.targets:
        lines += [''] + _target_group(name, config.credentials[name],
                                      config.settings.targets[name])
    return '\n'.join(lines) + '\n'


def _header(config: LegacyConfig) -> list[str]:
    source = config.source or 'the environment (no file)'
    return ['# glance-sync.conf converted from %s' % source,
            '# by glance-sync-manage convert-config. It holds passwords:',
            '# make it readable by the glance-sync user only.', '']


def _sync_group(config: LegacyConfig) -> list[str]:
    settings = config.settings
    lines = ['[sync]', 'master_region = %s' % _escape(settings.master_region),
             'targets = %s' % ','.join(config.targets)]
    if settings.preferable_order:
        lines.append('preferable_order = %s'
                     % _join(settings.preferable_order, sort=False))
    # Always written: the native default (several regions at once, so
    # that they share each read) is not GlanceSync's (one).
    lines.append('parallelism = %d' % config.max_workers)
    lines.append('list_images_timeout = %s' % settings.list_images_timeout)
    return lines + _RECORD_SOURCE_NOTE


def _target_group(name: str, cred: TargetCredentials,
                  rules: TargetRules) -> list[str]:
    lines = ['[%s]' % targets.group_name(name)]
    lines += _auth_lines(cred)
    return lines + _rule_lines(rules)


def _auth_lines(cred: TargetCredentials) -> list[str]:
    options = [('auth_type', 'password'), ('auth_url', cred.auth_url),
               ('username', cred.username), ('password', cred.password),
               ('project_name', cred.project_name)]
    if not cred.project_name:
        options.append(('project_id', cred.project_id))
    # The legacy loader's plugin falls back on the "default" domain.
    domains = [('user_domain_name', cred.user_domain_name),
               ('user_domain_id', cred.user_domain_id),
               ('project_domain_name', cred.project_domain_name),
               ('project_domain_id', cred.project_domain_id),
               ('default_domain_id', 'default')]
    return ['%s = %s' % (key, _escape(value))
            for key, value in options + domains if value]


def _rule_lines(rules: TargetRules) -> list[str]:
    lines = []
    if rules.metadata_condition:
        lines.append('metadata_condition = %s'
                     % _escape(rules.metadata_condition))
    for option in _LIST_RULES:
        value = getattr(rules, option)
        if value != getattr(_DEFAULTS, option):
            lines.append('%s = %s' % (option, _join(value)))
    for option in _BOOL_RULES:
        value = getattr(rules, option)
        if value != getattr(_DEFAULTS, option):
            lines.append('%s = %s' % (option, str(value).lower()))
    if rules.tenant_id:
        lines.append('owner_project_id = %s' % _escape(rules.tenant_id))
    return lines


def _join(values: Iterable[str], sort: bool = True) -> str:
    items = sorted(values) if sort else list(values)
    return ','.join(_escape(v) for v in items)


def _escape(value: str) -> str:
    """oslo.config substitutes ``$name``: a literal ``$`` is ``$$``."""
    return ' '.join(value.split('\n')).replace('$', '$$')
