"""What a target's regions receive: ``metadata_only``,
``member_project_map`` and ``stores`` of ``[target:<name>]``.

A target whose regions must never receive image data (a region that only
mirrors the catalogue, a site that gets its data another way) sets
``metadata_only = true``: the daemon and ``glance-sync-manage sync`` then
only update the metadata of the copies its regions already hold, and
never upload, replace or rename one. ``glance-sync-manage sync
--metadata-only`` does the same for one run, whatever the targets say.

The option lives in each target group, registered with the others by
:func:`glance_sync.conf.targets.register_target_opts`; the sample file
shows it in ``[target:master]``.
"""

from __future__ import annotations

from oslo_config import cfg

__all__ = ['list_opts', 'register_opts', 'target_opts']


def target_opts() -> list[cfg.Opt]:
    """The options of one target group.

    :returns: new option objects, to register in one target group.
    """
    return [cfg.BoolOpt(
        'metadata_only', default=False,
        help='Never copy image data to this target\'s regions: only the '
             'metadata (properties, visibility, name) of the copies they '
             'already hold follows the master; missing or different copies '
             'stay pending_upload, pending_replace or pending_rename.'),
        cfg.DictOpt(
            'member_project_map', default={},
            help='The members of shared images follow the master: under '
                 'the master\'s Keystone with the same project ids, under '
                 'another one by project name. This maps the master '
                 'project names that differ in this target\'s Keystone: '
                 '"dev:development,qa:quality". A member whose project is '
                 'not found is reported, never guessed.'),
        cfg.ListOpt(
            'stores', default=[],
            help='Stores of this target\'s Glances (enabled_backends) '
                 'that every copy must also be in, e.g. the stores of edge '
                 'sites: once a copy is active, its region copies it into '
                 'them itself with the copy-image import method (no data '
                 'goes through glance-sync), and glance-sync waits until '
                 'each store holds it. A store the import fails for is '
                 'reported.')]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Nothing global: the options are registered per target group."""


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """None of its own: :mod:`glance_sync.conf.targets` shows them."""
    return []
