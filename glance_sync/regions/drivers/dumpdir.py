"""A read-only region over a dump folder, the master of ``load``.

:class:`DumpRegion` lists the images of a folder written by
``glance-sync-manage dump`` (format: :mod:`glance_sync.regions.dumpfile`)
and reads their data from its files, so the rules and the engine treat
the folder exactly as they treat a master Glance. Every change is refused.

The folder is checked when the region is built: the manifest's entries
must name the format's own files and carry what verifies their data
(:meth:`~glance_sync.regions.dumpfile.Manifest.read`), each record must
match its manifest entry, and each data file the manifest names must be a
regular file (not a link) of the size the manifest gives.
Before its first download, a data file is read whole and its size, md5
and secure hash compared with the manifest (the copy compares them again
with what it sends, and with what the destination stored).

Thread-safe: the images are read once; each file is verified once, under
a lock of its own.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NoReturn

from glance_sync.regions import base, dumpfile
from glance_sync import digests as verify

__all__ = ['DumpRegion']

#: Bytes per chunk read from a data file.
DEFAULT_CHUNK_SIZE = 1024 * 1024


class DumpRegion(base.Region):
    """The images of a dump folder (see the module docstring)."""

    def __init__(self, folder: str, name: str | None = None, *,
                 chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        """Read the folder's manifest and records.

        :param folder: a folder written by ``dump``.
        :param name: the region's name; ``dump:<folder>`` by default.
        :param chunk_size: bytes per chunk read from a data file.
        :raises DumpFormatError: a file is missing, unreadable or does not
            match the manifest; the error names it.
        """
        super().__init__(name or 'dump:%s' % folder)
        self.folder = folder
        self.chunk_size = chunk_size
        #: The folder's manifest.
        self.manifest = dumpfile.Manifest.read(folder)
        self._images = {entry.id: self._record(entry)
                        for entry in self.manifest.images.values()}
        self._verified: set[str] = set()
        self._locks = {image_id: threading.Lock() for image_id in self._images}

    def _path(self, name: str) -> str:
        return os.path.join(self.folder, name)

    def _record(self, entry: dumpfile.Entry) -> base.Image:
        path = self._path(entry.metadata)
        try:
            image = dumpfile.image_from_record(dumpfile.read_json(path),
                                               self.name, path)
        except dumpfile.DumpFormatError as exc:
            raise dumpfile.DumpFormatError(
                path, 'the record of image %r: %s' % (entry.id, exc.reason)
            ) from exc
        if (image.id != entry.id or not entry.same_content(image)
                or image.os_hash_algo != entry.os_hash_algo):
            raise dumpfile.DumpFormatError(
                path, 'the record does not match the manifest entry of '
                'image %r (id, size or hashes differ)' % entry.id)
        if entry.data is not None:
            self._check_data(entry)
        return image

    def _check_data(self, entry: dumpfile.Entry) -> None:
        # Names and ids come from the folder: %r keeps control characters
        # out of the one-line error.
        path = self._path(entry.data or '')
        try:
            found = os.lstat(path)
        except OSError:
            raise dumpfile.DumpFormatError(
                path, 'missing data file of image %r (%r)'
                % (entry.id, entry.name)) from None
        if not stat.S_ISREG(found.st_mode):
            raise dumpfile.DumpFormatError(
                path, 'the data file of image %r (%r) is not a regular '
                'file (a symbolic link is not followed)'
                % (entry.id, entry.name))
        if found.st_size != entry.size:
            # A truncated copy is refused before anything is uploaded.
            raise dumpfile.DumpFormatError(
                path, 'the data file of image %r (%r) has %d bytes, the '
                'manifest says %s' % (entry.id, entry.name, found.st_size,
                                      entry.size))

    def has_data(self, image_id: str) -> bool:
        """Whether the folder holds the image's data.

        :raises ImageNotFound: no such image.
        """
        self.get_image(image_id)
        return self.manifest.images[image_id].data is not None

    # -- reading -------------------------------------------------------

    def list_images(self, include_public: bool = False) -> list[base.Image]:
        """Every image of the folder (all of them are the master's)."""
        return [image.copy() for image in self._images.values()]

    def get_image(self, image_id: str) -> base.Image:
        """One image by id.

        :raises ImageNotFound: the folder has no such image.
        """
        try:
            return self._images[image_id].copy()
        except KeyError:
            raise base.ImageNotFound(self.name, image=image_id) from None

    def download(self, image_id: str) -> Iterator[bytes]:
        """The image's data, verified whole against the manifest first.

        :raises ImageNotFound: no such image, or it was dumped without
            data (``--metadata-only``).
        :raises DigestMismatch: the file does not match the manifest.
        :raises OSError: the file cannot be read.
        """
        image = self.get_image(image_id)
        entry = self.manifest.images[image_id]
        if entry.data is None:
            raise base.ImageNotFound(
                self.name, image='%s (dumped without its data)' % image_id)
        path = self._path(entry.data)
        self._verify(image, path)
        return dumpfile.read_chunks(path, self.chunk_size)

    def _verify(self, image: base.Image, path: str) -> None:
        with self._locks[image.id]:
            if image.id in self._verified:
                return
            expected = verify.Digests.of_image(image)
            stream = verify.HashingStream(
                dumpfile.read_chunks(path, self.chunk_size),
                expected.hash_algo, expected=expected)
            try:
                for _ in stream:
                    pass
            except verify.DigestMismatch as exc:
                raise verify.DigestMismatch(
                    ['%s: %s' % (path, problem) for problem in exc.problems]
                ) from None
            self._verified.add(image.id)

    # -- every change is refused ------------------------------------------

    def _refuse(self, action: str) -> NoReturn:
        raise base.Refused(self.name, action=action,
                           reason='a dump folder is read-only')

    def create_image(self, name: str, *, visibility: str,
                     properties: Mapping[str, Any],
                     disk_format: str | None = None,
                     container_format: str | None = None,
                     min_disk: int = 0, min_ram: int = 0,
                     image_id: str | None = None,
                     owner: str | None = None) -> base.Image:
        """:raises Refused: always."""
        self._refuse('creating image %s' % name)

    def upload(self, image_id: str, chunks: Iterable[bytes],
               size: int | None = None) -> base.Image:
        """:raises Refused: always."""
        self._refuse('uploading image %s' % image_id)

    def update(self, image_id: str, *, name: str | None = None,
               visibility: str | None = None,
               set_properties: Mapping[str, Any] | None = None,
               remove_properties: Iterable[str] = ()) -> base.Image:
        """:raises Refused: always."""
        self._refuse('updating image %s' % image_id)

    def deactivate(self, image_id: str) -> None:
        """:raises Refused: always."""
        self._refuse('deactivating image %s' % image_id)

    def reactivate(self, image_id: str) -> None:
        """:raises Refused: always."""
        self._refuse('reactivating image %s' % image_id)

    def delete(self, image_id: str) -> None:
        """:raises Refused: always."""
        self._refuse('deleting image %s' % image_id)
