"""What the strategies use of a region beyond the Region interface.

A driver declares optional capabilities (:mod:`glance_sync.regions.base`);
these helpers use one when the region has it and do without it otherwise,
so the strategies never ask which driver a region is:

- :func:`upload`: a sized upload (:class:`~glance_sync.regions.base.
  SizedUpload`) when the size is known, else ``Region.upload``;
- :func:`locations`: where the data is in the backend
  (:class:`~glance_sync.regions.base.ImageLocations`), else none;
- :func:`can_pull`, :func:`import_methods`, :func:`start_download`,
  :func:`latest_task`: a region pulling from another one itself
  (:class:`~glance_sync.regions.base.RemoteImport`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from glance_sync.regions import base

__all__ = ['GLANCE_DOWNLOAD', 'add_location', 'can_pull', 'can_share',
           'import_methods', 'latest_task', 'locations', 'start_download',
           'upload']

GLANCE_DOWNLOAD = base.GLANCE_DOWNLOAD


def upload(region: base.Region, image_id: str, chunks: Iterable[bytes],
           size: int | None) -> base.Image:
    """``region.upload``, sized when the region can use the size.

    Errors raised by ``chunks`` abort the upload and propagate unchanged.

    :param size: the exact number of bytes ``chunks`` yields, if known.
    :returns: the record after the upload.
    :raises ImageNotFound: no such image.
    :raises Conflict: the image is not ``queued``.
    :raises RegionUnavailable: the service failed during the upload.
    """
    if size is not None and isinstance(region, base.SizedUpload):
        return region.upload_sized(image_id, chunks, size)
    return region.upload(image_id, chunks, size)


def locations(region: base.Region, image_id: str
              ) -> list[tuple[str, str | None]]:
    """Where an image's data is in the region's backend.

    :returns: ``(uri, store id)`` pairs; empty for a region that cannot
        tell.
    :raises ImageNotFound: no such image.
    :raises RegionUnavailable: the service did not answer.
    """
    if isinstance(region, base.ImageLocations):
        return region.locations(image_id)
    return []


def can_pull(region: base.Region) -> bool:
    """Whether the region's driver can import from another region."""
    return isinstance(region, base.RemoteImport)


def _importer(region: base.Region) -> base.RemoteImport:
    if not isinstance(region, base.RemoteImport):
        raise TypeError('region %s cannot import from another region'
                        % region.name)
    return region


def import_methods(region: base.Region) -> list[str]:
    """The import methods the region enables; none if it cannot pull.

    :raises RegionUnavailable: the service did not answer.
    """
    if not isinstance(region, base.RemoteImport):
        return []
    return region.import_methods()


def start_download(region: base.Region, image_id: str, source: base.Region,
                   source_id: str) -> None:
    """Ask ``region`` to pull ``source_id`` from ``source`` into its
    ``queued`` record ``image_id``
    (:meth:`~glance_sync.regions.base.RemoteImport.start_download`).

    :raises TypeError: the region cannot pull.
    """
    _importer(region).start_download(image_id, source, source_id)


def latest_task(region: base.Region, image_id: str) -> dict[str, Any] | None:
    """The newest import task of an image
    (:meth:`~glance_sync.regions.base.RemoteImport.latest_task`).

    :raises TypeError: the region cannot pull.
    """
    return _importer(region).latest_task(image_id)


def can_share(region: base.Region) -> bool:
    """Whether the region's driver can be given a location (zero-copy)."""
    return isinstance(region, base.SharedLocation)


def add_location(region: base.Region, image_id: str, url: str, *,
                 hash_algo: str | None, hash_value: str | None) -> None:
    """Give a ``queued`` image the data at ``url``
    (:meth:`~glance_sync.regions.base.SharedLocation.add_location`).

    :raises Refused: the region cannot be given locations, or its service
        does not allow it.
    """
    if not isinstance(region, base.SharedLocation):
        raise base.Refused(region.name, action='adding a location',
                           reason='its driver has no location API')
    region.add_location(image_id, url, hash_algo=hash_algo,
                        hash_value=hash_value)
