"""The ``[sync]`` group: what the whole synchronisation needs.

Rule options set here are defaults for every target (they win over
``[DEFAULT]``, a target's own group wins over both).
"""

from __future__ import annotations

from oslo_config import cfg

from glance_sync.conf import groups
from glance_sync.conf import rules
from glance_sync.conf.numbers import FiniteFloatOpt

__all__ = ['GROUP', 'list_opts', 'register_opts']

GROUP = cfg.OptGroup(
    'sync', title='Synchronisation',
    help='The master region, the targets and how many regions are '
         'synchronised at once.')

_OPTS = [
    cfg.StrOpt('master_region',
               help='The region of the master target holding the images '
                    'every other region receives. Required.'),
    cfg.ListOpt('targets', default=[],
                help='The targets (each a Keystone with its own '
                     'credentials, configured in a [target:<name>] group). '
                     'The "master" target, where the master region is, is '
                     'required. Empty: every [target:<name>] group of the '
                     'configuration files.'),
    cfg.ListOpt('preferable_order', default=[],
                help='Regions synchronised first, in this order, when a '
                     'sync names no region or a whole target; the others '
                     'follow. Regions of other targets are written '
                     '"target:Region".'),
    cfg.IntOpt('parallelism', default=4, min=1,
               help='How many regions a full sync (glance-sync-manage sync, '
                    'the daemon\'s reconcile pass) handles at the same '
                    'time. Regions handled together share one read of each '
                    'master image (transfer strategies stream and store); '
                    '1 copies region after region, reading each image '
                    'again for every region.'),
    FiniteFloatOpt('list_images_timeout', default=30.0, min=0.1,
                 help='Seconds to wait for a region to list its images.'),
    cfg.BoolOpt('record_source', default=True,
                help='Record the master image id on each copy as a '
                     'property, so later syncs and crash recovery match '
                     'copies exactly instead of by name. Disable to behave '
                     'exactly like FIWARE GlanceSync.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register ``[sync]`` and its rule defaults on ``conf``."""
    groups.register(conf, GROUP, _OPTS + rules.inherited_opts('sync'))


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """The options of this module, for the config generator."""
    return [(GROUP, _OPTS + rules.inherited_opts('sync'))]
