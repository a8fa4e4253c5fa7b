"""The region interface: what glance-sync may ask of one Glance.

A :class:`Region` is one image service in one region of one target (a
Keystone with its own credentials). It only does what it is told: the rules
decide, the engine applies, the region executes. The implementations live
in ``drivers/``: ``glance.py`` for a real Glance v2, ``memory.py`` for the
in-memory facade loaded from backup CSV files (the no-op driver tests use),
``dumpdir.py`` for a dump folder; the cloud of regions
(:mod:`glance_sync.sync.cloud`) builds them.

Images cross this boundary as :class:`~glance_sync.images.Image` records,
never as client objects. Errors cross it as the exceptions below, whose
messages name the region and the image so an operator can act on them.

Beyond :class:`Region`, a driver may declare optional capabilities that the
transfer strategies use when present: :class:`SizedUpload`,
:class:`ImageLocations`, :class:`RemoteImport`, :class:`DatalessCopy`.

Thread safety: one ``Region`` object may be used from several threads at
once; implementations must make their calls safe for that (a keystoneauth
session is; the in-memory driver takes a lock).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from glance_sync.images import MASTER_TARGET, Image, qualified_name
from glance_sync.images import split_name
from glance_sync.regions.query import ImageQuery, filter_images

# The value type and the name helpers are part of the interface drivers
# implement: they are re-exported for them (defined in glance_sync.images).
__all__ = [
    'AuthFailed', 'Conflict', 'CopyFailed', 'DatalessCopy',
    'GLANCE_DOWNLOAD', 'IdInUse', 'Image', 'ImageLocations', 'ImageNotFound',
    'MASTER_TARGET', 'Refused', 'Region', 'RegionError', 'RegionUnavailable',
    'RemoteImport', 'SizedUpload', 'qualified_name', 'split_name',
    'ImageQuery', 'filter_images',
]


class RegionError(Exception):
    """Base of the errors a region reports; ``region`` names it."""

    message = 'Error in region %(region)s'

    def __init__(self, region: str, **kwargs: Any) -> None:
        self.region = region
        self.kwargs = kwargs
        for key, value in kwargs.items():
            setattr(self, key, value)
        super().__init__(self.message % dict(kwargs, region=region))


class RegionUnavailable(RegionError):
    """The region's Glance or Keystone did not answer or answered 5xx."""

    message = 'Region %(region)s is unavailable: %(reason)s'


class AuthFailed(RegionError):
    """Keystone refused the target's credentials."""

    message = 'Authentication failed for region %(region)s: %(reason)s'


class ImageNotFound(RegionError):
    """The region has no image with that id."""

    message = 'Image %(image)s not found in region %(region)s'


class Conflict(RegionError):
    """The region refused a change because of the image's state or id."""

    message = 'Conflict on image %(image)s in region %(region)s: %(reason)s'


class IdInUse(Conflict):
    """The region refused to create an image with the id asked for: an
    image has it, or had it and was deleted (Glance never reuses an id)."""

    message = ('Region %(region)s refuses to create an image with the id '
               '%(image)s: %(reason)s')


class Refused(RegionError):
    """The region refused a request it understood (policy, quota, invalid
    value): retrying the same request will not help."""

    message = 'Region %(region)s refused %(action)s: %(reason)s'


class CopyFailed(RegionError):
    """A copy did not arrive intact; the broken copy has been removed."""

    message = ('Copy of image %(image)s to region %(region)s failed: '
               '%(reason)s')


class Region(metaclass=abc.ABCMeta):
    """One image service. Calls block until the service has answered."""

    def __init__(self, name: str) -> None:
        #: The qualified name, ``Region`` or ``target:Region``.
        self.name = name

    @abc.abstractmethod
    def list_images(self, include_public: bool = False) -> list[Image]:
        """Every image of the target's project in this region.

        :param include_public: also list other projects' public images.
        :returns: the images, in no particular order.
        :raises RegionUnavailable: the service did not answer.
        :raises AuthFailed: the credentials were refused.
        """

    def find_images(self, query: ImageQuery) -> list[Image]:
        """The images of :meth:`list_images` that ``query`` wants (a
        targeted read: what one image's plan needs); the project's before
        others' public ones, and those of one name in the listing's
        order.

        This default lists everything and filters; drivers of remote
        services override it with server-side filters, keeping exactly
        these semantics.

        :param query: the names, ids and recorded sources wanted, and
            whether other projects' public images count.
        :returns: the wanted images, each once.
        :raises RegionUnavailable: the service did not answer.
        :raises AuthFailed: the credentials were refused.
        """
        if query.empty:
            return []
        return filter_images(self.list_images(query.include_public), query)

    @abc.abstractmethod
    def get_image(self, image_id: str) -> Image:
        """One image by id.

        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def create_image(self, name: str, *, visibility: str,
                     properties: Mapping[str, Any],
                     disk_format: str | None = None,
                     container_format: str | None = None,
                     min_disk: int = 0, min_ram: int = 0,
                     image_id: str | None = None,
                     owner: str | None = None) -> Image:
        """Create an image record (status ``queued``) without data.

        :param image_id: the id to give it; ``None`` lets the region choose.
        :param owner: the project to own it; ``None``: the project the
            region's credentials work in.
        :returns: the new record.
        :raises IdInUse: ``image_id`` is taken or was used before.
        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def upload(self, image_id: str, chunks: Iterable[bytes],
               size: int | None = None) -> Image:
        """Store the image's data, read from ``chunks`` as it streams.

        Implementations never hold the whole image in memory.

        :param size: the expected size, when known.
        :returns: the record after the upload (normally ``active``).
        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service failed during the upload.
        """

    @abc.abstractmethod
    def update(self, image_id: str, *, name: str | None = None,
               visibility: str | None = None,
               set_properties: Mapping[str, Any] | None = None,
               remove_properties: Iterable[str] = ()) -> Image:
        """Change name, visibility and extra properties in one call.

        :returns: the record after the change.
        :raises ImageNotFound: no such image.
        :raises Conflict: the region refused the change.
        """

    @abc.abstractmethod
    def deactivate(self, image_id: str) -> None:
        """Make an active image's data unavailable (reversible).

        :raises ImageNotFound: no such image.
        """

    @abc.abstractmethod
    def reactivate(self, image_id: str) -> None:
        """Undo :meth:`deactivate`.

        :raises ImageNotFound: no such image.
        """

    @abc.abstractmethod
    def delete(self, image_id: str) -> None:
        """Delete an image and its data. Deleting a deleted image is a no-op.

        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def download(self, image_id: str) -> Iterator[bytes]:
        """The image's data as an iterator of chunks, read lazily.

        :raises ImageNotFound: no such image, or it has no data.
        """

    def rename(self, image_id: str, new_name: str) -> Image:
        """Rename an image; a shortcut for :meth:`update`."""
        return self.update(image_id, name=new_name)


# Optional capabilities. A driver declares one by inheriting its class as
# well as Region; the transfer strategies check with isinstance() and do
# without it (a chunked upload, no locations, no pulls) when it is absent.

#: The import method of a region pulling from another region's Glance.
GLANCE_DOWNLOAD = 'glance-download'


class SizedUpload(metaclass=abc.ABCMeta):
    """A region that uploads faster when it knows the size beforehand."""

    @abc.abstractmethod
    def upload_sized(self, image_id: str, chunks: Iterable[bytes],
                     size: int) -> Image:
        """:meth:`Region.upload` of exactly ``size`` bytes.

        Errors raised by ``chunks`` abort the upload and propagate
        unchanged. Thread-safe like :meth:`Region.upload`.

        :returns: the record after the upload.
        :raises ImageNotFound: no such image.
        :raises Conflict: the image is not ``queued``.
        :raises RegionUnavailable: the service failed during the upload.
        """


class ImageLocations(metaclass=abc.ABCMeta):
    """A region that tells where an image's data is in its backend."""

    @abc.abstractmethod
    def locations(self, image_id: str) -> list[tuple[str, str | None]]:
        """Where the image's data is, as the service shows it.

        :returns: ``(uri, store id)`` pairs (the store id may be ``None``);
            empty when the service shows none.
        :raises ImageNotFound: no such image.
        :raises RegionUnavailable: the service did not answer.
        """


class RemoteImport(metaclass=abc.ABCMeta):
    """A region that can pull an image's data from another region itself
    (Glance's ``glance-download`` import)."""

    @abc.abstractmethod
    def import_methods(self) -> list[str]:
        """The import methods the service enables.

        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def start_download(self, image_id: str, source: Region,
                       source_id: str) -> None:
        """Ask the service to pull ``source_id``'s data from ``source``
        into the ``queued`` record ``image_id``; returns once the import
        has started (see :meth:`latest_task`).

        :raises Conflict: the image is not ``queued``.
        :raises Refused: the method is not enabled or not allowed.
        :raises RegionUnavailable: the service did not answer.
        """

    @abc.abstractmethod
    def latest_task(self, image_id: str) -> dict[str, Any] | None:
        """The newest import task of an image.

        :returns: the task (``status``: pending, processing, success or
            failure; ``message``), ``None`` if the image has none.
        :raises RegionUnavailable: the service did not answer.
        """


class DatalessCopy(metaclass=abc.ABCMeta):
    """A region that records an upload without data (the in-memory
    driver: GlanceSync's mock), for the ``fake`` strategy."""

    @abc.abstractmethod
    def set_data_info(self, image_id: str, *, size: int | None,
                      checksum: str | None, os_hash_algo: str | None = None,
                      os_hash_value: str | None = None,
                      status: str = 'active') -> Image:
        """Give a ``queued`` image the fingerprints of data it never got.

        :returns: the image after the change.
        :raises ImageNotFound: no such image.
        :raises Conflict: the image is not ``queued``.
        """


class SharedLocation(metaclass=abc.ABCMeta):
    """A region whose service can be given the location of data it reads
    where it is (Glance's location API), for zero-copy from a store it
    shares with the master."""

    @abc.abstractmethod
    def add_location(self, image_id: str, url: str, *,
                     hash_algo: str | None,
                     hash_value: str | None) -> None:
        """Give the ``queued`` image ``image_id`` the data at ``url``; the
        service checks it against the hash and activates the image in the
        background (watch :meth:`Region.get_image`).

        :raises Conflict: the image is not ``queued``.
        :raises Refused: the service does not allow it (its policy, the
            caller's roles, a store it cannot reach).
        :raises RegionUnavailable: the service did not answer.
        """
