"""AMI images: ``kernel_id`` and ``ramdisk_id`` across regions.

An AMI image points to its kernel (AKI) and ramdisk (ARI) images by UUID,
and UUIDs differ in every region. As GlanceSync does, the master images'
references are turned into the *names* of the images they point to, and in
each region they are turned back into that region's ids.

The check of one regional copy gives one of four states:

- ``READY``: its references already point to the right regional images;
- ``UPDATE``: they can be fixed now (the images exist in the region);
- ``PENDING``: an image they point to is uploaded in this same sync, fix
  them afterwards;
- ``MISSING``: an image they point to is not synchronised to the region
  (``error_ami``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Mapping
from typing import Any

from glance_sync.images import Image

__all__ = ['AMI_PROPERTIES', 'AmiState', 'MISSING_PREFIX', 'check',
           'clean_references', 'resolve']

LOG = logging.getLogger(__name__)

#: The properties holding references to other images.
AMI_PROPERTIES = ('kernel_id', 'ramdisk_id')
#: GlanceSync writes ``__<name>`` when the image to point to is missing.
MISSING_PREFIX = '__'

#: ``{property: name of the referenced image, or None if unknown}``.
References = Mapping[str, 'str | None']


class AmiState(enum.Enum):
    """The state of one image's AMI references in a region."""

    READY = 'ready'
    UPDATE = 'update'
    PENDING = 'pending'
    MISSING = 'missing'


def clean_references(images: Mapping[str, Image]
                     ) -> tuple[dict[str, Image], dict[str, References]]:
    """Replace the master images' kernel/ramdisk ids by image names.

    Empty references are dropped (GlanceSync's "curious bug" guard). A
    reference to an image that is not in ``images`` (another tenant's, a
    duplicated name...) cannot be synchronised: it is kept as it is and
    recorded as unknown, so the image ends up ``error_ami``.

    :param images: the master images, by name.
    :returns: ``(images, references)``: the images (copies where changed)
        and, for each image with references, ``{property: name or None}``.
    """
    names_by_id = {image.id: name for name, image in images.items()}
    cleaned: dict[str, Image] = {}
    references: dict[str, References] = {}
    for name, image in images.items():
        refs = _references(image, names_by_id)
        if refs is None:
            cleaned[name] = image
            continue
        cleaned[name], references[name] = _with_names(image, refs)
    return cleaned, {name: refs for name, refs in references.items() if refs}


def _references(image: Image, names_by_id: Mapping[str, str]
                ) -> dict[str, str | None] | None:
    """``{property: name or None}``, ``{}`` for empty ones, ``None`` if the
    image has no AMI property at all."""
    props = image.user_properties
    if 'kernel_id' not in props and 'ramdisk_id' not in props:
        return None
    refs: dict[str, str | None] = {}
    for prop in AMI_PROPERTIES:
        if props.get(prop):
            refs[prop] = names_by_id.get(props[prop])
    return refs


def _with_names(image: Image, refs: Mapping[str, str | None]
                ) -> tuple[Image, References]:
    props = {k: v for k, v in image.user_properties.items()
             if k not in AMI_PROPERTIES}
    for prop, name in refs.items():
        if name is None:
            LOG.warning('%s: image %s has %s %s, which is not a '
                        'synchronisable master image', image.region,
                        image.name, prop, image.user_properties[prop])
        props[prop] = image.user_properties[prop] if name is None else name
    return image.copy(user_properties=props), dict(refs)


def check(refs: References, region_props: Mapping[str, Any],
          region_images: Mapping[str, Image],
          pending: Collection[str]) -> AmiState:
    """The state of a regional copy's references.

    :param refs: the master image's references (property -> name).
    :param region_props: the regional copy's properties.
    :param region_images: the matched regional images, by name (without
        those being replaced).
    :param pending: names of the images this sync uploads before it.
    :returns: the combined state of ``kernel_id`` and ``ramdisk_id``.
    """
    states = [_check_one(prop, refs, region_props, region_images, pending)
              for prop in AMI_PROPERTIES]
    for worst in (AmiState.MISSING, AmiState.PENDING, AmiState.UPDATE):
        if worst in states:
            return worst
    return AmiState.READY


def _check_one(prop: str, refs: References, region_props: Mapping[str, Any],
               region_images: Mapping[str, Image],
               pending: Collection[str]) -> AmiState:
    if prop not in refs:
        return AmiState.UPDATE if prop in region_props else AmiState.READY
    name = refs[prop]
    target = region_images.get(name) if name is not None else None
    if target is None:
        return AmiState.PENDING if name in pending else AmiState.MISSING
    if region_props.get(prop) == target.id:
        return AmiState.READY
    return AmiState.UPDATE


def resolve(ami: Mapping[str, str], ids: Mapping[str, str], *,
            region: str, image: str) -> dict[str, str]:
    """Regional ids for an action's references, when it is applied.

    A missing image gives ``__<name>`` and a warning, as GlanceSync does,
    so the regional copy shows what it lacks.

    :param ami: property -> name of the image to point to.
    :param ids: the region's image ids, by name, as they are now.
    :param region: the region, for the warning.
    :param image: the image being changed, for the warning.
    :returns: property -> regional id.
    """
    resolved = {}
    for prop, name in ami.items():
        if name in ids:
            resolved[prop] = ids[name]
            continue
        LOG.warning('%s: Not found %s on region. It should be %s of image %s',
                    region, name, prop, image)
        resolved[prop] = MISSING_PREFIX + name
    return resolved
