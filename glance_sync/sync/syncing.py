"""``status`` and ``sync`` over several regions, as GlanceSync's sync.py.

The master region is listed once and indexed (:class:`~glance_sync.rules.
selection.MasterIndex`); then each region is listed, planned and (for a
sync) applied by :func:`glance_sync.engine.sync_region`. A region that
fails is reported and the others go on (GlanceSync's rule). Up to
``parallel`` regions are handled at the same time, each in its own
thread; the results come back in the order the regions were given.

Bytes move through each target's transfer strategy; regions handled at
the same time share one read of each master image (:func:`~glance_sync.
manage.copier.make_copier`), so ``parallel`` also says how many regions
one read feeds.

After a real sync each region is listed again and its status computed
from the same master index, so the result says exactly what is left.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures

from glance_sync import engine
from glance_sync.coordination import Coordinator
from glance_sync.sync import locking
from glance_sync.sync import members, stores
from glance_sync.sync.cloud import Cloud, OfflineCloud
from glance_sync.sync.copier import (make_copier, offline_copier,
                                     reporting)
from glance_sync.regions import base
from glance_sync.regions.members import ProjectDirectory
from glance_sync.rules import metadata_only as rules_metadata_only
from glance_sync.rules import plan as rules_plan
from glance_sync.rules.actions import Action
from glance_sync.rules.options import TargetRules
from glance_sync.rules.owners import Owners
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import ImageStatus
from glance_sync.sync.progress import Progress
from glance_sync.transfer.gathering import GatheringCopier
from glance_sync.transfer.targets import Copier

__all__ = ['RegionResult', 'master_index', 'status_regions', 'sync_regions']

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class RegionResult:
    """What happened to one region."""

    region: str
    #: Every selected image's status (after the sync, for a real one).
    statuses: tuple[ImageStatus, ...] = ()
    #: The actions done (or, with ``dry_run``, to do), in order.
    actions: list[Action] = dataclasses.field(default_factory=list)
    #: Bytes uploaded (to upload, with ``dry_run``).
    uploaded_bytes: int = 0
    #: Why the region failed, if it did.
    error: str | None = None
    #: The sync copied no data (``--metadata-only`` or the target's
    #: ``metadata_only``).
    metadata_only: bool = False
    #: Shared images whose master members have no project in the region's
    #: target: image name -> the master project ids.
    unmapped_members: dict[str, frozenset[str]] = dataclasses.field(
        default_factory=dict)
    #: Copies not (yet) in every store the target names: image name ->
    #: the stores.
    missing_stores: dict[str, set[str]] = dataclasses.field(
        default_factory=dict)

    @property
    def ok(self) -> bool:
        """No error, every member mapped and every image ``ok``/
        ``ok_stalled_checksum`` (or, for a metadata-only sync, left for a
        copy of data only)."""
        final = (rules_metadata_only.needs_only_data if self.metadata_only
                 else lambda status: status.is_final)
        return (self.error is None and not self.unmapped_members
                and not self.missing_stores
                and all(final(s.status) for s in self.statuses))


def master_index(cloud: Cloud) -> MasterIndex:
    """The master region's images, indexed once for the whole run: those
    of the master projects (:meth:`Cloud.master_owners`).

    :raises RegionError: the master region cannot be listed.
    :raises ConfigError: a master project does not exist.
    """
    master = cloud.master()
    return MasterIndex.build(master.list_images(include_public=True),
                             cloud.master_owners(),
                             master.name)


def status_regions(cloud: Cloud, names: Sequence[str],
                   parallel: int = 1) -> list[RegionResult]:
    """Every region's status report, without changing anything."""
    index = master_index(cloud)

    def one(name: str) -> RegionResult:
        region, rules, tenant = _region(cloud, name)
        return RegionResult(name, rules_plan.status_region(
            index, region.list_images(include_public=True), rules, name,
            tenant_id=tenant), metadata_only=rules.metadata_only)

    return _each(names, parallel, one)


def sync_regions(cloud: Cloud, names: Sequence[str], *,
                 dry_run: bool = False, parallel: int = 1,
                 progress: Progress | None = None,
                 master: base.Region | None = None,
                 index: MasterIndex | None = None,
                 metadata_only: bool = False) -> list[RegionResult]:
    """Synchronise the regions (or, with ``dry_run``, plan only).

    With ``dry_run`` no region is changed and nothing is written back.
    With ``metadata_only`` no data is copied, whatever the targets say
    (:mod:`glance_sync.rules.metadata_only`).

    :param master: the region to copy from instead of the cloud's master
        region (``load``: a dump folder), with ``index`` its master index;
        the cloud's master region is then never contacted.
    """
    progress = progress or Progress()
    index = index or master_index(cloud)
    directories = members.directories(cloud)
    fan, copier, coordinator = _copying(cloud, master is None, dry_run,
                                        progress)
    master = master or cloud.master()

    def one(name: str) -> RegionResult:
        region, rules, tenant = _region(cloud, name, metadata_only)
        try:
            # Registered when its thread starts, not before: a region
            # still queued for a thread must not be waited for.
            with fan.region(name) if fan else contextlib.nullcontext():
                result = _sync_one(cloud, index, master, region, rules,
                                   tenant, copier, dry_run, progress, fan)
                if not dry_run and result.error is None:
                    _follow_copies(master, region, rules, result,
                                   directories)
                return result
        finally:
            progress.finish_region(name)

    with _started(coordinator):
        try:
            return _each(names, parallel, one)
        finally:
            progress.close()


def _copying(cloud: Cloud, own_master: bool, dry_run: bool,
             progress: Progress) -> tuple[GatheringCopier | None, Copier,
                                          Coordinator | None]:
    """How a sync copies: the gathering copier (none offline), the copier
    the engine calls, and the daemons' coordinator it locks with, if any.

    :param own_master: the cloud's master is the source. Another one (a
        dump folder) has neither a store nor an API the regions could pull
        from: its images are streamed.
    """
    if isinstance(cloud, OfflineCloud):
        return None, offline_copier(), None
    fan = make_copier(cloud.config if own_master else None, progress)
    copier = reporting(fan, progress)
    coordinator = (None if dry_run
                   else locking.shared_coordinator(cloud.config))
    if coordinator is not None:
        copier = locking.locked(copier, coordinator, skipped=fan.passed)
    return fan, copier, coordinator


@contextlib.contextmanager
def _started(coordinator: Coordinator | None) -> Iterator[None]:
    """The coordinator connected for the block.

    :raises CoordinationError: the backend cannot be reached.
    """
    if coordinator is None:
        yield
        return
    coordinator.start()
    try:
        yield
    finally:
        coordinator.stop()


def _sync_one(cloud: Cloud, index: MasterIndex, master: base.Region,
              region: base.Region, rules: TargetRules, tenant: Owners,
              copier: Copier, dry_run: bool, progress: Progress,
              fan: GatheringCopier | None) -> RegionResult:
    plan = rules_plan.plan_region(index, region.list_images(True), rules,
                                  region.name, tenant_id=tenant)
    if fan is not None:
        fan.plan(region.name, [] if dry_run else
                 [upload.master.id for upload in plan.uploads])
    progress.start_region(region.name, 0 if dry_run else plan.upload_bytes)
    result = RegionResult(region.name, plan.statuses,
                          metadata_only=rules.metadata_only)
    try:
        report = engine.apply_plan(plan, region, master_region=master,
                                   copier=copier, dry_run=dry_run)
    except engine.ApplyError as exc:
        report, result.error = exc.report, str(exc)
    finally:
        if not dry_run:
            cloud.save(region)
    result.actions, result.uploaded_bytes = report.done, report.uploaded_bytes
    if not dry_run:
        result.statuses = report.mark_refused(rules_plan.status_region(
            index, region.list_images(True), rules, region.name,
            tenant_id=tenant))
    return result


def _follow_copies(master: base.Region, region: base.Region,
                   rules: TargetRules, result: RegionResult,
                   directories: Callable[[str], ProjectDirectory | None]
                   ) -> None:
    """The members of the region's shared copies made the master's, and
    every copy put into the target's ``stores``."""
    images = [status.image for status in result.statuses]
    shared = [image for image in images
              if image.visibility == members.SHARED]
    if not shared and (not rules.stores or rules.metadata_only):
        return
    names = {image.name for image in images}
    found = {image.name: image.id
             for image in region.list_images(include_public=False)
             if image.name in names and image.status == 'active'}
    if shared:
        result.unmapped_members = members.follow_images(
            master, shared, region, found, members.translator(
                base.split_name(region.name)[0], rules, directories))
    if not rules.metadata_only:  # never data, not even store to store
        result.missing_stores = stores.follow_images(region, images, found,
                                                     rules.stores)


def _region(cloud: Cloud, name: str, metadata_only: bool = False
            ) -> tuple[base.Region, TargetRules, Owners]:
    target = base.split_name(name)[0]
    rules = cloud.config.settings.targets[target]
    if metadata_only and not rules.metadata_only:
        rules = dataclasses.replace(rules, metadata_only=True)
    return cloud.region(name), rules, cloud.owners(target)


def _each(names: Sequence[str], parallel: int,
          one: Callable[[str], RegionResult]) -> list[RegionResult]:
    """``one(name)`` for every region, ``parallel`` at a time, in order.

    Region errors become the region's result; nothing else is caught.
    """
    def guarded(name: str) -> RegionResult:
        try:
            return one(name)
        except base.RegionError as exc:
            error = str(exc)
        # Logged outside the handler: oslo.log would repeat the exception.
        LOG.error('%s: %s', name, error)
        return RegionResult(name, error=error)

    if parallel <= 1 or len(names) <= 1:
        return [guarded(name) for name in names]
    with futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(guarded, names))
