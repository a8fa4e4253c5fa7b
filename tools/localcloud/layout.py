"""Where everything of one local cloud lives: names, ports and paths.

The topology is fixed, like FIWARE's two-target deployments:

* Keystone A (``keystone-a``) serves the ``master`` target: regions
  ``RegionOne`` (the master), ``RegionTwo`` and ``RegionThree``;
* Keystone B (``keystone-b``) serves the ``other`` target: ``RegionFour``.

Ports are consecutive from a base port: the two Keystones first, then one
glance-api per region in the order above. Everything a service writes sits
in its own folder of the run directory, so ``down`` and a fresh ``up`` only
ever touch paths listed here.
"""

from __future__ import annotations

import dataclasses
import pathlib
import socket
import zlib

#: Marks a folder as a local cloud run directory; ``up`` refuses to wipe a
#: non-empty folder that does not carry it.
MARKER = '.localcloud'
MASTER_TARGET = 'master'
MASTER_REGION = 'RegionOne'


@dataclasses.dataclass(frozen=True)
class KeystoneSpec:
    """One Keystone of the topology.

    :param name: service name, also the name of its folder.
    :param target: the glance-sync target whose credentials it holds.
    :param regions: regions of its catalog; the first one is bootstrapped.
    :param offset: port offset from the base port.
    """

    name: str
    target: str
    regions: tuple[str, ...]
    offset: int


KEYSTONES = (
    KeystoneSpec('keystone-a', MASTER_TARGET,
                 ('RegionOne', 'RegionTwo', 'RegionThree'), 0),
    KeystoneSpec('keystone-b', 'other', ('RegionFour',), 1),
)

#: Regions in port order, each with the Keystone that lists it.
REGIONS = tuple((region, ks) for ks in KEYSTONES for region in ks.regions)

#: Project and users created in every Keystone (the sync account).
SYNC_PROJECT = 'images'
SYNC_USERS = {'keystone-a': 'glance-sync', 'keystone-b': 'glance-sync-other'}
SERVICE_PROJECT = 'service'
GLANCE_SERVICE_USER = 'glance'
#: Keystone A only: a user with the member role on ``images`` (403 tests).
DEMO_USER = 'demo'
#: Keystone A only: a second master project (``master_projects``) and a
#: user with the member role there, who uploads its images.
UPLOADS_PROJECT = 'uploads'
UPLOADER_USER = 'uploader'
DOMAIN = 'Default'
#: Keystone A only: catalog regions with an ``internal`` image endpoint and
#: no public one, served by the glance-api of the region named (tests of a
#: target's ``interface = internal``; skipped with the public interface).
INTERNAL_ONLY_REGIONS = {'RegionTwoInternal': 'RegionTwo'}

PORTS_PER_CLOUD = len(KEYSTONES) + len(REGIONS)


def glance_service(region: str) -> str:
    """:returns: the service (and folder) name of a region's glance-api."""
    return 'glance-%s' % region


def keystone_spec(name: str) -> KeystoneSpec:
    """:returns: the Keystone called ``name``.

    :raises KeyError: for an unknown name.
    """
    for spec in KEYSTONES:
        if spec.name == name:
            return spec
    raise KeyError('no keystone called %s' % name)


class Layout:
    """Names, ports and paths of one local cloud.

    :param run_dir: the run directory (created by ``up``).
    :param base_port: first of :data:`PORTS_PER_CLOUD` consecutive ports.
    """

    def __init__(self, run_dir: pathlib.Path, base_port: int) -> None:
        self.dir = run_dir.resolve()
        self.base_port = base_port

    def port(self, service: str) -> int:
        """:returns: the TCP port of ``service`` (a keystone or glance)."""
        names = [ks.name for ks in KEYSTONES]
        names += [glance_service(region) for region, _ks in REGIONS]
        return self.base_port + names.index(service)

    def url(self, service: str) -> str:
        """:returns: the root URL of ``service`` (no trailing slash)."""
        return 'http://127.0.0.1:%d' % self.port(service)

    def keystone_url(self, name: str) -> str:
        """:returns: the identity v3 URL of Keystone ``name``."""
        return self.url(name) + '/v3'

    def service_dir(self, service: str) -> pathlib.Path:
        """:returns: the folder holding everything of ``service``."""
        return self.dir / service

    def services(self) -> list[str]:
        """:returns: every service name, Keystones first."""
        return ([ks.name for ks in KEYSTONES]
                + [glance_service(region) for region, _ks in REGIONS])

    @property
    def info_file(self) -> pathlib.Path:
        """The ``cloud.json`` describing a cloud that came up."""
        return self.dir / 'cloud.json'

    def generated_files(self) -> list[pathlib.Path]:
        """:returns: files written at the top of the run directory."""
        files = [self.info_file, self.dir / 'clouds.yaml']
        files += [self.dir / ('%s.openrc' % ks.target) for ks in KEYSTONES]
        return files


def default_base_port(run_dir: pathlib.Path) -> int:
    """Pick a base port for a run directory that has none recorded.

    Several developers and test runs share this machine, each with its own
    run directory: deriving the port from the directory keeps them apart
    without configuration, and skipping busy blocks avoids the rest.

    :param run_dir: the run directory.
    :returns: a base port whose block of ports is free right now.
    """
    blocks = 2000
    start = zlib.crc32(str(run_dir.resolve()).encode()) % blocks
    for step in range(blocks):
        base = 20000 + ((start + step) % blocks) * 10
        if all(port_is_free(base + i) for i in range(PORTS_PER_CLOUD)):
            return base
    raise RuntimeError('no free block of %d ports in 20000-39999'
                       % PORTS_PER_CLOUD)


def port_is_free(port: int) -> bool:
    """:returns: whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(('127.0.0.1', port))
        except OSError:
            return False
        return True
