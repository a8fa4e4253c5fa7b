"""An in-memory cloud for the daemon's unit tests.

Target ``master`` (tenant ``tm``): master region ``Master``, regions
``R2`` and ``R3``. Target ``other`` (tenant ``to``): region ``O1``
(qualified ``other:O1``). Every region is a
:class:`~glance_sync.regions.drivers.memory.MemoryRegion`, so copies move
real bytes and get real hashes.
"""

import dataclasses
import os

import fixtures

from glance_sync.conf.loaded import SyncConfig
from glance_sync.daemon import context
from glance_sync.db import repositories
from glance_sync.images import qualified_name, split_name
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules import destinations
from glance_sync.rules.options import SyncSettings, TargetRules
from glance_sync.sync.cloud import Cloud
from tests.unit.db.test_repositories import FakeClock

TENANTS = {'master': 'tm', 'other': 'to'}
REGIONS = ('Master', 'R2', 'R3', 'other:O1')
CANDIDATES = ('R2', 'R3', 'other:O1')


class FakeConfig(SyncConfig):
    """Settings only: no credentials, no sessions."""

    def project_name(self, target):
        return None

    def _make_auth(self, target):
        raise AssertionError('the fake cloud authenticates nowhere')


class FakeCloud(Cloud):
    """The regions of :data:`REGIONS`, in memory.

    ``broken`` targets fail discovery with the given error.
    """

    def __init__(self, settings):
        super().__init__(FakeConfig('fake.conf', settings))
        self.memory = {name: MemoryRegion(
            name, tenant_id=TENANTS[split_name(name)[0]]) for name in REGIONS}
        self.broken = {}

    def regions_of(self, target):
        if target in self.broken:
            raise self.broken[target]
        return [split_name(n)[1] for n in REGIONS
                if split_name(n)[0] == target]

    def tenant_id(self, target):
        return TENANTS[target]

    def _make_region(self, target, bare):
        return self.memory[qualified_name(target, bare)]


def settings(**rules_by_target):
    """Sync settings: ``master=dict(...)``, ``other=dict(...)`` rule options
    (lists become frozensets); native (``record_source``) by default."""
    targets = {}
    for target in ('master', 'other'):
        options = dict(rules_by_target.get(target) or {})
        for key, value in options.items():
            if isinstance(value, (list, tuple, set)):
                options[key] = frozenset(value)
        options.setdefault('record_source', True)
        targets[target] = TargetRules(name=target,
                                      tenant_id=TENANTS[target], **options)
    return SyncSettings(master_region='Master', targets=targets)


def make_context(strategy='rules', delete_policy='keep', **rules_by_target):
    """A :class:`SyncContext` over a fresh :class:`FakeCloud`."""
    options = context.DaemonOptions(
        strategy=destinations.Strategy(strategy), delete_policy=delete_policy,
        snapshot_timeout=60, snapshot_sleep_interval=5)
    return context.SyncContext(FakeCloud(settings(**rules_by_target)),
                               options)


def with_options(ctx, **changes):
    """The same cloud with other daemon options."""
    return context.SyncContext(ctx.cloud,
                               dataclasses.replace(ctx.options, **changes))


def put(region, name, size=64, visibility='public', data=None, **props):
    """Create and upload an image; returns it (active, hashed).

    Master images get ids of their own (``m-<name>``): the memory regions'
    ``<n>$<name>`` ids would otherwise repeat in every region, which only
    ``match_by = id`` copies do.
    """
    image_id = 'm-%s' % name if region.name == 'Master' else None
    image = region.create_image(name, visibility=visibility,
                                properties=props, disk_format='raw',
                                container_format='bare', image_id=image_id)
    return region.upload(image.id, [data or os.urandom(size)])


def named(region, name):
    """The images of ``region`` called ``name``."""
    return [i for i in region.snapshot() if i.name == name]


def sqlite_journal(test):
    """A new SQLite journal for ``test`` on a clock that moves only when
    told to, disposed of at its end.

    :returns: ``(journal, clock)``.
    """
    tmp = test.useFixture(fixtures.TempDir()).path
    url = 'sqlite:///%s/journal.sqlite' % tmp
    repositories.Journal(url).upgrade_schema()
    clock = FakeClock()
    journal = repositories.Journal(url, clock=clock)
    test.addCleanup(journal.dispose)
    return journal, clock
