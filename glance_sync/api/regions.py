"""The regions the API knows, and their synchronisation status.

Regions come from each target's Keystone catalog, as for
``glance-sync-manage`` (a :class:`~glance_sync.sync.cloud.OnlineCloud`
built from the same configuration), and are cached for
``[api] region_cache_seconds``. A region is named as on the command line:
``RegionTwo`` (master target) or ``other:RegionFour``.

Statuses are computed by the rules over the live regions, as
``glance-sync-manage status`` computes them, and with what the daemon
adds to the rules (``[daemon] sync_strategy`` and the per-image regions
property), so that the API shows and requests what the daemon will do.
A region the target ignores (``ignore_regions``) but that a request names
gets the rules alone, as on the command line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator

from glance_sync.api import errors
from glance_sync.conf.errors import ConfigError
from glance_sync.rules import destinations
from glance_sync.daemon.context import DaemonOptions
from glance_sync.db import data_models as dm
from glance_sync.sync import syncing
from glance_sync.sync.cloud import Cloud, UnknownRegion
from glance_sync.regions import base
from glance_sync.rules import plan as rules_plan
from glance_sync.rules.actions import UpdateMetadata
from glance_sync.rules.selection import MasterIndex

__all__ = ['RegionDirectory', 'RegionState', 'unavailable']


@contextlib.contextmanager
def unavailable() -> Iterator[None]:
    """Region errors (a Keystone or a Glance not answering, credentials
    refused) become 503 answers naming the region."""
    try:
        yield
    except base.RegionError as exc:
        raise errors.ServiceUnavailable(reason=str(exc)) from exc


@dataclasses.dataclass(frozen=True)
class RegionState:
    """A region's plan and the master index it was computed from."""

    index: MasterIndex
    plan: rules_plan.RegionPlan

    def sync_requests(self) -> list[dm.TaskRequest]:
        """The journal tasks a sync of the region needs: every selected
        master image, and every obsolete master image whose regional copy
        must follow it (renamed, made private...)."""
        wanted = {image.id: image.name for image in self.plan.images}
        for action in self.plan.actions:
            if isinstance(action, UpdateMetadata) and (
                    action.reason == 'obsolete'):
                # The copy is renamed to the master image's name, or
                # already carries it.
                master = self.index.by_name.get(action.new_name
                                                or action.image_name)
                if master is not None:
                    wanted[master.id] = master.name
        return [dm.TaskRequest(image_id, self.plan.region, name)
                for image_id, name in wanted.items()]


class RegionDirectory:
    """Region names checked against the catalogs, and region plans.

    Thread-safe: the cache is guarded by a lock; the cloud shares one
    session per target.

    :param cloud: the regions of the configuration.
    :param cache_seconds: how long a target's region list is kept.
    :param clock: monotonic seconds; tests inject one.
    :param options: the daemon's options (its selection of regions).
    """

    def __init__(self, cloud: Cloud, cache_seconds: float,
                 clock: Callable[[], float] = time.monotonic,
                 options: DaemonOptions | None = None) -> None:
        self.cloud = cloud
        self.options = options or DaemonOptions()
        self._ttl = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    def resolve(self, name: str) -> str:
        """The qualified name of a region given in a URL.

        :raises UnknownRegion: no target or catalog has it (410).
        :raises MasterRegion: it is the master region (400).
        :raises ServiceUnavailable: the target's Keystone did not answer.
        """
        target, bare = base.split_name(name)
        if not bare or target not in self.cloud.config.settings.targets:
            raise errors.UnknownRegion(region=name)
        if bare not in self._regions_of(target):
            raise errors.UnknownRegion(region=name)
        qualified = base.qualified_name(target, bare)
        if qualified == self.cloud.master_region:
            raise errors.MasterRegion(region=qualified)
        return qualified

    def plan(self, name: str) -> RegionState:
        """The plan of a resolved region: statuses, copies and actions.

        :raises ServiceUnavailable: the master or the region did not answer.
        """
        target = base.split_name(name)[0]
        with unavailable():
            index = syncing.master_index(self.cloud)
            try:
                region = self.cloud.region(name)
            except UnknownRegion as exc:  # gone since the cache was filled
                raise errors.UnknownRegion(region=name) from exc
            selector = self._selector()
            if name in selector.regions:
                selected, rules = selector.region_index(index, name)
            else:
                selected = index
                rules = self.cloud.config.settings.targets[target]
            return RegionState(index, rules_plan.plan_region(
                selected, region.list_images(include_public=True), rules,
                name, tenant_id=self.cloud.owners(target)))

    def _selector(self) -> destinations.RegionSelector:
        """The daemon's region decisions, over the cached catalogs (the
        master index already left other projects' images out)."""
        settings = self.cloud.config.settings
        return destinations.RegionSelector(
            settings, destinations.candidate_regions(settings, {
                target: sorted(self._regions_of(target))
                for target in settings.targets}),
            strategy=self.options.strategy,
            property_name=self.options.regions_property)

    def _regions_of(self, target: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(target)
            if cached is not None and now - cached[0] < self._ttl:
                return cached[1]
        with unavailable():
            try:
                names = frozenset(self.cloud.regions_of(target))
            except ConfigError as exc:
                raise errors.ServiceUnavailable(reason=str(exc)) from exc
        with self._lock:
            self._cache[target] = (now, names)
        return names
