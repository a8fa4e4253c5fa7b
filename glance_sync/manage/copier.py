"""The engine's copier for real regions, reporting progress.

:func:`make_copier` returns an :data:`glance_sync.engine.Copier` that
creates the record in the target region and streams the master image's
data into it with :func:`glance_sync.transfer.copy_image` (verified: a copy
whose size or hashes differ is deleted and reported), counting the bytes
for a :class:`~glance_sync.manage.progress.Progress` on the way.

A copy that keeps the master's id (``match_by = id``) fills the ``queued``
record an interrupted copy left with that id, and a failed one is kept
while still ``queued``: Glance never lets a deleted image's id be used
again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from glance_sync import engine, transfer
from glance_sync.manage.progress import Progress
from glance_sync.regions import base
from glance_sync.rules.actions import ImageRecord

__all__ = ['make_copier']


def make_copier(progress: Progress) -> engine.Copier:
    """A verified streaming copier that reports to ``progress``."""

    def copy(master_region: base.Region, master_image: base.Image,
             region: base.Region, record: ImageRecord) -> base.Image:
        progress.start_image(region.name, master_image.name,
                             master_image.size or 0)
        try:
            queued = _queued_record(region, record)
            source = _Counting(master_region, region.name, progress)
            new = transfer.copy_image(
                source, master_image, region, queued,
                keep_queued=record.image_id is not None)
        except Exception as exc:
            progress.finish_image(region.name, master_image.name, str(exc))
            raise
        progress.finish_image(region.name, master_image.name)
        return new

    return copy


def _queued_record(region: base.Region, record: ImageRecord) -> base.Image:
    """The record to fill: a new one, or the one left with the id to keep.

    :raises IdInUse: the id to keep is used by an image that is not a
        queued leftover, or was used before.
    """
    try:
        return region.create_image(
            record.name, visibility=record.visibility,
            properties=record.properties, disk_format=record.disk_format,
            container_format=record.container_format,
            min_disk=record.min_disk, min_ram=record.min_ram,
            image_id=record.image_id)
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


class _Counting(base.Region):
    """A source region whose downloads count the bytes they yield."""

    def __init__(self, region: base.Region, target: str,
                 progress: Progress) -> None:
        super().__init__(region.name)
        self._region = region
        self._target = target
        self._progress = progress

    def download(self, image_id: str) -> Iterator[bytes]:
        for chunk in self._region.download(image_id):
            self._progress.advance(self._target, len(chunk))
            yield chunk

    # Everything else is the real region's.

    def list_images(self, include_public: bool = False) -> list[base.Image]:
        return self._region.list_images(include_public)

    def get_image(self, image_id: str) -> base.Image:
        return self._region.get_image(image_id)

    def create_image(self, name: str, **kwargs: Any) -> base.Image:
        return self._region.create_image(name, **kwargs)

    def upload(self, image_id: str, chunks: Iterable[bytes],
               size: int | None = None) -> base.Image:
        return self._region.upload(image_id, chunks, size)

    def update(self, image_id: str, *, name: str | None = None,
               visibility: str | None = None,
               set_properties: Mapping[str, Any] | None = None,
               remove_properties: Iterable[str] = ()) -> base.Image:
        return self._region.update(
            image_id, name=name, visibility=visibility,
            set_properties=set_properties,
            remove_properties=remove_properties)

    def deactivate(self, image_id: str) -> None:
        self._region.deactivate(image_id)

    def reactivate(self, image_id: str) -> None:
        self._region.reactivate(image_id)

    def delete(self, image_id: str) -> None:
        self._region.delete(image_id)
