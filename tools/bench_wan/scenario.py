"""One scenario of the WAN benchmark on a running cloud of sites.

For each scenario: a fresh journal database on PostgreSQL, the scenario's
daemons started in their sites' namespaces (``glance-sync`` with its
documented configuration) and ready, then one new master image of
``--size`` bytes uploaded through the master's control address; the clock
runs from the end of the upload until every region holds an active copy
whose size, md5 and secure hash are the master's. The veth counters are
read just before the upload and once every copy is there.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from keystoneauth1 import session as ks_session

from glance_sync.db import migration
from tools.bench_wan import counters, network, plan
from tools.localcloud import info as info_mod
from tools.localcloud import snippets, syncconf

LOG = logging.getLogger(__name__)
BIN = pathlib.Path(sys.executable).parent / 'glance-sync'
DAEMON_START_TIMEOUT = 120
POLL_INTERVAL = 0.5
PG_PORT, RABBIT_PORT, REDIS_PORT = 5432, 5672, 6379
PG_ADMIN = os.environ.get(
    'GLANCE_SYNC_BENCH_POSTGRESQL_URL',
    'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres')


@dataclasses.dataclass
class Context:
    """What every scenario of one layout shares.

    :param cloud: the running cloud (glance-apis in the sites).
    :param sites: the layout's sites.
    :param net: their network.
    :param folder: where configurations and logs go.
    :param vhost: the RabbitMQ vhost of the run.
    :param size: bytes of each image.
    :param timeout: seconds a scenario may take to copy everything.
    """

    cloud: info_mod.CloudInfo
    sites: list[plan.Site]
    net: network.Network
    folder: pathlib.Path
    vhost: str
    size: int
    timeout: float

    @property
    def regions(self) -> list[str]:
        """The regions that receive copies."""
        return [r for site in self.sites[1:] for r in site.regions]

    def transport_url(self) -> str:
        """The broker as the sites reach it."""
        return 'rabbit://guest:guest@%s:%d/%s' % (plan.CTL_HOST, RABBIT_PORT,
                                                  self.vhost)

    def session(self) -> ks_session.Session:
        """The sync account's session (Keystone on the control network)."""
        sess: ks_session.Session = self.cloud.session('master', timeout=60)
        return sess


class Daemon:
    """One ``glance-sync`` in a site's namespace, ready once started."""

    def __init__(self, site: plan.Site, files: list[str],
                 folder: pathlib.Path) -> None:
        self.site = site
        self.files = files
        self.folder = folder
        self.log = folder / 'daemon.log'
        self.process: subprocess.Popen[bytes] | None = None
        # Open while the daemon runs: it also reports STOPPING=1.
        self.notify: socket.socket | None = None

    def start(self) -> None:
        """Start it and wait for its ``READY=1``.

        :raises RuntimeError: it exited or was not ready in time.
        """
        sock_path = self.folder / 'notify.sock'
        sock_path.unlink(missing_ok=True)
        self.notify = notify = socket.socket(socket.AF_UNIX,
                                             socket.SOCK_DGRAM)
        notify.bind(str(sock_path))
        notify.settimeout(0.5)
        with open(self.folder / 'daemon.out', 'ab') as out:
            self.process = subprocess.Popen(
                ['ip', 'netns', 'exec', self.site.netns, str(BIN)]
                + ['--config-file=%s' % f for f in self.files],
                stdout=out, stderr=subprocess.STDOUT,
                env=dict(os.environ, NOTIFY_SOCKET=str(sock_path)))
        deadline = time.monotonic() + DAEMON_START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if b'READY=1' in notify.recv(4096):
                    return
            except TimeoutError:
                pass
            if self.process.poll() is not None:
                break
        raise RuntimeError('the daemon of site %s did not get ready: see '
                           '%s' % (self.site.name, self.folder))

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; idempotent."""
        process, self.process = self.process, None
        try:
            if process is None or process.poll() is not None:
                return
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        finally:
            if self.notify is not None:
                self.notify.close()
                self.notify = None


@contextmanager
def journal_database(name: str) -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL database, dropped afterwards.

    :returns: its URL from this machine and from the sites.
    """
    admin = sa.engine.make_url(PG_ADMIN)
    engine = sa.create_engine(admin, isolation_level='AUTOCOMMIT',
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
        conn.exec_driver_sql('CREATE DATABASE %s' % name)
    local = admin.set(database=name)
    remote = local.set(host=plan.CTL_HOST, port=PG_PORT)
    try:
        yield (local.render_as_string(hide_password=False),
               remote.render_as_string(hide_password=False))
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
        engine.dispose()


def _daemon_files(ctx: Context, scenario: str, site: plan.Site,
                  token: str, journal_url: str) -> tuple[list[str],
                                                         pathlib.Path]:
    folder = ctx.folder / scenario / site.name
    folder.mkdir(parents=True, exist_ok=True)
    sync = syncconf.write_sync_config(
        ctx.cloud, folder / 'sync.conf',
        plan.sync_sections(scenario, ctx.sites, token,
                           ctx.cloud.master_store_dir))
    sections = snippets.daemon_sections(ctx.transport_url())
    sections['DEFAULT'].update({'log_file': str(folder / 'daemon.log')})
    sections['database'] = {'connection': journal_url}
    sections['coordination'] = {
        'backend_url': 'redis://%s:%d?namespace=gsw-%s'
                       % (plan.CTL_HOST, REDIS_PORT, token)}
    daemon = {'pool': 'glance-sync-%s' % token,
              'worker_id': '%s-%s' % (site.name, token)}
    if scenario == 'relay':
        daemon['sites'] = site.name
    sections['daemon'] = daemon
    path = syncconf.write_ini(folder / 'daemon.conf', sections)
    return [str(sync), str(path)], folder


def _upload(ctx: Context, sess: ks_session.Session, name: str,
            token: str) -> dict[str, Any]:
    url = ctx.cloud.master.api_url + '/v2/images'
    image = sess.post(url, json={
        'name': name, 'disk_format': 'raw', 'container_format': 'bare',
        'visibility': 'public', 'gs_bench': token}).json()
    sess.put('%s/%s/file' % (url, image['id']), data=os.urandom(ctx.size),
             headers={'Content-Type': 'application/octet-stream'})
    found: dict[str, Any] = sess.get('%s/%s' % (url, image['id'])).json()
    if found['status'] != 'active':
        raise RuntimeError('the master image %s is %s after its upload'
                           % (found['id'], found['status']))
    return found


FIELDS = ('size', 'checksum', 'os_hash_algo', 'os_hash_value')


def _copies(ctx: Context, sess: ks_session.Session,
            region: str, name: str) -> list[dict[str, Any]]:
    url = ctx.cloud.region(region).api_url + '/v2/images'
    images: list[dict[str, Any]] = sess.get(
        url, params={'name': name}).json()['images']
    return images


def _wait_copies(ctx: Context, sess: ks_session.Session,
                 master: dict[str, Any], started: float
                 ) -> dict[str, dict[str, Any]]:
    """Poll every region until each has an active copy (or the time is
    up); :returns: by region, when it became active and whether it is the
    master's exact image."""
    copies: dict[str, dict[str, Any]] = {}
    deadline = started + ctx.timeout
    while len(copies) < len(ctx.regions) and time.monotonic() < deadline:
        for region in ctx.regions:
            if region in copies:
                continue
            found = [c for c in _copies(ctx, sess, region, master['name'])
                     if c['status'] == 'active']
            if found:
                copy = found[0]
                copies[region] = {
                    'active_s': round(time.monotonic() - started, 1),
                    'verified': (len(found) == 1 and all(
                        copy.get(f) == master.get(f) for f in FIELDS)),
                    'id': copy['id']}
        time.sleep(POLL_INTERVAL)
    return copies


def _cleanup_images(ctx: Context, sess: ks_session.Session,
                    master: dict[str, Any] | None) -> None:
    if master is None:
        return
    for region in ctx.regions:
        try:
            for copy in _copies(ctx, sess, region, master['name']):
                sess.delete('%s/v2/images/%s' % (
                    ctx.cloud.region(region).api_url, copy['id']))
        except Exception as exc:  # a leftover copy only costs disk
            LOG.warning('could not delete the copies in %s: %s', region, exc)
    try:
        sess.delete('%s/v2/images/%s' % (ctx.cloud.master.api_url,
                                         master['id']))
    except Exception as exc:
        LOG.warning('could not delete the master image: %s', exc)


def run(ctx: Context, scenario: str) -> dict[str, Any]:
    """Run one scenario; :returns: its results (``ok`` False with an
    ``error`` when it failed)."""
    token = uuid.uuid4().hex[:10]
    sess = ctx.session()
    daemons: list[Daemon] = []
    master = None
    result: dict[str, Any] = {'ok': False, 'expected_copies':
                              len(ctx.regions)}
    db_name = 'gsw_%s_%s' % (scenario.replace('-', '_'), token)
    try:
        with journal_database(db_name) as (local_url, site_url):
            migration.upgrade(local_url)
            for site in plan.daemon_sites(scenario, ctx.sites):
                files, folder = _daemon_files(ctx, scenario, site, token,
                                              site_url)
                daemons.append(Daemon(site, files, folder))
            try:
                for daemon in daemons:
                    daemon.start()
                result['daemons'] = [d.site.name for d in daemons]
                before = ctx.net.snapshot()
                master = _upload(ctx, sess, 'wan-%s-%s' % (scenario, token),
                                 token)
                started = time.monotonic()
                copies = _wait_copies(ctx, sess, master, started)
                # Let the last ACKs and API calls through.
                time.sleep(1)
                after = ctx.net.snapshot()
            finally:
                # Before the journal database is dropped.
                for daemon in daemons:
                    daemon.stop()
        links = counters.link_bytes(before, after, ctx.net.devices())
        result.update(_figures(ctx, copies, links))
    except Exception as exc:
        LOG.exception('scenario %s failed', scenario)
        result['error'] = str(exc)
    finally:
        _cleanup_images(ctx, sess, master)
    return result


def _figures(ctx: Context, copies: dict[str, dict[str, Any]],
             links: dict[str, counters.LinkBytes]) -> dict[str, Any]:
    verified = [r for r, c in copies.items() if c['verified']]
    missing = sorted(set(ctx.regions) - set(copies))
    bad = sorted(set(copies) - set(verified))
    ok = not missing and not bad
    error = None
    if missing:
        error = 'no active copy after %ds in %s' % (ctx.timeout,
                                                    ', '.join(missing))
    elif bad:
        error = 'copies differing from the master in %s' % ', '.join(bad)
    master_out = links[ctx.sites[0].name].out
    return {
        'ok': ok, 'error': error,
        'wall_s': max((c['active_s'] for c in copies.values()), default=None),
        'master_out_bytes': master_out,
        'master_out_images': round(master_out / ctx.size, 2),
        'links': {site: link.as_dict(ctx.size)
                  for site, link in links.items()},
        'copies': {r: {k: v for k, v in c.items() if k != 'id'}
                   for r, c in sorted(copies.items())}}
