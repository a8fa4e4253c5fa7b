"""The ``[target:<name>]`` groups: one per target (Keystone).

Each holds the target's credentials, loaded by keystoneauth1's own helpers
(``auth_type`` picks any Keystone auth plugin; its options follow, e.g.
``auth_url``, ``username``, ``password``, ``project_name``,
``user_domain_name`` for ``password``), the session's TLS and timeout
options, and the target's rule options (unset: inherited from ``[sync]``,
then ``[DEFAULT]``).

The groups are dynamic: :func:`register_target_opts` is called for each
target named in ``[sync] targets`` once the files are read. The sample
file shows one, ``[target:master]``, with the ``password`` plugin.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from glance_sync.conf import rules, target_data, transfer
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import EndpointSettings

__all__ = ['PREFIX', 'endpoint_settings', 'group_name', 'list_opts',
           'register_opts', 'register_target_opts', 'target_of']

#: Target groups are named ``PREFIX + <target name>``.
PREFIX = 'target:'
#: The plugin shown in the sample file.
SAMPLE_AUTH_TYPE = 'password'

_OPTS = [
    # Not "tenant_id", GlanceSync's name: keystoneauth's password plugin
    # reads tenant_id as a deprecated name of project_id, the auth scope.
    cfg.StrOpt('owner_project_id',
               help='The project id that owns this target\'s copies, if not '
                    'the project the credentials are scoped to (GlanceSync\'s '
                    'tenant_id).'),
    cfg.StrOpt('match_by', default='name', choices=[
        ('name', 'a copy is the image with the master image\'s name, and '
                 'gets an id of its own (FIWARE GlanceSync)'),
        ('id', 'a copy is created with, and found by, the master image\'s '
               'UUID, so references to it (Nova, Heat) are the same in '
               'every region; Glance never reuses a deleted image\'s '
               'UUID, so an image deleted in a region cannot be copied '
               'there again (status error_id)')],
               help='How the copies of a master image are recognised in '
                    'this target\'s regions.'),
    cfg.BoolOpt('follow_deactivation', default=True,
                help='Deactivate and reactivate the copies glance-sync made '
                     'in this target\'s regions when their master image is '
                     'deactivated or reactivated (native configurations, '
                     'whose copies record their source; a legacy '
                     'configuration never does).'),
    cfg.ListOpt('master_projects', default=[],
                help='[target:master] only. The projects of the master '
                     'Keystone whose images are candidates for '
                     'synchronisation, by name or id (e.g. "admin, demo"), '
                     'all with the same rules; a name two of them use is '
                     'ignored as a duplicate. Resolved through the master '
                     'Keystone at start and on reload: an unknown project '
                     'is a configuration error. The master credentials must '
                     'see these projects\' images (an admin role). Empty: '
                     'the project the master credentials are scoped to '
                     '(GlanceSync).'),
    cfg.StrOpt('copy_owner', default='project', choices=[
        ('project', 'the project this target\'s credentials are scoped '
                    'to (or owner_project_id), as GlanceSync'),
        ('master', 'the master image\'s owner: for regions in the '
                   'master\'s Keystone, so that each master project\'s '
                   'users see their images in every region; the '
                   'credentials must be allowed to set an image\'s owner '
                   '(admin)')],
               help='Who owns the copies this target creates. The '
                    'target\'s regions are then read for the copies of '
                    'each master project as well as its own.'),
    cfg.StrOpt('interface', default='public', choices=[
        ('public', 'the endpoints users reach'),
        ('internal', 'the endpoints of the cloud\'s internal network'),
        ('admin', 'the admin endpoints')],
               help='The catalog interface of this target\'s image '
                    'endpoints: internal when glance-sync runs inside the '
                    'cloud\'s network. A region without an image endpoint '
                    'of that interface is skipped with a warning.'),
    cfg.DictOpt('endpoint_override', default={},
                help='Glance URLs to use instead of the catalog\'s, per '
                     'region of this target (bare names): "RegionTwo:'
                     'https://glance.r2.example:9292". A region listed here '
                     'is synchronised even when the catalog has no image '
                     'endpoint for it.'),
]


def group_name(target: str) -> str:
    """The group of a target: ``other`` → ``target:other``."""
    return PREFIX + target


def target_of(group: str) -> str | None:
    """The target a group configures, ``None`` if not a target group."""
    return group[len(PREFIX):] if group.startswith(PREFIX) else None


def _group(target: str) -> cfg.OptGroup:
    return cfg.OptGroup(group_name(target), title='Target %s' % target,
                        help='Credentials and rules of the target %r.'
                             % target)


def register_target_opts(conf: cfg.ConfigOpts, target: str) -> str:
    """Register a target's group: rules, keystoneauth auth and session.

    The auth plugin's own options are registered by keystoneauth when the
    plugin is loaded (``ks_loading.load_auth_from_conf_options``).
    Registering twice is harmless.

    :returns: the group name.
    """
    name = group_name(target)
    conf.register_group(_group(target))
    conf.register_opts(_OPTS + rules.inherited_opts('target')
                       + transfer.target_opts()
                       + target_data.target_opts(), group=name)
    ks_loading.register_auth_conf_options(conf, name)
    ks_loading.register_session_conf_options(conf, name)
    return name


def endpoint_settings(conf: cfg.ConfigOpts,
                      target: str) -> EndpointSettings:
    """The target's ``interface`` and ``endpoint_override`` (registered).

    :raises ConfigError: an override is not an http(s) URL.
    """
    section = conf[group_name(target)]
    where = ', '.join(conf.config_file) or None
    try:
        interface, overrides = (section.interface,
                                dict(section.endpoint_override))
    except (cfg.ConfigFileValueError, ValueError) as exc:
        raise ConfigError(where, group_name(target), None,
                          str(exc)) from exc
    for region, url in overrides.items():
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ('http', 'https') or not parts.netloc:
            raise ConfigError(where, group_name(target), 'endpoint_override',
                              'region %r: %r is not an http(s) URL'
                              % (region, url))
        overrides[region] = url.strip()
    return EndpointSettings(interface, overrides)


def register_opts(conf: cfg.ConfigOpts, names: Iterable[str] = ()) -> None:
    """Register the groups of the targets ``names`` (none by default)."""
    for name in names:
        register_target_opts(conf, name)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """An example target group, ``[target:master]``, for the generator."""
    opts = (ks_loading.get_auth_common_conf_options()
            + ks_loading.get_auth_plugin_conf_options(SAMPLE_AUTH_TYPE)
            + ks_loading.get_session_conf_options()
            + _OPTS + rules.inherited_opts('target')
            + transfer.target_opts() + target_data.target_opts())
    return [(_group('master'), opts)]
