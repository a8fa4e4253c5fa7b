"""``python -m tools.bench_wan``: copies to N regions over shaped site links.

For each layout (``--layouts``; see :mod:`tools.bench_wan.plan`):

1. make the sites' network namespaces, their shaped data links to a core
   bridge and their unshaped control links (:mod:`tools.bench_wan.
   network`), and forward PostgreSQL, RabbitMQ and Redis to the control
   address (:mod:`tools.bench_wan.forward`);
2. start the local cloud with N regions besides the master
   (``--regions``, default 7), each glance-api in its site's namespace,
   listening on the site's data address (which the Keystone catalog lists)
   and its control address; the Keystones listen on the control address;
   the master glance-api runs the glance-sync plugin, publishing to a
   vhost of the run; each remote site exports the master's file store
   read-only over http (zero-copy);
3. run each scenario (``--scenarios``; :mod:`tools.bench_wan.scenario`);
4. stop everything and remove the namespaces and links (also on failure
   and Ctrl-C).

Writes ``tools/bench-results/wan.json`` and prints a table. Needs root
(``ip netns``, veth, tbf).
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import pathlib
import platform
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from tools.bench_wan import network, plan, report, scenario
from tools.localcloud import cloud as cloud_mod
from tools.localcloud import layout as lay
from tools.localcloud import procs, rabbit, shared, snippets

LOG = logging.getLogger('bench-wan')
TOP = pathlib.Path(__file__).resolve().parents[2]
RESULTS = TOP / 'tools' / 'bench-results' / 'wan.json'
RUN_DIR = TOP / 'run' / 'bench-wan'
VHOST = 'glance-sync-bench-wan'
MiB = 1024 * 1024


def _say(text: str) -> None:
    print('==> %s' % text, file=sys.stderr, flush=True)


def _cloud_options(sites: list[plan.Site], count: int,
                   transport_url: str) -> cloud_mod.Options:
    base = lay.default_base_port(RUN_DIR, lay.ports_per_cloud(count))
    layout = lay.Layout(RUN_DIR, base, count)
    master_port = layout.port(lay.glance_service(lay.MASTER_REGION))
    hosts = {ks.name: lay.Host(plan.CTL_HOST) for ks in layout.keystones}
    region_conf = {}
    for site in sites:
        for region in site.regions:
            hosts[lay.glance_service(region)] = lay.Host(
                site.data_address, site.netns, site.ctl_address)
            if site.index:
                # The http backend that reads the master's store through
                # the site's export (zero-copy), as share-store adds it.
                region_conf[region] = shared.backend_conf(
                    master_port, plan.share_url(site),
                    ('127.0.0.1', sites[0].data_address, site.data_address))
    return cloud_mod.Options(
        base_port=base, plugin=True,
        master_extra_conf=snippets.master_glance_conf(transport_url),
        regions=count, hosts=hosts, region_conf=region_conf)


def _start(cmd: list[str], log: pathlib.Path) -> subprocess.Popen[bytes]:
    with open(log, 'ab') as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=TOP)


def _layout(args: argparse.Namespace, name: str,
            vhost: str) -> dict[str, Any]:
    regions = lay.master_regions(args.regions)
    sites = plan.plan_sites(name, regions[0], regions[1:])
    folder = RUN_DIR / name
    # This run's logs and configurations only.
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    net = network.Network(sites, args.rate)
    children: list[subprocess.Popen[bytes]] = []
    cloud_dir = RUN_DIR / 'cloud'
    try:
        _say('%s: %d sites (%s), links shaped to %d B/s both ways'
             % (name, len(sites), ', '.join(
                 '%s: %s' % (s.name, '+'.join(s.regions)) for s in sites),
                args.rate))
        net.create()
        children.append(_start(
            [sys.executable, '-m', 'tools.bench_wan.forward', plan.CTL_HOST,
             str(scenario.PG_PORT), str(scenario.RABBIT_PORT),
             str(scenario.REDIS_PORT)], folder / 'forward.log'))
        network.wait_reachable(sites[0].netns, plan.CTL_HOST,
                               scenario.RABBIT_PORT)
        transport = 'rabbit://guest:guest@%s:%d/%s' % (
            plan.CTL_HOST, scenario.RABBIT_PORT, vhost)
        _say('%s: starting the local cloud (%d glance-apis in the sites)'
             % (name, len(regions)))
        cloud_mod.down(cloud_dir)
        started = time.monotonic()
        cloud = cloud_mod.up(cloud_dir, _cloud_options(sites, args.regions,
                                                       transport))
        _say('%s: cloud up in %.0fs' % (name, time.monotonic() - started))
        for site in sites[1:]:
            children.append(_start(
                ['ip', 'netns', 'exec', site.netns, sys.executable, '-m',
                 'http.server', '--bind', site.data_address, '--directory',
                 cloud.master_store_dir, str(plan.SHARE_PORT)],
                folder / ('share-%s.log' % site.name)))
        ctx = scenario.Context(
            cloud=cloud, sites=sites, net=net, folder=folder, vhost=vhost,
            size=args.size,
            timeout=2 * (args.size / args.rate) * (len(regions) + 2) + 120)
        results = {}
        for name_ in args.scenarios:
            _say('%s: scenario %s' % (name, name_))
            results[name_] = scenario.run(ctx, name_)
            _say('%s: %s %s' % (name, name_, _brief(results[name_])))
        return {'sites': {s.name: list(s.regions) for s in sites},
                'scenarios': results}
    finally:
        for proc in children:
            procs.terminate(proc)
        if not args.keep:
            cloud_mod.down(cloud_dir)
            net.remove()


def _brief(result: dict[str, Any]) -> str:
    if not result.get('ok'):
        return 'FAILED: %s' % result.get('error')
    return 'all copies verified in %.1fs, %.2f images out of the master ' \
        'site' % (result['wall_s'], result['master_out_images'])


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """Run every layout; :returns: the results document."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    vhost = rabbit.fresh_vhost(VHOST)
    if not vhost:
        raise SystemExit('bench-wan: cannot create the RabbitMQ vhost %s '
                         '(rabbitmqctl)' % VHOST)
    try:
        layouts = {name: _layout(args, name, vhost) for name in args.layouts}
    finally:
        rabbit.delete_vhost(vhost)
    return {'date': datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec='seconds'),
            'host': platform.node(), 'cpus': os.cpu_count(),
            'load_average': os.getloadavg(),
            'regions': args.regions, 'regions_note':
                'regions besides the master (copies per image)',
            'rate': args.rate, 'size': args.size,
            'link_time_s': round(args.size / args.rate, 1),
            'layouts': layouts}


def _choices(known: tuple[str, ...]) -> Any:
    def parse(text: str) -> list[str]:
        items = [item.strip() for item in text.split(',') if item.strip()]
        unknown = [item for item in items if item not in known]
        if unknown or not items:
            raise argparse.ArgumentTypeError(
                'unknown %s (known: %s)' % (', '.join(unknown) or 'nothing',
                                           ', '.join(known)))
        return items
    return parse


def _positive(text: str) -> int:
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError('must be a positive number: %r'
                                         % text)
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='tools/bench-wan',
                                     description=__doc__.split('\n')[0])
    parser.add_argument('--regions', type=_positive, default=7,
                        help='regions besides the master, each receiving a '
                             'copy (default 7)')
    parser.add_argument('--rate', type=_positive, default=MiB,
                        help='bytes per second of every site link, both '
                             'ways (default 1 MiB/s)')
    parser.add_argument('--size', type=_positive, default=10 * MiB,
                        help='bytes of the image (default 10 MiB: one '
                             'link-time is 10 s at the default rate)')
    parser.add_argument('--layouts', type=_choices(plan.LAYOUTS),
                        default=list(plan.LAYOUTS),
                        help='comma separated, of %s (default: both)'
                             % ', '.join(plan.LAYOUTS))
    parser.add_argument('--scenarios', type=_choices(plan.SCENARIOS),
                        default=list(plan.SCENARIOS),
                        help='comma separated, of %s (default: all); star '
                             'runs first in any case: it is the baseline of '
                             'the ratios' % ', '.join(plan.SCENARIOS))
    parser.add_argument('--keep', action='store_true',
                        help='leave the last cloud and the namespaces up '
                             '(remove them with another run or --clean)')
    parser.add_argument('--clean', action='store_true',
                        help='stop the cloud, remove the namespaces and '
                             'links, and exit')
    parser.add_argument('-v', '--verbose', action='store_true')
    return parser


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.scenarios = plan.with_baseline(args.scenarios)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format='bench-wan: %(name)s: %(message)s',
                        stream=sys.stderr)
    for noisy in ('keystoneauth', 'urllib3', 'stevedore', 'alembic'):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if os.geteuid() != 0:
        print('bench-wan: needs root (network namespaces, veth, tbf)',
              file=sys.stderr)
        return 2
    if args.clean:
        cloud_mod.down(RUN_DIR / 'cloud')
        print('removed: %s' % (', '.join(network.remove_leftovers())
                               or 'nothing'))
        return 0
    signal.signal(signal.SIGTERM, _interrupted)
    results = bench(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + '\n')
    report.print_tables(results, sys.stdout)
    _say('results in %s' % RESULTS.relative_to(TOP))
    failed = [(layout, name) for layout, data in results['layouts'].items()
              for name, result in data['scenarios'].items()
              if not result.get('ok')]
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
