"""``GET /v2/images`` page after page, as the plain documents Glance sends.

glanceclient's ``images.list`` wraps every image in a warlock model,
which deep-copies the document twice: about 1 ms an image, ten seconds
for a region of 10,000 images and most of a reconcile pass over a
hundred of them (``tools/bench-scale``). The driver only reads the
documents, so it pages through glanceclient's HTTP client itself (same
session, authentication, retries and error translation) and follows
Glance's ``next`` links.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ['pages']


def pages(http: Any, *, filters: Mapping[str, str],
          page_size: int) -> Iterator[dict[str, Any]]:
    """The images ``GET /v2/images?<filters>`` lists, every page of them.

    :param http: a glanceclient ``http_client`` (its ``get`` returns the
        response and the decoded body, and raises glanceclient's HTTP
        errors).
    :param filters: Glance's query parameters (``owner``, ``name`` …).
    :param page_size: images asked for per request (Glance's ``limit``).
    """
    query = urllib.parse.urlencode(sorted(
        {**filters, 'limit': str(page_size)}.items()))
    url: str | None = '/v2/images?' + query
    while url:
        _, body = http.get(url)
        for raw in body['images']:
            raw.pop('self', None)
            yield raw
        url = body.get('next')
