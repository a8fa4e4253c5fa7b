"""``python -m tools.localcloud --dir DIR [--base-port N] COMMAND``.

Commands: ``up [--plugin] [--transport-url URL [--glance-notifications]]
[--server gunicorn|uwsgi] [--regions N]``,
``down``, ``status``, ``stop-glance REGION``, ``start-glance REGION``,
``share-store REGION``, ``unshare-store REGION``.
Exit status 0 on success; 1 when a service did not come up (its log tail
is printed) or, for ``status``, when some service does not answer.
"""

from __future__ import annotations

import argparse
import logging
import pathlib
import sys
import time

from tools.localcloud import cloud
from tools.localcloud import glance
from tools.localcloud import info as info_mod
from tools.localcloud import layout as lay
from tools.localcloud import procs
from tools.localcloud import shared as shared_mod
from tools.localcloud import snippets


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='python -m tools.localcloud',
        description='A two-Keystone, four-glance-api cloud on 127.0.0.1.')
    parser.add_argument('--dir', required=True, type=pathlib.Path,
                        help='run directory: configs, databases, stores, '
                             'logs, pids and cloud.json')
    parser.add_argument('--base-port', type=int,
                        help='first of the consecutive ports (6, one more '
                             'per region added by --regions; default: the '
                             'recorded one, else derived from --dir)')
    parser.add_argument('-v', '--verbose', action='store_true')
    sub = parser.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up', help='start the cloud (quick if it runs)')
    up.add_argument('--plugin', action='store_true',
                    help='add the glance_sync paste filter to the master '
                         'glance-api pipelines')
    up.add_argument('--transport-url', metavar='URL',
                    help='broker of the plugin\'s events: the master '
                         'glance-api.conf gets the documented '
                         'etc/glance-sync/glance-api.snippet.conf with '
                         'this URL')
    up.add_argument('--glance-notifications', action='store_true',
                    help='with --transport-url: glance\'s own notifications '
                         'on too, as etc/glance-sync/glance-api-'
                         'notifications.snippet.conf says')
    up.add_argument('--server', choices=glance.SERVERS, default='gunicorn',
                    help='WSGI server of every glance-api: gunicorn, or '
                         'uWSGI configured as devstack does (on a running '
                         'cloud, every glance-api restarts under it)')
    up.add_argument('--regions', type=_region_count, metavar='N',
                    help='regions of the master Keystone besides RegionOne, '
                         'each with its own glance-api (default %d: '
                         'RegionTwo, RegionThree; then Region4, Region5...)'
                         % lay.DEFAULT_REGIONS)
    sub.add_parser('down', help='stop every service started here')
    sub.add_parser('status', help='show each service and whether it answers')
    for name in ('stop-glance', 'start-glance'):
        cmd = sub.add_parser(name, help='%s one region\'s glance-api'
                             % name.split('-')[0])
        cmd.add_argument('region')
    for name in ('share-store', 'unshare-store'):
        cmd = sub.add_parser(name, help='%s the master\'s file store with '
                             'one region\'s glance-api (zero-copy tests); '
                             'restarts it' % name.split('-')[0])
        cmd.add_argument('region')
    return parser


def _region_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            'must be a whole number of regions, 1 or more: %r' % text)
    return value


def main(argv: list[str] | None = None) -> int:
    """Run one command.

    :param argv: arguments (default: ``sys.argv[1:]``).
    :returns: the exit status.
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format='localcloud: %(message)s', stream=sys.stderr)
    # keystoneauth and urllib3 are chatty at INFO; their news is not ours.
    for noisy in ('keystoneauth', 'urllib3', 'stevedore'):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return _COMMANDS[args.command](args)
    except (procs.ServiceFailed, cloud.CloudError,
            info_mod.CloudNotFound, KeyError) as exc:
        print('localcloud: error: %s' % (exc.args[0] if isinstance(
            exc, KeyError) else exc), file=sys.stderr)
        return 1


def _up(args: argparse.Namespace) -> int:
    extra = (snippets.master_glance_conf(args.transport_url,
                                         args.glance_notifications)
             if args.transport_url else None)
    started = time.monotonic()
    result = cloud.up(args.dir, cloud.Options(args.base_port, args.plugin,
                                              extra, args.server,
                                              args.regions))
    print('local cloud ready in %.1fs: %s/cloud.json (glance-api under %s)'
          % (time.monotonic() - started, result.dir, result.glance_server))
    for region in result.regions.values():
        print('  %-12s %-7s %s' % (region.name, region.target, region.url))
    for ks in result.keystones.values():
        print('  %-12s %-7s %s' % (ks.name, ks.target, ks.url))
    return 0


def _down(args: argparse.Namespace) -> int:
    stopped = cloud.down(args.dir)
    print('stopped: %s' % (', '.join(stopped) or 'nothing was running'))
    return 0


def _status(args: argparse.Namespace) -> int:
    lines = cloud.status(args.dir)
    for line in lines:
        state = 'up' if line.answers else (
            'not answering' if line.pid else 'stopped')
        print('%-18s %-14s pid %-8s %s' % (line.name, state,
                                           line.pid or '-', line.url))
    return 0 if all(line.answers for line in lines) else 1


def _stop_glance(args: argparse.Namespace) -> int:
    was = cloud.stop_glance(args.dir, args.region)
    print('glance %s %s' % (args.region, 'stopped' if was
                            else 'was not running'))
    return 0


def _start_glance(args: argparse.Namespace) -> int:
    pid = cloud.start_glance(args.dir, args.region)
    print('glance %s running, pid %d' % (args.region, pid))
    return 0


def _share_store(args: argparse.Namespace) -> int:
    shared = args.command == 'share-store'
    shared_mod.check_region(args.dir, args.region)  # before stopping it
    cloud.stop_glance(args.dir, args.region)
    value = shared_mod.configure(args.dir, args.region, shared)
    cloud.start_glance(args.dir, args.region)
    print('glance %s: share_store = %s' % (args.region, value))
    return 0


_COMMANDS = {'up': _up, 'down': _down, 'status': _status,
             'stop-glance': _stop_glance, 'start-glance': _start_glance,
             'share-store': _share_store, 'unshare-store': _share_store}
