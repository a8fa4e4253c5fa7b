"""Field by field, how a regional copy differs from its master image.

Pure functions over :class:`~glance_sync.images.Image` records:

- content: ``checksum`` (md5) and, when both sides used the same
  algorithm, ``os_hash_value``;
- the attributes a copy is created with: ``name``, ``visibility``,
  ``disk_format``, ``container_format``, ``min_disk``, ``min_ram``,
  compared exactly (a sync fixes the name with ``match_by = id`` and
  public/non-public, never the others);
- the extra properties the target mirrors (``metadata_set``, see
  :mod:`glance_sync.rules.metadata`), and ``kernel_id``/``ramdisk_id`` by
  the *name* of the image they point to, since ids differ per region.

Fields and properties named in the target's ``dont_replicate`` are left
out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from glance_sync.images import Image
from glance_sync.rules import ami, metadata
from glance_sync.rules.options import TargetRules

__all__ = ['CORE_FIELDS', 'FieldDifference', 'content_differences',
           'metadata_differences']

#: The attributes a copy is created with, compared exactly.
CORE_FIELDS = ('name', 'visibility', 'disk_format', 'container_format',
               'min_disk', 'min_ram')


@dataclasses.dataclass(frozen=True)
class FieldDifference:
    """One field whose value differs; ``None``: the side lacks it."""

    field: str
    master: Any
    region: Any


def content_differences(master: Image, copy: Image) -> list[FieldDifference]:
    """The fingerprints of the data that differ (empty: same content)."""
    found = []
    if master.checksum != copy.checksum:
        found.append(FieldDifference('checksum', master.checksum,
                                     copy.checksum))
    if (master.os_hash_algo == copy.os_hash_algo
            and master.os_hash_value != copy.os_hash_value):
        found.append(FieldDifference('os_hash_value', master.os_hash_value,
                                     copy.os_hash_value))
    return found


def metadata_differences(master: Image, copy: Image, rules: TargetRules,
                         references: ami.References,
                         region_names: Mapping[str, str]
                         ) -> list[FieldDifference]:
    """The record's differences, core attributes first, then properties
    in name order.

    :param master: the master image as the master index holds it
        (kernel and ramdisk references as names).
    :param copy: its regional copy.
    :param rules: the target's rules.
    :param references: the master image's AMI references.
    :param region_names: the region's image names by id.
    """
    ignored = rules.dont_replicate
    found = [FieldDifference(field, getattr(master, field),
                             getattr(copy, field))
             for field in CORE_FIELDS
             if field not in ignored
             and getattr(master, field) != getattr(copy, field)]
    to_set, to_remove = metadata.changes(master, copy, rules.metadata_set,
                                         ignored)
    props = copy.user_properties
    changed = {name: FieldDifference(name, value, props.get(name))
               for name, value in to_set.items()}
    changed.update((name, FieldDifference(name, None, props[name]))
                   for name in to_remove)
    changed.update((diff.field, diff) for diff in _references(
        references, props, region_names))
    return found + [changed[name] for name in sorted(changed)]


def _references(references: ami.References, props: Mapping[str, Any],
                region_names: Mapping[str, str]) -> list[FieldDifference]:
    """The AMI references that point to another image (by name)."""
    found = []
    for prop, wanted in references.items():
        value = props.get(prop)
        pointed = region_names.get(value, value) if value else None
        if wanted is not None and pointed != wanted:
            found.append(FieldDifference(prop, wanted, pointed))
    return found
