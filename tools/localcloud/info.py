"""What a running local cloud looks like, as ``cloud.json`` describes it.

``up`` writes ``cloud.json`` (mode 600) and, from the same data,
``clouds.yaml`` and one ``<target>.openrc`` per target. Tests, the demo and
the benchmarks read it back with :func:`load`::

    from tools import localcloud

    cloud = localcloud.load('run/testcloud')
    sess = cloud.session('other')          # keystoneauth1 session
    master = cloud.master                  # RegionInfo of RegionOne
    print(master.url, cloud.master_store_dir)
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shlex
import tempfile
from typing import Any

import yaml
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

SCHEMA_VERSION = 1


class CloudNotFound(Exception):
    """No ``cloud.json`` in the run directory: the cloud was never up."""

    def __init__(self, run_dir: os.PathLike[str] | str) -> None:
        self.run_dir = str(run_dir)
        super().__init__('no local cloud described in %s (run: python -m '
                         'tools.localcloud --dir %s up)'
                         % (self.run_dir, self.run_dir))


@dataclasses.dataclass
class Credentials:
    """A password account scoped to a project, as keystoneauth1 wants it."""

    auth_url: str
    username: str
    password: str
    project_name: str
    user_id: str = ''
    project_id: str = ''
    user_domain_name: str = 'Default'
    project_domain_name: str = 'Default'

    def auth(self) -> v3.Password:
        """:returns: a keystoneauth1 password plugin for this account."""
        return v3.Password(auth_url=self.auth_url, username=self.username,
                           password=self.password,
                           project_name=self.project_name,
                           user_domain_name=self.user_domain_name,
                           project_domain_name=self.project_domain_name)

    def session(self, timeout: float | None = 60) -> ks_session.Session:
        """:param timeout: per-request timeout in seconds.

        :returns: a new keystoneauth1 session for this account.
        """
        return ks_session.Session(auth=self.auth(), timeout=timeout)

    def __repr__(self) -> str:
        # Keep passwords out of test failure output and logs.
        return ('Credentials(auth_url=%r, username=%r, project_name=%r)'
                % (self.auth_url, self.username, self.project_name))


@dataclasses.dataclass
class KeystoneInfo:
    """One local Keystone."""

    name: str
    target: str
    url: str
    port: int
    pid: int | None
    log: str
    regions: list[str]
    admin: Credentials


@dataclasses.dataclass
class TargetInfo:
    """A glance-sync target: one Keystone and the sync account in it."""

    name: str
    keystone: str
    regions: list[str]
    credentials: Credentials


@dataclasses.dataclass
class RegionInfo:
    """One region's glance-api."""

    name: str
    target: str
    keystone: str
    url: str
    port: int
    pid: int | None
    log: str
    service_dir: str
    conf_dir: str
    store_dir: str
    #: Where the tools reach it when that is not ``url`` (the catalog's),
    #: e.g. a glance-api in a network namespace; '' when it is ``url``.
    reach_url: str = ''

    @property
    def api_url(self) -> str:
        """The URL the local tools send their own requests to."""
        return self.reach_url or self.url

    @property
    def qualified_name(self) -> str:
        """GlanceSync's name: bare for the master target, else ``t:R``."""
        if self.target == 'master':
            return self.name
        return '%s:%s' % (self.target, self.name)


@dataclasses.dataclass
class CloudInfo:
    """Everything about one local cloud; see :func:`load`."""

    dir: str
    base_port: int
    master_target: str
    master_region: str
    master_store_dir: str
    plugin: bool
    master_extra_conf: str | None
    keystones: dict[str, KeystoneInfo]
    targets: dict[str, TargetInfo]
    regions: dict[str, RegionInfo]
    users: dict[str, Credentials]
    version: int = SCHEMA_VERSION
    #: The WSGI server every glance-api runs under (gunicorn or uwsgi).
    glance_server: str = 'gunicorn'
    #: Regions of the master Keystone besides the master (``--regions``).
    region_count: int = 2
    #: Services placed off 127.0.0.1: fields of
    #: :class:`tools.localcloud.layout.Host` by service name.
    hosts: dict[str, dict[str, Any]] = dataclasses.field(
        default_factory=dict)
    #: Text appended to the glance-api.conf of regions, by region.
    region_conf: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def master(self) -> RegionInfo:
        """The master region's glance-api."""
        return self.regions[self.master_region]

    def target(self, name: str) -> TargetInfo:
        """:returns: target ``name``.

        :raises KeyError: naming the unknown target and the known ones.
        """
        try:
            return self.targets[name]
        except KeyError:
            raise KeyError('no target %r in the local cloud (known: %s)'
                           % (name, ', '.join(self.targets))) from None

    def region(self, name: str) -> RegionInfo:
        """:returns: region ``name`` (bare or ``target:Region``).

        :raises KeyError: naming the unknown region and the known ones.
        """
        try:
            return self.regions[name.rpartition(':')[2]]
        except KeyError:
            raise KeyError('no region %r in the local cloud (known: %s)'
                           % (name, ', '.join(self.regions))) from None

    def session(self, target: str = 'master',
                timeout: float | None = 60) -> ks_session.Session:
        """:param target: the target whose sync account to use.
        :param timeout: per-request timeout in seconds.

        :returns: a new keystoneauth1 session for that account.
        """
        return self.target(target).credentials.session(timeout)


def make_session(credentials: Credentials,
                 timeout: float | None = 60) -> ks_session.Session:
    """:param credentials: the account.
    :param timeout: per-request timeout in seconds.

    :returns: a new keystoneauth1 session for ``credentials``.
    """
    return credentials.session(timeout)


def load(run_dir: os.PathLike[str] | str) -> CloudInfo:
    """Read the ``cloud.json`` that ``up`` wrote in ``run_dir``.

    It says nothing on whether the services still answer: use
    :func:`tools.localcloud.cloud.status` (or the ``status`` command).

    :param run_dir: the run directory.
    :returns: the cloud's description.
    :raises CloudNotFound: when there is no ``cloud.json``.
    """
    path = pathlib.Path(run_dir) / 'cloud.json'
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise CloudNotFound(run_dir) from None
    return from_dict(data)


def from_dict(data: dict[str, Any]) -> CloudInfo:
    """:returns: the :class:`CloudInfo` of a ``cloud.json`` document."""
    data = dict(data)
    data['keystones'] = {
        k: KeystoneInfo(**{**v, 'admin': Credentials(**v['admin'])})
        for k, v in data['keystones'].items()}
    data['targets'] = {
        k: TargetInfo(**{**v, 'credentials': Credentials(**v['credentials'])})
        for k, v in data['targets'].items()}
    data['regions'] = {k: RegionInfo(**v) for k, v in data['regions'].items()}
    data['users'] = {k: Credentials(**v) for k, v in data['users'].items()}
    return CloudInfo(**data)


def save(info: CloudInfo, run_dir: pathlib.Path) -> None:
    """Write ``cloud.json``, ``clouds.yaml`` and the openrc files (mode 600).

    :param info: the cloud.
    :param run_dir: where to write them.
    """
    _write_private(run_dir / 'cloud.json',
                   json.dumps(dataclasses.asdict(info), indent=2) + '\n')
    _write_private(run_dir / 'clouds.yaml', clouds_yaml(info))
    for target in info.targets.values():
        _write_private(run_dir / ('%s.openrc' % target.name),
                       openrc(target.credentials, target.regions[0]))


def clouds_yaml(info: CloudInfo) -> str:
    """:returns: a ``clouds.yaml`` with one cloud per target and account.

    Clouds are named after targets (``master``, ``other``), plus ``demo``
    and ``admin-<keystone>``.
    """
    clouds = {}
    for target in info.targets.values():
        clouds[target.name] = _cloud_entry(target.credentials, target.regions)
    for name, creds in info.users.items():
        clouds[name] = _cloud_entry(creds, info.target('master').regions)
    for ks in info.keystones.values():
        clouds['admin-%s' % ks.name.rpartition('-')[2]] = _cloud_entry(
            ks.admin, ks.regions)
    return str(yaml.safe_dump({'clouds': clouds}, sort_keys=False))


def _cloud_entry(creds: Credentials, regions: list[str]) -> dict[str, Any]:
    return {'auth': {'auth_url': creds.auth_url, 'username': creds.username,
                     'password': creds.password,
                     'project_name': creds.project_name,
                     'user_domain_name': creds.user_domain_name,
                     'project_domain_name': creds.project_domain_name},
            'regions': list(regions), 'identity_api_version': 3,
            'interface': 'public'}


def openrc(creds: Credentials, region: str) -> str:
    """:returns: shell ``export`` lines for an account and a region."""
    values = [('OS_AUTH_URL', creds.auth_url),
              ('OS_IDENTITY_API_VERSION', '3'),
              ('OS_USERNAME', creds.username), ('OS_PASSWORD', creds.password),
              ('OS_PROJECT_NAME', creds.project_name),
              ('OS_USER_DOMAIN_NAME', creds.user_domain_name),
              ('OS_PROJECT_DOMAIN_NAME', creds.project_domain_name),
              ('OS_REGION_NAME', region), ('OS_INTERFACE', 'public')]
    return ''.join('export %s=%s\n' % (k, shlex.quote(v)) for k, v in values)


def _write_private(path: pathlib.Path, text: str) -> None:
    # Atomic and never world-readable, even for an instant: it holds
    # passwords, and readers may poll it while ``up`` rewrites it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix='.' + path.name)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.replace(tmp, path)
