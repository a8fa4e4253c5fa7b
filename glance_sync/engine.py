"""Apply a region plan: the only place where the rules' decisions happen.

:func:`apply_plan` takes a :class:`~glance_sync.rules.plan.RegionPlan` and
a :class:`~glance_sync.regions.base.Region` and does, in order, the
obsolete renames and metadata updates, the uploads (smallest first; a
rename moves the old copy aside before its upload, a replacement deletes
it after), and the kernel/ramdisk fix-ups. Kernel and ramdisk ids are
resolved when each action runs, so an AMI image uploaded right after its
kernel points to the kernel's new id.

Bytes move through a *copier* (:data:`~glance_sync.transfer.targets.
Copier`: ``copier(master_region, master_image, target_region, record) ->
Image``): the configured transfer strategies
(:mod:`glance_sync.sync.copier`), or the ``fake`` strategy for in-memory
regions, which copies size and hashes without data as GlanceSync's mock
did.

The engine is idempotent in the sense that matters: once a plan is
applied, planning again from the region's new state finds nothing to do
(errors such as ``error_checksum`` aside). Metadata calls that fail
because the region is unavailable are retried with backoff; the first
action that still fails stops the region (GlanceSync's rule: move on to
the next region) with :class:`ApplyError`, which carries what was done.
One failure does not stop the region: an upload that must keep the
master's id (``match_by = id``) and that the region refuses because the
id was used before (:class:`~glance_sync.regions.base.IdInUse`) is tried
once per sync, logged and reported in :attr:`ApplyReport.id_refused`
(status ``error_id``).

With ``dry_run`` nothing is called on any region: the report lists what
would be done.

Usage::

    master = MasterIndex.build(master_region.list_images(True), tenant)
    plan, report = sync_region(master, master_region, region, rules,
                               copier=copier)
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from glance_sync import retry
from glance_sync.images import Image
from glance_sync.regions.attributes import ImageAttributes
from glance_sync.regions.base import IdInUse, Region, RegionUnavailable
from glance_sync.rules import ami
from glance_sync.rules.actions import (Action, Deactivate, Reactivate,
                                       Rename, RenameCopy, Replace,
                                       UpdateMetadata, Upload)
from glance_sync.rules.options import TargetRules
from glance_sync.rules.plan import RegionPlan, plan_region
from glance_sync.rules.owners import Tenant
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import ImageStatus, Status
from glance_sync.transfer.targets import Copier

__all__ = ['ApplyError', 'ApplyReport', 'apply_plan', 'sync_region']

LOG = logging.getLogger(__name__)

_T = TypeVar('_T')


@dataclasses.dataclass
class ApplyReport:
    """What :func:`apply_plan` did (or, with ``dry_run``, would do)."""

    region: str
    dry_run: bool = False
    #: The actions done (all of them with ``dry_run``), in order.
    done: list[Action] = dataclasses.field(default_factory=list)
    #: Images uploaded, name -> new regional id.
    created: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Bytes copied (to copy, with ``dry_run``).
    uploaded_bytes: int = 0
    #: Uploads whose master id the region refused, name -> why.
    id_refused: dict[str, str] = dataclasses.field(default_factory=dict)

    def mark_refused(self, statuses: Iterable[ImageStatus]
                     ) -> tuple[ImageStatus, ...]:
        """``statuses`` with ``error_id`` for the images whose master id
        the region refused (a status computed from a listing cannot know).
        """
        return tuple(status._replace(status=Status.ERROR_ID)
                     if status.name in self.id_refused else status
                     for status in statuses)


class ApplyError(Exception):
    """An action failed; the region's remaining actions were not tried."""

    message = 'Sync of region %(region)s stopped at "%(action)s": %(reason)s'

    def __init__(self, report: ApplyReport, action: Action,
                 reason: str) -> None:
        self.report = report
        self.action = action
        self.region = report.region
        self.reason = reason
        super().__init__(self.message % {
            'region': report.region, 'action': action.describe(),
            'reason': reason})


def sync_region(master: MasterIndex, master_region: Region, region: Region,
                rules: TargetRules, *, copier: Copier, dry_run: bool = False,
                tenant_id: Tenant | None = None, retries: int = 2,
                backoff: float = 1.0) -> tuple[RegionPlan, ApplyReport]:
    """List, plan and apply for one region.

    :param master: the master index, built once for the whole sync.
    :param master_region: where the copier reads the images from.
    :param region: the region to synchronise.
    :param rules: the rules of the region's target.
    :returns: the plan and what was done.
    :raises ApplyError: an action failed.
    :raises RegionError: the region's images could not be listed.
    """
    plan = plan_region(master, region.list_images(include_public=True),
                       rules, region.name, tenant_id=tenant_id)
    report = apply_plan(plan, region, master_region=master_region,
                        copier=copier, dry_run=dry_run, retries=retries,
                        backoff=backoff)
    return plan, report


def apply_plan(plan: RegionPlan, region: Region, *, master_region: Region,
               copier: Copier, dry_run: bool = False, retries: int = 2,
               backoff: float = 1.0,
               sleep: Callable[[float], None] = time.sleep) -> ApplyReport:
    """Apply ``plan`` to ``region``, in the plan's order.

    :param master_region: the region the master images are copied from.
    :param copier: moves the bytes of each upload.
    :param dry_run: call nothing; report what would be done.
    :param retries: extra attempts for metadata calls that find the region
        unavailable (waiting ``backoff``, then twice as long each time).
    :param sleep: how to wait (tests pass a fake).
    :returns: the report.
    :raises ApplyError: an action failed; the error holds the report.
    """
    applier = _Applier(plan, region, master_region, copier, retries,
                       backoff, sleep)
    report = ApplyReport(plan.region, dry_run=dry_run)
    for action in plan.actions:
        LOG.info('%s: %s%s', plan.region, 'would ' if dry_run else '',
                 action.describe())
        if dry_run or _run(applier, action, report):
            _record(report, action)
    if plan.synchronised:
        LOG.info('%s: Region is synchronized.', plan.region)
    return report


def _run(applier: _Applier, action: Action, report: ApplyReport) -> bool:
    """Do one action; :returns: False when its id was refused."""
    try:
        new = applier.apply(action)
    except Exception as exc:
        if isinstance(action, Upload) and _id_refused(action, exc):
            _refuse(report, action, exc)
            return False
        LOG.error('%s: %s failed: %s', report.region, action.describe(), exc)
        raise ApplyError(report, action, str(exc)) from exc
    if new is not None:
        report.created[new.name] = new.id
    return True


def _id_refused(action: Upload, exc: Exception) -> bool:
    """Whether the region refused the id an upload must keep."""
    return action.record.image_id is not None and (
        isinstance(exc, IdInUse) or isinstance(exc.__cause__, IdInUse))


def _refuse(report: ApplyReport, action: Upload, exc: Exception) -> None:
    # Not retried: Glance never gives a used id back, so trying again in
    # this sync would fail the same way.
    reason = ('%s (Glance never reuses the id of a deleted image; an image '
              'of another project may also have it)' % exc)
    LOG.error('%s: image %s cannot be copied with its master id: %s',
              report.region, action.master.name, reason)
    report.id_refused[action.master.name] = reason


def _bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _record(report: ApplyReport, action: Action) -> None:
    report.done.append(action)
    if isinstance(action, Upload):
        report.uploaded_bytes += action.size


class _Applier:
    """Applies single actions, keeping the region's ids by name current."""

    def __init__(self, plan: RegionPlan, region: Region,
                 master_region: Region, copier: Copier, retries: int,
                 backoff: float, sleep: Callable[[float], None]) -> None:
        self.region = region
        self.master_region = master_region
        self.copier = copier
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        #: Where kernel/ramdisk references point: the matched copies, then
        #: each image as it is uploaded.
        self.ids: dict[str, str] = dict(plan.region_ids)

    def apply(self, action: Action) -> Image | None:
        """Do one action.

        :returns: the new image, for uploads.
        """
        if isinstance(action, Upload):
            return self._upload(action)
        self._update(action)
        return None

    def _update(self, action: UpdateMetadata) -> None:
        if isinstance(action, Reactivate):
            self._retrying(lambda: self.region.reactivate(action.image_id))
            return
        if isinstance(action, Deactivate):
            self._retrying(lambda: self.region.deactivate(action.image_id))
            return
        rename = action if isinstance(action, RenameCopy) else None
        other = rename.displaced_id if rename is not None else None
        if rename is not None and other and rename.displaced_name:
            # The other image leaves the name first, as Rename does.
            aside = rename.displaced_name
            self._retrying(lambda: self.region.update(
                other, name=aside, visibility='private'))
        props = dict(action.set_properties)
        props.update(self._resolve(action.ami, action.image_name))
        self._retrying(lambda: self.region.update(
            action.image_id, name=action.new_name,
            visibility=action.visibility, set_properties=props,
            remove_properties=action.remove_properties))
        self._attributes(action.image_id, action.add_tags,
                         action.remove_tags, action.attributes)
        if action.new_name:
            self.ids[action.new_name] = action.image_id
        if rename is not None and other and rename.displace_delete:
            # Deleted last: the region is never without the image.
            self._retrying(lambda: self.region.delete(other))

    def _attributes(self, image_id: str, add_tags: frozenset[str],
                    remove_tags: frozenset[str],
                    attributes: Mapping[str, object]) -> None:
        """Tags and core attributes, for regions that can change them
        (the others keep GlanceSync's metadata)."""
        if not (add_tags or remove_tags or attributes) or not isinstance(
                self.region, ImageAttributes):
            return
        region = self.region
        given = {key: attributes.get(key)
                 for key in ('protected', 'min_disk', 'min_ram')}
        self._retrying(lambda: region.set_attributes(
            image_id, add_tags=add_tags, remove_tags=remove_tags,
            protected=_bool(given['protected']),
            min_disk=_int(given['min_disk']),
            min_ram=_int(given['min_ram'])))

    def _upload(self, action: Upload) -> Image:
        if isinstance(action, Rename):
            # Moved aside first: if the copy then fails, the next sync
            # simply uploads again, with no duplicate name to resolve.
            self._retrying(lambda: self.region.update(
                action.old_id, name=action.old_name, visibility='private'))
        record = action.record.with_properties(
            self._resolve(action.ami, action.master.name))
        new = self.copier(self.master_region, action.master, self.region,
                          record)
        self.ids[new.name] = new.id
        # Protected once the data is in: a failed copy must stay removable.
        self._attributes(new.id, record.tags, frozenset(),
                         {'protected': True} if record.protected else {})
        if isinstance(action, Replace):
            if action.old_protected:
                # Its master replaced it: glance-sync may unprotect it.
                self._attributes(action.old_id, frozenset(), frozenset(),
                                 {'protected': False})
            # Deleted last: the region is never without the image.
            self._retrying(lambda: self.region.delete(action.old_id))
        return new

    def _resolve(self, references: Mapping[str, str],
                 image: str) -> dict[str, str]:
        if not references:
            return {}
        return ami.resolve(references, self.ids, region=self.region.name,
                           image=image)

    def _retrying(self, call: Callable[[], _T]) -> _T:
        return retry.with_backoff(
            call, retries=self.retries, first_wait=self.backoff,
            retry_on=RegionUnavailable, sleep=self.sleep,
            on_retry=lambda exc, wait: LOG.warning('%s; retrying in %.1f s',
                                                   exc, wait))
