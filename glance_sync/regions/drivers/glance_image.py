"""Glance v2 image documents to :class:`~glance_sync.images.Image`.

The v2 API returns an image as one flat JSON object: the attributes of the
image schema's core (``name``, ``status``, ``checksum``, ...) side by side
with the extra properties users set. We split them the way the schema does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glance_sync.regions import base

__all__ = ['CORE_ATTRIBUTES', 'RESERVED_PREFIX', 'to_image',
           'user_properties']

#: The properties of glance 33's v2 image schema
#: (``glance.api.v2.images.get_base_properties()``); a unit test compares
#: this set with the installed glance so an upgrade cannot drift silently.
CORE_ATTRIBUTES = frozenset({
    'checksum', 'container_format', 'created_at', 'direct_url',
    'disk_format', 'file', 'id', 'locations', 'min_disk', 'min_ram', 'name',
    'os_hash_algo', 'os_hash_value', 'os_hidden', 'owner', 'protected',
    'schema', 'self', 'size', 'status', 'stores', 'tags', 'updated_at',
    'virtual_size', 'visibility',
})

#: Glance's own bookkeeping (``os_glance_failed_import``,
#: ``os_glance_importing_to_stores``, ...) looks like extra properties but
#: users may not set it: copying it to a region would be refused.
RESERVED_PREFIX = 'os_glance_'


def user_properties(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The extra properties of a v2 image document.

    :param raw: the image as Glance returned it.
    :returns: every key outside the core schema and the reserved namespace.
    """
    return {key: value for key, value in raw.items()
            if key not in CORE_ATTRIBUTES
            and not key.startswith(RESERVED_PREFIX)}


def to_image(raw: Mapping[str, Any], region: str) -> base.Image:
    """Convert a v2 image document.

    :param raw: the image as Glance returned it.
    :param region: the qualified name of the region it came from.
    :returns: the record, with its own copy of the properties.
    """
    return base.Image(
        id=raw['id'],
        name=raw.get('name') or '',
        region=region,
        owner=raw.get('owner'),
        visibility=raw.get('visibility', 'shared'),
        status=raw['status'],
        size=raw.get('size'),
        checksum=raw.get('checksum'),
        user_properties=user_properties(raw),
        os_hash_algo=raw.get('os_hash_algo'),
        os_hash_value=raw.get('os_hash_value'),
        disk_format=raw.get('disk_format'),
        container_format=raw.get('container_format'),
        min_disk=raw.get('min_disk') or 0,
        min_ram=raw.get('min_ram') or 0,
        tags=frozenset(raw.get('tags') or ()),
        protected=bool(raw.get('protected')),
    )
