"""Where ``glance-sync-manage`` finds its regions: a cloud or a folder.

A :class:`Cloud` turns region names into :class:`~glance_sync.regions.
base.Region` objects and knows each target's regions and tenant:

- :class:`OnlineCloud` talks to the real Glances: one keystoneauth session
  per target (from the configuration), regions discovered in each
  target's catalog;
- :class:`OfflineCloud` (``--offline DIR``) loads in-memory regions from
  ``DIR/backup_<region>.csv`` and writes every change back there, as
  GlanceSync's mock facade did.

Whose images count (:class:`~glance_sync.rules.owners.Owners`): the
master's candidates are the images of the master projects
(:meth:`Cloud.master_owners`, ``[target:master] master_projects``,
resolved once per cloud, i.e. per configuration load); a target's copies
are its project's images, and with ``copy_owner = master`` also those of
the master projects (:meth:`Cloud.owners`). Each region lists the images
of exactly those projects.

Region names are qualified (``Region`` for the master target,
``target:Region`` otherwise, see :func:`glance_sync.regions.base.
qualified_name`).
"""

from __future__ import annotations

import abc
import logging
import os
import re
import threading
from collections.abc import Callable

from keystoneauth1 import session as ksa_session

from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig
from glance_sync.regions import auth, base, catalog, csvfile
from glance_sync.regions.drivers import glance, glance_errors, memory
from glance_sync.rules.options import COPY_OWNER_MASTER
from glance_sync.rules.owners import Owners
from glance_sync.sync import projects

__all__ = ['Cloud', 'OfflineCloud', 'OnlineCloud', 'UnknownRegion',
           'resolve_master_projects']

LOG = logging.getLogger(__name__)


class UnknownRegion(ConfigError):
    """A region argument names a region or target that does not exist."""


class Cloud(metaclass=abc.ABCMeta):
    """The regions of every target of a configuration.

    Thread-safe: regions are created once, under a lock, and shared.
    """

    def __init__(self, config: SyncConfig) -> None:
        self.config = config
        self._regions: dict[str, base.Region] = {}
        self._lock = threading.Lock()
        self._master_owners: Owners | None = None
        # Not the regions' lock: a region resolves them on its first read.
        self._owners_lock = threading.Lock()

    @property
    def master_region(self) -> str:
        """The master region's name."""
        return self.config.settings.master_region

    def check_target(self, target: str, argument: str) -> None:
        """:raises UnknownRegion: ``target`` is not configured."""
        if target not in self.config.settings.targets:
            raise UnknownRegion(
                self.config.source, None, None,
                'unknown target %r in region argument %r (targets: %s)'
                % (target, argument, ', '.join(self.config.targets)))

    def region(self, name: str) -> base.Region:
        """The region of that qualified name, created on first use.

        :raises UnknownRegion: its target is not configured or (offline)
            the folder has no backup of it.
        """
        target, bare = base.split_name(name)
        name = base.qualified_name(target, bare)
        self.check_target(target, name)
        with self._lock:
            if name not in self._regions:
                self._regions[name] = self._make_region(target, bare)
            return self._regions[name]

    def master(self) -> base.Region:
        """The master region."""
        return self.region(self.master_region)

    @abc.abstractmethod
    def regions_of(self, target: str) -> list[str]:
        """The bare names of every region of a target, sorted.

        :raises AuthFailed: (online) Keystone refused the credentials.
        :raises RegionUnavailable: (online) Keystone did not answer.
        """

    @abc.abstractmethod
    def tenant_id(self, target: str) -> str:
        """The project owning the target's copies (``tenant_id`` rule first).

        :raises AuthFailed: (online) Keystone refused the credentials.
        """

    def master_owners(self) -> Owners:
        """The master projects whose images are candidates: ``[target:
        master] master_projects`` resolved to ids (once), else the master
        target's own project.

        :raises ConfigError: a listed project does not exist.
        :raises AuthFailed: (online) Keystone refused the credentials.
        :raises RegionUnavailable: (online) Keystone did not answer (the
            next call tries again).
        """
        with self._owners_lock:
            if self._master_owners is not None:
                return self._master_owners
        configured = self.config.settings.master_projects
        if configured:
            ids = self._resolve_projects(configured)
            found = Owners(ids[0], ids[1:])
        else:
            found = Owners(self.tenant_id(base.MASTER_TARGET))
        with self._owners_lock:
            self._master_owners = found
        return found

    def owners(self, target: str) -> Owners:
        """The projects whose images are a target's copies: its own, and
        with ``copy_owner = master`` the master projects.

        :raises ConfigError: a listed master project does not exist.
        :raises AuthFailed: (online) Keystone refused the credentials.
        """
        own = self.tenant_id(target)
        rules = self.config.settings.targets[target]
        if rules.copy_owner != COPY_OWNER_MASTER:
            return Owners(own)
        return Owners(own, self.master_owners().ids)

    def listed_owners(self, target: str, bare: str) -> Owners:
        """The projects whose images a region lists: the master projects
        in the master region, the target's owners elsewhere."""
        if (target == base.MASTER_TARGET and bare == self.master_region):
            return self.master_owners()
        return self.owners(target)

    def _resolve_projects(self, values: tuple[str, ...]) -> list[str]:
        """The ids of ``master_projects`` (names or ids), in order; here
        taken as ids.

        :raises ConfigError: one of them does not exist.
        """
        return list(values)

    def save(self, region: base.Region) -> None:
        """Keep a region's changes (offline: write its backup file)."""

    @abc.abstractmethod
    def _make_region(self, target: str, bare: str) -> base.Region:
        """Build one region; ``target`` is known."""


class OnlineCloud(Cloud):
    """The real Glance of every region, through each target's session.

    A region must be in its target's catalog: a misspelt region is a usage
    error (:class:`UnknownRegion`), not an unavailable region. When the
    catalog cannot be read, the region is created anyway and fails on
    first use, as an unavailable region: the other targets' regions go on.
    """

    def __init__(self, config: SyncConfig) -> None:
        super().__init__(config)
        self._sessions: dict[str, ksa_session.Session] = {}
        # Not the regions' lock: a region is built holding that one.
        self._session_lock = threading.Lock()

    def session(self, target: str) -> ksa_session.Session:
        """The keystoneauth session of a target, created on first use and
        shared by its regions (no network I/O: authentication happens on
        the first request).

        :raises ConfigError: the target is unknown.
        """
        with self._session_lock:
            if target not in self._sessions:
                self._sessions[target] = auth.target_session(self.config,
                                                             target)
            return self._sessions[target]

    def regions_of(self, target: str) -> list[str]:
        # Regions with an endpoint_override need no catalog entry.
        endpoints = self.config.endpoints(target)
        found = catalog.discover_regions(self.session(target),
                                         interface=endpoints.interface,
                                         target=target)
        return sorted(set(found) | set(endpoints.overrides))

    def tenant_id(self, target: str) -> str:
        own = self.config.settings.targets[target].tenant_id
        if own:
            return own
        with glance_errors.translated(target, 'authenticating'):
            project = self.session(target).get_project_id()
        if not project:
            raise base.AuthFailed(target, reason='the token of target %s is '
                                  'not scoped to a project' % target)
        return str(project)

    def _resolve_projects(self, values: tuple[str, ...]) -> list[str]:
        return projects.resolve(self.session(base.MASTER_TARGET), values,
                                self.config.source)

    def _make_region(self, target: str, bare: str) -> base.Region:
        try:
            known: list[str] | None = self.regions_of(target)
        except base.RegionError:
            known = None
        if known is not None and bare not in known:
            raise UnknownRegion(
                self.config.source, None, None,
                'unknown region %r: the catalog of target %s has no image '
                'endpoint there (regions: %s)'
                % (base.qualified_name(target, bare), target,
                   ', '.join(known) or 'none'))
        endpoints = self.config.endpoints(target)
        return glance.GlanceRegion(
            base.qualified_name(target, bare), self.session(target),
            region_name=bare, interface=endpoints.interface,
            endpoint_override=endpoints.overrides.get(bare),
            project_id=self.config.settings.targets[target].tenant_id,
            owners=self._listing_owners(target, bare),
            list_timeout=self.config.settings.list_images_timeout)

    def _listing_owners(self, target: str, bare: str
                        ) -> Callable[[], tuple[str, ...]] | None:
        """The projects the region lists, resolved on its first listing
        (Keystone may be down now); ``None``: the session's project."""
        if not (self.config.settings.master_projects
                or self.config.settings.targets[target].copy_owner
                == COPY_OWNER_MASTER):
            return None
        return lambda: self.listed_owners(target, bare).ids


class OfflineCloud(Cloud):
    """In-memory regions loaded from, and saved to, a backup folder.

    A target's tenant is its ``tenant_id`` option, else its project name
    followed by ``id`` (``tenant1`` → ``tenant1id``), the convention of
    GlanceSync's mock and of the FIWARE test data.
    """

    def __init__(self, config: SyncConfig, folder: str) -> None:
        super().__init__(config)
        if not os.path.isdir(folder):
            raise ConfigError(folder, reason='--offline needs a folder of '
                              'backup_<region>.csv files')
        self.folder = folder
        self._paths = csvfile.list_backups(folder)

    def regions_of(self, target: str) -> list[str]:
        names = (base.split_name(name) for name in self._paths)
        return sorted(bare for owner, bare in names if owner == target)

    def tenant_id(self, target: str) -> str:
        own = self.config.settings.targets[target].tenant_id
        if own:
            return own
        return '%sid' % (self.config.project_name(target) or target)

    def _resolve_projects(self, values: tuple[str, ...]) -> list[str]:
        # The backups' convention: project "tenant1" has id "tenant1id";
        # a Keystone id (32 hex digits) is taken as it is.
        return [v if _is_keystone_id(v) else '%sid' % v for v in values]

    def save(self, region: base.Region) -> None:
        if isinstance(region, memory.MemoryRegion):
            region.dump(self.folder)

    def _make_region(self, target: str, bare: str) -> base.Region:
        name = base.qualified_name(target, bare)
        path = self._paths.get(name)
        if path is None:
            raise UnknownRegion(
                self.folder, None, None,
                'no backup of region %r (%s)'
                % (name, os.path.basename(csvfile.backup_path('', name))))
        try:
            return memory.MemoryRegion.from_backup(
                path, name, tenant_id=self.tenant_id(target),
                owners=self.listed_owners(target, bare).ids)
        except csvfile.BackupFormatError as exc:
            raise ConfigError(exc.path, reason='line %s: %s'
                              % (exc.line, exc.reason)) from exc
        except OSError as exc:
            raise ConfigError(path, reason='cannot read the backup: %s'
                              % (exc.strerror or exc)) from exc


def resolve_master_projects(cloud: Cloud) -> None:
    """Resolve ``master_projects`` now, when a service starts or reloads,
    so that an unknown project stops it with its name; a Keystone that
    does not answer only delays the resolution to the first use.

    :raises ConfigError: a listed project does not exist.
    """
    if not cloud.config.settings.master_projects:
        return
    try:
        cloud.master_owners()
    except base.RegionError as exc:
        LOG.warning('[target:master] master_projects not resolved yet, '
                    'tried again at first use: %s', exc)


def _is_keystone_id(value: str) -> bool:
    return re.fullmatch(r'[0-9a-f]{32}', value) is not None
