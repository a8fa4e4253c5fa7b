"""``glance-sync-manage load DIR [--dry-run] [REGION ...]``.

Synchronises regions from a folder written by ``dump``, as ``sync`` does
from the master (:mod:`glance_sync.replicator.load`): the same rules, the
same plan, the same summary. Only the regions' targets are contacted,
never the master's Glance, so a configuration holding the credentials of
the regions' target is enough. Exit status as ``sync``; 2 when the folder
is not a usable dump, before anything is uploaded: the folder is untrusted
input, and an entry naming a file the format does not give its id, a
symbolic link, data without a size and a hash, or a data file of another
size is refused with one line naming the file and the image
(:class:`~glance_sync.regions.drivers.dumpdir.DumpRegion`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands
from glance_sync.manage.dump import add_chunk_size
from glance_sync.regions import dumpfile
from glance_sync.regions.drivers.dumpdir import DumpRegion
from glance_sync.replicator import load
from glance_sync.sync import progress

__all__ = ['add_parser', 'load_command']


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``load`` to the subcommands."""
    parser = subparsers.add_parser(
        'load', parents=parents,
        help='synchronise regions from a folder written by dump, as if it '
             'were the master region.')
    parser.add_argument('folder', metavar='DIR', help='the dump folder.')
    parser.add_argument('--dry-run', action='store_true',
                        help='print what would be done; change nothing.')
    add_chunk_size(parser)
    parser.add_argument('regions', nargs='*', metavar='REGION',
                        help=region_help)
    parser.set_defaults(handler=load_command)


def load_command(args: argparse.Namespace, config: SyncConfig,
                 out: TextIO) -> int:
    """Synchronise the regions from ``args.folder``."""
    try:
        dump = DumpRegion(args.folder, chunk_size=args.chunk_size)
    except dumpfile.DumpFormatError as exc:
        raise ConfigError(exc.path, reason=exc.reason) from exc
    cloud = commands.make_cloud(args, config)
    names = commands.region_names(cloud, args.regions)
    shown = progress.Progress() if args.dry_run else progress.for_stream(
        sys.stderr)
    results = load.load_regions(
        cloud, dump, names, dry_run=args.dry_run,
        parallel=config.max_workers, progress=shown)
    commands.write_sync_results(out, args.format, results, args.dry_run)
    return 0 if all(result.ok for result in results) else 1
