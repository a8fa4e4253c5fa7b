"""One case of the scale benchmark (N regions x M images), in its own process.

``python -m tools.bench_scale.case --config-file glance-sync.conf --fake URL
--images M --regions N [--pg-url URL] [--events K]`` prints one JSON
object. The daemon's own objects do the work (:class:`~glance_sync.daemon.
service.Daemon` built from the configuration file as ``glance-sync``
builds it: its reconciler, its worker, its event recorder behind the
plugin-event endpoint); the fake Glance counts the requests they make.
Phases, in order:

1. ``initial_sync``: empty regions, a reconcile pass plans every pair and
   enqueues it in the journal (SQLite, then PostgreSQL when ``--pg-url``);
2. ``reconcile_idle``: every region holds the copies glance-sync would
   have made; a reconcile pass, which should enqueue nothing;
3. ``upload_event``: a new master image and its upload event, run to the
   end by the worker in every region;
4. ``metadata_burst``: ``K`` master images get a new property and their
   update events; the worker runs until every region has converged.

Peak RSS is this process's (the daemon's) over all phases.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import uuid
from typing import Any

import requests
import sqlalchemy as sa
from oslo_config import cfg

from glance_sync.daemon import endpoints, reconcile, service, startup
from glance_sync.db import data_models as dm
from glance_sync.db import migration
from glance_sync.db.repositories import Journal
from glance_sync.glance_plugin import events
from tools.bench_scale import catalog

#: Request kinds that move image data, left out of the request counts.
DATA = ('PUT file', 'GET file')
#: Seconds a phase may take to converge before the case gives up.
CONVERGE_TIMEOUT = 3600.0


class Fake:
    """The fake Glance's control calls."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip('/')

    def call(self, path: str, body: Any = None) -> Any:
        if body is None:
            resp = requests.get(self.url + path, timeout=600)
        else:
            resp = requests.post(self.url + path, json=body, timeout=600)
        resp.raise_for_status()
        return resp.json()

    def reset(self) -> None:
        self.call('/_bench/reset', {})

    def requests(self, regions: list[str]) -> dict[str, int]:
        """Requests since the reset: total, data, per kind (no data)."""
        stats = self.call('/_bench/stats')
        kinds: dict[str, int] = {}
        data = 0
        for region in regions:
            for kind, count in stats.get(region, {}).items():
                if kind in DATA:
                    data += count
                else:
                    kinds[kind] = kinds.get(kind, 0) + count
        return {'total': sum(kinds.values()), 'data': data, **kinds}


def _images(count: int, prefix: str) -> list[dict[str, Any]]:
    return [{'id': str(uuid.uuid4()), 'name': '%s-%05d' % (prefix, n),
             'size': 1024, 'visibility': 'public',
             'properties': {'type': 'baseimage', 'nid': str(n)}}
            for n in range(count)]


def _clear_tasks(journal_url: str) -> None:
    engine = sa.create_engine(journal_url)
    with engine.begin() as conn:
        conn.execute(sa.text('DELETE FROM sync_tasks'))
    engine.dispose()


def _wait_converged(journal: Journal) -> float:
    start = time.monotonic()
    while time.monotonic() - start < CONVERGE_TIMEOUT:
        counts = journal.counts()
        if not any(counts[s] for s in dm.ACTIVE_STATES):
            return time.monotonic() - start
        time.sleep(0.5)  # counts() scans the journal: not too often
    raise RuntimeError('the journal did not converge in %d s: %s'
                       % (CONVERGE_TIMEOUT, journal.counts()))


def _payload(image: dict[str, Any], event_type: str) -> dict[str, Any]:
    properties = {k: v for k, v in image.items()
                  if k not in ('id', 'name', 'owner', 'visibility', 'status',
                               'size', 'checksum', 'os_hash_algo',
                               'os_hash_value', 'self', 'file', 'schema',
                               'stores', 'tags', 'created_at', 'updated_at',
                               'disk_format', 'container_format', 'min_ram',
                               'min_disk', 'protected', 'os_hidden',
                               'virtual_size')}
    return {'id': image['id'], 'name': image['name'],
            'owner': image['owner'], 'visibility': image['visibility'],
            'status': image['status'], 'size': image['size'],
            'checksum': image['checksum'],
            'os_hash_algo': image['os_hash_algo'],
            'os_hash_value': image['os_hash_value'],
            'properties': properties, 'event': event_type,
            'timestamp': time.time()}


class Case:
    """The phases of one case (see the module docstring)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.fake = Fake(args.fake)
        self.regions = catalog.region_names(args.regions)
        self.all = [catalog.MASTER] + self.regions
        conf = cfg.ConfigOpts()
        startup.parse_args(conf, ['--config-file', args.config_file])
        self.conf = conf
        migration.upgrade(conf)
        self.daemon = service.Daemon(conf)
        self.daemon.coordinator.start()
        self.recorder = endpoints.EventRecorder(
            self.daemon.journal, self.daemon.context, self.daemon.worker.wake)
        self.endpoint = endpoints.SyncEventEndpoint(self.recorder)

    def measure(self, phase: Any) -> dict[str, Any]:
        self.fake.reset()
        start = time.monotonic()
        result = phase()
        result['wall_s'] = round(time.monotonic() - start, 3)
        result['requests'] = self.fake.requests(self.all)
        # The case's log keeps each phase as it ends: a long case stopped
        # midway still tells what it measured.
        print('phase: %s' % json.dumps(result), file=sys.stderr, flush=True)
        return result

    def initial_sync(self, journal: Journal) -> dict[str, Any]:
        pairs = reconcile.Reconciler(journal, self.daemon.context,
                                     0).run_once()
        return {'pairs': pairs}

    def reconcile_idle(self) -> dict[str, Any]:
        pairs = reconcile.Reconciler(self.daemon.journal,
                                     self.daemon.context, 0).run_once()
        return {'pairs': pairs}

    def send(self, image: dict[str, Any], event_type: str) -> None:
        self.endpoint.info({}, 'image.localhost', event_type,
                           _payload(image, event_type),
                           {'message_id': str(uuid.uuid4())})

    def upload_event(self) -> dict[str, Any]:
        [spec] = _images(1, 'new')
        self.fake.call('/_bench/load', {'region': catalog.MASTER,
                                        'images': [spec]})
        image = self.fake.call('/%s/v2/images/%s' % (catalog.MASTER,
                                                     spec['id']))
        self.fake.reset()
        self.send(image, events.UPLOADED)
        converged = _wait_converged(self.daemon.journal)
        return {'converge_s': round(converged, 3),
                'done': self.daemon.journal.counts()[dm.TaskState.DONE]}

    def metadata_burst(self, count: int, ids: list[str]) -> dict[str, Any]:
        touched = []
        for image_id in ids[:count]:
            touched.append(self.fake.call(
                '/_bench/patch', {'region': catalog.MASTER, 'id': image_id,
                                  'properties': {'burst': 'yes'}}))
        self.fake.reset()
        for image in touched:
            self.send(image, events.UPDATED)
        converged = _wait_converged(self.daemon.journal)
        return {'events': count, 'converge_s': round(converged, 3),
                'converged_regions': self._converged(ids[:count])}

    def _converged(self, ids: list[str]) -> int:
        wanted = set(ids)
        done = 0
        for region in self.regions:
            found = self.fake.call('/_bench/sources', {
                'region': region, 'property': 'burst', 'value': 'yes'})
            done += wanted <= set(found['sources'])
        return done

    def run(self) -> dict[str, Any]:
        args = self.args
        self.fake.call('/_bench/clear', {})
        specs = _images(args.images, 'img')
        self.fake.call('/_bench/load', {'region': catalog.MASTER,
                                        'images': specs})
        for region in self.regions:  # every region answers, empty
            self.fake.call('/_bench/load', {'region': region, 'images': []})
        out: dict[str, Any] = {'regions': args.regions,
                               'images': args.images,
                               'delay_s': args.delay}
        self.fake.call('/_bench/reset', {'delay': args.delay})
        out['initial_sync_sqlite'] = self.measure(
            lambda: self.initial_sync(self.daemon.journal))
        if args.pg_url:
            migration.upgrade(args.pg_url)
            pg = Journal(args.pg_url)
            out['initial_sync_postgresql'] = self.measure(
                lambda: self.initial_sync(pg))
            pg.dispose()
        _clear_tasks(self.conf.database.connection)
        self.fake.call('/_bench/copy', {
            'source': catalog.MASTER, 'regions': self.regions,
            'properties': {'glance_sync_source': '{source_id}'}})
        out['reconcile_idle'] = self.measure(self.reconcile_idle)
        _clear_tasks(self.conf.database.connection)
        self.daemon.worker.start()
        try:
            out['upload_event'] = self.measure(self.upload_event)
            events_count = min(args.events, args.images)
            out['metadata_burst'] = self.measure(
                lambda: self.metadata_burst(
                    events_count, [s['id'] for s in specs]))
        finally:
            self.daemon.worker.stop(30)
        out['peak_rss_mb'] = round(resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='bench-scale-case')
    parser.add_argument('--config-file', required=True)
    parser.add_argument('--fake', required=True)
    parser.add_argument('--regions', type=int, required=True)
    parser.add_argument('--images', type=int, required=True)
    parser.add_argument('--events', type=int, default=1000)
    parser.add_argument('--delay', type=float, default=0.0)
    parser.add_argument('--pg-url')
    args = parser.parse_args(argv)
    result = Case(args).run()
    json.dump(result, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
