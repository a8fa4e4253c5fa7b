"""Run one FIWARE GlanceSync scenario through the rules and the engine.

A scenario folder ``S`` (see ``../shared/conformance/fiware/README.md``)
holds the regions before the sync; ``S.result``, ``S.status_pre`` and
``S.status_post`` what GlanceSync produced. :class:`Scenario` loads ``S``
into in-memory regions and offers each step: status, sync, comparison.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os

from glance_sync import engine
from glance_sync.conf import legacy
from glance_sync.regions import base
from glance_sync.regions import csvfile
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules import plan as rules_plan
from glance_sync.rules.options import TargetRules
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import format_status
from glance_sync.sync.copier import offline_copier
from tests import fiware_data

#: The data folder (:mod:`tests.fiware_data`).
DATA_DIR = fiware_data.DATA_DIR


def load_config(path: str) -> legacy.LegacyConfig:
    """A scenario's configuration, read as glance-sync reads a FIWARE
    ``glancesync.conf`` (no ``OS_*`` variables from this environment)."""
    return legacy.load(path, (), environ={})


def scenarios() -> dict[str, dict]:
    """The scenarios of ``scenarios.json`` (``_about`` left out)."""
    with open(os.path.join(DATA_DIR, 'scenarios.json')) as stream:
        found = json.load(stream)
    return {k: v for k, v in found.items() if not k.startswith('_')}


def comparable(image: base.Image) -> tuple:
    """The fields a backup row holds, for comparing images."""
    return (image.region, image.name, image.id, image.status, image.size,
            image.checksum, image.owner, image.is_public,
            image.user_properties)


class Scenario:
    """One scenario's regions, loaded fresh from ``S``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.path = os.path.join(DATA_DIR, name)
        spec = scenarios()[name]
        self.regions_to_sync = [self.normalise(r) for r in spec['regions']]
        self.warnings = spec['warnings']
        config = os.path.join(self.path, 'config')
        if not os.path.exists(config):
            config = os.path.join(DATA_DIR, 'default.config')
        loaded = load_config(config)
        self.settings = loaded.settings
        self.rules = {t: self._with_tenant(r, loaded)
                      for t, r in self.settings.targets.items()}
        self.regions = MemoryRegion.load_folder(self.path, self.tenant_of)
        self._loaded = frozenset(self.regions)
        self._index: MasterIndex | None = None

    @staticmethod
    def normalise(region: str) -> str:
        """``master:Burgos`` is ``Burgos``."""
        return base.qualified_name(*base.split_name(region))

    @staticmethod
    def _with_tenant(rules: TargetRules,
                     loaded: legacy.LegacyConfig) -> TargetRules:
        # GlanceSync's mock: tenant_id if configured, else <tenant>id.
        tenant = rules.tenant_id or '%sid' % loaded.project_name(rules.name)
        return dataclasses.replace(rules, tenant_id=tenant)

    def tenant_of(self, region: str) -> str | None:
        """The tenant id of a region's target."""
        rules = self.rules.get(base.split_name(region)[0])
        return rules.tenant_id if rules else None

    def rules_of(self, region: str) -> TargetRules:
        """The rules of a region's target."""
        return self.rules[base.split_name(region)[0]]

    def region(self, name: str) -> MemoryRegion:
        """A region; one without a backup file starts empty (GlanceSync's
        mock knows regions only from their files, but an empty region has
        an empty file and is no different)."""
        if name not in self.regions:
            self.regions[name] = MemoryRegion(
                name, tenant_id=self.tenant_of(name))
        return self.regions[name]

    @property
    def master_region(self) -> MemoryRegion:
        """The master region."""
        return self.regions[self.settings.master_region]

    def master_index(self) -> MasterIndex:
        """The master index, built once per scenario like GlanceSync's
        master dictionary (its constructor builds it; status and sync
        then share it)."""
        if self._index is None:
            self._index = MasterIndex.build(
                self.master_region.list_images(True),
                self.rules['master'].tenant_id or '',
                self.master_region.name)
        return self._index

    def status(self, region: str) -> str:
        """GlanceSync's status report of one region."""
        statuses = rules_plan.status_region(
            self.master_index(), self.region(region).list_images(True),
            self.rules_of(region), region)
        return format_status(statuses)

    def expected_status(self, kind: str, region: str) -> str:
        """The recorded report (``kind``: ``status_pre``/``status_post``)."""
        with open(os.path.join(self.path + '.' + kind, region + '.csv'),
                  encoding='utf-8') as stream:
            return stream.read()

    def sync(self) -> None:
        """Sync the scenario's regions, in order, with one master index."""
        index = self.master_index()
        for name in self.regions_to_sync:
            engine.sync_region(index, self.master_region, self.region(name),
                               self.rules_of(name),
                               copier=offline_copier())

    def state(self) -> dict[str, dict[str, tuple]]:
        """Every region's images, comparable, by region and id."""
        return {name: {i.id: comparable(i) for i in region.snapshot()}
                for name, region in self.regions.items()
                if name in self._loaded or region.snapshot()}

    def expected_state(self) -> dict[str, dict[str, tuple]]:
        """The recorded ``S.result``, as :meth:`state` gives it."""
        found = csvfile.list_backups(self.path + '.result')
        return {name: {i.id: comparable(i) for i in csvfile.read_backup(p)}
                for name, p in found.items()}


class WarningCapture(logging.Handler):
    """Collects the WARNING (and worse) records of ``glance_sync``."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> WarningCapture:
        logger = logging.getLogger('glance_sync')
        self._level = logger.level
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG if self._level == 0 else
                        min(self._level, logging.WARNING))
        return self

    def __exit__(self, *exc_info: object) -> None:
        logger = logging.getLogger('glance_sync')
        logger.removeHandler(self)
        logger.setLevel(self._level)
