"""Zero-copy: a region that reads the master's store gets a location.

Where a region's Glance reaches the master's bytes where they are (a
shared Ceph pool, the same Swift or S3 container, a shared file system
exported read-only over http: Glance refuses ``file://`` locations),
``[region:<name>] share_store`` lists the location prefixes it reads, and
under which address. For
such a region, :func:`share` does not copy the data: it creates the copy's
record, gives it the master image's location through Glance's location
API with the master's secure hash as validation data, and waits for the
region's Glance to activate it. Glance reads and hashes the data itself
and refuses a hash that differs; the copy then counts only when its size,
md5 and secure hash match the master's, like every copy. The time taken
does not depend on the bytes moved over the long links: there are none.

A region whose Glance does not allow it (the location API needs the
``service`` role for stores other than http) fails with a message that
says so and names the option; a master image stored elsewhere (another
store of a multi-store master) is copied as usual.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable, Sequence

from glance_sync import digests
from glance_sync.conf.sites import REGION_PREFIX, SiteTopology
from glance_sync.regions import base
from glance_sync.transfer import capabilities, records
from glance_sync.transfer.targets import Results, Target

__all__ = ['ShareOptions', 'share', 'shared_url']

LOG = logging.getLogger(__name__)

#: Statuses from which a copy never becomes active by itself.
_DEAD = frozenset({'killed', 'deleted', 'pending_delete', 'deactivated'})
#: Seconds before the first look at a new location: the region's Glance
#: often activates it within a fraction of a second, and a zero-copy
#: should not cost a whole poll interval. Looks then back off to it.
FIRST_POLL = 0.1
#: Regions given their locations at the same time.
MAX_PARALLEL = 8


class ShareOptions:
    """How long to wait for a region's Glance to activate a location."""

    def __init__(self, poll_interval: float = 2.0, timeout: float = 3600.0,
                 cleanup_attempts: int = 1, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.cleanup_attempts = cleanup_attempts
        self.clock = clock
        self.sleep = sleep


def shared_url(locations: Sequence[tuple[str, str | None]],
               prefixes: Sequence[tuple[str, str]]) -> str | None:
    """The first location under one of the shared prefixes, as the
    region reaches it (its prefix in place of the master's), if any."""
    for url, _store in locations:
        for master, region in prefixes:
            if url.startswith(master):
                return region + url[len(master):]
    return None


def share(topology: SiteTopology, master_region: base.Region,
          master_image: base.Image, targets: Sequence[Target],
          options: ShareOptions) -> tuple[Results, list[Target]]:
    """Give each sharing target a location instead of a copy.

    :returns: the results of the sharing targets, and the targets left to
        copy (those that share nothing, or not the store the image is in).
    """
    results: Results = {}
    rest: list[Target] = []
    shares: list[tuple[Target, str]] = []
    locations: list[tuple[str, str | None]] | None = None
    for target in targets:
        prefixes = topology.shared_stores.get(target.region.name)
        if not prefixes:
            rest.append(target)
            continue
        if locations is None:
            try:
                locations = capabilities.locations(master_region,
                                                   master_image.id)
            except base.RegionError as exc:
                results[target.region.name] = records.refused(
                    target, master_region, master_image,
                    'the master image\'s locations cannot be read: %s'
                    % exc, exc)
                continue
        url = shared_url(locations, prefixes)
        if url is None and not locations:
            results[target.region.name] = records.refused(
                target, master_region, master_image,
                '[%s%s] share_store is set, but the master\'s Glance shows '
                'no location of the image (set show_image_direct_url = '
                'True there)' % (REGION_PREFIX, target.region.name))
        elif url is None:
            LOG.info('Image %s is not in a store region %s shares with the '
                     'master: copying it', records.label(master_image),
                     target.region.name)
            rest.append(target)
        else:
            shares.append((target, url))
    # The regions' Glances each read and hash the data on their side: the
    # time of one, not of their sum.
    with concurrent.futures.ThreadPoolExecutor(
            max(1, min(len(shares), MAX_PARALLEL))) as pool:
        outcomes = pool.map(
            lambda share: _zero_copy(share[0], master_region, master_image,
                                     share[1], options), shares)
        for (target, _url), outcome in zip(shares, outcomes):
            results[target.region.name] = outcome
    return results, rest


def _zero_copy(target: Target, master_region: base.Region,
               master_image: base.Image, url: str,
               options: ShareOptions) -> base.Image | Exception:
    started = options.clock()
    try:
        copy = records.record_for(target, master_image)
    except base.CopyFailed as exc:
        return exc
    try:
        _add(target.region, copy.id, master_image, url)
        image = _wait_active(target.region, copy.id, options)
        _check(master_image, image, target.region.name)
    except Exception as exc:  # noqa: BLE001 - reported as a failed copy
        return records.failure(target, copy.id, master_region, master_image,
                               exc, options.cleanup_attempts)
    LOG.info('Shared image %s with region %s: location added and verified '
             'in %.1f s, no data copied', records.label(master_image),
             target.region.name, options.clock() - started)
    return image


def _add(region: base.Region, image_id: str, master_image: base.Image,
         url: str) -> None:
    try:
        capabilities.add_location(region, image_id, url,
                                  hash_algo=master_image.os_hash_algo,
                                  hash_value=master_image.os_hash_value)
    except base.Refused as exc:
        raise base.Refused(
            region.name, action='a location for zero-copy',
            reason='%s. Its Glance must allow the location API to '
                   'glance-sync\'s user (the "service" role), or remove '
                   '[%s%s] share_store' % (exc, REGION_PREFIX, region.name)
        ) from exc


def _wait_active(region: base.Region, image_id: str,
                 options: ShareOptions) -> base.Image:
    deadline = options.clock() + options.timeout
    pause = min(FIRST_POLL, options.poll_interval)
    options.sleep(pause)
    while True:
        image = region.get_image(image_id)
        if image.status == 'active':
            return image
        # Not CopyFailed: records.failure() removes the copy for others.
        if image.status in _DEAD:
            raise base.Refused(region.name, action='the location',
                               reason='the copy became %s' % image.status)
        failed = _failed_task(region, image_id)
        if failed is not None and image.status == 'queued':
            raise base.Refused(region.name, action='the location',
                               reason='its task failed: %s' % failed)
        if options.clock() >= deadline:
            raise base.RegionUnavailable(
                region.name, reason='the location was not active after '
                                    '%.0f s' % options.timeout)
        pause = min(pause * 2, options.poll_interval)
        options.sleep(pause)


def _failed_task(region: base.Region, image_id: str) -> str | None:
    """The message of the image's failed location task, if it failed."""
    if not capabilities.can_pull(region):
        return None
    task = capabilities.latest_task(region, image_id)
    if task is None or task.get('status') != 'failure':
        return None
    return str(task.get('message') or 'its task failed')


def _check(master_image: base.Image, copy: base.Image, region: str) -> None:
    """The copy counts only with every fingerprint known and equal."""
    if copy.checksum is None or copy.os_hash_value is None:
        raise digests.DigestMismatch([
            'the region\'s Glance did not hash the data at the location '
            '(do_secure_hash = False?), so the copy cannot be checked'])
    digests.check_copy(digests.Digests.of_image(master_image),
                       master_image.size or 0, True, copy, region,
                       'the master image has')
