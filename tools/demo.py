"""The README's demo, step by step (run it with ``tools/demo``).

1. start the local cloud in ``run/demo``: two Keystones, four glance-api,
   the master one with the glance-sync plugin in its paste pipeline,
   publishing on a RabbitMQ vhost of the demo's own;
2. create the journal and start the ``glance-sync`` daemon and the REST
   API (``glance-sync-api``);
3. upload a random image to the master region (RegionOne) and nothing
   else: the plugin publishes the upload, the daemon copies it to
   RegionTwo, RegionThree and, through the other Keystone, RegionFour;
4. follow the copies as they arrive, then ``glance-sync-manage status``,
   the copies' hashes, and one ``curl`` call to the REST API;
5. stop everything it started (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

from glanceclient import client as glance_client

from tools.localcloud import cloud as cloud_mod
from tools.localcloud import glance
from tools.localcloud import rabbit
from tools.localcloud import snippets
from tools.localcloud import syncconf
from tools.localcloud.info import CloudInfo

TOP = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
API_PORT = 9393
VHOST = 'glance-sync-demo'


def _say(text: str) -> None:
    print('\n\033[1m==> %s\033[0m' % text if sys.stdout.isatty()
          else '\n==> %s' % text, flush=True)


def _run(*argv: str, quiet: bool = False) -> int:
    print('$ %s' % ' '.join(pathlib.Path(argv[0]).name if i == 0 else a
                            for i, a in enumerate(argv)), flush=True)
    out = subprocess.DEVNULL if quiet else None
    return subprocess.call(argv, stdout=out, stderr=out)


def _write_config(cloud: CloudInfo, run_dir: pathlib.Path,
                  transport_url: str) -> pathlib.Path:
    path = syncconf.write_sync_config(cloud, run_dir / 'glance-sync.conf', {
        'database': {'connection': 'sqlite:///%s/journal.sqlite' % run_dir},
        'daemon': {'reconcile_interval': '60', 'poll_interval': '0.5'},
        'api': {'bind_host': '127.0.0.1', 'bind_port': str(API_PORT)},
        'keystone_authtoken': syncconf.authtoken_section(cloud),
    })
    # write_sync_config writes no [DEFAULT] section; the broker's settings
    # are the install guide's snippet.
    path.write_text('%s\n%s' % (
        snippets.render(snippets.DAEMON, transport_url), path.read_text()))
    return path


@contextlib.contextmanager
def _service(run_dir: pathlib.Path, name: str, *argv: str) -> Iterator[Any]:
    """Run a glance-sync command in the background, logging to a file."""
    log = open(run_dir / ('%s.log' % name), 'ab')
    proc = subprocess.Popen([str(BIN / name), *argv], stdout=log,
                            stderr=subprocess.STDOUT,
                            start_new_session=True)
    print('started %s (pid %d, log %s)' % (name, proc.pid, log.name))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _glance(cloud: CloudInfo, region: str) -> Any:
    info = cloud.region(region)
    return glance_client.Client('2', session=cloud.session(info.target),
                                region_name=info.name)


class _Random:
    """``size`` random bytes, read by glanceclient's upload."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, n: int = 65536) -> bytes:
        chunk = os.urandom(min(n, self.left))
        self.left -= len(chunk)
        return chunk


def _upload(cloud: CloudInfo, size: int) -> str:
    glance = _glance(cloud, cloud.master_region)
    name = 'demo-%s' % uuid.uuid4().hex[:8]
    image = glance.images.create(name=name, disk_format='raw',
                                 container_format='bare',
                                 visibility='public', demo='yes')
    glance.images.upload(image['id'], _Random(size), image_size=size)
    print('uploaded %s (%d MiB) to %s' % (name, size >> 20,
                                          cloud.master_region))
    return name


def _follow(cloud: CloudInfo, name: str, timeout: float = 120) -> bool:
    """Print each region's copy as its status changes; True when all are
    active."""
    regions = [r.qualified_name for r in cloud.regions.values()
               if r.name != cloud.master_region]
    seen: dict[str, str] = {}
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        for region in regions:
            images = list(_glance(cloud, region).images.list(
                filters={'name': name}))
            status = images[0]['status'] if images else 'absent'
            if seen.get(region) != status:
                seen[region] = status
                print('%6.1f s  %-18s %s' % (time.monotonic() - start,
                                             region, status), flush=True)
        if all(seen.get(r) == 'active' for r in regions):
            return True
        time.sleep(0.5)
    return False


def _hash_table(cloud: CloudInfo, name: str) -> None:
    row = '%-18s %-36s %10s %-32s %s'
    print(row % ('region', 'id', 'size', 'md5', 'sha512'))
    for region in cloud.regions.values():
        for image in _glance(cloud, region.qualified_name).images.list(
                filters={'name': name}):
            print(row % (region.qualified_name, image['id'], image['size'],
                         image['checksum'],
                         (image['os_hash_value'] or '')[:16] + '…'))


def _transfer_lines(log: pathlib.Path, name: str) -> None:
    """The daemon's summary of each transfer of the image."""
    found = [line.split('] ', 1)[-1] for line in
             log.read_text(errors='replace').splitlines()
             if 'image %s (' % name in line and 'bytes read once' in line]
    print('\n'.join(found) or '(no transfer line in %s)' % log)


def _wait_api(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.call(['curl', '-sf', '-o', '/dev/null',
                           'http://127.0.0.1:%d/' % API_PORT]) != 0:
        if time.monotonic() > deadline:
            raise RuntimeError('glance-sync-api did not answer')
        time.sleep(0.3)


def run(run_dir: pathlib.Path, size: int, server: str = 'gunicorn') -> int:
    _say('Starting the local cloud; the master glance-api runs the plugin '
         '(glance-api under %s)' % server)
    transport_url = rabbit.transport_url(rabbit.fresh_vhost(VHOST))
    cloud = cloud_mod.up(run_dir, cloud_mod.Options(
        plugin=True,
        master_extra_conf=snippets.master_glance_conf(transport_url),
        server=server))
    conf = str(_write_config(cloud, run_dir, transport_url))
    _say('Creating the journal, starting the daemon and the REST API')
    _run(str(BIN / 'glance-sync-manage'), '--config-file', conf, 'db',
         'sync', quiet=True)
    with _service(run_dir, 'glance-sync', '--config-file', conf), \
            _service(run_dir, 'glance-sync-api', '--config-file', conf):
        _wait_api()
        time.sleep(2)  # the daemon's listener joins the broker
        _say('Uploading an image to the master region, and nothing else')
        name = _upload(cloud, size)
        _say('The copies arriving in the other regions')
        arrived = _follow(cloud, name)
        _say('glance-sync-manage status')
        _run(str(BIN / 'glance-sync-manage'), '--config-file', conf,
             'status', '-f', 'table', 'master:', 'other:')
        _say('The copies, region by region')
        _hash_table(cloud, name)
        _say('How the daemon copied it: one read of the master for all')
        _transfer_lines(run_dir / 'glance-sync.log', name)
        _say('The REST API (FIWARE GlanceSync v1 compatible)')
        token = cloud.session('master').get_token()
        print('$ curl -s -H "X-Auth-Token: $TOKEN" '
              'http://127.0.0.1:%d/regions/RegionTwo' % API_PORT, flush=True)
        subprocess.call(['curl', '-s', '-H', 'X-Auth-Token: %s' % token,
                         'http://127.0.0.1:%d/regions/RegionTwo'
                         % API_PORT])
        print()
    return 0 if arrived else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dir', type=pathlib.Path, default=TOP / 'run/demo')
    parser.add_argument('--size-mib', type=int, default=32)
    parser.add_argument('--keep', action='store_true',
                        help='leave the cloud running at the end')
    parser.add_argument('--server', choices=glance.SERVERS,
                        default='gunicorn',
                        help='WSGI server of the glance-apis (uwsgi: as '
                             'devstack runs them)')
    args = parser.parse_args()
    try:
        return run(args.dir, args.size_mib << 20, args.server)
    finally:
        if not args.keep:
            _say('Stopping the local cloud')
            cloud_mod.down(args.dir)
            rabbit.delete_vhost(VHOST)


if __name__ == '__main__':
    sys.exit(main())
