"""The quick-start server of ``glance-sync-api``: a threaded wsgiref server.

Good for a try-out, a lab or devstack; production deployments run
``glance_sync.api.wsgi:application`` under gunicorn or uWSGI instead
(several processes, TLS, access logs).
"""

from __future__ import annotations

import logging
import socketserver
from wsgiref import simple_server

from glance_sync.api.faults import WsgiApp
from glance_sync.api.logsafe import printable

__all__ = ['make_server']

LOG = logging.getLogger(__name__)


class _ThreadingServer(socketserver.ThreadingMixIn,
                       simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    """Access lines through logging, not on standard error."""

    def log_message(self, format: str, *args: object) -> None:
        # http.server escapes control characters in its own log_message,
        # which this replaces: escape them here too.
        LOG.info('%s %s', self.address_string(), printable(format % args))


def make_server(application: WsgiApp, host: str,
                port: int) -> simple_server.WSGIServer:
    """A server answering with ``application``; call ``serve_forever()``.

    :raises OSError: the address cannot be bound.
    """
    server = simple_server.make_server(
        host, port, application, server_class=_ThreadingServer,
        handler_class=_QuietHandler)
    LOG.info('glance-sync-api listening on http://%s:%d/', host,
             server.server_port)
    return server
