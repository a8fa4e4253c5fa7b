"""The copies the daemon made: leftovers of broken transfers, and what a
master delete does to them.

A copy is the daemon's when its ``glance_sync_source`` property is the
master image's id (native configurations record it, ``[sync]
record_source``). With a legacy configuration nothing is recorded: an
unfinished copy is then recognised by its name and owner, and complete
copies are never touched by a master delete (a name says too little to
delete anything).

A *leftover* is one of our copies still ``queued`` or ``saving``: the
transfer that created it died with its daemon (``kill -9``, a crash, a
lost host). The task of that (image, region) pair deletes leftovers under
the pair's lock, before it plans, so nobody can be writing them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from glance_sync.images import Image

from glance_sync.regions.attributes import ImageAttributes
from glance_sync.regions.base import Region
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.owners import Tenant, owned_by

__all__ = [
    'DEACTIVATE',
    'DELETE',
    'KEEP',
    'UNFINISHED',
    'apply_delete_policy',
    'copies_of',
    'leftovers',
    'remove_leftovers',
]

LOG = logging.getLogger(__name__)

KEEP, DEACTIVATE, DELETE = 'keep', 'deactivate', 'delete'
#: Statuses of a copy whose data is not (all) there yet.
UNFINISHED = frozenset({'queued', 'saving'})


def copies_of(images: Iterable[Image], master_id: str) -> list[Image]:
    """The copies of master image ``master_id``: recorded as made from it,
    or holding its id (``match_by = id``)."""
    return [image for image in images if image.id == master_id
            or image.user_properties.get(SOURCE_PROPERTY) == master_id]


def leftovers(images: Iterable[Image], master_id: str, *,
              master_name: str | None = None,
              tenant_id: Tenant | None = None) -> list[Image]:
    """Our unfinished copies of a master image.

    :param images: the region's images.
    :param master_name: with ``tenant_id``, also recognise unrecorded
        copies (legacy configurations) by name and owner.
    :returns: the ``queued`` and ``saving`` copies.
    """
    found = []
    for image in images:
        if image.status not in UNFINISHED or image.id == master_id:
            # A copy with the master's own id (match_by = id) is refilled
            # by the copier: deleting it would burn the id for good.
            continue
        source = image.user_properties.get(SOURCE_PROPERTY)
        if source == master_id or (
                source is None and master_name is not None
                and tenant_id is not None and image.name == master_name
                and owned_by(image.owner, tenant_id)):
            found.append(image)
    return found


def remove_leftovers(region: Region, images: Sequence[Image],
                     master_id: str, *, master_name: str | None = None,
                     tenant_id: Tenant | None = None) -> list[Image]:
    """Delete our unfinished copies of a master image from ``region``.

    The caller must hold the (image, region) lock.

    :returns: ``images`` without the deleted ones.
    :raises RegionError: a deletion failed.
    """
    found = leftovers(images, master_id, master_name=master_name,
                      tenant_id=tenant_id)
    for image in found:
        LOG.warning('%s: deleting %s, a %s copy of master image %s left by '
                    'an interrupted transfer', region.name, image.id,
                    image.status, master_id)
        region.delete(image.id)
    gone = {image.id for image in found}
    return [image for image in images if image.id not in gone]


def apply_delete_policy(region: Region, images: Iterable[Image],
                        master_id: str, policy: str) -> list[str]:
    """Follow ``delete_policy`` for the copies of a deleted master image.

    Only copies recorded as made from ``master_id`` are touched.

    :param policy: ``keep``, ``deactivate`` or ``delete``.
    :returns: one line per copy saying what was done.
    :raises RegionError: a deactivation or deletion failed.
    """
    done = []
    for copy in copies_of(images, master_id):
        if copy.status in UNFINISHED:
            continue  # leftovers are removed whatever the policy
        if policy == DELETE:
            if copy.protected and isinstance(region, ImageAttributes):
                # Its master is gone: glance-sync may unprotect its copy.
                region.set_attributes(copy.id, protected=False)
            region.delete(copy.id)
            what = 'deleted'
        elif policy == DEACTIVATE and copy.status == 'active':
            region.deactivate(copy.id)
            what = 'deactivated'
        else:
            what = 'kept (%s, delete_policy = %s)' % (copy.status, policy)
        LOG.info('%s: master image %s was deleted; copy %s %s',
                 region.name, master_id, copy.id, what)
        done.append('%s %s' % (copy.id, what))
    return done
