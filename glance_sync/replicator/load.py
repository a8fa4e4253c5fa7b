"""``load``: regions synchronised from a dump folder, as from the master.

The folder (:class:`~glance_sync.regions.drivers.dumpdir.DumpRegion`)
takes the master region's place: its images are indexed as the master's
are, each region is planned with its target's rules and the plan applied
by the engine, the data streaming from the folder's files (verified
against the manifest before, while and after it is sent). Only the
regions' targets are contacted, never the master's Glance: a region with
no network path to the master is synchronised from a disk carried to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from glance_sync.regions.drivers.dumpdir import DumpRegion
from glance_sync.rules.owners import Owners
from glance_sync.rules.selection import MasterIndex
from glance_sync.sync import syncing
from glance_sync.sync.cloud import Cloud
from glance_sync.sync.progress import Progress

__all__ = ['dump_index', 'load_regions']


def dump_index(dump: DumpRegion) -> MasterIndex:
    """The master index of a dump folder.

    The folder only holds images the master index kept, so indexing them
    with the manifest's projects gives the master's index again.
    """
    manifest = dump.manifest
    return MasterIndex.build(dump.list_images(include_public=True),
                             Owners(manifest.tenant_id, manifest.projects),
                             manifest.master_region)


def load_regions(cloud: Cloud, dump: DumpRegion, names: Sequence[str], *,
                 dry_run: bool = False, parallel: int = 1,
                 progress: Progress | None = None
                 ) -> list[syncing.RegionResult]:
    """Synchronise regions from a dump folder (see the module docstring).

    :param cloud: where the regions are; its master region is not used.
    :param names: qualified region names.
    :param dry_run: plan only; change nothing.
    :param parallel: regions synchronised at the same time.
    :returns: one result per region, in order.
    """
    return syncing.sync_regions(cloud, names, dry_run=dry_run,
                                parallel=parallel, progress=progress,
                                master=dump, index=dump_index(dump))
