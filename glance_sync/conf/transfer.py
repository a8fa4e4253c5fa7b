"""Options of the transfer strategies (:mod:`glance_sync.transfer`).

``transfer_strategy`` picks how a target's copies move, and exists three
times like the rule options: in ``[DEFAULT]`` (``stream``), in ``[sync]``
and in each ``[target:<name>]`` group, where it is unset and inherited
(:func:`strategy_of` resolves it). ``[transfer]`` tunes the strategies;
``[transfer_store]`` tells the ``store`` strategy where the master's image
data lives::

    [sync]
    transfer_strategy = stream

    [target:master]
    transfer_strategy = glance-download

    [transfer_store]
    # The master glance-api's own configuration: its [glance_store] section
    # (or enabled_backends and their groups) says how to read its backend.
    config_file = /etc/glance/glance-api.conf
"""

from __future__ import annotations

from importlib import metadata

from oslo_config import cfg

from glance_sync.conf.numbers import FiniteFloatOpt

__all__ = ['DEFAULT_STRATEGY', 'STORE_GROUP', 'STRATEGY_NAMESPACE',
           'TRANSFER_GROUP', 'installed_strategies', 'list_opts',
           'register_opts', 'strategy_of', 'strategy_source', 'target_opts']

#: The strategy used when no group sets one.
DEFAULT_STRATEGY = 'stream'

#: The stevedore namespace of the strategies.
STRATEGY_NAMESPACE = 'glance_sync.transfer.strategies'

TRANSFER_GROUP = 'transfer'
STORE_GROUP = 'transfer_store'


def _groups() -> tuple[cfg.OptGroup, cfg.OptGroup]:
    # New objects each time: an OptGroup keeps the overrides of the
    # ConfigOpts it is registered with, so sharing one leaks them.
    return (cfg.OptGroup(TRANSFER_GROUP, title='Transfer strategies',
                         help='How image data moves from the master region '
                              'to the others.'),
            cfg.OptGroup(STORE_GROUP,
                         title='Master store for the store strategy',
                         help='Where the "store" strategy reads the '
                              'master\'s image data, with glance_store, '
                              'instead of through the master\'s API.'))

_STRATEGY_HELP = (
    'How image data reaches this target\'s regions: "stream" reads each '
    'master image once and feeds every region at the same time; "store" '
    'does the same reading the master\'s backend directly (see '
    '[transfer_store]); "glance-download" asks regions under the master\'s '
    'Keystone to pull the image themselves (the others are streamed); '
    '"sequential" copies to one region after another. Every copy is '
    'verified (size, md5 and the secure hash).')


def _strategy_opt(inherit_from: str | None) -> cfg.Opt:
    if inherit_from is None:
        return cfg.StrOpt('transfer_strategy', default=DEFAULT_STRATEGY,
                          help=_STRATEGY_HELP)
    return cfg.StrOpt('transfer_strategy',
                      help=_STRATEGY_HELP + ' Unset: the value in %s.'
                      % inherit_from)


_TRANSFER_OPTS: list[cfg.Opt] = [
    cfg.IntOpt('chunk_size', default=1024 * 1024, min=4096,
               help='Bytes per chunk read from the master and handed to '
                    'the regions.'),
    cfg.IntOpt('queue_chunks', default=16, min=1,
               help='Chunks waiting for each region before the reader '
                    'waits for it: a slow region slows every region down '
                    'only once its queue is full. Memory stays below about '
                    '(queue_chunks + 2) * chunk_size per image, whatever '
                    'the number of regions.'),
    FiniteFloatOpt('stall_timeout', default=300.0, min=1,
                 help='Seconds a region may keep a full queue without taking '
                      'a chunk before it is dropped from the copy (as '
                      'failed) and the other regions go on.'),
    cfg.IntOpt('cleanup_attempts', default=6, min=1,
               help='Tries to delete a failed copy while its region does '
                    'not answer, 1 s apart then twice as long each time '
                    '(6: for about 30 s), so that a region back soon after '
                    'failing keeps no broken copy.'),
    FiniteFloatOpt('gather_window', default=60.0, min=0,
                 help='When several regions are synchronised at the same '
                      'time, seconds the first region to reach an image '
                      'waits for the others that will copy it too, so that '
                      'the image is read once for all of them.'),
    FiniteFloatOpt('import_poll_interval', default=2.0, min=0.05,
                 help='Seconds between two looks at a glance-download '
                      'import task.'),
    FiniteFloatOpt('import_timeout', default=3600.0, min=1,
                 help='Seconds a glance-download import may take before it '
                      'is given up and its image deleted.'),
    cfg.BoolOpt('relay', default=False,
                help='Relay copies (daemon, "stream" strategy): a region '
                     'that holds a verified copy of the master image may '
                     'be the source of another region\'s copy, chosen by '
                     'the link costs of the [site:<name>] groups, so that '
                     'the image leaves the master\'s site once and the '
                     'copies spread as a tree. Off: every copy reads the '
                     'master.'),
    cfg.IntOpt('copies_per_source', default=2, min=1,
               help='With relay: how many copies one source (the master '
                    'or a relay region) feeds at the same time, across '
                    'every daemon sharing the coordination backend.'),
    FiniteFloatOpt('relay_wait', default=600.0, min=0,
                   help='With relay: seconds a copy waits for a cheaper '
                        'source that is busy (no free copy slot) or still '
                        'receiving the image before it reads a costlier '
                        'one (the master, at worst).'),
]

_STORE_OPTS: list[cfg.Opt] = [
    cfg.StrOpt('config_file',
               help='A glance-api.conf of the master region (its own, or a '
                    'copy with credentials for reading). Its [glance_store] '
                    'section, or enabled_backends and the backends\' '
                    'groups, configure glance_store as the master\'s '
                    'glance-api does.'),
    cfg.StrOpt('filesystem_store_datadir',
               help='Without config_file: the master\'s "file" store '
                    'directory, readable by glance-sync (a shared mount).'),
]


def target_opts() -> list[cfg.Opt]:
    """The options each ``[target:<name>]`` group gets (unset copies).

    :returns: new option objects, to register in one target group.
    """
    return [_strategy_opt('[sync], else [DEFAULT]')]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register ``[transfer]``, ``[transfer_store]`` and the strategy
    defaults of ``[DEFAULT]`` and ``[sync]``; registering twice is
    harmless."""
    conf.register_opt(_strategy_opt(None))
    conf.register_group(cfg.OptGroup('sync'))
    conf.register_opt(_strategy_opt('[DEFAULT]'), group='sync')
    for group, opts in zip(_groups(), (_TRANSFER_OPTS, _STORE_OPTS)):
        conf.register_group(group)
        conf.register_opts(opts, group=group.name)


def strategy_of(conf: cfg.ConfigOpts, target_group: str | None) -> str:
    """The strategy a target uses: its own group's, else ``[sync]``'s,
    else ``[DEFAULT]``'s.

    :param conf: options on which :func:`register_opts` was called.
    :param target_group: the target's group (``target:<name>``); ``None``
        or an unregistered group skips it.
    :returns: the strategy name, as configured (not checked here).
    """
    return strategy_source(conf, target_group)[1]


def strategy_source(conf: cfg.ConfigOpts,
                    target_group: str | None) -> tuple[str, str]:
    """Like :func:`strategy_of`, also saying which group set it.

    :returns: ``(group, name)``; the group is ``DEFAULT`` when no other
        one sets it.
    """
    for group in (target_group, 'sync'):
        if group is None:
            continue
        try:
            value = conf[group].transfer_strategy
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
            continue
        if value:
            return group, str(value)
    return 'DEFAULT', str(conf.transfer_strategy)


def installed_strategies() -> list[str]:
    """The names of the installed strategies (entry points of
    :data:`STRATEGY_NAMESPACE`), sorted."""
    found = metadata.entry_points(group=STRATEGY_NAMESPACE)
    return sorted({entry.name for entry in found})


def list_opts() -> list[tuple[str | cfg.OptGroup, list[cfg.Opt]]]:
    """The options of this module, for the config generator.

    The target groups' copy is shown with the other target options, in
    :mod:`glance_sync.conf.targets`.
    """
    transfer, store = _groups()
    return [('DEFAULT', [_strategy_opt(None)]),
            ('sync', [_strategy_opt('[DEFAULT]')]),
            (transfer, _TRANSFER_OPTS),
            (store, _STORE_OPTS)]
