"""The actions of a region plan: small records the engine applies.

The rules only describe; :mod:`glance_sync.engine` does. Two families:

- :class:`UpdateMetadata` changes an existing regional image (name,
  visibility, properties); :class:`FixAmi` is the same change made after
  the uploads, once the kernel and ramdisk it points to exist.
- :class:`Upload` copies a master image to the region; :class:`Replace`
  deletes the old copy afterwards, :class:`Rename` moves the old copy aside
  (``<name>.old``, private) before.
- :class:`RenameCopy` renames a copy glance-sync made after its master was
  renamed (no bytes move), moving aside or deleting another image that
  holds the new name when the checksum-conflict policy says so;
  :class:`Reactivate` reactivates a copy whose master is active again.

``ami`` maps ``kernel_id``/``ramdisk_id`` to the *name* of the image they
must point to: the regional id is only known when the action is applied
(the kernel may be uploaded a moment before, in the same sync).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Union

from glance_sync.images import Image

__all__ = ['Action', 'Deactivate', 'FixAmi', 'ImageRecord', 'Reactivate',
           'Rename', 'RenameCopy', 'Replace', 'UpdateMetadata', 'Upload']


def _megabytes(size: int | None) -> str:
    return '%.1f MB' % ((size or 0) / 1024 / 1024)


@dataclasses.dataclass(frozen=True, kw_only=True)
class UpdateMetadata:
    """Change an existing regional image's metadata in one call."""

    #: The regional image's id.
    image_id: str
    #: Its name before the change.
    image_name: str
    #: The new name, when it changes (obsolete images).
    new_name: str | None = None
    #: The new visibility, when it changes.
    visibility: str | None = None
    set_properties: Mapping[str, Any] = dataclasses.field(
        default_factory=dict)
    remove_properties: frozenset[str] = frozenset()
    #: ``kernel_id``/``ramdisk_id`` -> name of the image to point to.
    ami: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: Why: ``metadata`` or ``obsolete``.
    reason: str = 'metadata'
    #: Tags to add and to remove.
    add_tags: frozenset[str] = frozenset()
    remove_tags: frozenset[str] = frozenset()
    #: Core attributes to set (``protected``, ``min_disk``, ``min_ram``).
    attributes: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        if self.new_name:
            what = 'obsolete image' if self.reason == 'obsolete' else 'image'
            return 'rename %s %s to %s' % (what, self.image_name,
                                           self.new_name)
        return 'update the metadata of %s' % self.image_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class FixAmi(UpdateMetadata):
    """Point an image to its kernel/ramdisk once they are uploaded."""

    reason: str = 'ami'

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        return 'update the kernel/ramdisk ids of %s' % self.image_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class RenameCopy(UpdateMetadata):
    """Rename a copy after its master's rename, in place.

    When another image already holds the new name, the target's checksum
    policy decided: ``displaced_name`` set, that image is renamed to it
    (private) first; ``displace_delete``, it is deleted after.
    """

    reason: str = 'rename'
    #: The image that holds the new name, if any.
    displaced_id: str | None = None
    displaced_name: str | None = None
    displace_delete: bool = False

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        line = 'rename copy %s to %s (no upload)' % (self.image_name,
                                                     self.new_name)
        if self.displaced_name:
            line += ', after renaming image %s to %s' % (
                self.displaced_id, self.displaced_name)
        elif self.displace_delete:
            line += ', then delete image %s' % self.displaced_id
        return line


@dataclasses.dataclass(frozen=True, kw_only=True)
class Reactivate(UpdateMetadata):
    """Reactivate a copy whose master image is active again."""

    reason: str = 'reactivate'

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        return 'reactivate %s' % self.image_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class Deactivate(UpdateMetadata):
    """Deactivate a copy whose master image is deactivated."""

    reason: str = 'deactivate'
    #: The deactivated master image's id.
    master_id: str

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        return 'deactivate %s' % self.image_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageRecord:
    """The regional image an upload creates (AMI ids not yet resolved)."""

    name: str
    visibility: str
    properties: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    disk_format: str | None = None
    container_format: str | None = None
    min_disk: int = 0
    min_ram: int = 0
    #: The id to create it with (``match_by = id``); ``None``: the
    #: region's choice.
    image_id: str | None = None
    #: Set once the data is in (a protected image could not be removed
    #: if its copy failed).
    tags: frozenset[str] = frozenset()
    protected: bool = False
    #: The project to own the copy (``copy_owner = master``); ``None``:
    #: the project the target's credentials work in.
    owner: str | None = None

    def with_properties(self, extra: Mapping[str, Any]) -> ImageRecord:
        """A copy with ``extra`` properties added."""
        return dataclasses.replace(
            self, properties={**self.properties, **extra})


@dataclasses.dataclass(frozen=True, kw_only=True)
class Upload:
    """Copy a master image to the region."""

    #: The master image to copy.
    master: Image
    #: The regional image to create.
    record: ImageRecord
    #: ``kernel_id``/``ramdisk_id`` -> name of the image to point to.
    ami: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes to copy."""
        return self.master.size or 0

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        return 'upload %s (%s)' % (self.master.name, _megabytes(self.size))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Replace(Upload):
    """Upload, then delete the old regional copy."""

    #: The old copy's id.
    old_id: str
    #: The old copy is protected and glance-sync made it: it is
    #: unprotected before it is deleted.
    old_protected: bool = False

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        return 'replace %s (%s)' % (self.master.name, _megabytes(self.size))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rename(Upload):
    """Rename the old copy to ``old_name`` (private), then upload."""

    #: The old copy's id.
    old_id: str
    #: Its name after the rename (``<name>.old``).
    old_name: str

    def describe(self) -> str:
        """One line for logs and ``--dry-run``."""
        return 'rename %s to %s and upload it (%s)' % (
            self.master.name, self.old_name, _megabytes(self.size))


#: Anything a plan may hold.
Action = Union[UpdateMetadata, Upload]
