"""The API's WSGI application, put together from a configuration.

The pipeline, outermost first::

    RequestCheckMiddleware    a path or query that is not UTF-8: 400
    FaultMiddleware           a crash of auth_token becomes a JSON 500
    auth_token (keystonemiddleware, delay_auth_decision) | NoAuth
                              (Keystone unreachable: 503, not 401)
    FaultMiddleware           every error becomes {"error": {...}}
    Router                    routes, 404/405, identity and policy
    Controller                the handlers

Routes::

    GET    /                                   version (public)
    GET    /healthcheck                        oslo.middleware's (public)
    GET    /regions/{region}[?image=NAME]      images and their statuses
    POST   /regions/{region}                   start a sync: {"taskId"}
    GET    /regions/{region}/tasks/{task_id}   {"taskId", "status"}
    DELETE /regions/{region}/tasks/{task_id}   forget a finished task
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from keystoneauth1 import exceptions as ksa_exceptions
from keystonemiddleware import auth_token
from oslo_config import cfg

from glance_sync.api import auth, errors, faults, health, inputs, policies
from glance_sync.api.controllers import Controller
from glance_sync.api.regions import RegionDirectory
from glance_sync.api.router import Endpoint, Route, Router
from glance_sync.api.tasks import SyncRequests
from glance_sync.conf import daemon as daemon_conf
from glance_sync.conf.loaded import SyncConfig
from glance_sync.daemon.context import DaemonOptions
from glance_sync.db.repositories import Journal
from glance_sync.sync.cloud import Cloud, OnlineCloud, resolve_master_projects

__all__ = ['AuthProtocol', 'NoAuthMiddleware', 'build_app', 'routes']

LOG = logging.getLogger(__name__)

WsgiApp = faults.WsgiApp
#: Wraps the router in the authentication middleware.
AuthWrapper = Callable[[WsgiApp], WsgiApp]


def routes(controller: Controller) -> list[Route]:
    """The route map over a controller's handlers."""
    return [
        Route('/', {'GET': Endpoint(controller.version)}),
        Route('/regions/{region}', {
            'GET': Endpoint(controller.region_status,
                            policies.REGION_STATUS),
            'POST': Endpoint(controller.region_sync, policies.REGION_SYNC)}),
        Route('/regions/{region}/tasks/{task_id}', {
            'GET': Endpoint(controller.task_show, policies.TASK_GET),
            'DELETE': Endpoint(controller.task_delete,
                               policies.TASK_DELETE)}),
    ]


class NoAuthMiddleware:
    """``auth_strategy = noauth``: every caller is an admin of project
    ``noauth``. Development only.

    :param application: the application to call.
    """

    HEADERS: ClassVar[dict[str, str]] = {
        'HTTP_X_IDENTITY_STATUS': 'Confirmed',
        'HTTP_X_ROLES': 'admin,member,reader',
        'HTTP_X_PROJECT_ID': 'noauth', 'HTTP_X_USER_ID': 'noauth'}

    def __init__(self, application: WsgiApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        environ.update(self.HEADERS)
        return self.application(environ, start_response)


#: What keystonemiddleware's fetch_token turns into "Keystone
#: unavailable" (its own list, in auth_token.AuthProtocol.fetch_token).
_KEYSTONE_DOWN = (ksa_exceptions.ConnectFailure,
                  ksa_exceptions.DiscoveryFailure,
                  ksa_exceptions.RequestTimeout,
                  auth_token.ServiceError)


class AuthProtocol(auth_token.AuthProtocol):
    """``auth_token`` that tells "Keystone did not answer" from "bad token".

    With ``delay_auth_decision`` (the API words its own 401s),
    keystonemiddleware marks a token it could not check because Keystone
    is unreachable as invalid, and the caller would get a 401 "token not
    valid". Without it, keystonemiddleware answers 503 itself; here the
    same case becomes our JSON 503.
    """

    def fetch_token(self, token: str, **kwargs: Any) -> Any:
        try:
            return super().fetch_token(token, **kwargs)
        except auth_token.InvalidToken as exc:
            # Raised while handling the connection error: it is the
            # context of the InvalidToken.
            if isinstance(exc.__context__, _KEYSTONE_DOWN):
                raise errors.ServiceUnavailable(
                    reason='Keystone did not answer to check the token'
                ) from None
            raise


def keystone_auth(conf: cfg.ConfigOpts) -> AuthWrapper:
    """keystonemiddleware's ``auth_token`` configured from
    ``[keystone_authtoken]`` of ``conf``; the API decides on 401 itself."""
    def wrap(application: WsgiApp) -> WsgiApp:
        protocol: WsgiApp = AuthProtocol(application, {
            'oslo_config_config': conf, 'delay_auth_decision': 'true'})
        return protocol
    return wrap


def _warn_noauth(conf: cfg.ConfigOpts) -> None:
    """noauth lets anyone in as an admin: say so, loudly, at start."""
    LOG.warning('[api] auth_strategy = noauth: NO AUTHENTICATION. Every '
                'caller is an admin of project "noauth" and may start '
                'synchronisations. For development only; never expose it '
                '(bind_host is %s).', conf.api.bind_host)
    if conf.api.bind_host not in ('127.0.0.1', '::1', 'localhost'):
        LOG.warning('[api] auth_strategy = noauth with bind_host = %s: the '
                    'unauthenticated API is reachable from other hosts; '
                    'set bind_host = 127.0.0.1', conf.api.bind_host)


def build_app(conf: cfg.ConfigOpts, config: SyncConfig, *,
              cloud: Cloud | None = None,
              auth_wrapper: AuthWrapper | None = None) -> WsgiApp:
    """The API application.

    :param conf: parsed options: ``[api]``, ``[database]`` (the journal),
        ``[keystone_authtoken]``, ``[oslo_policy]``.
    :param config: the loaded sync configuration (regions, rules).
    :param cloud: the regions (default: the real ones of ``config``).
    :param auth_wrapper: the authentication middleware (default: from
        ``[api] auth_strategy``).
    """
    if conf.api.auth_strategy == 'noauth':
        _warn_noauth(conf)
    if auth_wrapper is None:
        auth_wrapper = (NoAuthMiddleware if conf.api.auth_strategy == 'noauth'
                        else keystone_auth(conf))
    requests = SyncRequests(Journal(conf))
    daemon_conf.register_opts(conf)
    if cloud is None:
        cloud = OnlineCloud(config)
        resolve_master_projects(cloud)
    regions = RegionDirectory(cloud,
                              conf.api.region_cache_seconds,
                              options=DaemonOptions.from_conf(conf))
    router = Router(routes(Controller(regions, requests)),
                    auth.Authorizer(auth.make_enforcer(conf)))
    # Errors become responses inside auth_token, so that it adds
    # WWW-Authenticate to our 401s; the outer wrapper catches its crashes.
    api = faults.FaultMiddleware(auth_wrapper(faults.FaultMiddleware(router)))
    # Outermost, a path or query that is not UTF-8 gets its 400 before
    # anything decodes it; /healthcheck is answered before auth.
    return inputs.RequestCheckMiddleware(health.HealthcheckRoute(api, conf))
