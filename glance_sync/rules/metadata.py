"""Which metadata a regional copy shares with its master image.

``metadata_set`` decides. When it names properties, those mirror the master
(set, changed, or removed when the master lacks them) and every other
regional property is the region's own business. When it is empty, the copy
carries all the master's properties and nothing else. Visibility always
follows the master (GlanceSync's ``is_public``). ``kernel_id`` and
``ramdisk_id`` are never compared by value (their ids differ per region,
see :mod:`glance_sync.rules.ami`), only by presence. The properties a
target lists in ``dont_replicate`` (the ``ignored`` arguments below) are
neither copied, compared nor removed, whatever ``metadata_set`` says.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from typing import Any

from glance_sync.images import Image
from glance_sync.rules.ami import AMI_PROPERTIES

__all__ = ['Difference', 'SOURCE_PROPERTY', 'changes', 'compare', 'comparer',
           'upload_properties']

#: With a native configuration, each copy records its master image's id in
#: this property; it is never compared nor copied back.
SOURCE_PROPERTY = 'glance_sync_source'

#: Properties that are never compared by value nor mirrored directly.
_SPECIAL = frozenset(AMI_PROPERTIES) | {SOURCE_PROPERTY}


class Difference(enum.Enum):
    """How a regional copy differs from its master image."""

    NONE = ''
    CHECKSUM = '!'
    VISIBILITY = '-'
    PROPERTIES = '#'


def compare(master: Image, region: Image, metadata_set: Collection[str],
            ignored: Collection[str] = ()) -> Difference:
    """The first difference found, in GlanceSync's order.

    :param master: the master image.
    :param region: its regional copy (same name).
    :param metadata_set: the target's ``metadata_set``.
    :param ignored: the target's ``dont_replicate``.
    :returns: ``CHECKSUM``, ``VISIBILITY``, ``PROPERTIES`` or ``NONE``.
    """
    return comparer(metadata_set, ignored)(master, region)


def comparer(metadata_set: Collection[str], ignored: Collection[str] = ()
             ) -> Callable[[Image, Image], Difference]:
    """:func:`compare` for one ``metadata_set``, for comparing many images.

    Planning compares every selected image of every region, so this one
    is written for speed: the property test is chosen once, and the
    common case costs a few dict lookups.
    """
    skip = _SPECIAL.union(ignored)
    if not metadata_set:
        if not ignored:
            return _compare_all
        return lambda master, region: _compare_all(master, region, skip)
    keys = tuple(p for p in metadata_set if p not in skip)

    def compare_keys(master: Image, region: Image) -> Difference:
        if master.checksum != region.checksum:
            return Difference.CHECKSUM
        if (master.visibility == 'public') != (region.visibility == 'public'):
            return Difference.VISIBILITY
        mine, theirs = master.user_properties, region.user_properties
        for key in keys:
            if mine.get(key) != theirs.get(key):
                return Difference.PROPERTIES
        return _ami_presence(mine, theirs)
    return compare_keys


def _compare_all(master: Image, region: Image,
                 skip: frozenset[str] = _SPECIAL) -> Difference:
    """:func:`compare` without ``metadata_set``: every property counts."""
    if master.checksum != region.checksum:
        return Difference.CHECKSUM
    if (master.visibility == 'public') != (region.visibility == 'public'):
        return Difference.VISIBILITY
    mine, theirs = master.user_properties, region.user_properties
    if _own(mine, skip) != _own(theirs, skip):
        return Difference.PROPERTIES
    return _ami_presence(mine, theirs)


def _ami_presence(master: Mapping[str, Any],
                  region: Mapping[str, Any]) -> Difference:
    # Whatever metadata_set says, kernel and ramdisk must be present in
    # both or in neither.
    if (('kernel_id' in master) != ('kernel_id' in region)
            or ('ramdisk_id' in master) != ('ramdisk_id' in region)):
        return Difference.PROPERTIES
    return Difference.NONE


def _own(props: Mapping[str, Any],
         skip: frozenset[str] = _SPECIAL) -> Mapping[str, Any]:
    """The properties compared when ``metadata_set`` is empty."""
    if skip is _SPECIAL and ('kernel_id' not in props
                             and 'ramdisk_id' not in props
                             and SOURCE_PROPERTY not in props):
        return props  # the common case, without a copy
    return {k: v for k, v in props.items() if k not in skip}


def changes(master: Image, region: Image, metadata_set: Collection[str],
            ignored: Collection[str] = ()
            ) -> tuple[dict[str, Any], frozenset[str]]:
    """The property changes that make ``region`` mirror ``master``.

    ``kernel_id``/``ramdisk_id`` are left to the AMI references, except
    that they are removed when the master has none.

    :param ignored: the target's ``dont_replicate``.
    :returns: ``(set_properties, remove_properties)``.
    """
    mirrored = _mirrored(master, region, metadata_set) - set(ignored)
    wanted = {p: master.user_properties[p] for p in mirrored
              if p in master.user_properties}
    to_set = {p: v for p, v in wanted.items()
              if p not in region.user_properties
              or region.user_properties[p] != v}
    to_remove = {p for p in mirrored if p not in wanted
                 and p in region.user_properties}
    to_remove.update(p for p in AMI_PROPERTIES
                     if p in region.user_properties
                     and p not in master.user_properties)
    return to_set, frozenset(to_remove)


def _mirrored(master: Image, region: Image,
              metadata_set: Collection[str]) -> set[str]:
    """The properties whose regional value follows the master."""
    if metadata_set:
        names = set(metadata_set)
    else:
        names = set(master.user_properties) | set(region.user_properties)
    return names - _SPECIAL


def upload_properties(master: Image, metadata_set: Collection[str],
                      ignored: Collection[str] = ()) -> dict[str, Any]:
    """The master's properties a new copy gets (AMI references aside).

    :param ignored: the target's ``dont_replicate``.
    :returns: those named in ``metadata_set``, or all when it is empty,
        but those in ``ignored``.
    """
    props = master.user_properties
    skip = _SPECIAL.union(ignored)
    if not metadata_set:
        return {k: v for k, v in props.items() if k not in skip}
    return {k: v for k, v in props.items()
            if k in metadata_set and k not in skip}
