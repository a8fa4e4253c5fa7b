"""First-start set-up of a local Keystone, run inside its gunicorn worker.

:mod:`tools.localcloud.keystone_wsgi` calls :func:`run` before building the
application when ``setup.json`` is in the Keystone's folder. In a forked
child (so this process's keystone configuration stays untouched, and the
modules it already imported are reused instead of starting
``keystone-manage`` twice) it runs ``db_sync`` and ``bootstrap`` through
keystone-manage's own entry point, then creates the image service, regions,
endpoints, projects, users and role grants through the same internal
managers ``bootstrap`` uses: no HTTP, no token, no policy check, which on
this 2-core machine saves several seconds per Keystone.

``setup.json`` (written by ``up``, mode 600, removed here once read)::

    {"bootstrap": [keystone-manage bootstrap arguments],
     "admin_password": "...",
     "regions": {"RegionTwo": "http://127.0.0.1:PORT", ...},
     "internal_only": {"RegionTwoInternal": "http://127.0.0.1:PORT"},
     "projects": ["service", "images"],
     "users": [{"name": "glance", "password": "...", "project": "service",
                "roles": ["admin", "service"]}, ...]}

The ids of the projects and users go to ``identity.json``.
"""

import json
import os
import pathlib
import uuid
from typing import Any

from tools.localcloud import forked

SETUP_FILE = 'setup.json'
IDENTITY_FILE = 'identity.json'
INTERFACES = ('public', 'internal', 'admin')


def run(folder: pathlib.Path) -> None:
    """Set the Keystone in ``folder`` up if ``setup.json`` asks for it.

    :param folder: the Keystone's folder (holds ``keystone.conf``).
    :raises RuntimeError: when a set-up step fails (its traceback is in the
        service log).
    """
    setup_file = folder / SETUP_FILE
    if not setup_file.exists():
        return
    spec = json.loads(setup_file.read_text())
    manage = ['keystone-manage', '--config-file',
              str(folder / 'keystone.conf')]
    # keystone-manage's main() parses the global configuration, once per
    # process: one child per command.
    forked.run_in_child('db_sync', lambda: _manage(manage + ['db_sync']))

    def bootstrap() -> None:
        # The password goes through the environment, as keystone-manage
        # documents, not through arguments.
        os.environ['OS_BOOTSTRAP_PASSWORD'] = spec['admin_password']
        _manage(manage + ['bootstrap'] + spec['bootstrap'])
        identity = _populate(spec)
        (folder / IDENTITY_FILE).write_text(json.dumps(identity))

    forked.run_in_child('bootstrap', bootstrap)
    # gunicorn may respawn the worker: set up once only.
    setup_file.unlink()


def _manage(argv: list[str]) -> None:
    from keystone.cmd import cli
    cli.main(argv=argv)


def _populate(spec: dict[str, Any]) -> dict[str, Any]:
    from keystone.common import provider_api
    providers = provider_api.ProviderAPIs
    catalog = providers.catalog_api
    service_id = uuid.uuid4().hex
    catalog.create_service(service_id, {'id': service_id, 'type': 'image',
                                        'name': 'glance', 'enabled': True})
    known = {r['id'] for r in catalog.list_regions()}
    endpoints = [(region, url, INTERFACES)
                 for region, url in spec['regions'].items()]
    # Regions only reachable through the internal interface.
    endpoints += [(region, url, ('internal',))
                  for region, url in spec.get('internal_only', {}).items()]
    for region, url, interfaces in endpoints:
        if region not in known:
            catalog.create_region({'id': region})
            known.add(region)
        for interface in interfaces:
            endpoint_id = uuid.uuid4().hex
            catalog.create_endpoint(endpoint_id, {
                'id': endpoint_id, 'interface': interface, 'url': url,
                'service_id': service_id, 'region_id': region,
                'enabled': True})
    projects = {}
    for name in spec['projects']:
        project_id = uuid.uuid4().hex
        providers.resource_api.create_project(project_id, {
            'id': project_id, 'name': name, 'domain_id': 'default',
            'enabled': True, 'description': 'localcloud'})
        projects[name] = project_id
    roles = {r['name']: r['id'] for r in providers.role_api.list_roles()}
    users = {}
    for user in spec['users']:
        ref = providers.identity_api.create_user({
            'name': user['name'], 'password': user['password'],
            'domain_id': 'default', 'enabled': True,
            'default_project_id': projects[user['project']]})
        users[user['name']] = ref['id']
        for role in user['roles']:
            providers.assignment_api.add_role_to_user_and_project(
                ref['id'], projects[user['project']], roles[role])
    return {'projects': projects, 'users': users}
