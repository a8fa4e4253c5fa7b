"""Deactivation and reactivation follow the master to its copies.

Only the copies glance-sync made (they record their master image's id, or
carry it with ``match_by = id``) follow, and only when the target's
``follow_deactivation`` is on (the default) with a native configuration: a
legacy one keeps GlanceSync's behaviour, which knew no deactivation. A
deactivated master image is never selected (the master index keeps active
images only), so it is never copied to a new region until reactivated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from glance_sync.images import Image
from glance_sync.rules.actions import Deactivate, Reactivate
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.rules.options import TargetRules
from glance_sync.rules.owners import Tenant, owned_by

__all__ = ['deactivations', 'follows', 'reactivations', 'to_deactivate']

DEACTIVATED = 'deactivated'


def follows(rules: TargetRules) -> bool:
    """Whether the target's copies follow their master's deactivation."""
    return rules.record_source and rules.follow_deactivation


def _made_from(image: Image, master_id: str) -> bool:
    return (image.id == master_id
            or image.user_properties.get(SOURCE_PROPERTY) == master_id)


def to_deactivate(images: Iterable[Image], master_id: str,
                  tenant_id: Tenant) -> list[Image]:
    """The active copies of a deactivated master image, to deactivate."""
    return [image for image in images if image.status == 'active'
            and owned_by(image.owner, tenant_id)
            and _made_from(image, master_id)]


def deactivations(deactivated: Mapping[str, Image], images: Iterable[Image],
                  tenant_id: Tenant) -> list[Deactivate]:
    """The active copies of deactivated master images, to deactivate.

    :param deactivated: the deactivated master images, by id.
    :param images: the region's images.
    """
    if not deactivated:
        return []
    found = []
    for image in images:
        source = image.user_properties.get(SOURCE_PROPERTY, image.id)
        if (source in deactivated and image.status == 'active'
                and owned_by(image.owner, tenant_id)):
            found.append(Deactivate(image_id=image.id, image_name=image.name,
                                    master_id=source))
    return found


def reactivations(selected: Mapping[str, Image], images: Iterable[Image],
                  tenant_id: Tenant) -> tuple[list[Image], list[Reactivate]]:
    """The deactivated copies of active master images, to reactivate.

    :param selected: the master images the target synchronises, by name.
    :param images: the region's images.
    :returns: the images as they will be once reactivated (to plan the
        rest with), and one action per copy to reactivate.
    """
    planned: list[Image] = []
    actions: list[Reactivate] = []
    for image in images:
        source = image.user_properties.get(SOURCE_PROPERTY, image.id)
        # Only the copy under its master's name: a copy under another
        # name is renamed first (and reactivated by a later plan), and a
        # task that reads only the images of its names must plan exactly
        # what the whole listing would.
        master = selected.get(image.name)
        if (image.status == DEACTIVATED and master is not None
                and source == master.id
                and owned_by(image.owner, tenant_id)):
            actions.append(Reactivate(image_id=image.id,
                                      image_name=image.name))
            image = image.copy(status='active')
        planned.append(image)
    return planned, actions
