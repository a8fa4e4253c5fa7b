"""The periodic reconcile: the safety net for everything events missed.

A pass discovers the targets' regions again, lists and indexes the master
once (and gives the listing to the tasks' master catalog), then plans
every candidate region with the rules and the region selection, exactly
as ``glance-sync-manage sync`` would, without applying anything. Each
region is listed once per pass; ``[daemon] reconcile_workers`` regions
are listed and planned at the same time, each region's pairs enqueued as
soon as it is planned, so a pass holds the master's images and that many
region listings at most. Every (master image, region) pair the plan
would touch is enqueued with reason ``reconcile``, and so are the pairs
whose copies need cleaning up:

- unfinished copies (``queued``/``saving``) made by glance-sync: leftovers
  of a transfer whose daemon died;
- copies made by glance-sync whose master image is gone, when
  ``delete_policy`` is not ``keep`` and the copy (standing in for its
  deleted master) would still be selected for that region.

Enqueueing is idempotent: pending pairs stay as they are, running ones run
once more. A region that fails is logged and skipped until the next pass.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable, Iterable

from glance_sync.daemon import cleanup, periodic, runner
from glance_sync.daemon.context import SyncContext, Topology
from glance_sync.daemon.master_catalog import MasterCatalog
from glance_sync.db import data_models as dm
from glance_sync.db.repositories import Journal
from glance_sync.images import Image
from glance_sync.regions.base import RegionError
from glance_sync.rules.actions import Action, Deactivate, Upload
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.plan import plan_region
from glance_sync.rules.selection import OBSOLETE_SUFFIX, MasterIndex

__all__ = ['REASON', 'Reconciler', 'pairs_for_region']

LOG = logging.getLogger(__name__)

REASON = 'reconcile'
#: Seconds before a failed pass is tried again, at most.
RETRY_AFTER_FAILURE = 30.0


def _master_of(action: Action, index: MasterIndex) -> Image | None:
    """The master image an action is about."""
    if isinstance(action, Upload):
        return action.master
    if isinstance(action, Deactivate):
        return index.deactivated.get(action.master_id)
    name = action.new_name or action.image_name
    found = index.by_name.get(name)
    if found is None and not name.endswith(OBSOLETE_SUFFIX):
        found = index.by_name.get(name + OBSOLETE_SUFFIX)
    return found


def _cleanup_requests(images: Iterable[Image], master_ids: set[str],
                      topology: Topology, region: str,
                      delete_policy: str) -> list[dm.TaskRequest]:
    """Pairs whose copies in ``region`` need cleaning up.

    A copy stands in for its master when deciding whether it goes to the
    region: copies another deployment (other rules) is writing or keeps
    are not ours to clean up.
    """
    requests = []
    for image in images:
        source = image.user_properties.get(SOURCE_PROPERTY)
        if not source:
            continue
        unfinished = image.status in cleanup.UNFINISHED
        orphan = (source not in master_ids and delete_policy != cleanup.KEEP
                  and image.status != 'deactivated')
        # The selection last: it is most of the cost of a pass over
        # regions whose copies are all in order.
        if (unfinished or orphan) and region in topology.selector.select(
                image.copy(owner=None)):
            requests.append(dm.TaskRequest(str(source), region, image.name))
    return requests


def pairs_for_region(context: SyncContext, topology: Topology,
                     index: MasterIndex, master_ids: set[str],
                     region_name: str) -> list[dm.TaskRequest]:
    """What the reconcile enqueues for one region.

    :param index: the master index.
    :param master_ids: the ids of every image the master lists.
    :raises RegionError: the region cannot be listed.
    """
    region = context.cloud.region(region_name)
    sub_index, rules = topology.selector.region_index(index, region_name)
    images = runner.list_region(region, rules)
    plan = plan_region(sub_index, images, rules, region_name,
                       tenant_id=topology.tenant_of(region_name))
    requests = {}
    for action in plan.actions:
        master = _master_of(action, sub_index)
        if master is not None:
            requests[master.id] = dm.TaskRequest(master.id, region_name,
                                                 master.name)
    for request in _cleanup_requests(images, master_ids, topology,
                                     region_name,
                                     context.options.delete_policy):
        requests.setdefault(request.image_id, request)
    return list(requests.values())


class Reconciler:
    """Runs reconcile passes at start-up and every ``interval`` seconds.

    :param journal: the task journal.
    :param contexts: returns the current :class:`SyncContext`.
    :param interval: seconds between passes; 0 for the start-up pass only.
    :param wake: called when a pass enqueued something.
    :param catalog: the tasks' master catalog, replaced by each pass's
        listing of the master.
    :param workers: regions listed and planned at the same time.
    """

    def __init__(self, journal: Journal, contexts: Callable[[], SyncContext],
                 interval: float,
                 wake: Callable[[], None] = lambda: None, *,
                 catalog: MasterCatalog | None = None,
                 workers: int = 8) -> None:
        self._catalog = catalog
        self._workers = max(1, workers)
        self._journal = journal
        self._contexts = contexts
        self._interval = interval
        self._wake = wake
        self._thread = periodic.Periodic('glance-sync-reconcile',
                                         self._pass)

    def run_once(self) -> int:
        """One pass (see the module docstring).

        :returns: how many pairs were enqueued.
        :raises RegionError: the catalogs or the master cannot be read.
        """
        context = self._contexts()
        topology = context.refresh()
        master = context.cloud.master()
        listed = runner.list_master(master)
        index = MasterIndex.build(listed, topology.masters,
                                  master.name)
        master_ids = {image.id for image in listed}
        if self._catalog is not None:
            self._catalog.replace(master, listed)
        del listed  # the index and the catalog hold what is needed
        regions = topology.selector.regions
        enqueued = 0
        with concurrent.futures.ThreadPoolExecutor(
                max_workers=min(self._workers, max(1, len(regions))),
                thread_name_prefix='glance-sync-reconcile') as pool:
            futures = {pool.submit(pairs_for_region, context, topology,
                                   index, master_ids, region): region
                       for region in regions}
            # The journal is written from this thread only, one region's
            # pairs at a time, as soon as that region is planned.
            for future in concurrent.futures.as_completed(futures):
                enqueued += self._enqueue(futures.pop(future), future)
        LOG.info('Reconcile pass over %d region(s): %d pair(s) enqueued',
                 len(regions), enqueued)
        return enqueued

    def _enqueue(self, region: str,
                 future: concurrent.futures.Future[list[dm.TaskRequest]]
                 ) -> int:
        try:
            requests = future.result()
        except RegionError as exc:
            LOG.warning('Reconcile skipped region %s: %s', region, exc)
            return 0
        if requests:
            self._journal.enqueue_many(requests, REASON)
            self._wake()
        return len(requests)

    def start(self) -> None:
        """Start the thread: a pass now, then one per interval."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current pass (waits ``timeout`` s at most)."""
        self._thread.stop(timeout)

    def _pass(self) -> float | None:
        """One pass of the thread; seconds to the next, None for none."""
        try:
            self.run_once()
            wait = self._interval
        except Exception as exc:  # noqa: BLE001 - next pass retries
            # A failed pass is tried again soon, even with interval 0:
            # the start-up pass is the one events cannot replace.
            wait = min(self._interval or RETRY_AFTER_FAILURE,
                       RETRY_AFTER_FAILURE)
            LOG.warning('Reconcile pass failed (next in %d s): %s',
                        wait, exc)
        return wait if wait > 0 else None
