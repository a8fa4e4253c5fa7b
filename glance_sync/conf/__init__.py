"""Configuration: every option of glance-sync and both file formats.

One module per option group (:mod:`~glance_sync.conf.rules` for the rule
defaults in ``[DEFAULT]``, :mod:`~glance_sync.conf.sync` for ``[sync]``,
:mod:`~glance_sync.conf.targets` for the ``[target:<name>]`` groups), each
with ``register_opts(conf)`` and ``list_opts()``; :mod:`~glance_sync.conf.
opts` gathers them for ``oslo-config-generator``. Loading a file gives a
:class:`~glance_sync.conf.loaded.SyncConfig`, whether it was a native
``glance-sync.conf`` (:mod:`~glance_sync.conf.native`) or a FIWARE
``glancesync.conf`` (:mod:`~glance_sync.conf.legacy`).

Nothing here reads a file or registers an option at import time.
"""

from __future__ import annotations

from oslo_config import cfg

from glance_sync.conf.errors import ConfigError

__all__ = ['ConfigError', 'register_opts']


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register every static option group on ``conf``.

    Target groups are dynamic: :func:`glance_sync.conf.native.load`
    registers them once it knows the targets.
    """
    from glance_sync.conf import opts

    for module in opts.option_modules():
        module.register_opts(conf)
