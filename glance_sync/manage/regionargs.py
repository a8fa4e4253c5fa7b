"""Region arguments, as GlanceSync's ``sync.py`` reads them.

- ``Region`` or ``master:Region``: a region of the master target;
- ``target:Region``: a region of another target;
- ``target:``: every region of that target except its ``ignore_regions``
  (and the master region);
- nothing: every region of the master target except its
  ``ignore_regions`` and the master region itself (offline: every region
  of the backup folder, any target, with the same exceptions).

Explicit regions keep the order given. As soon as a ``target:`` argument
or no argument at all is used, the whole list follows ``preferable_order``
first, then the order found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from glance_sync.images import MASTER_TARGET, qualified_name, split_name
from glance_sync.sync.cloud import Cloud, OfflineCloud

__all__ = ['default_regions', 'every_region', 'expand']


def expand(arguments: Sequence[str], cloud: Cloud) -> list[str]:
    """The qualified region names the arguments mean, without repeats.

    :raises UnknownRegion: a target is not configured.
    :raises RegionError: (online) a target's catalog cannot be read.
    """
    if not arguments:
        return _ordered(default_regions(cloud), cloud)
    names: list[str] = []
    whole_target = False
    for argument in arguments:
        target, region = split_name(argument)
        cloud.check_target(target, argument)
        if region:
            names.append(qualified_name(target, region))
        else:
            whole_target = True
            names.extend(_target_regions(cloud, target))
    names = list(dict.fromkeys(names))
    return _ordered(names, cloud) if whole_target else names


def default_regions(cloud: Cloud) -> list[str]:
    """What no region argument means (see the module docstring)."""
    targets: Iterable[str] = (cloud.config.targets
                              if isinstance(cloud, OfflineCloud)
                              else [MASTER_TARGET])
    names: list[str] = []
    for target in targets:
        names.extend(_target_regions(cloud, target))
    return names


def every_region(cloud: Cloud) -> list[tuple[str, str, bool]]:
    """``(target, qualified name, ignored)`` for every region of every
    target, the master region included."""
    found = []
    for target in cloud.config.targets:
        ignored = cloud.config.settings.targets[target].ignore_regions
        for region in cloud.regions_of(target):
            found.append((target, qualified_name(target, region),
                          region in ignored
                          or qualified_name(target, region) in ignored))
    return found


def _target_regions(cloud: Cloud, target: str) -> list[str]:
    ignored = cloud.config.settings.targets[target].ignore_regions
    names = []
    for region in cloud.regions_of(target):
        name = qualified_name(target, region)
        if region in ignored or name in ignored:
            continue
        if name == cloud.master_region:
            continue
        names.append(name)
    return names


def _ordered(names: list[str], cloud: Cloud) -> list[str]:
    """``preferable_order`` first (as written there), then the rest."""
    preferred = [qualified_name(*split_name(n))
                 for n in cloud.config.settings.preferable_order]
    first = [n for n in preferred if n in names]
    return first + [n for n in names if n not in first]
