"""``python -m tools.bench_scale``: the daemon at N regions x M images.

1. start the local cloud in ``run/bench-scale`` (its Keystone holds the
   catalog; its glance-apis are not used), and the fake Glance of
   :mod:`tools.bench_scale.fakeglance` on a free port;
2. register ``ScaleMaster`` and ``Scale001``… in the master Keystone's
   catalog as image endpoints on the fake;
3. for each N in ``--regions`` and M in ``--images``, run one case in a
   child process (:mod:`tools.bench_scale.case`: the daemon's reconciler,
   worker and event endpoint, configured by a ``glance-sync.conf`` like an
   operator's, its journal on SQLite, and on PostgreSQL for the initial
   sync);
4. write ``tools/bench-results/scale.json`` and print a table;
5. stop the fake and the cloud (unless ``--keep``).

``--quick`` is N=10, M=100 and 100 metadata events: a few minutes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

import requests
import sqlalchemy as sa

from tools.bench_scale import catalog, report
from tools.localcloud import cloud as cloud_mod
from tools.localcloud import syncconf

TOP = pathlib.Path(__file__).resolve().parents[2]
RESULTS = TOP / 'tools' / 'bench-results' / 'scale.json'
RUN_DIR = TOP / 'run' / 'bench-scale'
PG_ADMIN = os.environ.get(
    'GLANCE_SYNC_BENCH_POSTGRESQL_URL',
    'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres')


def _say(text: str) -> None:
    print('==> %s' % text, file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def _start_fake(port: int, project_id: str) -> subprocess.Popen[bytes]:
    log = open(RUN_DIR / 'fakeglance.log', 'ab')
    proc = subprocess.Popen(
        [sys.executable, '-m', 'tools.bench_scale.fakeglance', '--port',
         str(port), '--project-id', project_id], cwd=TOP, stdout=log,
        stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            requests.get('http://127.0.0.1:%d/_bench/stats' % port,
                         timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError('the fake Glance did not start: see %s'
                       % (RUN_DIR / 'fakeglance.log'))


def _pg_database() -> tuple[str | None, Any]:
    """A fresh PostgreSQL database, and how to drop it."""
    admin = sa.engine.make_url(PG_ADMIN)
    name = 'gs_bench_%s' % uuid.uuid4().hex[:12]
    engine = sa.create_engine(admin, isolation_level='AUTOCOMMIT',
                              poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql('CREATE DATABASE %s' % name)
    except sa.exc.OperationalError as exc:
        _say('PostgreSQL unavailable, skipped: %s' % exc.orig)
        return None, lambda: None

    def drop() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
    return admin.set(database=name).render_as_string(
        hide_password=False), drop


def _config(cloud: Any, regions: int, most: int, path: pathlib.Path,
            journal: pathlib.Path, workers: int) -> pathlib.Path:
    ignored = ['RegionOne', 'RegionTwo', 'RegionThree']
    ignored += catalog.region_names(most)[regions:]
    return syncconf.write_sync_config(cloud, path, {
        'DEFAULT': {'max_workers': str(workers)},
        'sync': {'master_region': catalog.MASTER, 'targets': 'master'},
        'target:master': {'ignore_regions': ','.join(ignored)},
        'database': {'connection': 'sqlite:///%s' % journal}})


def _case(args: argparse.Namespace, cloud: Any, fake_url: str,
          regions: int, images: int) -> dict[str, Any]:
    folder = RUN_DIR / ('case-%d-%d' % (regions, images))
    folder.mkdir(parents=True, exist_ok=True)
    journal = folder / 'journal.sqlite'
    if journal.exists():
        journal.unlink()
    conf = _config(cloud, regions, max(args.regions), folder / 'gs.conf',
                   journal, args.workers)
    pg_url, drop = (None, lambda: None) if args.no_postgresql \
        else _pg_database()
    command = [sys.executable, '-m', 'tools.bench_scale.case',
               '--config-file', str(conf), '--fake', fake_url,
               '--regions', str(regions), '--images', str(images),
               '--events', str(args.events), '--delay', str(args.delay)]
    if pg_url:
        command += ['--pg-url', pg_url]
    try:
        with open(folder / 'case.log', 'wb') as log:
            done = subprocess.run(command, cwd=TOP, stdout=subprocess.PIPE,
                                  stderr=log, check=False)
    finally:
        drop()
    if done.returncode:
        raise RuntimeError('case N=%d M=%d failed: see %s' % (
            regions, images, folder / 'case.log'))
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bench(args: argparse.Namespace) -> dict[str, Any]:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    _say('starting the local cloud in %s' % RUN_DIR)
    cloud = cloud_mod.up(RUN_DIR, cloud_mod.Options())
    project_id = cloud.targets[cloud.master_target].credentials.session(
        ).get_project_id()
    port = _free_port()
    fake = _start_fake(port, project_id)
    fake_url = 'http://127.0.0.1:%d' % port
    cases = []
    try:
        catalog.register(cloud, fake_url, max(args.regions))
        for regions in args.regions:
            for images in args.images:
                _say('case N=%d regions x M=%d images' % (regions, images))
                cases.append(_case(args, cloud, fake_url, regions, images))
                report.print_table(cases, sys.stderr)
    finally:
        fake.terminate()
        try:
            fake.wait(30)
        except subprocess.TimeoutExpired:
            fake.kill()
            fake.wait()
        if not args.keep:
            cloud_mod.down(RUN_DIR)
    return {'date': datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec='seconds'),
            'host': platform.node(), 'cpus': os.cpu_count(),
            'load_average': os.getloadavg(), 'quick': args.quick,
            'cases': cases}


def _ints(text: str) -> list[int]:
    return [int(item) for item in text.split(',')]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='tools/bench-scale',
                                     description=__doc__.split('\n')[0])
    parser.add_argument('--regions', type=_ints, default=[10, 100],
                        help='N values, comma separated (default 10,100)')
    parser.add_argument('--images', type=_ints, default=[100, 1000, 10000],
                        help='M values (default 100,1000,10000)')
    parser.add_argument('--events', type=int, default=1000,
                        help='metadata events of the burst (at most M)')
    parser.add_argument('--delay', type=float, default=0.02,
                        help='seconds the fake Glance sleeps per request')
    parser.add_argument('--workers', type=int, default=8,
                        help="the daemon's [DEFAULT] max_workers (default "
                        "8, the product's default)")
    parser.add_argument('--quick', action='store_true',
                        help='N=10, M=100, 100 events')
    parser.add_argument('--no-postgresql', action='store_true')
    parser.add_argument('--keep', action='store_true',
                        help='leave the local cloud running')
    args = parser.parse_args(argv)
    if args.quick:
        args.regions, args.images, args.events = [10], [100], 100
    results = bench(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + '\n')
    report.print_table(results['cases'], sys.stdout)
    _say('results in %s' % RESULTS.relative_to(TOP))
    return 0


if __name__ == '__main__':
    sys.exit(main())
