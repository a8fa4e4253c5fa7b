"""``compare``: what differs between the master and each region.

For every master image a region's target selects, from the region's plan
(:mod:`~glance_sync.replicator.planning`, listings only):

- ``missing``: the region has no copy (``pending_upload``);
- ``checksum``: its copy has other content (whatever the ``dontupdate``,
  ``replace`` and ``rename`` rules will do with it: see ``status``);
- ``metadata``: one row per field that differs (:mod:`~glance_sync.
  replicator.diff`), master value against region value.

A region that cannot be listed gives one ``error`` row. Copies are found
as the sync finds them (by name, or by id with ``match_by = id``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from glance_sync.replicator import diff, planning
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import Status
from glance_sync.sync.cloud import Cloud

__all__ = ['CHECKSUM', 'COLUMNS', 'ERROR', 'METADATA', 'MISSING', 'Difference',
           'compare_regions', 'compare_view']

MISSING = 'missing'
CHECKSUM = 'checksum'
METADATA = 'metadata'
ERROR = 'error'
#: The keys of :meth:`Difference.as_row`, in the order printed.
COLUMNS = ('region', 'image', 'difference', 'field', 'master_value',
           'region_value', 'status')


@dataclasses.dataclass(frozen=True)
class Difference:
    """One difference of one image (or one region's error)."""

    region: str
    image: str
    #: :data:`MISSING`, :data:`CHECKSUM`, :data:`METADATA` or
    #: :data:`ERROR`.
    difference: str
    field: str | None = None
    master_value: Any = None
    region_value: Any = None
    #: The image's sync status in the region (``None`` for an error).
    status: Status | None = None

    def as_row(self) -> dict[str, Any]:
        """The row ``glance-sync-manage compare`` prints."""
        row = dataclasses.asdict(self)
        row['status'] = self.status.value if self.status else None
        return row


def compare_regions(cloud: Cloud, names: Sequence[str],
                    parallel: int = 1) -> list[Difference]:
    """Every difference of every region, region by region, images in
    upload order (smallest first).

    :param parallel: regions listed at the same time.
    :raises RegionError: the master region cannot be listed.
    """
    index, views = planning.plan_regions(cloud, names, parallel)
    found = []
    for view in views:
        found.extend(compare_view(index, view))
    return found


def compare_view(index: MasterIndex,
                 view: planning.RegionView) -> list[Difference]:
    """The differences of one planned region."""
    if view.plan is None or view.rules is None:
        return [Difference(view.region, '', ERROR, region_value=view.error)]
    plan, rules = view.plan, view.rules
    names = {image.id: image.name for image in view.images}
    found = []
    for image, status in zip(plan.images, plan.codes):
        copy = plan.matched.get(image.name)
        if copy is None:
            if status is Status.PENDING_UPLOAD:
                found.append(Difference(view.region, image.name, MISSING,
                                        status=status))
            continue
        content = diff.content_differences(image, copy)
        fields = diff.metadata_differences(
            image, copy, rules, index.references.get(image.name, {}), names)
        found.extend(Difference(view.region, image.name, kind, d.field,
                                d.master, d.region, status)
                     for kind, diffs in ((CHECKSUM, content),
                                         (METADATA, fields))
                     for d in diffs)
    return found
