"""``size``: how many images, and bytes, a sync would copy to each region.

Counted from each region's plan (:mod:`~glance_sync.replicator.planning`):
every upload, replacement and rename-then-upload, with the master image's
size. This is exactly what the following ``sync`` moves if nothing changes
in between; only listings are read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from glance_sync.replicator import planning
from glance_sync.sync.cloud import Cloud
from glance_sync.sync.progress import human_bytes

__all__ = ['TOTAL', 'RegionSize', 'size_regions', 'total']

#: The region name of the total row.
TOTAL = 'total'


@dataclasses.dataclass(frozen=True)
class RegionSize:
    """What a sync would copy to one region (or to all, for the total)."""

    region: str
    images: int = 0
    bytes: int = 0
    #: Why the region could not be measured, if it could not.
    error: str | None = None

    @property
    def human(self) -> str:
        """:attr:`bytes` in binary units."""
        return human_bytes(self.bytes)

    def as_row(self) -> dict[str, object]:
        """The row ``glance-sync-manage size`` prints."""
        return {'region': self.region, 'images': self.images,
                'bytes': self.bytes, 'size': self.human,
                'error': self.error}


def size_regions(cloud: Cloud, names: Sequence[str],
                 parallel: int = 1) -> list[RegionSize]:
    """What a sync would copy to each region, in the order given.

    :param parallel: regions listed at the same time.
    :raises RegionError: the master region cannot be listed.
    """
    _, views = planning.plan_regions(cloud, names, parallel)
    sizes = []
    for view in views:
        if view.plan is None:
            sizes.append(RegionSize(view.region, error=view.error))
        else:
            sizes.append(RegionSize(view.region, len(view.plan.uploads),
                                    view.plan.upload_bytes))
    return sizes


def total(sizes: Sequence[RegionSize]) -> RegionSize:
    """The sum over regions (those that failed count for nothing)."""
    return RegionSize(TOTAL, sum(s.images for s in sizes),
                      sum(s.bytes for s in sizes))
