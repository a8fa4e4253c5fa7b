"""Bring the whole local cloud up and down, and one glance-api on demand.

``up`` runs, as much as two cores allow, in parallel:

1. per Keystone: write keys, configuration and ``setup.json``, start
   gunicorn (its worker creates the database, admin, regions, image
   endpoints, projects and users on the first start) and wait for it;
2. per region: write configuration, start gunicorn (its worker creates
   the database on the first start) and wait for its healthcheck (glance
   needs Keystone only per request);
3. check that every glance-api accepts the sync account's token;
4. write ``cloud.json``, ``clouds.yaml`` and the openrc files.

Any failure stops whatever was started and raises
:class:`~tools.localcloud.procs.ServiceFailed` naming the service, with the
tail of its log.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import fcntl
import logging
import pathlib
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from tools.localcloud import glance
from tools.localcloud import info as info_mod
from tools.localcloud import keystone
from tools.localcloud import layout as lay
from tools.localcloud import procs
from tools.localcloud import shared

LOG = logging.getLogger(__name__)
KEYSTONE_TIMEOUT = 60
GLANCE_TIMEOUT = 90


@dataclasses.dataclass
class Options:
    """What ``up`` was asked for besides the run directory.

    :param base_port: first port; None reuses the recorded one or picks one.
    :param plugin: put the glance-sync paste filter in the master glance.
    :param master_extra_conf: text appended to the master's glance-api.conf:
        the documented snippet (:func:`tools.localcloud.snippets.
        master_glance_conf`), nothing of the harness's own.
    :param server: the WSGI server of every glance-api (gunicorn, uwsgi).
    :param regions: regions of the master Keystone besides the master
        (None: those of the running cloud, else
        :data:`~tools.localcloud.layout.DEFAULT_REGIONS`).
    :param hosts: services placed off 127.0.0.1 (network namespaces), by
        service name.
    :param region_conf: text appended to regions' glance-api.conf, by
        region (the WAN benchmark's shared store backends).
    """

    base_port: int | None = None
    plugin: bool = False
    master_extra_conf: str | None = None
    server: str = 'gunicorn'
    regions: int | None = None
    hosts: dict[str, lay.Host] = dataclasses.field(default_factory=dict)
    region_conf: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ServiceStatus:
    """One line of ``status``."""

    name: str
    url: str
    pid: int | None
    answers: bool


class CloudError(Exception):
    """The run directory cannot hold a cloud, or the request makes no sense."""


@contextlib.contextmanager
def _locked(run_dir: pathlib.Path) -> Iterator[None]:
    # One command at a time per run directory: concurrent ``up``s would
    # wipe each other's services.
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _load(run_dir: pathlib.Path) -> info_mod.CloudInfo | None:
    try:
        return info_mod.load(run_dir)
    except info_mod.CloudNotFound:
        return None
    except (ValueError, TypeError, KeyError) as exc:
        # Written by another version of this tool: treat as no cloud.
        LOG.warning('ignoring unreadable %s/cloud.json: %s', run_dir, exc)
        return None


def up(run_dir: pathlib.Path, options: Options) -> info_mod.CloudInfo:
    """Start the cloud, or return quickly if it already answers.

    When both Keystones answer, the cloud is kept: glance-apis that do not
    answer (stopped by ``stop-glance`` or crashed) are restarted with their
    data, and a master asked for other options (plugin, extra conf) is
    reconfigured and restarted. Otherwise a fresh cloud replaces whatever
    was there.

    :param run_dir: the run directory.
    :param options: what to start.
    :returns: the cloud's description (also in ``run_dir/cloud.json``).
    :raises procs.ServiceFailed: when a service does not come up.
    :raises CloudError: for an unusable run directory or port.
    """
    run_dir = run_dir.resolve()
    with _locked(run_dir):
        current = _load(run_dir)
        states = {s.name: s for s in _status(current)} if current else {}
        if current and all(states[ks].answers for ks in current.keystones):
            if options.base_port not in (None, current.base_port):
                raise CloudError('a cloud already runs in %s on base port %d;'
                                 ' run down first' % (run_dir,
                                                      current.base_port))
            if (options.regions not in (None, current.region_count)
                    or _hosts_data(options.hosts) != current.hosts
                    or options.region_conf != current.region_conf):
                raise CloudError('a cloud of another shape already runs in '
                                 '%s (%d regions besides the master); run '
                                 'down first' % (run_dir,
                                                 current.region_count))
            _switch_server(run_dir, current, options)
            _revive_glances(run_dir, current, states)
            _reconfigure_master(run_dir, current, options)
            LOG.info('local cloud already running in %s', run_dir)
            return current
        base = (options.base_port
                or (current.base_port if current else None)
                or _recorded_port(run_dir))
        return _fresh(run_dir, base, options)


def _fresh(run_dir: pathlib.Path, base_port: int | None,
           options: Options) -> info_mod.CloudInfo:
    _claim(run_dir)
    _stop_all(run_dir)
    _wipe(run_dir)
    count = options.regions or lay.DEFAULT_REGIONS
    cloud = lay.Layout(run_dir, base_port or lay.default_base_port(
        run_dir, lay.ports_per_cloud(count)), count, options.hosts)
    (run_dir / lay.MARKER).write_text('%d\n' % cloud.base_port)
    busy = [s for s in cloud.services() if not lay.port_is_free(cloud.port(s))]
    if busy:
        raise CloudError('port(s) %s already in use (for %s): choose another '
                         '--base-port' % (', '.join(str(cloud.port(s))
                                                    for s in busy),
                                          ', '.join(busy)))
    started = time.monotonic()
    try:
        result = _start_everything(cloud, options)
    except BaseException:
        LOG.error('start-up failed, stopping what was started')
        _stop_all(run_dir)
        raise
    LOG.info('local cloud up in %.1fs', time.monotonic() - started)
    return result


def _claim(run_dir: pathlib.Path) -> None:
    marker = run_dir / lay.MARKER
    others = [p.name for p in run_dir.iterdir() if p.name != '.lock']
    if others and not marker.exists():
        raise CloudError('%s is not empty and was not made by localcloud '
                         '(no %s file): refusing to use it'
                         % (run_dir, lay.MARKER))
    marker.touch()


def _recorded_port(run_dir: pathlib.Path) -> int | None:
    # The marker keeps the base port even when an ``up`` failed before
    # writing cloud.json, so the next one binds the same ports.
    try:
        return int((run_dir / lay.MARKER).read_text().strip()) or None
    except (OSError, ValueError):
        return None


def _wipe(run_dir: pathlib.Path) -> None:
    # Only paths this tool creates; the marker guarantees the folder is ours.
    cloud = lay.Layout(run_dir, 0)
    for service in cloud.services_on_disk():
        shutil.rmtree(cloud.service_dir(service), ignore_errors=True)
    for path in cloud.generated_files():
        path.unlink(missing_ok=True)
    # Left by earlier versions of this tool.
    shutil.rmtree(run_dir / 'templates', ignore_errors=True)


def _start_everything(cloud: lay.Layout,
                      options: Options) -> info_mod.CloudInfo:
    passwords = {ks.name: keystone.Passwords(*(secrets.token_urlsafe(18)
                                               for _ in range(5)))
                 for ks in cloud.keystones}
    # Set at the first failure so that the other services stop waiting.
    abort = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        identities = {ks.name: pool.submit(_keystone_up, cloud, ks,
                                           passwords[ks.name], abort)
                      for ks in cloud.keystones}
        glances = {region: pool.submit(_glance_up, cloud, region,
                                       passwords[ks.name], options, abort)
                   for region, ks in cloud.regions}
        _all_ok([*identities.values(), *glances.values()],
                raise_first=True, abort=abort)
    result = _describe(cloud, passwords,
                       {k: f.result() for k, f in identities.items()},
                       options)
    _check_tokens(result)
    info_mod.save(result, cloud.dir)
    return result


def _all_ok(futures: list[concurrent.futures.Future[Any]],
            raise_first: bool = False,
            abort: threading.Event | None = None) -> bool:
    """Wait for ``futures``.

    :param raise_first: raise the first failure instead of returning False.
    :param abort: set as soon as one fails, so that the others give up.
    :returns: whether all succeeded.
    """
    done, _pending = concurrent.futures.wait(
        futures, return_when=concurrent.futures.FIRST_EXCEPTION)
    first = next((f.exception() for f in futures
                  if f in done and f.exception() is not None), None)
    if first is not None and abort is not None:
        abort.set()
    concurrent.futures.wait(futures)
    if first is None:
        return True
    if raise_first:
        raise first
    return False


def _keystone_up(cloud: lay.Layout, spec: lay.KeystoneSpec,
                 passwords: keystone.Passwords,
                 abort: threading.Event) -> keystone.Identity:
    t0 = time.monotonic()
    keystone.prepare(cloud, spec)
    keystone.write_setup(cloud, spec, passwords)
    proc = keystone.start(cloud, spec)
    procs.wait_ready(spec.name, proc, cloud.service_dir(spec.name),
                     cloud.reach_url(spec.name) + '/v3', KEYSTONE_TIMEOUT,
                     abort)
    LOG.info('%s ready in %.1fs at %s', spec.name, time.monotonic() - t0,
             cloud.keystone_url(spec.name))
    return keystone.read_identity(cloud, spec)


def _glance_up(cloud: lay.Layout, region: str, passwords: keystone.Passwords,
               options: Options, abort: threading.Event) -> None:
    t0 = time.monotonic()
    glance.configure(cloud, _glance_settings(region, passwords, options))
    _start_glance(cloud, region, options.server, abort, first=True)
    LOG.info('glance %s ready in %.1fs at %s', region, time.monotonic() - t0,
             cloud.url(lay.glance_service(region)))


def _glance_settings(region: str, passwords: keystone.Passwords,
                     options: Options) -> glance.Settings:
    master = region == lay.MASTER_REGION
    return glance.Settings(
        region=region, service_password=passwords.glance,
        plugin=master and options.plugin,
        extra_conf=((options.master_extra_conf or '') if master else '')
        + options.region_conf.get(region, ''),
        server=options.server)


def _hosts_data(hosts: dict[str, lay.Host]) -> dict[str, dict[str, Any]]:
    return {name: dataclasses.asdict(host) for name, host in hosts.items()}


def layout_of(current: info_mod.CloudInfo) -> lay.Layout:
    """:returns: the layout of the cloud ``current`` describes."""
    return lay.Layout(pathlib.Path(current.dir), current.base_port,
                      current.region_count,
                      {name: lay.Host(**host)
                       for name, host in current.hosts.items()})


def _start_glance(cloud: lay.Layout, region: str, server: str,
                  abort: threading.Event | None = None,
                  first: bool = False) -> int:
    service = lay.glance_service(region)
    proc = glance.start(cloud, region, first, server)
    procs.wait_ready(service, proc, cloud.service_dir(service),
                     glance.health_url(cloud, region), GLANCE_TIMEOUT, abort)
    return proc.pid


def _describe(cloud: lay.Layout, passwords: dict[str, keystone.Passwords],
              identities: dict[str, keystone.Identity],
              options: Options) -> info_mod.CloudInfo:
    keystones, targets, users = {}, {}, {}
    for spec in cloud.keystones:
        url = cloud.keystone_url(spec.name)
        ident, pw = identities[spec.name], passwords[spec.name]
        keystones[spec.name] = info_mod.KeystoneInfo(
            name=spec.name, target=spec.target, url=url,
            port=cloud.port(spec.name),
            pid=procs.running_pid(cloud.service_dir(spec.name)),
            log=str(cloud.service_dir(spec.name) / procs.LOG_FILE),
            regions=list(spec.regions),
            admin=info_mod.Credentials(url, keystone.ADMIN_USER, pw.admin,
                                       keystone.ADMIN_PROJECT))
        sync_user = lay.SYNC_USERS[spec.name]
        targets[spec.target] = info_mod.TargetInfo(
            name=spec.target, keystone=spec.name, regions=list(spec.regions),
            credentials=info_mod.Credentials(
                url, sync_user, pw.sync, lay.SYNC_PROJECT,
                user_id=ident.users[sync_user],
                project_id=ident.projects[lay.SYNC_PROJECT]))
        if spec.target == lay.MASTER_TARGET:
            users[lay.DEMO_USER] = info_mod.Credentials(
                url, lay.DEMO_USER, pw.demo, lay.SYNC_PROJECT,
                user_id=ident.users[lay.DEMO_USER],
                project_id=ident.projects[lay.SYNC_PROJECT])
            users[lay.UPLOADER_USER] = info_mod.Credentials(
                url, lay.UPLOADER_USER, pw.uploader, lay.UPLOADS_PROJECT,
                user_id=ident.users[lay.UPLOADER_USER],
                project_id=ident.projects[lay.UPLOADS_PROJECT])
    regions = {region: _region_info(cloud, region, ks)
               for region, ks in cloud.regions}
    return info_mod.CloudInfo(
        dir=str(cloud.dir), base_port=cloud.base_port,
        master_target=lay.MASTER_TARGET, master_region=lay.MASTER_REGION,
        master_store_dir=regions[lay.MASTER_REGION].store_dir,
        plugin=options.plugin, master_extra_conf=options.master_extra_conf,
        keystones=keystones, targets=targets, regions=regions, users=users,
        glance_server=options.server, region_count=cloud.region_count,
        hosts=_hosts_data(cloud.hosts), region_conf=dict(options.region_conf))


def _region_info(cloud: lay.Layout, region: str,
                 spec: lay.KeystoneSpec) -> info_mod.RegionInfo:
    service = lay.glance_service(region)
    folder = cloud.service_dir(service)
    return info_mod.RegionInfo(
        name=region, target=spec.target, keystone=spec.name,
        url=cloud.url(service), port=cloud.port(service),
        pid=procs.running_pid(folder), log=str(folder / procs.LOG_FILE),
        service_dir=str(folder), conf_dir=str(folder / 'etc'),
        store_dir=str(folder / 'images'),
        reach_url=('' if cloud.reach_url(service) == cloud.url(service)
                   else cloud.reach_url(service)))


def _check_tokens(cloud: info_mod.CloudInfo) -> None:
    # Proves the whole chain (token issue, catalog, glance's authtoken with
    # its service user) and warms each glance-api's token cache.
    def check(region: info_mod.RegionInfo) -> None:
        sess = cloud.session(region.target, timeout=30)
        try:
            sess.get(region.api_url + '/v2/images?limit=1')
        except Exception as exc:
            raise procs.ServiceFailed(
                lay.glance_service(region.name),
                'listing images as %s failed: %s'
                % (cloud.target(region.target).credentials.username, exc),
                procs.log_tail(pathlib.Path(region.log))) from exc
    _parallel(check, list(cloud.regions.values()))


def _parallel(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    with concurrent.futures.ThreadPoolExecutor(max(1, len(items))) as pool:
        futures = [pool.submit(func, item) for item in items]
        _all_ok(futures, raise_first=True)
        return [f.result() for f in futures]


def _reconfigure_master(run_dir: pathlib.Path, current: info_mod.CloudInfo,
                        options: Options) -> None:
    if (options.plugin == current.plugin
            and options.master_extra_conf == current.master_extra_conf):
        return
    LOG.info('restarting the master glance with plugin=%s, extra conf %s',
             options.plugin, 'set' if options.master_extra_conf else 'unset')
    cloud = layout_of(current)
    region = current.master_region
    procs.stop(cloud.service_dir(lay.glance_service(region)))
    password = _glance_password(cloud, region)
    glance.configure(cloud, _glance_settings(
        region, keystone.Passwords('', password, '', ''), options))
    current.plugin = options.plugin
    current.master_extra_conf = options.master_extra_conf
    current.regions[region].pid = _start_glance(cloud, region,
                                                current.glance_server)
    info_mod.save(current, run_dir)


def _switch_server(run_dir: pathlib.Path, current: info_mod.CloudInfo,
                   options: Options) -> None:
    # Every glance-api moves to the server asked for, with its data; the
    # master's settings are rewritten for it by _reconfigure_master.
    if options.server == current.glance_server:
        return
    LOG.info('restarting every glance-api under %s', options.server)
    cloud = layout_of(current)

    def restart(region: str) -> None:
        procs.stop(cloud.service_dir(lay.glance_service(region)))
        password = _glance_password(cloud, region)
        master = region == current.master_region
        glance.configure(cloud, glance.Settings(
            region=region, service_password=password,
            plugin=master and current.plugin,
            extra_conf=((current.master_extra_conf or '') if master else '')
            + current.region_conf.get(region, ''),
            server=options.server))
        current.regions[region].pid = _start_glance(cloud, region,
                                                    options.server)

    current.glance_server = options.server
    _parallel(restart, list(current.regions))
    info_mod.save(current, run_dir)


def _revive_glances(run_dir: pathlib.Path, current: info_mod.CloudInfo,
                    states: dict[str, ServiceStatus]) -> None:
    cloud = layout_of(current)
    down = [r for r in current.regions
            if not states[lay.glance_service(r)].answers]

    def revive(region: str) -> None:
        LOG.info('restarting glance %s, which does not answer', region)
        procs.stop(cloud.service_dir(lay.glance_service(region)))
        current.regions[region].pid = _start_glance(cloud, region,
                                                    current.glance_server)

    _parallel(revive, down)
    if down:
        info_mod.save(current, run_dir)


def _glance_password(cloud: lay.Layout, region: str) -> str:
    conf = cloud.service_dir(lay.glance_service(region)) / 'etc' / \
        'glance-api.conf'
    for line in conf.read_text().splitlines():
        key, _sep, value = line.partition('=')
        if key.strip() == 'password':
            return value.strip()
    raise CloudError('no service password in %s' % conf)


def _stop_all(run_dir: pathlib.Path) -> list[str]:
    cloud = lay.Layout(run_dir, 0)

    def stop(service: str) -> str | None:
        return service if procs.stop(cloud.service_dir(service)) else None

    return [s for s in _parallel(stop, cloud.services_on_disk()) if s]


def down(run_dir: pathlib.Path) -> list[str]:
    """Stop every service this tool started in ``run_dir`` and wait.

    Data stays until the next ``up``, which starts a fresh cloud.

    :param run_dir: the run directory.
    :returns: the services that were running.
    """
    run_dir = run_dir.resolve()
    if not run_dir.is_dir():
        return []
    with _locked(run_dir):
        stopped = _stop_all(run_dir)
        if shared.stop_server(run_dir):  # started by share-store
            stopped.append(shared.SERVER_DIR)
        current = _load(run_dir)
        if current:
            for ks in current.keystones.values():
                ks.pid = None
            for region in current.regions.values():
                region.pid = None
            info_mod.save(current, run_dir)
    return stopped


def _status(cloud: info_mod.CloudInfo) -> list[ServiceStatus]:
    items = [(name, ks.url, pathlib.Path(ks.log).parent)
             for name, ks in cloud.keystones.items()]
    items += [(lay.glance_service(name), r.api_url + '/healthcheck',
               pathlib.Path(r.service_dir))
              for name, r in cloud.regions.items()]

    def check(item: tuple[str, str, pathlib.Path]) -> ServiceStatus:
        name, url, folder = item
        pid = procs.running_pid(folder)
        return ServiceStatus(name, url, pid, bool(pid) and procs.answers(url))

    return _parallel(check, items)


def status(run_dir: pathlib.Path) -> list[ServiceStatus]:
    """:param run_dir: the run directory.

    :returns: each service and whether it answers.
    :raises info_mod.CloudNotFound: when no cloud was ever up there.
    """
    return _status(info_mod.load(run_dir))


def stop_glance(run_dir: pathlib.Path, region: str) -> bool:
    """Stop one region's glance-api (for tests of an unavailable region).

    :param run_dir: the run directory.
    :param region: the region.
    :returns: whether it was running.
    :raises KeyError: for an unknown region.
    """
    run_dir = run_dir.resolve()
    with _locked(run_dir):
        current = info_mod.load(run_dir)
        name = current.region(region).name
        stopped = procs.stop(run_dir / lay.glance_service(name))
        current.regions[name].pid = None
        info_mod.save(current, run_dir)
    return stopped


def start_glance(run_dir: pathlib.Path, region: str) -> int:
    """Start one region's glance-api again, with its configuration and data.

    :param run_dir: the run directory.
    :param region: the region.
    :returns: its pid (the running one if it was not stopped).
    :raises procs.ServiceFailed: when it does not come up.
    """
    run_dir = run_dir.resolve()
    with _locked(run_dir):
        current = info_mod.load(run_dir)
        name = current.region(region).name
        pid = procs.running_pid(run_dir / lay.glance_service(name))
        if pid is None:
            pid = _start_glance(layout_of(current), name,
                                current.glance_server)
        current.regions[name].pid = pid
        info_mod.save(current, run_dir)
    return pid
