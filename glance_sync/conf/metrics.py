"""``[metrics]`` options: the daemon's Prometheus metrics endpoint.

Off by default. With a ``port``, the ``glance-sync`` daemon serves
``http://<host>:<port>/metrics`` (prometheus_client's exposition format):
tasks by state and region, the sync lag per region, copies, bytes and
failures per region, events received and their lag. See
``doc/source/operations.rst``.
"""

from __future__ import annotations

from oslo_config import cfg

from glance_sync.conf import groups

__all__ = ['GROUP', 'OPTS', 'list_opts', 'register_opts']

GROUP = cfg.OptGroup(
    'metrics', title='Prometheus metrics',
    help='The glance-sync daemon\'s Prometheus metrics endpoint.')

OPTS: list[cfg.Opt] = [
    cfg.PortOpt('port', default=None,
                help='TCP port of the daemon\'s /metrics endpoint for '
                     'Prometheus. Unset (the default): no endpoint. Each '
                     'daemon of a host needs its own port.'),
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address the metrics endpoint listens on. The '
                            'endpoint has no authentication: keep it on '
                            'a local or management address.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the ``[metrics]`` options on ``conf``."""
    groups.register(conf, GROUP, OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for the config generator."""
    return [(GROUP, OPTS)]
