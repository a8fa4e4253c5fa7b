"""Targeted reads plan exactly what the full listings planned.

Thousands of random catalogs (duplicated names, obsolete pairs, AMI
triples, other projects' public images, leftovers, copies recorded as
made from master images, copies holding the master's id; half of them
with two master projects, whose copies keep their master's owner in half
of those): for each, one
master image is planned as a task plans it today (the master catalog and
:meth:`Region.find_images` with the task's query) and as it was planned
before (the whole master listed, the whole region listed). The plans,
the leftovers removed and the copies a master delete touches are equal.
"""

from __future__ import annotations

import random

from oslotest import base

from glance_sync.daemon import cleanup, runner, targeting
from glance_sync.daemon.master_catalog import MasterCatalog
from glance_sync.images import Image
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules import destinations
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.options import (COPY_OWNER_MASTER, COPY_OWNER_PROJECT,
                                       MATCH_BY_ID, MATCH_BY_NAME,
                                       TargetRules)
from glance_sync.rules.owners import Owners, Tenant
from glance_sync.rules.plan import RegionPlan, plan_region
from glance_sync.rules.selection import MasterIndex

CATALOGS = 3000
TENANT = 'tenant'
#: A second master project (``master_projects``).
DEMO = 'demo'
OTHER = 'other'
BASES = ['a', 'b', 'c', 'kern', 'ram']
NAMES = BASES + [n + '_obsolete' for n in BASES[:3]]
CHECKSUMS = ['c1', 'c2', 'c3']


def _master_images(rnd: random.Random) -> list[Image]:
    images = []
    for n in range(rnd.randint(1, 12)):
        images.append(Image(
            id='m%d' % n, name=rnd.choice(NAMES), region='Master',
            owner=rnd.choice([TENANT, TENANT, TENANT, DEMO, OTHER, None]),
            visibility=rnd.choice(['public', 'public', 'private']),
            status=rnd.choice(['active'] * 5 + ['queued', 'deactivated']),
            size=rnd.randint(1, 5), checksum=rnd.choice(CHECKSUMS),
            user_properties=rnd.choice([{}, {'p': '1'}, {'q': '2'}])))
    ids = [image.id for image in images] + ['gone']
    for image in images:
        for prop in ('kernel_id', 'ramdisk_id'):
            if rnd.random() < 0.3:
                image.user_properties[prop] = rnd.choice(ids + [''])
    return images


def _region_images(rnd: random.Random, master: list[Image]) -> list[Image]:
    ids = [image.id for image in master] + ['gone']
    images = []
    for n in range(rnd.randint(0, 15)):
        props = dict(rnd.choice([{}, {'p': '1'}, {'q': '3'}]))
        if rnd.random() < 0.4:
            props[SOURCE_PROPERTY] = rnd.choice(ids)
        if rnd.random() < 0.2:
            props['kernel_id'] = rnd.choice(['r%d' % k for k in range(4)])
        images.append(Image(
            # Some copies hold a master's id (match_by = id).
            id=rnd.choice(ids) if rnd.random() < 0.15 else 'r%d' % n,
            name=rnd.choice(NAMES + ['zzz']), region='T:Region',
            owner=rnd.choice([TENANT, TENANT, DEMO, OTHER, None]),
            visibility=rnd.choice(['public', 'private', 'shared']),
            status=rnd.choice(['active'] * 4 + ['queued', 'saving',
                                                'deactivated']),
            size=rnd.randint(1, 5), checksum=rnd.choice(CHECKSUMS),
            user_properties=props))
    return list({image.id: image for image in images}.values())


def _rules(rnd: random.Random) -> TargetRules:
    return TargetRules(
        name='T', tenant_id=TENANT,
        only_tenant_images=rnd.random() < 0.6,
        support_obsolete_images=rnd.random() < 0.8,
        obsolete_syncprops=frozenset(rnd.choice([(), ('p',)])),
        metadata_set=frozenset(rnd.choice([(), ('p',)])),
        record_source=rnd.random() < 0.5,
        match_by=rnd.choice([MATCH_BY_NAME, MATCH_BY_ID]),
        replace=frozenset(rnd.choice([(), ('any',)])),
        copy_owner=rnd.choice([COPY_OWNER_PROJECT, COPY_OWNER_MASTER]))


def _owners(rnd: random.Random, rules: TargetRules
            ) -> tuple[Tenant, Tenant]:
    """The master's owners and the target's: one project (GlanceSync),
    or two master projects, also the target's with copy_owner = master."""
    if rnd.random() < 0.5:
        return TENANT, TENANT
    masters = Owners(TENANT, [DEMO])
    if rules.copy_owner == COPY_OWNER_MASTER:
        return masters, masters
    return masters, TENANT


def _ids(tenant: Tenant) -> tuple[str, ...]:
    return tenant.ids if isinstance(tenant, Owners) else (tenant,)


def _plan(index: MasterIndex, image: Image, images: list[Image],
          rules: TargetRules, tenant: Tenant = TENANT
          ) -> tuple[list[str], list[str], RegionPlan | None]:
    """What a task does with its inputs: leftovers, then the plan."""
    names = runner._names_for(index, image.id)
    masters: dict[str, str | None] = {image.id: image.name}
    masters.update(dict.fromkeys(targeting.dependency_ids(image)))
    removed = []
    for master_id, name in masters.items():
        found = cleanup.leftovers(
            images, master_id, tenant_id=tenant,
            master_name=None if rules.record_source else name)
        removed += [i.id for i in found]
        images = [i for i in images if i not in found]
    plan = plan_region(destinations.restrict(index, names), images, rules,
                       'T:Region', tenant_id=tenant) if names else None
    return sorted(names), removed, plan


class TargetedPlanTest(base.BaseTestCase):

    def _check(self, seed: int) -> bool:
        rnd = random.Random(seed)
        master_images = _master_images(rnd)
        rules = _rules(rnd)
        masters, tenant = _owners(rnd, rules)
        # Each region lists its owners' images (and public ones).
        master = MemoryRegion('Master', master_images, tenant_id=TENANT,
                              owners=_ids(masters))
        region = MemoryRegion('T:Region', _region_images(rnd, master_images),
                              tenant_id=TENANT, owners=_ids(tenant))
        image = rnd.choice(master_images)
        full_index = MasterIndex.build(master.list_images(True), masters,
                                       'Master')
        full = _plan(full_index, image,
                     region.list_images(not rules.only_tenant_images),
                     rules, tenant)

        catalog = MasterCatalog(runner.list_master)
        # The catalog may lack the image (its event came first).
        catalog.replace(master, [i for i in master_images if i is not image])
        index = MasterIndex.build(catalog.around(master, image), masters,
                                  'Master')
        names = runner._names_for(index, image.id)
        planned = [index.by_name[n] for n in names if n in index.by_name]
        sources = [image.id, *targeting.dependency_ids(image)]
        query = targeting.sync_query(image, planned, sources, rules)
        targeted = _plan(index, image, region.find_images(query), rules,
                         tenant)
        self.assertEqual(full, targeted, 'seed %d' % seed)

        # The first run of an upload event's task: no recorded sources.
        # Same plan, unless a copy of the image is under another name
        # (renamed: the rename's own task reads the sources); only
        # leftovers under another name are left for later.
        query = targeting.sync_query(image, planned, (), rules)
        event_names, removed, plan = _plan(
            index, image, region.find_images(query), rules, tenant)
        everything = region.list_images(not rules.only_tenant_images)
        # Copies of the image, or of an image planned with it, that are
        # not under their master's name (each rename has its own task).
        names_of = {i.id: i.name for i in [image, *planned]}
        renamed = [i for i in everything
                   if i.user_properties.get(SOURCE_PROPERTY) in names_of
                   and i.name != names_of[i.user_properties[SOURCE_PROPERTY]]]
        if not renamed:
            self.assertEqual((full[0], full[2]), (event_names, plan),
                             'seed %d' % seed)
        by_id = {i.id: i for i in everything}
        self.assertLessEqual(set(removed), set(full[1]))
        for left in set(full[1]) - set(removed):
            self.assertNotIn(by_id[left].name, query.names)

        legacy = None if rules.record_source else image.name
        query = targeting.deleted_query(image.id, image.name, rules)
        self.assertEqual(
            cleanup.copies_of(everything, image.id),
            cleanup.copies_of(region.find_images(query), image.id))
        self.assertEqual(
            cleanup.leftovers(everything, image.id, master_name=legacy,
                              tenant_id=tenant),
            cleanup.leftovers(region.find_images(query), image.id,
                              master_name=legacy, tenant_id=tenant))
        return not renamed

    def test_random_catalogs(self) -> None:
        compared = sum(self._check(seed) for seed in range(CATALOGS))
        # Most catalogs hold no renamed copy: the upload variant is
        # compared in most of them.
        self.assertGreater(compared, CATALOGS // 2)

    def test_only_first_event_runs_skip_sources(self) -> None:
        self.assertFalse(targeting.reads_sources(
            'glance_sync.image.uploaded', 1))
        self.assertFalse(targeting.reads_sources('image.activate', 1))
        self.assertFalse(targeting.reads_sources('image.upload', 1))
        self.assertTrue(targeting.reads_sources('image.upload', 2))
        self.assertTrue(targeting.reads_sources('image.update', 1))
        self.assertTrue(targeting.reads_sources('glance_sync.image.renamed',
                                                1))
        self.assertTrue(targeting.reads_sources('glance_sync.image.updated',
                                                1))
        self.assertTrue(targeting.reads_sources('reconcile', 1))
        self.assertTrue(targeting.reads_sources('api.sync', 1))

    def test_catalogs_plan_something(self) -> None:
        # The generator is not degenerate: many plans have actions, some
        # leftovers and some AMI references.
        actions = leftovers = 0
        for seed in range(300):
            rnd = random.Random(seed)
            master_images = _master_images(rnd)
            rules = _rules(rnd)
            region_images = _region_images(rnd, master_images)
            image = rnd.choice(master_images)
            index = MasterIndex.build(master_images, TENANT, 'Master')
            names, removed, plan = _plan(index, image, region_images, rules)
            actions += bool(plan and plan.actions)
            leftovers += bool(removed)
        self.assertGreater(actions, 30)
        self.assertGreater(leftovers, 10)
