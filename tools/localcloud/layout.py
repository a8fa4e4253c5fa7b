"""Where everything of one local cloud lives: names, ports and paths.

The topology is the one of FIWARE's two-target deployments:

* Keystone A (``keystone-a``) serves the ``master`` target: regions
  ``RegionOne`` (the master), ``RegionTwo`` and ``RegionThree``;
* Keystone B (``keystone-b``) serves the ``other`` target: ``RegionFour``.

``up --regions N`` gives Keystone A N regions besides the master instead
of 2 (the WAN benchmark's seven): ``RegionTwo``, ``RegionThree``, then
``Region4``, ``Region5``... (never ``RegionFour``, Keystone B's).

Every service listens on 127.0.0.1 unless a :class:`Host` places it
elsewhere: in a network namespace, on the address the Keystone catalog
lists, and reached by the tool itself on another address (the WAN
benchmark's sites).

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
from collections.abc import Mapping

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


#: Regions of Keystone A besides the master, by default.
DEFAULT_REGIONS = 2
#: Names of Keystone A's first regions besides the master.
NAMED_REGIONS = ('RegionTwo', 'RegionThree')


def master_regions(count: int = DEFAULT_REGIONS) -> tuple[str, ...]:
    """Keystone A's regions: the master and ``count`` others.

    :param count: regions besides the master, at least 1.
    :raises ValueError: for a count below 1.
    """
    if count < 1:
        raise ValueError('the master Keystone needs at least one region '
                         'besides %s, not %d' % (MASTER_REGION, count))
    extra = tuple('Region%d' % n for n in range(len(NAMED_REGIONS) + 2,
                                                count + 2))
    return (MASTER_REGION,) + (NAMED_REGIONS + extra)[:count]


def keystones(count: int = DEFAULT_REGIONS) -> tuple[KeystoneSpec, ...]:
    """The two Keystones, Keystone A with ``count`` regions besides the
    master (see :func:`master_regions`)."""
    return (KeystoneSpec('keystone-a', MASTER_TARGET, master_regions(count),
                         0),
            KeystoneSpec('keystone-b', 'other', ('RegionFour',), 1))


def regions(count: int = DEFAULT_REGIONS
            ) -> tuple[tuple[str, KeystoneSpec], ...]:
    """:returns: regions in port order, each with the Keystone listing it."""
    return tuple((region, ks) for ks in keystones(count)
                 for region in ks.regions)


KEYSTONES = keystones()

#: Regions in port order, each with the Keystone that lists it (default).
REGIONS = regions()


@dataclasses.dataclass(frozen=True)
class Host:
    """Where one service runs and listens.

    :param address: the address it listens on and the Keystone catalog
        (or glance-sync's configuration) gives.
    :param netns: the network namespace it runs in (None: this one).
    :param reach: another address it also listens on, by which this tool
        reaches it (health checks, the harness's own requests) without
        going through the address the catalog lists; None: ``address``.
    """

    address: str = '127.0.0.1'
    netns: str | None = None
    reach: str | None = None

    @property
    def reach_address(self) -> str:
        """The address this tool reaches the service at."""
        return self.reach or self.address

    @property
    def binds(self) -> tuple[str, ...]:
        """Every address the service listens on."""
        return tuple(dict.fromkeys((self.address, self.reach_address)))


LOCALHOST = Host()

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


def ports_per_cloud(count: int = DEFAULT_REGIONS) -> int:
    """:returns: the ports a cloud with ``count`` extra master regions
    takes."""
    return len(KEYSTONES) + len(regions(count))


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
    :param base_port: first of :func:`ports_per_cloud` consecutive ports.
    :param region_count: regions of Keystone A besides the master.
    :param hosts: where services run, by service name (default: on
        127.0.0.1 here).
    """

    def __init__(self, run_dir: pathlib.Path, base_port: int,
                 region_count: int = DEFAULT_REGIONS,
                 hosts: Mapping[str, Host] | None = None) -> None:
        self.dir = run_dir.resolve()
        self.base_port = base_port
        self.region_count = region_count
        self.keystones = keystones(region_count)
        self.regions = regions(region_count)
        self.hosts = dict(hosts or {})
        unknown = set(self.hosts) - set(self.services())
        if unknown:
            raise KeyError('no service called %s' % ', '.join(sorted(unknown)))

    def port(self, service: str) -> int:
        """:returns: the TCP port of ``service`` (a keystone or glance)."""
        return self.base_port + self.services().index(service)

    def host(self, service: str) -> Host:
        """:returns: where ``service`` runs."""
        return self.hosts.get(service, LOCALHOST)

    def url(self, service: str) -> str:
        """:returns: the root URL of ``service`` (no trailing slash), as the
        catalog lists it."""
        return 'http://%s:%d' % (self.host(service).address,
                                 self.port(service))

    def reach_url(self, service: str) -> str:
        """:returns: the root URL this tool reaches ``service`` at."""
        return 'http://%s:%d' % (self.host(service).reach_address,
                                 self.port(service))

    def keystone_of(self, region: str) -> KeystoneSpec:
        """:returns: the Keystone listing ``region``."""
        return dict(self.regions)[region]

    def keystone_url(self, name: str) -> str:
        """:returns: the identity v3 URL of Keystone ``name``."""
        return self.url(name) + '/v3'

    def service_dir(self, service: str) -> pathlib.Path:
        """:returns: the folder holding everything of ``service``."""
        return self.dir / service

    def services(self) -> list[str]:
        """:returns: every service name, Keystones first."""
        return ([ks.name for ks in self.keystones]
                + [glance_service(region) for region, _ks in self.regions])

    def services_on_disk(self) -> list[str]:
        """:returns: the services with a folder in the run directory, of
        whatever size of cloud made them (what ``down`` and a fresh ``up``
        stop and wipe)."""
        found = set(self.services())
        if self.dir.is_dir():
            found.update(p.name for p in self.dir.iterdir() if p.is_dir()
                         and p.name.startswith(('keystone-', 'glance-')))
        return sorted(found)

    @property
    def info_file(self) -> pathlib.Path:
        """The ``cloud.json`` describing a cloud that came up."""
        return self.dir / 'cloud.json'

    def generated_files(self) -> list[pathlib.Path]:
        """:returns: files written at the top of the run directory."""
        files = [self.info_file, self.dir / 'clouds.yaml']
        files += [self.dir / ('%s.openrc' % ks.target)
                  for ks in self.keystones]
        return files


def default_base_port(run_dir: pathlib.Path,
                      ports: int = PORTS_PER_CLOUD) -> int:
    """Pick a base port for a run directory that has none recorded.

    Several developers and test runs share this machine, each with its own
    run directory: deriving the port from the directory keeps them apart
    without configuration, and skipping busy blocks avoids the rest.

    :param run_dir: the run directory.
    :param ports: how many consecutive ports the cloud takes.
    :returns: a base port whose block of ports is free right now.
    """
    step_size = 10 * (1 + (ports - 1) // 10)
    blocks = 20000 // step_size
    start = zlib.crc32(str(run_dir.resolve()).encode()) % blocks
    for step in range(blocks):
        base = 20000 + ((start + step) % blocks) * step_size
        if all(port_is_free(base + i) for i in range(ports)):
            return base
    raise RuntimeError('no free block of %d ports in 20000-39999' % ports)


def port_is_free(port: int) -> bool:
    """:returns: whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(('127.0.0.1', port))
        except OSError:
            return False
        return True
