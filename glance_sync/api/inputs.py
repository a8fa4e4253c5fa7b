"""What a request brings, checked before anything decodes it.

A WSGI server hands the path over percent-decoded, as bytes in a ``str``
(latin-1); WebOb decodes it as UTF-8 the first time anyone reads
``request.path``, and so does the query string. Bytes that are not UTF-8
(``GET /regions/%FF%FE``) would raise there, in the middle of a handler or
of the fault middleware's own logging. :class:`RequestCheckMiddleware`
answers them with a JSON 400 first.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from typing import Any

from glance_sync.api import errors, faults
from glance_sync.api.logsafe import log_path, printable

__all__ = ['RequestCheckMiddleware']

LOG = logging.getLogger(__name__)


def _problem(environ: dict[str, Any]) -> str | None:
    """What is wrong with the request's path or query, if anything."""
    for key in ('SCRIPT_NAME', 'PATH_INFO'):
        try:
            environ.get(key, '').encode('latin-1').decode('utf-8')
        except UnicodeError:
            return 'the path is not valid UTF-8 once percent-decoded'
    query = environ.get('QUERY_STRING', '')
    try:
        # latin-1 back to the bytes the server received, percent-decoded
        # as WebOb will, then UTF-8 as WebOb will read them.
        urllib.parse.unquote_to_bytes(query.encode('latin-1')).decode(
            'utf-8')
    except (UnicodeError, ValueError):
        return 'the query string is not valid UTF-8 once percent-decoded'
    return None


class RequestCheckMiddleware:
    """Answers 400 to a path or query that is not UTF-8.

    :param application: the application to call with the other requests.
    """

    def __init__(self, application: faults.WsgiApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        problem = _problem(environ)
        if problem is None:
            return self.application(environ, start_response)
        LOG.info('%s %s: %s', printable(environ.get('REQUEST_METHOD',
                                                           '?')),
                        log_path(environ), problem)
        response = faults.error_response(errors.BadRequest(reason=problem))
        return response(environ, start_response)
