"""``backup``: every image record of some regions, as FIWARE CSV files.

One ``backup_<region>.csv`` per region (the master region always
included), in GlanceSync's format (:mod:`glance_sync.regions.csvfile`),
which ``--offline`` and the in-memory regions read back. Only records are
saved, never image data.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Sequence

from glance_sync.regions import base, csvfile
from glance_sync.sync.cloud import Cloud

__all__ = ['backup_regions', 'default_folder']

LOG = logging.getLogger(__name__)


def default_folder(now: datetime.datetime | None = None) -> str:
    """GlanceSync's folder name: ``backup_glance_<ISO date and time>``."""
    now = now or datetime.datetime.now()
    return 'backup_glance_' + now.isoformat(timespec='seconds')


def backup_regions(cloud: Cloud, names: Sequence[str],
                   folder: str) -> tuple[list[str], list[str]]:
    """Write the backup of the regions and of the master region.

    :param folder: created if needed.
    :returns: the files written, and the regions that failed.
    :raises OSError: the folder cannot be created.
    """
    os.makedirs(folder, exist_ok=True)
    regions = list(dict.fromkeys([cloud.master_region, *names]))
    written, failed = [], []
    for name in regions:
        try:
            images = cloud.region(name).list_images(include_public=True)
        except base.RegionError as exc:
            LOG.error('%s: backup failed: %s', name, exc)
            failed.append(name)
            continue
        path = csvfile.backup_path(folder, name)
        csvfile.write_backup(path, images)
        written.append(path)
    return written, failed
