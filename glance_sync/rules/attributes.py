"""Tags and Glance v2 core attributes of a copy: which follow the master.

GlanceSync (Glance v1) knew only visibility as ``is_public`` and the extra
properties (:mod:`glance_sync.rules.metadata`). Glance v2 images also have
tags, ``protected``, ``min_disk``, ``min_ram`` and the ``shared`` and
``community`` visibilities. What follows:

- tags follow the mirror rules of properties: with a legacy (FIWARE)
  configuration, ``metadata_set`` names the tags that mirror the master
  (all of them when it is empty); with a native one (copies record their
  source), every tag mirrors but those named in ``dont_replicate``;
- with a native configuration only, the exact visibility, ``protected``,
  ``min_disk`` and ``min_ram`` follow too (a legacy configuration keeps
  GlanceSync's results exactly: public or not). Disk and container formats
  are given to each new copy; Glance does not change them on an image
  with data.
"""

from __future__ import annotations

from typing import Any

from glance_sync.images import Image
from glance_sync.rules.options import TargetRules

__all__ = ['attribute_changes', 'differs', 'mirrored_tags', 'tag_changes',
           'upload_tags', 'visibility_change']

#: The core attributes a native configuration keeps equal to the master's.
FOLLOWED = ('protected', 'min_disk', 'min_ram')


def mirrored_tags(master: Image, copy: Image | None,
                  rules: TargetRules) -> frozenset[str]:
    """The tags whose presence on the copy follows the master."""
    every = master.tags | (copy.tags if copy is not None else frozenset())
    if rules.record_source:
        return every - rules.dont_replicate
    if rules.metadata_set:
        return every & rules.metadata_set
    return every


def upload_tags(master: Image, rules: TargetRules) -> frozenset[str]:
    """The tags a new copy gets."""
    return master.tags & mirrored_tags(master, None, rules)


def tag_changes(master: Image, copy: Image, rules: TargetRules
                ) -> tuple[frozenset[str], frozenset[str]]:
    """:returns: ``(tags to add, tags to remove)`` on the copy."""
    if not master.tags and not copy.tags:
        return frozenset(), frozenset()  # the common case, kept fast
    mirrored = mirrored_tags(master, copy, rules)
    return ((master.tags - copy.tags) & mirrored,
            (copy.tags - master.tags) & mirrored)


def attribute_changes(master: Image, copy: Image,
                      rules: TargetRules) -> dict[str, Any]:
    """The core attributes to set on the copy (native configurations)."""
    if not rules.record_source:
        return {}
    return {name: getattr(master, name) for name in FOLLOWED
            if getattr(master, name) != getattr(copy, name)}


def visibility_change(master: Image, copy: Image,
                      rules: TargetRules) -> str | None:
    """The visibility to give the copy, ``None`` when it is right."""
    if rules.record_source:
        differ = master.visibility != copy.visibility
    else:
        differ = master.is_public != copy.is_public
    return master.visibility if differ else None


def differs(master: Image, copy: Image, rules: TargetRules) -> bool:
    """Whether tags or (native) attributes and visibility need a change.

    Properties and ``is_public`` are :mod:`~glance_sync.rules.metadata`'s.
    """
    added, removed = tag_changes(master, copy, rules)
    if added or removed:
        return True
    if not rules.record_source:
        return False
    return (master.visibility != copy.visibility
            or bool(attribute_changes(master, copy, rules)))
