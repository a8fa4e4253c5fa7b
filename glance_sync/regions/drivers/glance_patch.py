"""One PATCH for an image update, instead of glanceclient's three.

glanceclient's ``images.update`` reads the image (to build its JSON
patch), sends the PATCH, and reads the image again. The changes a sync
makes are known beforehand, and Glance answers a PATCH with the image:
one request does. With Glance's v2.1 JSON patch, ``add`` sets a property
whether or not the image has it; ``remove`` of a property the image does
not have is refused (409), which the caller handles by falling back to
glanceclient's read-then-patch (a concurrent change removed it first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ['CONTENT_TYPE', 'operations', 'patch']

CONTENT_TYPE = 'application/openstack-images-v2.1-json-patch'
#: Core attributes a sync changes, replaced rather than added.
_CORE = frozenset({'name', 'visibility'})


def _pointer(key: str) -> str:
    """A JSON pointer to a top-level key (RFC 6901 escapes)."""
    return '/' + key.replace('~', '~0').replace('/', '~1')


def operations(changes: Mapping[str, Any],
               remove: Iterable[str]) -> list[dict[str, Any]]:
    """The JSON patch: set ``changes``, then remove ``remove``."""
    ops: list[dict[str, Any]] = [
        {'op': 'replace' if key in _CORE else 'add', 'path': _pointer(key),
         'value': value} for key, value in changes.items()]
    ops.extend({'op': 'remove', 'path': _pointer(key)} for key in remove)
    return ops


def patch(client: Any, image_id: str, changes: Mapping[str, Any],
          remove: Iterable[str]) -> Mapping[str, Any]:
    """Send one PATCH through a glanceclient ``Client``'s HTTP client.

    :returns: the image as Glance answered it.
    :raises glanceclient.exc.HTTPException: Glance refused the change
        (409 when a property to remove is not there).
    """
    _, body = client.http_client.patch(
        '/v2/images/%s' % image_id, headers={'Content-Type': CONTENT_TYPE},
        data=json.dumps(operations(changes, remove)))
    return dict(body)
