"""keystoneauth1 sessions for targets, with separate connect and read timeouts.

One session per target (one Keystone and its credentials) is built here
(:func:`target_session`, from the target's configuration) and shared by
every region of that target (:class:`glance_sync.sync.cloud.OnlineCloud`
keeps them): the token and the catalog are fetched once and reused, and
the session is safe to use from several threads.

keystoneauth's ``Session(timeout=...)`` only takes one number, used both to
connect and to wait between two reads. A region that is down must be noticed
quickly (short connect timeout) while a large download from a busy Glance may
legitimately pause longer (read timeout), so the pair is applied by the
``requests.Session`` underneath instead.
"""

from __future__ import annotations

from typing import Any

import requests
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import generic

from glance_sync.conf import targets as targets_conf
from glance_sync.conf.loaded import SyncConfig
from glance_sync.conf.native import NativeConfig

__all__ = ['DEFAULT_CONNECT_TIMEOUT', 'DEFAULT_READ_TIMEOUT', 'make_session',
           'password_session', 'target_session']

#: Seconds to wait for a TCP connection to a Keystone or a Glance.
DEFAULT_CONNECT_TIMEOUT = 10.0
#: Seconds to wait for the next bytes of an answer.
DEFAULT_READ_TIMEOUT = 120.0


class _TimeoutSession(requests.Session):
    """A ``requests.Session`` that applies a default (connect, read) pair."""

    def __init__(self, timeout: tuple[float | None, float | None]) -> None:
        super().__init__()
        self._timeout = timeout
        # keystoneauth mounts this adapter on the sessions it creates itself
        # (TCP keep-alive, see its bug 1323862); keep that behaviour.
        adapter = ksa_session.TCPKeepAliveAdapter()
        for scheme in list(self.adapters):
            self.mount(scheme, adapter)

    def request(self, method: str, url: str | bytes,
                *args: Any, **kwargs: Any) -> requests.Response:
        """Send a request, with our timeouts unless the caller gave some."""
        if kwargs.get('timeout') is None:
            kwargs['timeout'] = self._timeout
        return super().request(method, url, *args, **kwargs)


def make_session(auth: plugin.BaseAuthPlugin, *,
                 connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
                 read_timeout: float | None = DEFAULT_READ_TIMEOUT,
                 verify: bool | str = True,
                 cert: str | tuple[str, str] | None = None,
                 ) -> ksa_session.Session:
    """Build the session of one target.

    :param auth: any keystoneauth1 auth plugin (password, application
        credential, token, ...), e.g. from ``keystoneauth1.loading``.
    :param connect_timeout: seconds to wait for a connection; ``None`` waits
        forever.
    :param read_timeout: seconds to wait between two reads of an answer;
        ``None`` waits forever.
    :param verify: verify TLS certificates, or the path of a CA bundle.
    :param cert: a client certificate, or a (certificate, key) pair.
    :returns: a session to share between the target's regions.
    """
    return ksa_session.Session(
        auth=auth, verify=verify, cert=cert,
        session=_TimeoutSession((connect_timeout, read_timeout)))


def password_session(auth_url: str, username: str, password: str,
                     project_name: str, *,
                     user_domain_name: str = 'Default',
                     project_domain_name: str = 'Default',
                     **kwargs: Any) -> ksa_session.Session:
    """A :func:`make_session` with Keystone v3 password authentication.

    A shortcut for tools and tests; services load their auth plugin from
    configuration instead.

    :param auth_url: the Keystone URL, with or without ``/v3``.
    :param kwargs: passed to :func:`make_session` (timeouts, TLS).
    :returns: a session to share between the target's regions.
    """
    auth = generic.Password(auth_url=auth_url, username=username,
                            password=password, project_name=project_name,
                            user_domain_name=user_domain_name,
                            project_domain_name=project_domain_name)
    return make_session(auth, **kwargs)


def target_session(config: SyncConfig, target: str) -> ksa_session.Session:
    """Build the session of a target of a loaded configuration.

    A native configuration's ``[target:<name>]`` session options (TLS,
    timeout) apply, loaded by keystoneauth; a legacy FIWARE one has none,
    so it gets :func:`make_session`'s connect and read timeouts. No network
    I/O: authentication happens on the first request.

    :raises ConfigError: the target is unknown.
    """
    auth = config.auth_plugin(target)
    if isinstance(config, NativeConfig):
        return ks_loading.load_session_from_conf_options(
            config.conf, targets_conf.group_name(target), auth=auth)
    return make_session(auth)

