"""Registering a module-level option group safely.

``ConfigOpts.register_group`` keeps a *shallow* copy of the ``OptGroup`` it
is given, so the group's dict of options — and every ``set_override`` made
through it — would be shared by all the ``ConfigOpts`` of a process that
register the same module-level group: an override made for one
configuration (a test, a reloaded daemon) would leak into the next.
"""

from __future__ import annotations

from collections.abc import Sequence

from oslo_config import cfg

__all__ = ['register']


def register(conf: cfg.ConfigOpts, group: cfg.OptGroup,
             opts: Sequence[cfg.Opt]) -> None:
    """Register ``opts`` in a group of ``conf``'s own named like ``group``.

    :param conf: the configuration to register on.
    :param group: the module's group, used as a template only.
    :param opts: its options.
    """
    conf.register_group(cfg.OptGroup(group.name, title=group.title,
                                      help=group.help))
    conf.register_opts(opts, group=group.name)
