"""An in-memory region: GlanceSync's mock facade, as a real driver.

:class:`MemoryRegion` keeps its images in a dict, loads them from a FIWARE
backup file (``backup_<region>.csv``) and writes them back, so
``glance-sync-manage --offline DIR`` and the conformance tests run the whole
sync without a cloud. Like octavia's no-op drivers it records every call it
receives (:attr:`MemoryRegion.calls`), so tests can check what the engine
asked for, in which order.

What it does, to reproduce GlanceSync's results exactly:

- a new image gets the id ``<n>$<name>``, ``n`` the smallest integer from 1
  that is not an id of this region yet, and the region's tenant as owner;
- :meth:`~MemoryRegion.upload` stores the bytes and computes size, md5
  checksum and sha512 hash, so the region can stand in for a real Glance in
  transfer tests; :meth:`~MemoryRegion.set_data_info` records them without
  any data, as the offline copy does.

Thread-safe: every call takes the region's lock; uploads read their chunks
before taking it, so a copy from one memory region to another (or to
itself) never deadlocks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from glance_sync.regions import base
from glance_sync.regions import csvfile
from glance_sync.regions.attributes import ImageAttributes
from glance_sync.regions.base import Conflict, IdInUse, Image, ImageNotFound
from glance_sync.regions.base import ImageQuery

__all__ = ['Call', 'MemoryRegion']

#: Download chunk size.
CHUNK = 64 * 1024
HASH_ALGO = 'sha512'


class Call(NamedTuple):
    """One recorded call: the method's name and its arguments."""

    method: str
    args: dict[str, Any]


class MemoryRegion(base.Region, base.DatalessCopy, ImageAttributes):
    """One region whose images live in memory (see the module docstring)."""

    def __init__(self, name: str, images: Iterable[Image] = (), *,
                 tenant_id: str | None = None,
                 owners: Iterable[str] = ()) -> None:
        """:param name: the qualified region name (``target:Region``).
        :param images: the initial images (copied).
        :param tenant_id: the owner given to the images this region creates,
            and the project :meth:`list_images` lists by default.
        :param owners: the projects :meth:`list_images` lists instead, as a
            Glance region lists each of several projects (an admin's
            view); ``tenant_id`` is listed too.
        """
        super().__init__(name)
        self.tenant_id = tenant_id
        self.owners: frozenset[str] = frozenset(
            o.zfill(32) for o in [*owners, *([tenant_id] if tenant_id
                                              else [])])
        #: Every call received, in order.
        self.calls: list[Call] = []
        self._lock = threading.RLock()
        self._images = {image.id: image.copy() for image in images}
        self._data: dict[str, bytes] = {}
        self._deleted: set[str] = set()

    # -- loading and saving ------------------------------------------------

    @classmethod
    def from_backup(cls, path: str, name: str | None = None, *,
                    tenant_id: str | None = None,
                    owners: Iterable[str] = ()) -> MemoryRegion:
        """A region loaded from one ``backup_<region>.csv`` file.

        :param name: the region name; by default, the one in the file name.
        :raises csvfile.BackupFormatError: a row cannot be read.
        :raises OSError: the file cannot be read.
        """
        region = name or csvfile.region_of(path) or os.path.basename(path)
        return cls(region, csvfile.read_backup(path), tenant_id=tenant_id,
                   owners=owners)

    @classmethod
    def load_folder(cls, folder: str,
                    tenant_ids: Callable[[str], str | None] | None = None
                    ) -> dict[str, MemoryRegion]:
        """Every region of a backup folder, by name, in name order.

        :param tenant_ids: gives each region's tenant id from its name.
        :raises csvfile.BackupFormatError: a row cannot be read.
        :raises OSError: the folder or a file cannot be read.
        """
        regions = {}
        for name, path in csvfile.list_backups(folder).items():
            tenant = tenant_ids(name) if tenant_ids else None
            regions[name] = cls.from_backup(path, name, tenant_id=tenant)
        return regions

    def dump(self, folder: str) -> str:
        """Write the region to ``folder/backup_<name>.csv``.

        :returns: the path written.
        :raises OSError: the file cannot be written.
        """
        path = csvfile.backup_path(folder, self.name)
        csvfile.write_backup(path, self.snapshot())
        return path

    def snapshot(self) -> list[Image]:
        """Copies of every image, in creation order (not recorded)."""
        with self._lock:
            return [image.copy() for image in self._images.values()]

    # -- recorded calls ----------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every recorded call to ``method``, in order."""
        return [call.args for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        with self._lock:
            self.calls.clear()

    def _record(self, method: str, **args: Any) -> None:
        self.calls.append(Call(method, args))

    # -- the Region interface ----------------------------------------------

    def list_images(self, include_public: bool = False) -> list[Image]:
        """See :meth:`Region.list_images`; without a tenant id, lists all."""
        with self._lock:
            self._record('list_images', include_public=include_public)
            return [image.copy() for image in self._images.values()
                    if self._visible(image, include_public)]

    def find_images(self, query: ImageQuery) -> list[Image]:
        """See :meth:`Region.find_images` (recorded as one call)."""
        with self._lock:
            self._record('find_images', query=query)
            return [image.copy() for image in self._images.values()
                    if self._visible(image, query.include_public)
                    and query.matches(image)]

    def _visible(self, image: Image, include_public: bool) -> bool:
        if include_public or self.tenant_id is None or not image.owner:
            return True
        return image.owner.zfill(32) in self.owners

    def get_image(self, image_id: str) -> Image:
        """See :meth:`Region.get_image`."""
        with self._lock:
            self._record('get_image', image_id=image_id)
            return self._get(image_id).copy()

    def _get(self, image_id: str) -> Image:
        try:
            return self._images[image_id]
        except KeyError:
            raise ImageNotFound(self.name, image=image_id) from None

    def create_image(self, name: str, *, visibility: str,
                     properties: Mapping[str, Any],
                     disk_format: str | None = None,
                     container_format: str | None = None,
                     min_disk: int = 0, min_ram: int = 0,
                     image_id: str | None = None,
                     owner: str | None = None) -> Image:
        """See :meth:`Region.create_image`; ids are ``<n>$<name>``."""
        with self._lock:
            self._record('create_image', name=name, visibility=visibility,
                         properties=dict(properties), image_id=image_id,
                         **({'owner': owner} if owner else {}))
            if image_id is not None:
                self._check_free(image_id)
            new_id = image_id or self._free_id(name)
            image = Image(
                id=new_id, name=name, region=self.name,
                owner=owner or self.tenant_id,
                visibility=visibility, status='queued', size=None,
                checksum=None, user_properties=dict(properties),
                disk_format=disk_format, container_format=container_format,
                min_disk=min_disk, min_ram=min_ram)
            self._images[new_id] = image
            return image.copy()

    def _check_free(self, image_id: str) -> None:
        # Glance never reuses an id, not even a deleted image's.
        if image_id in self._images or image_id in self._deleted:
            raise IdInUse(self.name, image=image_id,
                          reason='the id is taken or was used before')

    def _free_id(self, name: str) -> str:
        """GlanceSync's mock ids: the first ``<n>$<name>`` that is not an
        id of this region now (deleted ids count as free, as in the mock).
        """
        for n in itertools.count(1):
            candidate = '%d$%s' % (n, name)
            if candidate not in self._images:
                return candidate
        raise AssertionError('unreachable')  # pragma: no cover

    def upload(self, image_id: str, chunks: Iterable[bytes],
               size: int | None = None) -> Image:
        """See :meth:`Region.upload`: stores the bytes and their hashes.

        :raises Conflict: the image already has data, or ``size`` is wrong.
        """
        with self._lock:
            self._record('upload', image_id=image_id, size=size)
            self._check_queued(self._get(image_id))
        # Read outside the lock: the chunks may come from this very region.
        data, md5, sha = _consume(chunks)
        if size is not None and size != len(data):
            raise Conflict(self.name, image=image_id,
                           reason='%d bytes received, %d expected'
                           % (len(data), size))
        with self._lock:
            self._data[image_id] = data
            return self._activate(image_id, len(data), md5, HASH_ALGO, sha)

    def _check_queued(self, image: Image) -> None:
        if image.status != 'queued':
            raise Conflict(self.name, image=image.id,
                           reason='status is %s, not queued' % image.status)

    def _activate(self, image_id: str, size: int | None,
                  checksum: str | None, algo: str | None,
                  value: str | None, status: str = 'active') -> Image:
        image = self._get(image_id)
        image.size, image.checksum, image.status = size, checksum, status
        image.os_hash_algo, image.os_hash_value = algo, value
        return image.copy()

    def set_data_info(self, image_id: str, *, size: int | None,
                      checksum: str | None, os_hash_algo: str | None = None,
                      os_hash_value: str | None = None,
                      status: str = 'active') -> Image:
        """Record an upload without data, as GlanceSync's mock does.

        :returns: the image after the change.
        :raises ImageNotFound: no such image.
        :raises Conflict: the image is not ``queued``.
        """
        with self._lock:
            self._record('set_data_info', image_id=image_id, size=size,
                         checksum=checksum, status=status)
            self._check_queued(self._get(image_id))
            return self._activate(image_id, size, checksum, os_hash_algo,
                                  os_hash_value, status)

    def update(self, image_id: str, *, name: str | None = None,
               visibility: str | None = None,
               set_properties: Mapping[str, Any] | None = None,
               remove_properties: Iterable[str] = ()) -> Image:
        """See :meth:`Region.update`."""
        remove = list(remove_properties)
        with self._lock:
            self._record('update', image_id=image_id, name=name,
                         visibility=visibility,
                         set_properties=dict(set_properties or {}),
                         remove_properties=remove)
            image = self._get(image_id)
            changes: dict[str, Any] = {}
            if name is not None:
                changes['name'] = name
            if visibility is not None:
                changes['visibility'] = visibility
            props = dict(image.user_properties)
            props.update(set_properties or {})
            for key in remove:
                props.pop(key, None)
            new = dataclasses.replace(image, user_properties=props, **changes)
            self._images[image_id] = new
            return new.copy()

    def set_attributes(self, image_id: str, *, add_tags: Iterable[str] = (),
                       remove_tags: Iterable[str] = (),
                       protected: bool | None = None,
                       min_disk: int | None = None,
                       min_ram: int | None = None) -> None:
        """See :meth:`ImageAttributes.set_attributes`."""
        add, remove = frozenset(add_tags), frozenset(remove_tags)
        with self._lock:
            self._record('set_attributes', image_id=image_id,
                         add_tags=add, remove_tags=remove,
                         protected=protected, min_disk=min_disk,
                         min_ram=min_ram)
            image = self._get(image_id)
            given: dict[str, Any] = {'protected': protected,
                                     'min_disk': min_disk,
                                     'min_ram': min_ram}
            self._images[image_id] = dataclasses.replace(
                image, tags=(image.tags | add) - remove,
                **{k: v for k, v in given.items() if v is not None})

    def deactivate(self, image_id: str) -> None:
        """See :meth:`Region.deactivate`."""
        self._set_status('deactivate', image_id, 'deactivated')

    def reactivate(self, image_id: str) -> None:
        """See :meth:`Region.reactivate`."""
        self._set_status('reactivate', image_id, 'active')

    def _set_status(self, method: str, image_id: str, status: str) -> None:
        with self._lock:
            self._record(method, image_id=image_id)
            self._get(image_id).status = status

    def delete(self, image_id: str) -> None:
        """See :meth:`Region.delete`."""
        with self._lock:
            self._record('delete', image_id=image_id)
            found = self._images.get(image_id)
            if found is not None and found.protected:
                # As Glance does: a protected image is never deleted.
                raise base.Refused(self.name, action='deleting image %s'
                                   % image_id, reason='it is protected')
            if self._images.pop(image_id, None) is not None:
                self._deleted.add(image_id)
            self._data.pop(image_id, None)

    def download(self, image_id: str) -> Iterator[bytes]:
        """See :meth:`Region.download`; the data is read when called."""
        with self._lock:
            self._record('download', image_id=image_id)
            self._get(image_id)
            if image_id not in self._data:
                raise ImageNotFound(self.name, image=image_id)
            data = self._data[image_id]
        return _chunked(data)


def _consume(chunks: Iterable[bytes]) -> tuple[bytes, str, str]:
    """All the bytes of ``chunks`` with their md5 and sha512 digests."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha512()
    buffer = bytearray()
    for chunk in chunks:
        md5.update(chunk)
        sha.update(chunk)
        buffer += chunk
    return bytes(buffer), md5.hexdigest(), sha.hexdigest()


def _chunked(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]
