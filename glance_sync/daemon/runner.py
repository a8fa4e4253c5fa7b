"""One sync task: bring one master image to one region, idempotently.

A task trusts nothing it was told: it reads the master image and the
region again, then:

- master image gone: the region's leftovers of it are removed and
  ``delete_policy`` is applied to the copies the daemon made;
- master image still ``queued``, ``saving``, ``importing`` or
  ``uploading`` (a snapshot being written): the task asks to be run again
  later (:attr:`Kind.WAIT`) instead of holding a worker;
- master image deactivated: the copies glance-sync made are deactivated
  too, when the target follows deactivations
  (:mod:`glance_sync.rules.activation`); nothing is ever copied;
- master image active: under the (image, region) locks of the image, its
  kernel and its ramdisk, the leftovers of interrupted transfers are
  removed, the region is planned for that image alone (with the rules and
  the region selection, on a master index restricted to the image, its
  obsolete counterpart and its AMI dependencies) and the plan is applied.

Running a task twice does nothing the second time; so does running it
for an image that does not go to that region. Errors propagate: the
worker decides between retrying and failing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping

from glance_sync import coordination, engine
from glance_sync.daemon import cleanup, metrics, relaying, targeting, waits
from glance_sync.daemon.context import SyncContext, Topology
from glance_sync.daemon.master_catalog import MasterCatalog
from glance_sync.db import data_models as dm
from glance_sync.db.repositories import Journal, utcnow
from glance_sync.images import Image
from glance_sync.regions.base import (ImageNotFound, ImageQuery, Region,
                                      split_name)
from glance_sync.rules import activation, destinations
from glance_sync.rules.ami import AMI_PROPERTIES
from glance_sync.rules.options import TargetRules
from glance_sync.rules.actions import Upload
from glance_sync.rules.plan import RegionPlan, plan_region
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.selection import OBSOLETE_SUFFIX, MasterIndex
from glance_sync.sync import members, stores
from glance_sync.transfer import metering
from glance_sync.transfer.targets import Copier

__all__ = [
    'WRITING',
    'Kind',
    'Outcome',
    'TaskRunner',
    'list_master',
    'list_region',
    'wait_message',
    'waiting_since',
]

LOG = logging.getLogger(__name__)

#: Master statuses of an image whose data is still being written.
WRITING = frozenset({'queued', 'saving', 'importing', 'uploading'})
#: Master statuses of a deleted image (``deleted`` is only seen by admins).
GONE = frozenset({'deleted', 'pending_delete'})

_WAIT = waits.WaitNote('waiting for master image',
                       '%s to become active (it is %s)')


class Kind(enum.Enum):
    """How a run ended (errors are raised, not returned)."""

    #: Nothing more to do for now.
    DONE = 'done'
    #: The master image is still being written: run again later.
    WAIT = 'wait'
    #: A wait is over: run again at once, with a fresh retry budget.
    READY = 'ready'


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The end of a run: its kind, and a line for the log.

    A run that copied data (one upload or more, a zero-copy location
    included) says how much, how long and from where: the task's record
    of its last copy (:class:`~glance_sync.db.data_models.CopyRecord`).
    """

    kind: Kind
    detail: str
    #: With :attr:`Kind.WAIT`: the master image's status.
    status: str | None = None
    #: Bytes the run's copies wrote to the region (0 for a location).
    bytes: int | None = None
    #: Seconds the run's copies took, together.
    seconds: float | None = None
    #: The region the bytes came from (a relay, or the master).
    source: str | None = None
    #: With :attr:`Kind.WAIT` for a relay source: the task's
    #: ``last_error`` until its next run (it says since when it waits),
    #: and the seconds until that run.
    note: str | None = None
    retry_in: float | None = None

    @property
    def copy(self) -> dm.CopyRecord | None:
        """The copy this run made, to record; None when it made none."""
        if self.bytes is None or self.seconds is None or self.source is None:
            return None
        return dm.CopyRecord(self.bytes, self.seconds, self.source)


def wait_message(image_id: str, status: str,
                 since: datetime.datetime) -> str:
    """The ``last_error`` of a task waiting for its master image.

    It records when the wait began, so that ``snapshot_timeout`` holds
    across runs, daemons and restarts.
    """
    return _WAIT.message(image_id, status, since=since)


def waiting_since(last_error: str | None) -> datetime.datetime | None:
    """When the wait recorded by :func:`wait_message` began, if it is one."""
    return _WAIT.since(last_error)


def list_master(master: Region) -> list[Image]:
    """The master project's images in the master region: all a master
    index keeps (other projects' public images are not listed)."""
    return master.list_images(include_public=False)


def list_region(region: Region, rules: TargetRules) -> list[Image]:
    """A region's images, as planning needs them: other projects' public
    images only when the target considers them (``only_tenant_images``
    off); they would be skipped anyway."""
    return region.list_images(include_public=not rules.only_tenant_images)


class TaskRunner:
    """Runs sync tasks; thread-safe (one runner serves every worker).

    :param contexts: returns the current :class:`SyncContext` (it changes
        when the configuration is reloaded).
    :param coordinator: the (image, region) locks.
    :param lock_timeout: seconds to wait for a pair's lock; None: forever.
    :param journal: the tasks of the other regions, for relay copies
        (``[transfer] relay``); None: every copy reads the master.
    :param clock: the journal's clock (naive UTC).
    """

    def __init__(self, contexts: Callable[[], SyncContext],
                 coordinator: coordination.Coordinator,
                 lock_timeout: float | None = None,
                 journal: Journal | None = None,
                 clock: Callable[[], datetime.datetime] = utcnow) -> None:
        self._contexts = contexts
        self._coordinator = coordinator
        self._lock_timeout = lock_timeout
        #: Relay copies need the other regions' tasks: none without the
        #: journal.
        self._relays = (None if journal is None
                        else relaying.Relays(journal, coordinator, clock))
        #: The master's images, kept from tasks and reconcile passes.
        self.master_catalog = MasterCatalog(list_master)

    def run(self, task: dm.Task) -> Outcome:
        """Run one task (see the module docstring).

        :raises RegionError: a region failed (the master or the task's).
        :raises engine.ApplyError: an action of the plan failed.
        :raises coordination.CoordinationError: a lock was not obtained.
        """
        context = self._contexts()
        # Other regions' copies of the image wait for this task from now
        # on: only running tasks are waited for, never queued ones, so a
        # full worker pool cannot hold a copy until the window ends.
        with context.copier.task(task.image_id, task.region):
            return self._run(context, task)

    def _run(self, context: SyncContext, task: dm.Task) -> Outcome:
        master = context.cloud.master()
        try:
            image: Image | None = master.get_image(task.image_id)
        except ImageNotFound:
            image = None
        if image is None or image.status in GONE:
            self.master_catalog.discard(task.image_id)
            with self._locks(task, [task.image_id]):
                return self._deleted(context, task)
        if image.status in WRITING:
            return Outcome(Kind.WAIT, 'master image %s is %s'
                           % (image.id, image.status), image.status)
        if image.status == activation.DEACTIVATED:
            with self._locks(task, [image.id]):
                return self._deactivated(context, task, image)
        if image.status != 'active':
            return Outcome(Kind.DONE, 'master image %s is %s: nothing to do'
                           % (image.id, image.status))
        if waiting_since(task.last_error) is not None:
            return Outcome(Kind.READY, 'master image %s is active now'
                           % image.id)
        dependencies = [str(image.user_properties[p]) for p in AMI_PROPERTIES
                        if image.user_properties.get(p)]
        with self._locks(task, [image.id, *dependencies]):
            return self._sync(context, task, master, image, dependencies)

    @contextlib.contextmanager
    def _locks(self, task: dm.Task, image_ids: Iterable[str]
               ) -> Iterator[None]:
        """The region's locks of these images, taken in a global order
        (sorted ids) so that two tasks never wait for each other."""
        with contextlib.ExitStack() as stack:
            for image_id in sorted(set(image_ids)):
                stack.enter_context(self._coordinator.lock(
                    image_id, task.region, timeout=self._lock_timeout))
            yield

    def _candidate(self, context: SyncContext,
                   task: dm.Task) -> Topology | None:
        topology = context.topology()
        if task.region not in topology.selector.regions:
            LOG.info('Region %s no longer receives images (unknown or '
                     'ignored): task %s has nothing to do', task.region,
                     task.id)
            return None
        return topology

    def _deleted(self, context: SyncContext, task: dm.Task) -> Outcome:
        topology = self._candidate(context, task)
        if topology is None:
            return Outcome(Kind.DONE, 'region not a candidate')
        region = context.cloud.region(task.region)
        rules = context.settings.targets[
            topology.selector.target_of(region.name)]
        images = self._without_leftovers(
            context, topology, region, {task.image_id: task.image_name},
            targeting.deleted_query(task.image_id, task.image_name, rules))
        done = cleanup.apply_delete_policy(region, images, task.image_id,
                                           context.options.delete_policy)
        return Outcome(Kind.DONE, 'master image deleted; %s'
                       % ('; '.join(done) or 'no copy made by glance-sync'))

    def _deactivated(self, context: SyncContext, task: dm.Task,
                     image: Image) -> Outcome:
        topology = self._candidate(context, task)
        if topology is None:
            return Outcome(Kind.DONE, 'region not a candidate')
        target = topology.selector.target_of(task.region)
        rules = context.settings.targets[target]
        if not activation.follows(rules):
            return Outcome(Kind.DONE, 'master image %s is deactivated; the '
                           'copies of target %s do not follow it'
                           % (image.id, target))
        region = context.cloud.region(task.region)
        # A targeted read: the copies made from this image, by id
        # (match_by = id) or by recorded source.
        candidates = region.find_images(ImageQuery(
            ids=frozenset([image.id]), sources=frozenset([image.id]),
            source_property=SOURCE_PROPERTY))
        copies = activation.to_deactivate(candidates, image.id,
                                          topology.tenants[target])
        for copy in copies:
            region.deactivate(copy.id)
        return Outcome(Kind.DONE, 'master image %s is deactivated; %s'
                       % (image.id, ', '.join('copy %s deactivated' % c.id
                                              for c in copies)
                          or 'no active copy made by glance-sync'))

    def _without_leftovers(self, context: SyncContext, topology: Topology,
                           region: Region,
                           masters: Mapping[str, str | None],
                           query: ImageQuery) -> list[Image]:
        """The region's images ``query`` wants, once our unfinished copies
        of ``masters`` (id → name, for legacy configurations) are removed."""
        target = topology.selector.target_of(region.name)
        rules = context.settings.targets[target]
        legacy = not rules.record_source
        images = region.find_images(query)
        for image_id, name in masters.items():
            images = cleanup.remove_leftovers(
                region, images, image_id,
                master_name=name if legacy else None,
                tenant_id=topology.tenants[target])
        return images

    def _sync(self, context: SyncContext, task: dm.Task, master: Region,
              image: Image, dependencies: Iterable[str]) -> Outcome:
        topology = self._candidate(context, task)
        if topology is None:
            return Outcome(Kind.DONE, 'region not a candidate')
        if task.region not in topology.selector.select(image):
            # Not ours to touch, leftovers included: another deployment
            # (other rules, other journal) may be writing them.
            return Outcome(Kind.DONE, 'master image %s does not go to %s'
                           % (image.id, task.region))
        region = context.cloud.region(task.region)
        index = MasterIndex.build(self.master_catalog.around(master, image),
                                  topology.masters, master.name)
        names = _names_for(index, image.id)
        # An obsolete image is never uploaded: no copy of it is unfinished.
        obsolete = image.name.endswith(OBSOLETE_SUFFIX)
        masters: dict[str, str | None] = {} if obsolete else {
            image.id: image.name, **dict.fromkeys(dependencies)}
        target_rules = context.settings.targets[
            topology.selector.target_of(region.name)]
        planned = [index.by_name[n] for n in names if n in index.by_name]
        sources = masters if targeting.reads_sources(
            task.reason, task.attempts) else {}
        images = self._without_leftovers(
            context, topology, region, masters,
            targeting.sync_query(image, planned, sources, target_rules))
        if not names:
            return Outcome(Kind.DONE, 'master image %s is not synchronisable '
                           '(another project\'s, or its name is duplicated)'
                           % image.id)
        sub_index, rules = topology.selector.region_index(
            destinations.restrict(index, names), task.region)
        plan = plan_region(sub_index, images, rules, region.name,
                           tenant_id=topology.tenant_of(region.name))
        if plan.synchronised:
            statuses = ', '.join(str(s.status) for s in plan.statuses)
            return Outcome(Kind.DONE, 'nothing to do (%s)%s' % (
                statuses or 'not selected here',
                self._follow(context, master, image, region, rules,
                             plan.region_ids)))
        relay = self._relay(context, task, master, image, plan)
        if isinstance(relay, relaying.Waiting):
            return Outcome(Kind.WAIT, relay.detail, note=relay.note,
                           retry_in=relay.retry_in)
        meter = metering.CopyMeter()
        with contextlib.ExitStack() as stack:
            copier: Copier = functools.partial(context.copier, meter=meter)
            if relay is not None:
                stack.enter_context(relay)
                copier = relay.copier(context.copier, meter)
            report = engine.apply_plan(plan, region, master_region=master,
                                       copier=copier)
        metrics.copied(task.region, report.done)
        used = None if relay is None else relay.used
        detail = ('; '.join(a.describe() for a in report.done)
                  + ('' if used is None
                     else '; copied from %s' % used.describe())
                  + self._follow(context, master, image, region, rules,
                                 {**plan.region_ids, **report.created}))
        if not meter.copies:
            return Outcome(Kind.DONE, detail)
        return Outcome(Kind.DONE, detail, bytes=meter.bytes,
                       seconds=meter.seconds,
                       source=master.name if used is None else used.region)

    def _relay(self, context: SyncContext, task: dm.Task, master: Region,
               image: Image, plan: RegionPlan
               ) -> relaying.RelayCopy | relaying.Waiting | None:
        """The relay copy of the task's image, if the plan uploads it
        and relays apply to the region (:mod:`~glance_sync.daemon.
        relaying`)."""
        if self._relays is None or not self._relays.applies(context,
                                                            task.region):
            return None
        if not any(isinstance(action, Upload) and action.master.id == image.id
                   for action in plan.actions):
            return None
        return self._relays.start(context, task, master, image)

    def _follow(self, context: SyncContext, master: Region, image: Image,
                region: Region, rules: TargetRules,
                copies: Mapping[str, str]) -> str:
        """The copy's members made the master's (:mod:`glance_sync.sync.
        members`) and the copy put into the target's stores
        (:mod:`glance_sync.sync.stores`).

        :returns: what to add to the outcome's line.
        """
        extra = ''
        if image.visibility == members.SHARED:
            unmapped = members.follow_images(
                master, [image], region, copies, members.translator(
                    split_name(region.name)[0], rules,
                    members.directories(context.cloud)))
            if unmapped:
                extra += ('; members not mapped to the region\'s Keystone: '
                          '%s' % ', '.join(sorted(unmapped[image.name])))
        missing = stores.follow_images(
            region, [image], copies,
            () if rules.metadata_only else rules.stores)
        if missing:
            # Raised, so that the task is retried like a failed copy.
            raise stores.StoresIncomplete(
                region.name, image=image.id,
                stores=', '.join(sorted(missing[image.name])))
        return extra


def _names_for(index: MasterIndex, image_id: str) -> set[str]:
    """The index names a task about ``image_id`` plans with: the image,
    its obsolete counterpart and its kernel and ramdisk."""
    name = next((n for n, i in index.by_name.items() if i.id == image_id),
                None)
    if name is None:
        return set()
    names = {name}
    if name.endswith(OBSOLETE_SUFFIX):
        names.add(name[:-len(OBSOLETE_SUFFIX)])
    names.update(n for n in index.references.get(name, {}).values()
                 if n is not None)
    return names
