"""Copies into the named stores of a multi-store Glance (issue 14, item 6).

A target with ``stores`` wants every copy in its regions to be in those
stores of the region's Glance as well (the stores of edge sites, in an
edge or DCN deployment). Once a copy is active, the region is asked to
copy it there itself with Glance's ``copy-image`` import method: no byte
goes through glance-sync, and Glance verifies what it copies. glance-sync
then waits until the image lists every store, or until Glance records a
store's import as failed (``os_glance_failed_import``): that store is
reported, and asked for again at the next sync of the image.

Regions that have no stores capability (offline backups) are skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping

from glance_sync.images import Image
from glance_sync.regions.base import Region, RegionError
from glance_sync.regions.stores import MultiStore

__all__ = ['StoresIncomplete', 'follow_images', 'follow_stores']

LOG = logging.getLogger(__name__)

#: Seconds between two looks at an image being copied into stores.
POLL = 1.0
#: Seconds one copy-image may take before it is reported as unfinished.
TIMEOUT = 600.0


class StoresIncomplete(RegionError):
    """A copy is not in every store its target names (a daemon task is
    retried for it)."""

    message = ('Image %(image)s in region %(region)s is not in store(s) '
               '%(stores)s')


def follow_stores(region: Region, copy_id: str, stores: Iterable[str], *,
                  timeout: float = TIMEOUT, poll: float = POLL,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic) -> set[str]:
    """Put an active copy into every one of ``stores``.

    :returns: the stores that still lack it (failed, or not done within
        ``timeout``); empty when it is in all of them.
    :raises RegionError: the region failed or refused the import.
    """
    wanted = set(stores)
    if not wanted or not isinstance(region, MultiStore):
        return set()
    present, _ = region.image_stores(copy_id)
    missing = wanted - present
    if not missing:
        return set()
    LOG.info('%s: copying image %s into store(s) %s with copy-image',
             region.name, copy_id, ', '.join(sorted(missing)))
    region.copy_to_stores(copy_id, missing)
    deadline = clock() + timeout
    while True:
        present, failed = region.image_stores(copy_id)
        missing = wanted - present
        if not missing or missing <= failed or clock() > deadline:
            break
        sleep(poll)
    if missing:
        LOG.warning('%s: image %s is not in store(s) %s (%s)', region.name,
                    copy_id, ', '.join(sorted(missing)),
                    'the copy failed' if missing <= failed else
                    'not done after %d s' % timeout)
    return missing


def follow_images(region: Region, images: Iterable[Image],
                  copies: Mapping[str, str],
                  stores: Iterable[str]) -> dict[str, set[str]]:
    """:func:`follow_stores` for the copy of each image.

    :param copies: the copy's regional id by master image name.
    :returns: the stores each image is still missing from, by name (only
        images with some).
    """
    stores = frozenset(stores)
    missing: dict[str, set[str]] = {}
    if not stores:
        return missing
    for image in images:
        copy_id = copies.get(image.name)
        if copy_id is None:
            continue
        lacking = follow_stores(region, copy_id, stores)
        if lacking:
            missing[image.name] = lacking
    return missing
