"""The image value type and the region names every layer shares.

An :class:`Image` is one image as the rules see it, whatever region it
lives in; region names are qualified by target (:func:`qualified_name`,
:func:`split_name`). This module imports only the standard library, so the
pure rules, the regions and the transfer strategies can all use it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ['MASTER_TARGET', 'Image', 'qualified_name', 'split_name']

#: The master target's name; its regions are shown without a prefix.
MASTER_TARGET = 'master'


def qualified_name(target: str, region: str) -> str:
    """Name a region as GlanceSync does: bare for the master target.

    :param target: the target (Keystone) the region belongs to.
    :param region: the region name in that target's catalog.
    :returns: ``region`` for the master target, ``target:region`` otherwise.
    """
    return region if target == MASTER_TARGET else '%s:%s' % (target, region)


def split_name(name: str) -> tuple[str, str]:
    """Inverse of :func:`qualified_name`; ``master:R`` is accepted too.

    :param name: ``Region``, ``master:Region`` or ``target:Region``.
    :returns: ``(target, region)``.
    """
    target, sep, region = name.partition(':')
    return (target, region) if sep else (MASTER_TARGET, name)


@dataclasses.dataclass
class Image:
    """One image as the rules see it.

    ``user_properties`` holds the image's extra properties (everything that
    is not a core attribute of the Glance v2 image schema). ``region`` is the
    qualified region name (see :func:`qualified_name`).
    """

    id: str
    name: str
    region: str
    owner: str | None
    visibility: str
    status: str
    size: int | None
    checksum: str | None
    user_properties: dict[str, Any] = dataclasses.field(default_factory=dict)
    os_hash_algo: str | None = None
    os_hash_value: str | None = None
    disk_format: str | None = None
    container_format: str | None = None
    min_disk: int = 0
    min_ram: int = 0
    #: Glance's tags (a set: Glance keeps no order nor duplicates).
    tags: frozenset[str] = frozenset()
    protected: bool = False

    @property
    def is_public(self) -> bool:
        """Glance v1's flag, which legacy conditions still use."""
        return self.visibility == 'public'

    def copy(self, **changes: Any) -> Image:
        """A copy with its own properties dict, with ``changes`` applied."""
        new = dataclasses.replace(self, **changes)
        if 'user_properties' not in changes:
            new.user_properties = dict(self.user_properties)
        return new
