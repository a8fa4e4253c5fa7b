"""What every part of the daemon reads: configuration, cloud, regions.

A :class:`SyncContext` bundles one loaded configuration with its cloud
(:class:`~glance_sync.sync.cloud.Cloud`: a region object per name, one
session per target), the copier of its transfer strategies (shared by
every task, so that tasks copying one image to several regions at the
same time read it once) and the daemon's options. It is replaced as a whole
when SIGHUP reloads the configuration: a task that started with the old
one finishes with it.

The :class:`Topology` (each target's regions and tenant, and the
:class:`~glance_sync.rules.destinations.RegionSelector` built from them)
needs Keystone; it is discovered on first use, kept, and discovered again
by each reconcile pass (:meth:`SyncContext.refresh`). Thread-safe.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from typing import Any

from glance_sync.images import MASTER_TARGET
from glance_sync.rules import destinations
from glance_sync.rules.options import SyncSettings
from glance_sync.rules.owners import Owners, Tenant
from glance_sync.sync.cloud import Cloud
from glance_sync.sync.copier import make_copier
from glance_sync.transfer.base import TransferOptions

__all__ = ['DaemonOptions', 'SyncContext', 'Topology']

#: Seconds the first copy of an image waits for the other tasks of that
#: image claimed with it (see GatheringCopier's arrival_grace).
TASK_ARRIVAL_GRACE = 0.5


@dataclasses.dataclass(frozen=True)
class DaemonOptions:
    """The ``[daemon]`` options tasks and events depend on."""

    strategy: destinations.Strategy = destinations.Strategy.RULES
    regions_property: str = destinations.DEFAULT_PROPERTY
    snapshot_timeout: float = 300.0
    snapshot_sleep_interval: float = 10.0
    delete_policy: str = 'keep'

    @classmethod
    def from_conf(cls, conf: Any) -> DaemonOptions:
        """:param conf: options with :mod:`glance_sync.conf.daemon`'s."""
        group = conf.daemon
        return cls(destinations.Strategy(group.sync_strategy),
                   group.regions_property, group.snapshot_timeout,
                   group.snapshot_sleep_interval, group.delete_policy)


@dataclasses.dataclass(frozen=True)
class Topology:
    """Each target's tenant and candidate regions, as discovered."""

    #: Target → the projects owning its copies (its own; with
    #: ``copy_owner = master`` the master projects too).
    tenants: dict[str, Tenant]
    selector: destinations.RegionSelector
    #: The master projects whose images are candidates (``None``: the
    #: master target's tenant).
    master_owners: Owners | None = None

    def tenant_of(self, region: str) -> Tenant:
        """The tenant of a qualified region's target."""
        return self.tenants[self.selector.target_of(region)]

    @property
    def masters(self) -> Tenant:
        """The owners of the master's candidate images."""
        if self.master_owners is not None:
            return self.master_owners
        return self.tenants[MASTER_TARGET]


class SyncContext:
    """One configuration's view of the cloud; see the module docstring.

    :param cloud: the regions of the configuration's targets.
    :param options: the daemon's options.
    """

    def __init__(self, cloud: Cloud, options: DaemonOptions) -> None:
        self.cloud = cloud
        self.options = options
        # Tasks of one image claimed together start a few tens of ms
        # apart: the first copy waits that long for the others, so the
        # master image is read once for all of them.
        self.copier = make_copier(cloud.config,
                                  arrival_grace=TASK_ARRIVAL_GRACE)
        self._topology: Topology | None = None
        self._lock = threading.Lock()

    @functools.cached_property
    def transfer_options(self) -> TransferOptions:
        """The ``[transfer]`` options (relay copies, sites), read once."""
        return TransferOptions.from_conf(self.copier.selector.conf)

    @property
    def settings(self) -> SyncSettings:
        """The rules' settings."""
        return self.cloud.config.settings

    def topology(self) -> Topology:
        """The topology, discovered on first use.

        :raises RegionError: a Keystone cannot be reached or refuses the
            credentials.
        """
        with self._lock:
            if self._topology is not None:
                return self._topology
        return self.refresh()

    def refresh(self) -> Topology:
        """Discover every target's regions and tenant again.

        :raises RegionError: a Keystone cannot be reached or refuses the
            credentials; the previous topology stays.
        """
        discovered = {target: self.cloud.regions_of(target)
                      for target in self.cloud.config.targets}
        tenants: dict[str, Tenant] = {
            target: self.cloud.owners(target)
            for target in self.cloud.config.targets}
        masters = self.cloud.master_owners()
        found = Topology(tenants, destinations.RegionSelector(
            self.settings, destinations.candidate_regions(self.settings,
                                                          discovered),
            master_tenant=masters,
            strategy=self.options.strategy,
            property_name=self.options.regions_property), masters)
        with self._lock:
            self._topology = found
        return found
