"""One middleware turns every error into a JSON error body.

:class:`~glance_sync.api.errors.ApiError` subclasses become their own code
and message; anything else is logged with its traceback and answered with
a 500 whose message reveals nothing internal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import webob
import webob.dec

from glance_sync.api import errors
from glance_sync.api.logsafe import log_path, printable

__all__ = ['FaultMiddleware', 'error_response']

LOG = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def error_response(error: errors.ApiError) -> webob.Response:
    """The JSON response of an API error."""
    response = webob.Response(status=error.code,
                              content_type='application/json', charset=None)
    response.json_body = {'error': {'message': str(error),
                                    'code': error.code}}
    response.headers.extend(error.headers())
    return response


class FaultMiddleware:
    """Wraps the application: API errors and crashes become JSON bodies.

    :param application: the WSGI application to protect.
    """

    def __init__(self, application: WsgiApp) -> None:
        self.application = application

    @webob.dec.wsgify
    def __call__(self, request: webob.Request) -> webob.Response:
        try:
            return request.get_response(self.application)
        except errors.ApiError as exc:
            # Escaped: the path and messages quoting it come from the
            # caller, and a %0A in them must not forge a log line.
            method, path = printable(request.method), _path(request)
            if exc.code >= 500:
                LOG.error('%s %s: %s', method, path, printable(str(exc)))
            else:
                LOG.info('%s %s: %s', method, path, printable(str(exc)))
            return error_response(exc)
        except Exception:
            LOG.exception('%s %s failed', printable(request.method),
                          _path(request))
            return error_response(errors.ApiError())


def _path(request: webob.Request) -> str:
    return log_path(request.environ)
