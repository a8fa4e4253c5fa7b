"""The engine's copier for real regions: the configured transfer strategies.

:func:`make_copier` returns a :class:`~glance_sync.transfer.gathering.
GatheringCopier` over each target's strategy (``[target:<name>]
transfer_strategy``, ``stream`` by default): the regions synchronised at
the same time share one read of each master image. :func:`reporting`
wraps it so that a :class:`~glance_sync.sync.progress.Progress` sees
each copy start, grow and end. :func:`offline_copier` copies into the
in-memory regions of an offline cloud.

A copy that keeps the master's id (``match_by = id``) fills the ``queued``
record an interrupted copy left with that id, and a failed one is kept
while still ``queued``: Glance never lets a deleted image's id be used
again.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from glance_sync.regions import base
from glance_sync.sync.progress import Progress
from glance_sync.transfer import gathering
from glance_sync.transfer.loader import StrategySelector
from glance_sync.transfer.targets import Copier, RecordLike, Target

__all__ = ['make_copier', 'offline_copier', 'prepare_target', 'reporting']


def make_copier(config: Any, progress: Progress | None = None, *,
                arrival_grace: float = 0.0) -> gathering.GatheringCopier:
    """The gathering copier of a loaded configuration.

    :param config: a :class:`~glance_sync.conf.loaded.SyncConfig` (a legacy
        one uses the default strategy everywhere).
    :param progress: counts the bytes handed to each region.
    :param arrival_grace: see :class:`~glance_sync.transfer.gathering.
        GatheringCopier`.
    """
    return gathering.GatheringCopier(StrategySelector.from_config(config),
                                     prepare=prepare_target(progress),
                                     arrival_grace=arrival_grace)


def offline_copier() -> Copier:
    """The copier of an offline sync: the ``fake`` strategy, which gives
    each in-memory copy the master's size, checksum and hashes without
    data (as GlanceSync's mock did)."""
    return gathering.strategy_copier(StrategySelector(strategy='fake'),
                                     prepare=prepare_target())


def prepare_target(progress: Progress | None = None) -> gathering.Prepare:
    """Builds each copy's :class:`~glance_sync.transfer.targets.Target` from
    the engine's record: a template, or, for a record that keeps the
    master's id, the ``queued`` record created (or found) with that id."""

    def prepare(region: base.Region, master_image: base.Image,
                record: RecordLike) -> Target:
        on_bytes = (None if progress is None
                    else functools.partial(progress.advance, region.name))
        if record.image_id is None:
            return dataclasses.replace(
                gathering.target_of(region, master_image, record),
                on_bytes=on_bytes)
        return Target(region, _queued_record(region, record),
                      keep_queued=True, on_bytes=on_bytes)

    return prepare


def reporting(copier: Copier, progress: Progress) -> Copier:
    """``copier``, telling ``progress`` when each copy starts and ends."""

    def copy(master_region: base.Region, master_image: base.Image,
             region: base.Region, record: RecordLike) -> base.Image:
        progress.start_image(region.name, master_image.name,
                             master_image.size or 0)
        try:
            new = copier(master_region, master_image, region, record)
        except Exception as exc:
            progress.finish_image(region.name, master_image.name, str(exc))
            raise
        progress.finish_image(region.name, master_image.name)
        return new

    return copy


def _queued_record(region: base.Region, record: RecordLike) -> base.Image:
    """The record to fill: a new one, or the one left with the id to keep.

    :raises IdInUse: the id to keep is used by an image that is not a
        queued leftover, or was used before.
    """
    extra = {'owner': record.owner} if record.owner else {}
    try:
        return region.create_image(
            record.name, visibility=record.visibility,
            properties=record.properties, disk_format=record.disk_format,
            container_format=record.container_format,
            min_disk=record.min_disk, min_ram=record.min_ram,
            image_id=record.image_id, **extra)
    except base.IdInUse:
        left = _leftover(region, str(record.image_id))
        if left is None:
            raise
        return left


def _leftover(region: base.Region, image_id: str) -> base.Image | None:
    try:
        found = region.get_image(image_id)
    except base.ImageNotFound:
        return None
    return found if found.status == 'queued' else None
