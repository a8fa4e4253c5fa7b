"""``[coordination]`` options: the tooz backend shared by several daemons."""

from __future__ import annotations

from oslo_config import cfg

from glance_sync.conf import groups

__all__ = ['GROUP', 'OPTS', 'list_opts', 'register_opts']

GROUP = cfg.OptGroup(
    'coordination',
    title='Coordination between daemons',
    help='Locks that serialise the work on one (image, region) pair when '
         'several glance-sync daemons share one journal.')

OPTS: list[cfg.Opt] = [
    cfg.StrOpt('backend_url', secret=True,
               help='tooz backend URL, for example '
                    'redis://127.0.0.1:6379?namespace=glance_sync, '
                    'etcd3+http://127.0.0.1:2379 or '
                    'zookeeper://127.0.0.1:2181. Unset: locks are local to '
                    'the process, which is right for a single daemon only.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the ``[coordination]`` options on ``conf``."""
    groups.register(conf, GROUP, OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for the config generator."""
    return [(GROUP, OPTS)]
