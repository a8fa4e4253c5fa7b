"""``[api]`` options: the REST API (``glance-sync-api``, ``glance_sync.api``).

The API reads the same ``glance-sync.conf`` as the daemon: ``[sync]`` and
the ``[target:*]`` groups to know the regions, ``[database]`` for the task
journal, ``[keystone_authtoken]`` (keystonemiddleware's own options) to
check tokens and ``[oslo_policy]`` (oslo.policy's) for the rules file.
"""

from __future__ import annotations

from oslo_config import cfg

from glance_sync.conf import groups

__all__ = ['GROUP', 'OPTS', 'list_opts', 'register_opts']

GROUP = cfg.OptGroup(
    'api', title='REST API',
    help='The FIWARE GlanceSync v1 compatible REST API.')

_KEYSTONE_HELP = ('Tokens are checked by keystonemiddleware auth_token, '
                  'configured in [keystone_authtoken].')
_NOAUTH_HELP = ('No token is checked and every caller is an admin. For '
                'development only: never expose such an API.')

OPTS: list[cfg.Opt] = [
    cfg.HostAddressOpt('bind_host', default='0.0.0.0',
                       help='Address the quick-start server '
                            '(glance-sync-api) listens on. Under gunicorn '
                            'or uWSGI their own settings apply.'),
    cfg.PortOpt('bind_port', default=9393,
                help='Port the quick-start server (glance-sync-api) '
                     'listens on.'),
    cfg.IntOpt('threads', default=8, min=1,
               help='Requests the quick-start server handles at the same '
                    'time.'),
    cfg.IntOpt('region_cache_seconds', default=60, min=0,
               help='How long the list of regions read from each target\'s '
                    'Keystone catalog is kept before it is read again. 0 '
                    'reads it on every request.'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', _KEYSTONE_HELP),
                        ('noauth', _NOAUTH_HELP)],
               help='How callers are authenticated.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the ``[api]`` options on ``conf``."""
    groups.register(conf, GROUP, OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for the config generator."""
    return [(GROUP, OPTS)]
