"""Glance v2 server-side filters for :class:`~glance_sync.regions.query.
ImageQuery`, and a count of the requests a region sends.

Glance ANDs its filters, so each part of a query (names, ids, one
source) is its own request: ``name=in:"a","b"`` and ``id=in:...`` take
many values in one request; the source property takes one value (Glance
compares extra properties for equality only). Results are put back in
the order of a listing: the project's images before others' public ones,
newest first. Glance sorts by a ``created_at`` finer than the second it
shows, so images of the same second keep the order of the request that
found them, the names' request first: the images of one name, whose
order decides which duplicate a plan matches, are in the listing's order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from glance_sync.regions.query import ImageQuery

__all__ = ['clauses', 'count_requests', 'listing_order', 'requests_so_far']

#: Characters Glance's ``in:`` parser cannot quote (it keeps backslashes
#: and stops at a double quote).
_UNQUOTABLE = frozenset('"\\')


def _in(values: frozenset[str]) -> str | None:
    if any(_UNQUOTABLE.intersection(value) for value in values):
        return None
    return 'in:' + ','.join('"%s"' % value for value in sorted(values))


def clauses(query: ImageQuery) -> list[dict[str, str]] | None:
    """One filter set per request the query needs.

    :returns: the filter sets (empty: nothing to ask), or ``None`` when a
        value cannot be expressed (the caller lists and filters instead).
    """
    found: list[dict[str, str]] = []
    for key, values in (('name', query.names), ('id', query.ids)):
        if values:
            value = _in(values)
            if value is None:
                return None
            found.append({key: value})
    found.extend({query.source_property: source}
                 for source in sorted(query.sources))
    return found


def _order(raw: Mapping[str, Any]) -> str:
    return str(raw.get('created_at') or '')


def listing_order(own: Mapping[str, Mapping[str, Any]],
                  public: Mapping[str, Mapping[str, Any]],
                  owners: Sequence[str] = ()) -> list[Mapping[str, Any]]:
    """The images found, in the order ``list_images`` gives them: the
    project's first (project by project, in ``owners`` order), then
    others' public ones, newest first in each (a stable sort: see the
    module docstring)."""
    rank = {owner: n for n, owner in enumerate(owners)}
    mine = sorted(sorted(own.values(), key=_order, reverse=True),
                  key=lambda raw: rank.get(str(raw.get('owner')), 0))
    others = sorted((raw for key, raw in public.items() if key not in own),
                    key=_order, reverse=True)
    return mine + others


class _CountingSession:
    """A keystoneauth session seen through one region's client: counts
    the requests sent through it, forwards everything else."""

    def __init__(self, session: Any, counter: Iterator[int]) -> None:
        self._session = session
        self._counter = counter

    def request(self, *args: Any, **kwargs: Any) -> Any:
        next(self._counter)  # atomic under the GIL: threads share it
        return self._session.request(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def count_requests(client: Any) -> Iterator[int]:
    """Count every HTTP request ``client`` (a glanceclient ``Client`` over
    a keystoneauth session) sends: pages, retries and data transfers
    included, also those sent through keystoneauth's adapter directly.

    :returns: the counter, read with :func:`requests_so_far`.
    """
    counter = itertools.count()
    http = client.http_client
    # The session is the target's, shared by its regions: this client
    # gets a counting view of it.
    http.session = _CountingSession(http.session, counter)
    return counter


def requests_so_far(counter: Iterator[int]) -> int:
    """How many requests a :func:`count_requests` counter has seen."""
    # Reading an itertools.count consumes one value: its repr does not.
    return int(repr(counter)[len('count('):-1])
