"""What a transfer is given and what it returns, region by region.

A :class:`Target` is one region to copy to and what its copy should be;
:data:`Results` maps each region's name to its copy or its failure. Both
are shared by the strategy contract (:mod:`~glance_sync.transfer.base`)
and the record helpers (:mod:`~glance_sync.transfer.records`).

:data:`Copier` is the engine's view of a transfer, one copy at a time
(:func:`glance_sync.engine.apply_plan` calls it; :mod:`~glance_sync.
transfer.gathering` builds them over the strategies), and
:class:`RecordLike` what it needs of the engine's record
(:class:`~glance_sync.rules.actions.ImageRecord`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, Union

from glance_sync.regions import base

__all__ = ['Copier', 'RecordLike', 'Results', 'Target', 'TargetLike',
           'as_targets']


@dataclasses.dataclass(frozen=True)
class Target:
    """One region to copy an image to, and what the copy should be.

    ``record``: ``None`` copies the master image's record as it is; an
    :class:`~glance_sync.images.Image` of another region is a template
    (name, visibility, formats, ``min_disk``, ``min_ram``, extra
    properties and owner, ``None`` being the region's project); a record
    of this region in status ``queued`` was created by the caller and is
    filled in place.
    """

    region: base.Region
    record: base.Image | None = None
    #: On failure keep the copy if it is still ``queued`` (a copy that must
    #: keep the master's id: Glance never gives a deleted id back).
    keep_queued: bool = False
    #: Called with the size of each chunk handed to this region (progress
    #: reports, copy records); a region that pulls the data itself is
    #: reported once, with the image's size, when its copy is verified; a
    #: zero-copy location (no data moved) is never reported.
    on_bytes: Callable[[int], None] | None = dataclasses.field(
        default=None, compare=False)


#: What :meth:`TransferStrategy.transfer` accepts for a target.
TargetLike = Union[Target, tuple[base.Region, Union[base.Image, None]]]
#: Region name -> the active copy, or the exception that explains why not.
Results = dict[str, Union[base.Image, Exception]]


def as_targets(targets: Sequence[TargetLike]) -> list[Target]:
    """Normalise ``(region, record)`` pairs into :class:`Target` objects.

    :raises ValueError: a region appears twice.
    """
    found = [t if isinstance(t, Target) else Target(*t) for t in targets]
    names = [t.region.name for t in found]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError('region(s) %s given more than once'
                         % ', '.join(twice))
    return found


class RecordLike(Protocol):
    """What a copier needs of the engine's record (``ImageRecord``)."""

    @property
    def name(self) -> str: ...

    @property
    def visibility(self) -> str: ...

    @property
    def properties(self) -> Mapping[str, Any]: ...

    @property
    def owner(self) -> str | None: ...

    @property
    def disk_format(self) -> str | None: ...

    @property
    def container_format(self) -> str | None: ...

    @property
    def min_disk(self) -> int: ...

    @property
    def min_ram(self) -> int: ...

    @property
    def image_id(self) -> str | None: ...


#: ``copier(master_region, master_image, region, record) -> Image``: create
#: ``record`` in ``region`` with the master image's data and return the new
#: image (active). Raises ``CopyFailed`` when the copy does not arrive
#: intact (it has been removed).
Copier = Callable[[base.Region, base.Image, base.Region, RecordLike],
                  base.Image]
