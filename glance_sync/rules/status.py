"""The synchronisation status of each master image in one region.

These are GlanceSync's statuses, with the same names, so the status report
(``status,region,image`` lines) reads exactly like GlanceSync's:

- final: ``ok`` (in sync), ``ok_stalled_checksum`` (different content, but
  its checksum is in ``dontupdate``);
- errors, an operator must act: ``error_checksum`` (different content and
  no ``dontupdate``/``replace``/``rename`` rule for it), ``error_ami`` (its
  kernel or ramdisk is not synchronised to the region), ``error_id``
  (``match_by = id`` and the region refuses the master's UUID: Glance never
  reuses the id of a deleted image);
- pending, the next sync does it: ``pending_metadata``, ``pending_upload``,
  ``pending_replace``, ``pending_rename``, ``pending_ami`` (its kernel or
  ramdisk is being uploaded first).
"""

from __future__ import annotations

import enum
import io
from collections.abc import Iterable
from typing import NamedTuple

from glance_sync import csvrows
from glance_sync.images import Image

__all__ = ['ImageStatus', 'Status', 'format_status', 'sort_key']


class Status(str, enum.Enum):
    """One image's synchronisation status (the value is GlanceSync's)."""

    OK = 'ok'
    OK_STALLED_CHECKSUM = 'ok_stalled_checksum'
    ERROR_CHECKSUM = 'error_checksum'
    ERROR_AMI = 'error_ami'
    ERROR_ID = 'error_id'
    PENDING_METADATA = 'pending_metadata'
    PENDING_UPLOAD = 'pending_upload'
    PENDING_REPLACE = 'pending_replace'
    PENDING_RENAME = 'pending_rename'
    PENDING_AMI = 'pending_ami'

    def __str__(self) -> str:
        return self.value

    @property
    def is_final(self) -> bool:
        """Nothing left to do: ``ok`` or ``ok_stalled_checksum``."""
        return self in (Status.OK, Status.OK_STALLED_CHECKSUM)

    @property
    def is_error(self) -> bool:
        """An operator must act before a sync can fix it."""
        return self in (Status.ERROR_CHECKSUM, Status.ERROR_AMI,
                        Status.ERROR_ID)

    @property
    def is_pending(self) -> bool:
        """A sync will act on it."""
        return not (self.is_final or self.is_error)


class ImageStatus(NamedTuple):
    """The status of one master image in one region."""

    status: Status
    region: str
    #: The master image the status is about.
    image: Image

    @property
    def name(self) -> str:
        """The image's name."""
        return self.image.name

    def as_row(self) -> list[str]:
        """``[status, region, image name]``, GlanceSync's report fields."""
        return [self.status.value, self.region, self.image.name]


def sort_key(image: Image) -> tuple[int, str]:
    """The order of uploads and of status reports: smallest first.

    GlanceSync sorts by size only; ties then follow its dict order, which
    the name reproduces for every recorded scenario.
    """
    return (image.size or 0, image.name)


def format_status(statuses: Iterable[ImageStatus]) -> str:
    """The status report as GlanceSync prints it (CSV, one line each).

    :returns: the text, each line ending in ``\\n``; empty when there is
        nothing to report. A name holding a carriage return is quoted so
        that a CSV reader gets it back (see :func:`~glance_sync.regions.
        csvrows.write_row`).
    """
    out = io.StringIO()
    for status in statuses:
        csvrows.write_row(out, status.as_row())
    return out.getvalue()
