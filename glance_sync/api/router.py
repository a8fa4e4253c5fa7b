"""Routes: which handler answers a path and a method, and under what rule.

A route is a path pattern with one :class:`Endpoint` per method. The
router answers 404 for a path no route matches and 405 (with ``Allow``)
for a method a matched route lacks; for an endpoint with a policy rule it
then asks :mod:`glance_sync.api.auth` whether the caller may call it (401,
403) before the handler runs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence

import webob
import webob.dec

from glance_sync.api import auth, errors

__all__ = ['Endpoint', 'Route', 'Router']

Handler = Callable[..., webob.Response]


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A handler, and the policy rule guarding it (None: public)."""

    handler: Handler
    rule: str | None = None


@dataclasses.dataclass(frozen=True)
class Route:
    """A path pattern (``{name}`` matches one segment) and its endpoints."""

    pattern: str
    endpoints: Mapping[str, Endpoint]

    @property
    def regex(self) -> re.Pattern[str]:
        """The pattern compiled; a trailing slash is tolerated."""
        body = re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)',
                      self.pattern.rstrip('/'))
        return re.compile('^%s/?$' % body)


class Router:
    """The WSGI application dispatching to the routes' handlers.

    :param routes: tried in order; the first match wins.
    :param authorizer: checks identity and policy for guarded endpoints.
    """

    def __init__(self, routes: Sequence[Route],
                 authorizer: auth.Authorizer) -> None:
        self._routes = [(route.regex, route) for route in routes]
        self._authorizer = authorizer

    @webob.dec.wsgify
    def __call__(self, request: webob.Request) -> webob.Response:
        route, params = self._match(request.path_info)
        # HEAD is GET without a body (WebOb drops it).
        method = 'GET' if request.method == 'HEAD' else request.method
        endpoint = route.endpoints.get(method)
        if endpoint is None:
            raise errors.MethodNotAllowed(request.method, request.path_info,
                                          sorted(route.endpoints))
        if endpoint.rule is not None:
            self._authorizer.authorize(request, endpoint.rule, params)
        return endpoint.handler(request, **params)

    def _match(self, path: str) -> tuple[Route, dict[str, str]]:
        for regex, route in self._routes:
            found = regex.match(path or '/')
            if found:
                return route, found.groupdict()
        raise errors.NotFound(path=path)
