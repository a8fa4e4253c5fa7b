"""``GET /healthcheck``: oslo.middleware's health check, before auth.

Load balancers and monitoring probe it without a token. It answers 200
(503 when a backend of ``[healthcheck] backends`` says so, e.g.
``disable_by_file`` to take an API out of a pool); every other path goes
to the API. oslo.middleware's options are in ``[healthcheck]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from oslo_config import cfg
from oslo_middleware import healthcheck

from glance_sync.api import errors, faults

__all__ = ['PATH', 'HealthcheckRoute']

#: Where the health check answers.
PATH = '/healthcheck'

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HealthcheckRoute:
    """Sends ``/healthcheck`` to oslo.middleware, the rest to the API.

    :param application: the API.
    :param conf: the API's options; ``[healthcheck]`` is registered there.
    """

    def __init__(self, application: WsgiApp, conf: cfg.ConfigOpts) -> None:
        self.application = application
        # A request the check declines (outside allowed_source_ranges,
        # proxied with ignore_proxied_requests) goes on to the API: 404.
        self.health = healthcheck.Healthcheck(application, conf)

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Route one request."""
        if environ.get('PATH_INFO', '').rstrip('/') != PATH:
            return self.application(environ, start_response)
        method = environ.get('REQUEST_METHOD', 'GET')
        if method not in ('GET', 'HEAD'):
            # oslo.middleware answers any method; the API's routes do not.
            refusal = faults.error_response(
                errors.MethodNotAllowed(method, PATH, ['GET']))
            refused: Iterable[bytes] = refusal(environ, start_response)
            return refused
        answer: Iterable[bytes] = self.health(environ, start_response)
        return answer
