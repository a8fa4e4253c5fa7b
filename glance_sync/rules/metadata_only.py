"""Metadata-only plans: a region's plan without the actions moving data.

A target with ``metadata_only`` (and ``glance-sync-manage sync
--metadata-only``) keeps the metadata of the copies its regions already
hold in step with the master, and never sends them image data. Its plan
is the full plan without:

- the uploads, replacements and renames (each one copies the master's
  data);
- the kernel/ramdisk fix-ups, which point an image to a kernel or ramdisk
  only an upload of this plan would have brought.

The statuses are the full plan's: an image missing from the region is
still ``pending_upload``, so the status report says what a full sync would
do. Obsolete renames and metadata updates stay, in their order.
"""

from __future__ import annotations

from collections.abc import Iterable

from glance_sync.rules.actions import Action, FixAmi, Upload
from glance_sync.rules.status import Status

__all__ = ['DATA_STATUSES', 'moves_data', 'needs_only_data',
           'without_data']

#: The statuses only a copy of the master's data can resolve.
DATA_STATUSES = frozenset({Status.PENDING_UPLOAD, Status.PENDING_REPLACE,
                           Status.PENDING_RENAME, Status.PENDING_AMI})


def moves_data(action: Action) -> bool:
    """Whether an action copies data, or depends on a copy of this plan."""
    return isinstance(action, (Upload, FixAmi))


def without_data(actions: Iterable[Action]) -> tuple[Action, ...]:
    """A plan's actions without those that copy data (see the module).

    :param actions: a region's full plan, in order.
    :returns: the others, in the same order.
    """
    return tuple(action for action in actions if not moves_data(action))


def needs_only_data(status: Status) -> bool:
    """Whether a status is final for a metadata-only sync: final, or only
    a copy of data (which such a sync never makes) would change it."""
    return status.is_final or status in DATA_STATUSES
