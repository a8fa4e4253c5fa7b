"""An in-memory cloud whose regions hold data, for the replicator tests.

The configuration is the manage tests' one (:mod:`tests.unit.manage.data`):
master region ``Master`` (tenant ``t1id``) with the public images ``a``
(10 bytes), ``b`` (20) and ``c`` (30, ``type=x``); region ``R1`` and
``R2`` of the master target, ``other:O1`` (target ``other`` selects
``type == 'x'``, tenant ``t2id``).
"""

import os

from glance_sync.conf import legacy
from glance_sync.regions import base
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.sync.cloud import Cloud
from tests.unit.manage import data

TENANTS = {'master': 't1id', 'other': 't2id'}


class MemoryCloud(Cloud):
    """Regions given as :class:`MemoryRegion` objects, by name."""

    def __init__(self, config, regions):
        super().__init__(config)
        self.regions = regions

    def regions_of(self, target):
        names = (base.split_name(name) for name in self.regions)
        return sorted(bare for owner, bare in names if owner == target)

    def tenant_id(self, target):
        return TENANTS[target]

    def _make_region(self, target, bare):
        return self.regions[base.qualified_name(target, bare)]


def config(folder, extra=''):
    """The legacy configuration of :mod:`tests.unit.manage.data`."""
    path = os.path.join(folder, 'glancesync.conf')
    with open(path, 'w') as stream:
        stream.write(data.LEGACY + extra)
    return legacy.load(path, environ={})


def master_region(sizes=(('a', 10, {}), ('b', 20, {}),
                         ('c', 30, {'type': 'x'}))):
    """The master region, with random data of the sizes given."""
    region = MemoryRegion('Master', tenant_id=TENANTS['master'])
    for name, size, props in sizes:
        add(region, name, os.urandom(size), **props)
    return region


def add(region, name, content, visibility='public', image_id=None,
        **props):
    """Create and upload an image; returns it."""
    new = region.create_image(name, visibility=visibility,
                              properties=props, disk_format='raw',
                              container_format='bare', image_id=image_id)
    return region.upload(new.id, [content])


def cloud(folder, regions=None, extra=''):
    """A cloud: the master region and ``regions`` (empty by default)."""
    found = {'Master': master_region(),
             'R1': MemoryRegion('R1', tenant_id=TENANTS['master']),
             'other:O1': MemoryRegion('other:O1', tenant_id=TENANTS['other'])}
    found.update(regions or {})
    return MemoryCloud(config(folder, extra), found)
