"""Which regions of a target have an image service: read from its catalog."""

from __future__ import annotations

from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import base as identity_base

from glance_sync.regions.drivers import glance_errors

__all__ = ['discover_regions']


def discover_regions(session: ksa_session.Session,
                     service_type: str = 'image',
                     interface: str = 'public', *,
                     target: str | None = None) -> list[str]:
    """The regions with an endpoint of ``service_type`` in the catalog.

    Authenticates if the session has no token yet (the token and its
    catalog are then cached in the session for every later call).

    :param session: the target's session.
    :param service_type: the catalog service type to look for.
    :param interface: the endpoint interface (``public``, ``internal``,
        ``admin``).
    :param target: the target's name for error messages; defaults to the
        Keystone URL.
    :returns: the region names, sorted, without duplicates.
    :raises AuthFailed: Keystone refused the credentials.
    :raises RegionUnavailable: Keystone did not answer.
    """
    auth = session.auth
    if not isinstance(auth, identity_base.BaseIdentityPlugin):
        # Token-and-endpoint plugins and the like carry no catalog.
        raise TypeError('discover_regions needs an identity auth plugin, '
                        'got %r' % auth)
    label = target or getattr(auth, 'auth_url', None) or 'keystone'
    with glance_errors.translated(label, 'reading the catalog'):
        catalog = auth.get_access(session).service_catalog
        endpoints = catalog.get_endpoints_data(service_type=service_type,
                                               interface=interface)
    return sorted({endpoint.region_name
                   for endpoint in endpoints.get(service_type, [])
                   if endpoint.region_name})
