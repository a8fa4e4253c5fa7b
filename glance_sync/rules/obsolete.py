"""Obsolete images: ``<name>_obsolete`` in the master.

An obsolete image is never uploaded anywhere, but the regions that hold it
follow the master: a copy still called ``<name>`` is renamed to
``<name>_obsolete``, and the visibility and the properties listed in
``obsolete_syncprops`` follow the master's, also for a copy that is already
renamed. Three checks protect the regions (GlanceSync's):

- the copy must have the master image's checksum;
- another tenant's image is never touched;
- when the master also holds ``<name>`` and the target synchronises it,
  that image wins and ``<name>_obsolete`` is ignored (with a warning).

``support_obsolete_images = False`` turns all this off for a target.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from glance_sync.images import Image
from glance_sync.rules.actions import UpdateMetadata
from glance_sync.rules.options import TargetRules
from glance_sync.rules.selection import MasterIndex, OBSOLETE_SUFFIX
from glance_sync.rules.owners import Tenant, owned_by
from glance_sync.rules.selection import is_synchronisable

__all__ = ['IGNORED_WARNING', 'plan_obsolete']

LOG = logging.getLogger(__name__)

IGNORED_WARNING = ('Ignore obsolete master image %s because %s exists and '
                   'it is synchronisable.')


def plan_obsolete(master: MasterIndex, images: Iterable[Image],
                  rules: TargetRules,
                  tenant_id: Tenant) -> list[UpdateMetadata]:
    """The changes that make the region's copies of obsolete images follow
    the master.

    :param master: the master index.
    :param images: the region's images, in the order it lists them.
    :param rules: the target's rules.
    :param tenant_id: the target's tenant id.
    :returns: one update per copy that must change, in region order.
    """
    if not rules.support_obsolete_images:
        return []
    obsolete = _obsolete_masters(master, rules)
    if not obsolete:
        return []
    updates = []
    for image in images:
        if image.name and owned_by(image.owner, tenant_id):
            update = _update_for(image, obsolete, rules)
            if update is not None:
                updates.append(update)
    return updates


def _obsolete_masters(master: MasterIndex,
                      rules: TargetRules) -> dict[str, Image]:
    """The master's ``_obsolete`` images the target follows."""
    found = {}
    for name in master.obsolete_names:
        base = master.by_name.get(name[:-len(OBSOLETE_SUFFIX)])
        if base is not None and is_synchronisable(base, rules):
            LOG.warning(IGNORED_WARNING, name, base.name)
            continue
        found[name] = master.by_name[name]
    return found


def _update_for(image: Image, obsolete: Mapping[str, Image],
                rules: TargetRules) -> UpdateMetadata | None:
    if image.name.endswith(OBSOLETE_SUFFIX) and image.name in obsolete:
        source = obsolete[image.name]
        new_name = None
    else:
        new_name = image.name + OBSOLETE_SUFFIX
        source = obsolete.get(new_name)  # type: ignore[assignment]
        if source is None:
            return None
    if source.checksum != image.checksum:
        return None
    props = _synced_properties(source, image, rules.obsolete_syncprops)
    visibility = (source.visibility
                  if source.is_public != image.is_public else None)
    if new_name is None and not props and visibility is None:
        return None  # already renamed and up to date
    return UpdateMetadata(image_id=image.id, image_name=image.name,
                          new_name=new_name, visibility=visibility,
                          set_properties=props, reason='obsolete')


def _synced_properties(source: Image, image: Image,
                       names: Iterable[str]) -> dict[str, Any]:
    """The ``obsolete_syncprops`` values that differ (master's values)."""
    return {name: source.user_properties[name] for name in names
            if name in source.user_properties
            and image.user_properties.get(name, _ABSENT)
            != source.user_properties[name]}


_ABSENT = object()
