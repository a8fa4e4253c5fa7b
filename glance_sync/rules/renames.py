"""Renamed master images: their copies are renamed too, not copied again.

With a native configuration each copy records its master image's id
(:data:`~glance_sync.rules.metadata.SOURCE_PROPERTY`), so after a master
image is renamed its copy is still known: the sync renames the copy in
place (no byte moves, no orphan stays) instead of uploading the image
again under the new name. A legacy configuration records nothing and keeps
GlanceSync's behaviour; renames to and from ``*_obsolete`` keep their own
rules (:mod:`glance_sync.rules.obsolete`) in both.

When the region already holds another image under the new name, the
target's checksum-conflict policy (:func:`~glance_sync.rules.checksum.
decide`) applies to that image, and the status says which way it went.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from glance_sync.images import Image
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.owners import Tenant, owned_by
from glance_sync.rules.selection import OBSOLETE_SUFFIX

__all__ = ['CONFLICT_WARNING', 'made_from', 'moved_copies']

#: Why a renamed copy cannot simply take its master's new name.
CONFLICT_WARNING = (
    '%(region)s: master image %(id)s was renamed from %(old)s to %(name)s, '
    'but the region already holds another image %(other)s (checksum '
    '%(checksum)s) named %(name)s: %(status)s')


def made_from(copy: Image, master: Image) -> bool:
    """Whether ``copy`` records that it was made from ``master``."""
    return copy.user_properties.get(SOURCE_PROPERTY) == master.id


def moved_copies(selected: Mapping[str, Image], images: Iterable[Image],
                 tenant_id: Tenant) -> dict[str, Image]:
    """The copies whose master image was renamed since they were made.

    :param selected: the master images the target synchronises, by name.
    :param images: the region's images.
    :param tenant_id: the target's tenant id.
    :returns: ``{master image id: its active copy under another name}``,
        for the copies that no selected master image claims by name.
    """
    by_id = {image.id: image for image in selected.values()
             if not image.name.endswith(OBSOLETE_SUFFIX)}
    found: dict[str, Image] = {}
    for image in images:
        master = by_id.get(image.user_properties.get(SOURCE_PROPERTY, ''))
        if (master is None or image.name == master.name
                or image.status != 'active'
                or image.name.endswith(OBSOLETE_SUFFIX)
                or image.name in selected
                or not owned_by(image.owner, tenant_id)):
            continue
        found.setdefault(master.id, image)
    return found
