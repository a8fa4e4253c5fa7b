"""Which regions of a target have an image service: read from its catalog.

A region of the catalog whose services include no image endpoint of the
interface asked for (only compute, or only a public image endpoint when
``interface = internal``) is not a region of the target: it is skipped
with a warning, once per process, and the target's other regions go on.
"""

from __future__ import annotations

import threading

from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import base as identity_base

from oslo_log import log as logging

from glance_sync.regions.drivers import glance_errors

__all__ = ['discover_regions']

LOG = logging.getLogger(__name__)
#: (target, region, service type, interface) already warned about.
_WARNED: set[tuple[str, str, str, str]] = set()
_WARNED_LOCK = threading.Lock()


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
        everything = catalog.get_endpoints_data()
    found = {endpoint.region_name
             for endpoint in endpoints.get(service_type, [])
             if endpoint.region_name}
    others = {endpoint.region_name
              for data in everything.values() for endpoint in data
              if endpoint.region_name} - found
    _warn_skipped(label, others, service_type, interface)
    return sorted(found)


def _warn_skipped(label: str, regions: set[str], service_type: str,
                  interface: str) -> None:
    """Warn, once each, of catalog regions without the endpoint."""
    for region in sorted(regions):
        key = (label, region, service_type, interface)
        with _WARNED_LOCK:
            if key in _WARNED:
                continue
            _WARNED.add(key)
        LOG.warning('Region %s of %s has no %s endpoint of interface %s in '
                    'the catalog: skipped', region, label, service_type,
                    interface)
