"""Pages of the region status: ``?limit=N&marker=NAME``.

A region of ten thousand images answers ten thousand rows; a client may
ask for them a page at a time. Without ``limit`` and ``marker`` the whole
list is answered, as FIWARE GlanceSync did. With ``limit``, a page that is
not the last one carries ``next``: the marker of the following page (the
name of its last image; names identify images across regions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from glance_sync.api import errors

__all__ = ['MAX_LIMIT', 'page']

#: The largest page a client may ask for.
MAX_LIMIT = 10000


def _limit(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise errors.BadRequest(
            reason='limit must be an integer from 1 to %d, not %r'
            % (MAX_LIMIT, text[:64]))
    return int(text)


def page(rows: Sequence[dict[str, Any]],
         query: Mapping[str, str]) -> dict[str, Any]:
    """The response body for the page of ``rows`` the query asks for.

    :param rows: every row, in a stable order, each with a ``name``.
    :param query: the request's query parameters.
    :raises BadRequest: a ``limit`` that is no integer in range, or a
        ``marker`` that names no image of the list.
    """
    limit = _limit(query.get('limit'))
    marker = query.get('marker')
    start = 0
    if marker is not None:
        names = [row['name'] for row in rows]
        if marker not in names:
            raise errors.BadRequest(
                reason='marker %r is no image of this region' % marker[:255])
        start = names.index(marker) + 1
    end = len(rows) if limit is None else start + limit
    body: dict[str, Any] = {'images': list(rows[start:end])}
    if end < len(rows):
        body['next'] = rows[end - 1]['name']
    return body
