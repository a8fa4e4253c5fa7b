"""One local Keystone: configuration, bootstrap and its identity data.

Setting up a Keystone: :func:`prepare` writes its folder (configuration,
fernet and credential keys), :func:`write_setup` says what its first start
must create (database, admin, regions, ``image`` endpoints, projects, users;
see :mod:`tools.localcloud.keystone_setup`), :func:`start` runs it under
gunicorn, and once it answers :func:`read_identity` gives the ids created.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import pathlib
import subprocess
import sys

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from tools.localcloud import keystone_setup
from tools.localcloud import layout as lay
from tools.localcloud import procs

INTERFACES = ('public', 'internal', 'admin')
ADMIN_USER = 'admin'
ADMIN_PROJECT = 'admin'
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]

CONF_TEMPLATE = """\
[DEFAULT]
debug = false

[database]
connection = sqlite:///{dir}/keystone.sqlite
sqlite_synchronous = false

[token]
provider = fernet
expiration = 14400

[fernet_tokens]
key_repository = {dir}/fernet-keys

[fernet_receipts]
key_repository = {dir}/receipt-keys

[credential]
key_repository = {dir}/credential-keys

[cache]
enabled = true
backend = dogpile.cache.memory

[identity]
password_hash_algorithm = bcrypt
password_hash_rounds = 4
"""

KEY_REPOSITORIES = ('fernet-keys', 'receipt-keys', 'credential-keys')


@dataclasses.dataclass
class Passwords:
    """Passwords chosen for one Keystone's accounts at ``up``."""

    admin: str
    glance: str
    sync: str
    demo: str
    uploader: str = ''


@dataclasses.dataclass
class Identity:
    """What the first start created: ids by name."""

    projects: dict[str, str]
    users: dict[str, str]


def prepare(cloud: lay.Layout, spec: lay.KeystoneSpec) -> None:
    """Write a Keystone's folder: configuration and keys.

    The database is created at the first start (see :func:`start`).

    :param cloud: the cloud's layout.
    :param spec: which Keystone.
    """
    folder = cloud.service_dir(spec.name)
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / 'keystone.conf'
    conf.write_text(CONF_TEMPLATE.format(dir=folder))
    conf.chmod(0o600)
    for name in KEY_REPOSITORIES:
        _write_fernet_keys(folder / name)


def bootstrap_args(cloud: lay.Layout, spec: lay.KeystoneSpec) -> list[str]:
    """:returns: ``keystone-manage bootstrap`` arguments (no password)."""
    url = cloud.keystone_url(spec.name)
    return ['--bootstrap-username', ADMIN_USER,
            '--bootstrap-project-name', ADMIN_PROJECT,
            '--bootstrap-role-name', 'admin',
            '--bootstrap-service-name', 'keystone',
            '--bootstrap-region-id', spec.regions[0],
            '--bootstrap-admin-url', url,
            '--bootstrap-public-url', url,
            '--bootstrap-internal-url', url]


def _write_fernet_keys(repo: pathlib.Path) -> None:
    # What ``keystone-manage fernet_setup`` writes (a staged key 0 and a
    # primary key 1), without paying for two more keystone-manage runs.
    repo.mkdir(mode=0o700, exist_ok=True)
    for index in ('0', '1'):
        key = repo / index
        key.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
        key.chmod(0o600)


def write_setup(cloud: lay.Layout, spec: lay.KeystoneSpec,
                passwords: Passwords) -> None:
    """Ask the Keystone's first start to create its database and accounts.

    Writes ``setup.json`` (mode 600) for
    :mod:`tools.localcloud.keystone_setup`: the bootstrap arguments, the
    ``image`` endpoint of each region, the ``service`` and sync projects,
    the glance service user, the sync user and, in the master target, the
    demo user and the ``uploads`` project with its uploader.

    :param cloud: the cloud's layout.
    :param spec: which Keystone.
    :param passwords: its accounts' passwords.
    """
    users = [{'name': lay.GLANCE_SERVICE_USER, 'password': passwords.glance,
              'project': lay.SERVICE_PROJECT, 'roles': ['admin', 'service']},
             {'name': lay.SYNC_USERS[spec.name], 'password': passwords.sync,
              'project': lay.SYNC_PROJECT, 'roles': ['admin']}]
    if spec.target == lay.MASTER_TARGET:
        users.append({'name': lay.DEMO_USER, 'password': passwords.demo,
                      'project': lay.SYNC_PROJECT, 'roles': ['member']})
        users.append({'name': lay.UPLOADER_USER,
                      'password': passwords.uploader,
                      'project': lay.UPLOADS_PROJECT, 'roles': ['member']})
    setup = {'bootstrap': bootstrap_args(cloud, spec),
             'admin_password': passwords.admin,
             'regions': {region: cloud.url(lay.glance_service(region))
                         for region in spec.regions},
             'projects': [lay.SERVICE_PROJECT, lay.SYNC_PROJECT]
             + ([lay.UPLOADS_PROJECT] if spec.target == lay.MASTER_TARGET
                else []),
             'users': users}
    if spec.target == lay.MASTER_TARGET:
        setup['internal_only'] = {
            region: cloud.url(lay.glance_service(served_by))
            for region, served_by in lay.INTERNAL_ONLY_REGIONS.items()}
    path = cloud.service_dir(spec.name) / keystone_setup.SETUP_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        json.dump(setup, f)


def read_identity(cloud: lay.Layout, spec: lay.KeystoneSpec) -> Identity:
    """:returns: the ids the first start created (``identity.json``).

    :raises procs.ServiceFailed: when the file is missing or unreadable.
    """
    folder = cloud.service_dir(spec.name)
    try:
        data = json.loads((folder / keystone_setup.IDENTITY_FILE).read_text())
        return Identity(projects=data['projects'], users=data['users'])
    except (OSError, ValueError, KeyError) as exc:
        raise procs.ServiceFailed(spec.name, 'no identity data: %s' % exc,
                                  procs.log_tail(folder / procs.LOG_FILE))


def start(cloud: lay.Layout,
          spec: lay.KeystoneSpec) -> subprocess.Popen[bytes]:
    """Run the Keystone under gunicorn.

    :param cloud: the cloud's layout.
    :param spec: which Keystone.
    :returns: the gunicorn master process.
    """
    folder = cloud.service_dir(spec.name)
    host = cloud.host(spec.name)
    cmd = procs.gunicorn_command(
        folder, cloud.port(spec.name),
        'tools.localcloud.keystone_wsgi:application',
        extra=('--pythonpath', str(REPO_ROOT)), hosts=host.binds)
    if host.netns:
        cmd = ['ip', 'netns', 'exec', host.netns, *cmd]
    return procs.spawn(folder, cmd,
                       env={'OS_KEYSTONE_CONFIG_DIR': str(folder)})


def admin_session(url: str, password: str) -> ks_session.Session:
    """:returns: a system-scoped admin session on the Keystone at ``url``."""
    auth = v3.Password(auth_url=url, username=ADMIN_USER, password=password,
                       user_domain_id='default', system_scope='all')
    return ks_session.Session(auth=auth, timeout=30)


def _bin(name: str) -> str:
    return str(pathlib.Path(sys.executable).parent / name)
