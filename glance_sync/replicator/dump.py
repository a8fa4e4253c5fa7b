"""``dump``: master images, records and data, to a folder; resumable.

:class:`Dumper` writes each image's record, then its data, to the folder
(format: :mod:`glance_sync.regions.dumpfile`), smallest image first:

- the data goes to ``<id>.img.part``, hashed on the way, and is renamed
  ``<id>.img`` only once its size, md5 and secure hash match the master's
  record; then the manifest is rewritten to list it;
- a data file the manifest lists with the master's fingerprints is never
  rewritten: a dump run again (after an interruption, or to refresh the
  records) keeps it and goes on with what is left; a data file left
  complete but unlisted (a kill between the rename and the manifest) is
  verified and kept; a ``.part`` file is started again;
- before any data is read, the free space of the folder's file system
  must hold the data still to write, else nothing starts
  (:class:`DumpError` names the folder and the bytes needed);
- a full dump (no image arguments) also drops the images the master no
  longer offers from the folder, so that ``load`` gives what a sync
  would; only the files the format names for their ids are removed.

The folder is not trusted more than ``load`` trusts it: a manifest whose
entries name other files is refused (:meth:`~glance_sync.regions.
dumpfile.Manifest.read`), no file is read through a symbolic link, and
every file is written through a new file (``O_EXCL|O_NOFOLLOW``) renamed
into place, so that a link planted in the folder is replaced, never
written through (:mod:`~glance_sync.regions.safefiles`). An image whose
master record has neither a checksum nor a secure hash is not dumped:
its data could not be verified, and ``load`` would refuse it.

An image that fails (the master fails, the data does not match) is
reported and the others go on; its ``.part`` file is removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from glance_sync import digests as verify
from glance_sync.regions import base, dumpfile, safefiles
from glance_sync.sync.progress import human_bytes

__all__ = ['DUMPED', 'FAILED', 'KEPT', 'RECORD_ONLY', 'DumpError',
           'DumpOutcome', 'Dumper']

LOG = logging.getLogger(__name__)

#: The data was read from the master and verified now.
DUMPED = 'dumped'
#: The data was already there, complete and verified: not rewritten.
KEPT = 'kept'
#: The record alone (``--metadata-only``, or an obsolete image).
RECORD_ONLY = 'record only'
#: Something failed; ``detail`` says what.
FAILED = 'failed'

#: Bytes counted for each record when checking the free space.
RECORD_ALLOWANCE = 64 * 1024

_DiskUsage = Callable[[str], Any]


class DumpError(Exception):
    """The dump cannot start or go on (folder, manifest, free space)."""


@dataclasses.dataclass(frozen=True)
class DumpOutcome:
    """What happened to one image."""

    image: base.Image
    #: :data:`DUMPED`, :data:`KEPT`, :data:`RECORD_ONLY` or :data:`FAILED`.
    result: str
    detail: str | None = None

    def as_row(self) -> dict[str, Any]:
        """The row ``glance-sync-manage dump`` prints."""
        return {'image': self.image.name, 'id': self.image.id,
                'size': self.image.size, 'result': self.result,
                'detail': self.detail}


class _Work(NamedTuple):
    image: base.Image
    #: ``record``, ``keep``, ``adopt`` (verify an unlisted file),
    #: ``download`` or ``conflict``.
    step: str


class Dumper:
    """Writes master images to one folder (see the module docstring).

    Not thread-safe: one dump at a time per folder.
    """

    def __init__(self, master: base.Region, folder: str, *,
                 master_region: str, tenant_id: str,
                 projects: Sequence[str] = (),
                 metadata_only: bool = False,
                 chunk_size: int = verify.DEFAULT_CHUNK_SIZE,
                 disk_usage: _DiskUsage = shutil.disk_usage) -> None:
        """:param master: the region to read from.
        :param folder: where to write; created if needed.
        :param master_region: the master region's name, for the manifest.
        :param tenant_id: the master project, for the manifest.
        :param projects: the other master projects, for the manifest.
        :param metadata_only: write records only (data already in the
            folder is kept).
        :param chunk_size: bytes per write.
        :param disk_usage: ``shutil.disk_usage`` (tests pass a fake).
        """
        self.master = master
        self.folder = folder
        self.metadata_only = metadata_only
        self.chunk_size = chunk_size
        self._disk_usage = disk_usage
        self.manifest = dumpfile.Manifest(master_region, tenant_id,
                                          projects=tuple(projects))

    def dump(self, selection: Sequence[tuple[base.Image, bool]],
             prune: bool = False) -> list[DumpOutcome]:
        """Write the images, smallest first as given.

        :param selection: ``(master image, with data)`` pairs (see
            :func:`~glance_sync.replicator.dumpselect.dump_selection`).
        :param prune: drop from the folder the images not in
            ``selection``.
        :returns: one outcome per image, in order.
        :raises DumpError: the folder or its manifest is unusable, or the
            free space is short; nothing was read from the master.
        """
        self._open()
        if prune:
            self._prune({image.id for image, _ in selection})
        work = [self._classify(image, data and not self.metadata_only)
                for image, data in selection]
        self._check_space(work)
        try:
            return [self._do(item) for item in work]
        finally:
            self._save()

    # -- preparing -------------------------------------------------------

    def _open(self) -> None:
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError as exc:
            raise DumpError('cannot create the dump folder %s: %s'
                            % (self.folder, exc.strerror or exc)) from exc
        if not os.path.exists(self._path(dumpfile.MANIFEST)):
            return
        try:
            found = dumpfile.Manifest.read(self.folder)
        except dumpfile.DumpFormatError as exc:
            raise DumpError(str(exc)) from exc
        if found.master_region != self.manifest.master_region:
            raise DumpError(
                '%s holds a dump of region %s, not %s: use another folder'
                % (self.folder, found.master_region,
                   self.manifest.master_region))
        self.manifest.images = found.images

    def _prune(self, keep: set[str]) -> None:
        for image_id in sorted(set(self.manifest.images) - keep):
            entry = self.manifest.images.pop(image_id)
            LOG.info('Removing image %(id)r (%(name)r) from the dump: the '
                     'master no longer offers it',
                     {'id': image_id, 'name': entry.name})
            # The names the format gives the id, whatever the entry says:
            # nothing outside the folder is ever removed.
            stem = self._path(dumpfile.file_stem(image_id))
            _remove(stem + dumpfile.METADATA_SUFFIX)
            _remove(stem + dumpfile.DATA_SUFFIX)

    def _classify(self, image: base.Image, wants_data: bool) -> _Work:
        entry = self.manifest.images.get(image.id)
        # A link planted at the data file's name is not data: it is
        # replaced by a download.
        present = safefiles.is_regular(self._data_path(image))
        if entry is not None and entry.data is not None and present:
            return _Work(image, 'keep' if entry.same_content(image)
                         else 'conflict')
        if not wants_data:
            return _Work(image, 'record')
        return _Work(image, 'adopt' if present else 'download')

    def _check_space(self, work: Sequence[_Work]) -> None:
        downloads = [item.image for item in work if item.step == 'download']
        needed = (sum(image.size or 0 for image in downloads)
                  + RECORD_ALLOWANCE * len(work))
        # The .part files of those images are started again: their space
        # is free to use.
        free = self._disk_usage(self.folder).free + sum(
            _size(self._data_path(image) + dumpfile.PART_SUFFIX)
            for image in downloads)
        if needed > free:
            raise DumpError(
                'not enough free space in %s: %d bytes (%s) needed for %d '
                'images, %d bytes (%s) free' % (
                    self.folder, needed, human_bytes(needed), len(work), free,
                    human_bytes(free)))

    # -- writing ---------------------------------------------------------

    def _do(self, item: _Work) -> DumpOutcome:
        image = item.image
        if item.step == 'conflict':
            return self._conflict(image)  # its files stay as listed
        if item.step in ('adopt', 'download') and not (
                image.checksum or image.os_hash_value):
            return self._failed(image, 'the master gives neither a checksum '
                                'nor an os_hash_value: its data cannot be '
                                'verified')
        try:
            self._write_record(image)
            if item.step == 'keep':
                self._list(image, data=True)
                return DumpOutcome(image, KEPT)
            if item.step == 'record':
                self._list(image, data=False)
                return DumpOutcome(image, RECORD_ONLY)
            return self._data(image, adopt=item.step == 'adopt')
        except OSError as exc:
            return self._failed(image, 'cannot write to %s: %s' % (
                self.folder, exc.strerror or exc))

    def _conflict(self, image: base.Image) -> DumpOutcome:
        path = self._data_path(image)
        return self._failed(image, '%s holds other data than the master '
                            'image (its size or hashes changed); remove it '
                            'to dump the image again' % path)

    def _data(self, image: base.Image, adopt: bool) -> DumpOutcome:
        if adopt and self._verified(image):
            LOG.info('Kept %(path)s, complete and verified',
                     {'path': self._data_path(image)})
            self._list(image, data=True, save=True)
            return DumpOutcome(image, KEPT)
        try:
            self._download(image)
        except (base.RegionError, verify.DigestMismatch) as exc:
            _remove(self._data_path(image) + dumpfile.PART_SUFFIX)
            return self._failed(image, str(exc))
        self._list(image, data=True, save=True)
        return DumpOutcome(image, DUMPED)

    def _download(self, image: base.Image) -> None:
        path = self._data_path(image)
        expected = verify.Digests.of_image(image)
        stream = verify.HashingStream(self.master.download(image.id),
                                      expected.hash_algo, expected=expected,
                                      chunk_size=self.chunk_size)
        try:
            with safefiles.create_exclusive(
                    path + dumpfile.PART_SUFFIX) as out:
                for chunk in stream:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        finally:
            stream.close()
        os.replace(path + dumpfile.PART_SUFFIX, path)
        LOG.info('Dumped image %(name)s (%(id)s) to %(path)s: %(digests)s',
                 {'name': image.name, 'id': image.id, 'path': path,
                  'digests': stream.digests().describe()})

    def _verified(self, image: base.Image) -> bool:
        """Whether an unlisted data file is the image's, complete."""
        path = self._data_path(image)
        expected = verify.Digests.of_image(image)
        stream = verify.HashingStream(
            dumpfile.read_chunks(path, self.chunk_size), expected.hash_algo,
            expected=expected)
        try:
            for _ in stream:
                pass
        except (verify.DigestMismatch, OSError) as exc:
            LOG.warning('Dumping image %(id)s again: %(path)s is not its '
                        'data (%(why)s)', {'id': image.id, 'path': path,
                                           'why': exc})
            return False
        return True

    def _write_record(self, image: base.Image) -> None:
        path = self._path(dumpfile.Entry.of(image, False).metadata)
        record = dumpfile.image_to_record(image)
        if os.path.exists(path):
            try:
                if dumpfile.read_json(path) == record:
                    return  # unchanged: not rewritten
            except dumpfile.DumpFormatError as exc:
                LOG.warning('Rewriting the unreadable metadata file %s: %s',
                            path, exc)
        dumpfile.write_json(path, record)

    def _list(self, image: base.Image, data: bool,
              save: bool = False) -> None:
        """Record the image in the manifest; ``save`` writes it now (a
        data file must never be complete and unlisted for long)."""
        self.manifest.images[image.id] = dumpfile.Entry.of(image, data)
        if save:
            self._save()

    def _save(self) -> None:
        try:
            self.manifest.write(self.folder)
        except OSError as exc:
            raise DumpError('cannot write the manifest of %s: %s'
                            % (self.folder, exc.strerror or exc)) from exc

    def _failed(self, image: base.Image, reason: str) -> DumpOutcome:
        LOG.error('Dump of image %(name)s (%(id)s) failed: %(reason)s',
                  {'name': image.name, 'id': image.id, 'reason': reason})
        return DumpOutcome(image, FAILED, reason)

    def _path(self, name: str) -> str:
        return os.path.join(self.folder, name)

    def _data_path(self, image: base.Image) -> str:
        return self._path(dumpfile.file_stem(image.id) + dumpfile.DATA_SUFFIX)


def _size(path: str) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


def _remove(path: str) -> None:
    # Removing what is already gone is what an interrupted dump needs.
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
