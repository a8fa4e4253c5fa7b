"""Register the fake Glance's regions in the local Keystone's catalog.

Each region is a Keystone region with a public ``image`` endpoint at
``http://127.0.0.1:<port>/<region>``: the daemon discovers them from the
catalog and reaches them through keystoneauth and glanceclient, as it
reaches real regions.
"""

from __future__ import annotations

from keystoneauth1 import session as ks_session

from tools.localcloud import info as info_mod
from tools.localcloud import keystone

__all__ = ['MASTER', 'register', 'region_names']

#: The master region of the benchmark.
MASTER = 'ScaleMaster'


def region_names(count: int) -> list[str]:
    """The benchmark's target regions: ``Scale001``… (sorted by name)."""
    return ['Scale%03d' % n for n in range(1, count + 1)]


def _admin(cloud: info_mod.CloudInfo) -> tuple[ks_session.Session, str]:
    ks = cloud.keystones[cloud.targets[cloud.master_target].keystone]
    base = ks.url.rstrip('/')
    if base.endswith('/v3'):
        base = base[:-3]
    return keystone.admin_session(ks.url, ks.admin.password), base


def register(cloud: info_mod.CloudInfo, base_url: str,
             count: int) -> list[str]:
    """Make sure ``MASTER`` and ``count`` regions are in the catalog.

    Idempotent: regions already registered are kept, their endpoint
    pointed at ``base_url``.

    :returns: the target regions' names.
    """
    session, url = _admin(cloud)
    services = session.get(url + '/v3/services?type=image').json()
    service_id = services['services'][0]['id']
    known = {r['id'] for r in session.get(url + '/v3/regions').json()[
        'regions']}
    endpoints = {e['region_id']: e for e in session.get(
        url + '/v3/endpoints?service_id=%s&interface=public'
        % service_id).json()['endpoints']}
    names = region_names(count)
    for region in [MASTER] + names:
        wanted = '%s/%s' % (base_url, region)
        if region not in known:
            session.post(url + '/v3/regions', json={'region': {'id': region}})
        endpoint = endpoints.get(region)
        if endpoint is None:
            session.post(url + '/v3/endpoints', json={'endpoint': {
                'service_id': service_id, 'interface': 'public',
                'region_id': region, 'url': wanted}})
        elif endpoint['url'] != wanted:  # a fake of an earlier run
            session.patch(url + '/v3/endpoints/%s' % endpoint['id'],
                          json={'endpoint': {'url': wanted}})
    return names
