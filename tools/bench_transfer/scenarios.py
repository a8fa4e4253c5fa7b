"""One scenario, run and measured in a child process of the benchmark.

``python -m tools.bench_transfer.scenarios RUN_DIR SCENARIO IMAGE_ID FILE``
prints one JSON line: the wall and CPU seconds of the scenario alone
(imports, tokens and catalogs are warmed up first, untimed), the peak RSS
of this process, the bytes it read from the master, and the copies made
(the parent deletes them).

Scenarios: ``single`` (one plain upload of the local file to RegionTwo),
``limit`` (three concurrent plain uploads of it to the three regions),
every transfer strategy, from the master image to the three regions, and
``sync``: what ``glance-sync-manage sync`` does for the same image (the
rules, the gathering copier of the default strategy, the three regions in
parallel), in this process. Plain uploads use python-glanceclient as
``glance image-upload`` does.
"""

from __future__ import annotations

import json
import logging
import re
import resource
import sys
import tempfile
import threading
import time
from typing import Any

from glanceclient import client as glance_client
from oslo_config import cfg

from glance_sync.conf import transfer as transfer_conf
from glance_sync.regions import auth
from glance_sync.regions.drivers import glance
from glance_sync.transfer import TransferStats, get_strategy
from tools import localcloud

MASTER = 'RegionOne'
TARGETS = ('RegionTwo', 'RegionThree', 'other:RegionFour')
PLAIN = ('single', 'limit')


class Cloud:
    """The benchmark's regions and plain clients, one session per target."""

    def __init__(self, run_dir: str) -> None:
        self.info = localcloud.load(run_dir)
        self._sessions: dict[str, Any] = {}

    def session(self, target: str) -> Any:
        if target not in self._sessions:
            creds = self.info.target(target).credentials
            self._sessions[target] = auth.make_session(
                creds.auth(), read_timeout=600)
        return self._sessions[target]

    def region(self, name: str) -> glance.GlanceRegion:
        info = self.info.region(name)
        return glance.GlanceRegion(info.qualified_name,
                                   self.session(info.target))

    def client(self, name: str) -> Any:
        info = self.info.region(name)
        return glance_client.Client('2', session=self.session(info.target),
                                    region_name=info.name)


def _plain_upload(client: Any, path: str, name: str) -> str:
    image = client.images.create(name=name, disk_format='raw',
                                 container_format='bare')
    with open(path, 'rb') as data:
        client.images.upload(image['id'], data)
    return str(image['id'])


def plain(cloud: Cloud, regions: tuple[str, ...], path: str,
          name: str) -> dict[str, Any]:
    """Concurrent plain uploads of the local file, one per region."""
    clients = {region: cloud.client(region) for region in regions}
    for client in clients.values():
        next(iter(client.images.list(limit=1)), None)  # token, untimed
    copies: dict[str, str] = {}
    failures: dict[str, str] = {}

    def one(region: str) -> None:
        try:
            copies[region] = _plain_upload(clients[region], path, name)
        except Exception as exc:
            failures[region] = str(exc)
    threads = [threading.Thread(target=one, args=(r,)) for r in regions]
    started = _clock()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return dict(_since(started), copies=copies, failures=failures,
                source_bytes=0)


def strategy(cloud: Cloud, name: str, image_id: str) -> dict[str, Any]:
    """One transfer of the master image to the three regions."""
    conf = cfg.ConfigOpts()
    transfer_conf.register_opts(conf)
    # The local cloud records where the master's file store is.
    conf.set_override('filesystem_store_datadir',
                      cloud.info.master_store_dir, group='transfer_store')
    conf.set_override('import_poll_interval', 0.5, group='transfer')
    chosen = get_strategy(name, conf)
    chosen.prepare()  # drivers loaded once per process, untimed
    master = cloud.region(MASTER)
    image = master.get_image(image_id)
    targets = [cloud.region(region) for region in TARGETS]
    for region in targets:
        region.list_images()  # token and catalog, untimed
    stats = TransferStats()
    started = _clock()
    results = chosen.transfer(master, image, [(r, None) for r in targets],
                              stats=stats)
    measured = _since(started)
    return dict(measured, source_bytes=stats.source_bytes,
                fallbacks=stats.fallbacks, pulled=stats.pulled,
                copies={r: c.id for r, c in results.items()
                        if not isinstance(c, Exception)},
                failures={r: str(c) for r, c in results.items()
                          if isinstance(c, Exception)})


class _Reads(logging.Handler):
    """Gathers the bytes the streaming summaries say were read."""

    PATTERN = re.compile(r': (\d+) bytes read once from region ')

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.total = 0

    def emit(self, record: logging.LogRecord) -> None:
        found = self.PATTERN.search(record.getMessage())
        if found:
            self.total += int(found.group(1))


def sync(cloud: Cloud, image_id: str) -> dict[str, Any]:
    """``glance-sync-manage sync`` of the master image to the three
    regions (parallelism 3), through the rules and the gathering copier."""
    from glance_sync.conf import native
    from glance_sync.sync import syncing
    from glance_sync.sync.cloud import OnlineCloud
    from tools.localcloud import syncconf

    name = cloud.region(MASTER).get_image(image_id).name
    with tempfile.TemporaryDirectory(prefix='bench-sync-') as folder:
        path = syncconf.write_sync_config(cloud.info, '%s/sync.conf'
                                          % folder, {'sync': {
                                              'metadata_condition':
                                              'image.name == %r' % name,
                                              'support_obsolete_images':
                                              'false'}})
        online = OnlineCloud(native.load_files([str(path)]))
    for region in TARGETS:
        online.region(region).list_images()  # token and catalog, untimed
    reads = _Reads()
    logging.getLogger('glance_sync.transfer').addHandler(reads)
    logging.getLogger('glance_sync.transfer').setLevel(logging.INFO)
    started = _clock()
    results = syncing.sync_regions(online, list(TARGETS), parallel=3)
    measured = _since(started)
    copies = {r: [i.id for i in cloud.region(r).list_images()
                  if i.name == name] for r in TARGETS}
    return dict(measured, source_bytes=reads.total,
                copies={r: ids[0] for r, ids in copies.items() if ids},
                failures={r.region: r.error for r in results if r.error})


def _clock() -> tuple[float, float, int]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (time.monotonic(), usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss)


def _since(started: tuple[float, float, int]) -> dict[str, Any]:
    now = _clock()
    return {'seconds': round(now[0] - started[0], 3),
            'cpu_seconds': round(now[1] - started[1], 3),
            'rss_before_mib': round(started[2] / 1024, 1),
            'peak_rss_mib': round(now[2] / 1024, 1)}


def run(run_dir: str, scenario: str, image_id: str,
        path: str) -> dict[str, Any]:
    """Run one scenario; see the module docstring."""
    cloud = Cloud(run_dir)
    name = 'bench-transfer-%s' % scenario
    if scenario == 'single':
        return plain(cloud, TARGETS[:1], path, name)
    if scenario == 'limit':
        return plain(cloud, TARGETS, path, name)
    if scenario == 'sync':
        return sync(cloud, image_id)
    return strategy(cloud, scenario, image_id)


if __name__ == '__main__':
    print(json.dumps(run(*sys.argv[1:5])))
