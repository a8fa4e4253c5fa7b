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
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from glance_sync import coordination, engine
from glance_sync.daemon import cleanup, metrics, targeting
from glance_sync.daemon.context import SyncContext, Topology
from glance_sync.daemon.master_catalog import MasterCatalog
from glance_sync.db import data_models as dm
from glance_sync.images import Image
from glance_sync.regions.base import (ImageNotFound, ImageQuery, Region,
                                      split_name)
from glance_sync.rules import activation, destinations
from glance_sync.rules.ami import AMI_PROPERTIES
from glance_sync.rules.options import TargetRules
from glance_sync.rules.plan import plan_region
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.selection import OBSOLETE_SUFFIX, MasterIndex
from glance_sync.sync import members, stores

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

_WAIT_PREFIX = 'waiting for master image'
_WAIT_FORMAT = _WAIT_PREFIX + ' %s to become active (it is %s) since %s'
_SINCE = re.compile(re.escape(_WAIT_PREFIX) + r' .* since (\S+)$')


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
    """The end of a run: its kind, and a line for the log."""

    kind: Kind
    detail: str
    #: With :attr:`Kind.WAIT`: the master image's status.
    status: str | None = None


def wait_message(image_id: str, status: str,
                 since: datetime.datetime) -> str:
    """The ``last_error`` of a task waiting for its master image.

    It records when the wait began, so that ``snapshot_timeout`` holds
    across runs, daemons and restarts.
    """
    return _WAIT_FORMAT % (image_id, status, since.isoformat())


def waiting_since(last_error: str | None) -> datetime.datetime | None:
    """When the wait recorded by :func:`wait_message` began, if it is one."""
    match = _SINCE.match(last_error or '')
    if match is None:
        return None
    try:
        return datetime.datetime.fromisoformat(match.group(1))
    except ValueError:
        return None


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
    """

    def __init__(self, contexts: Callable[[], SyncContext],
                 coordinator: coordination.Coordinator,
                 lock_timeout: float | None = None) -> None:
        self._contexts = contexts
        self._coordinator = coordinator
        self._lock_timeout = lock_timeout
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
                                  topology.tenants['master'], master.name)
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
        report = engine.apply_plan(plan, region, master_region=master,
                                   copier=context.copier)
        metrics.copied(task.region, report.done)
        return Outcome(Kind.DONE, '; '.join(a.describe()
                                            for a in report.done)
                       + self._follow(context, master, image, region, rules,
                                      {**plan.region_ids, **report.created}))

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
