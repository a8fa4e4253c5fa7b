"""``glance-sync-manage sync [--dry-run] [--metadata-only] [--parallel N]
[REGION ...]``.

Synchronise the regions (:func:`glance_sync.sync.syncing.sync_regions`),
with the upload progress on standard error; one summary row per region.
With ``--dry-run``, the actions planned, and nothing changed. With
``--metadata-only``, only the metadata of the copies the regions already
hold is updated: no data is copied (as for a target with
``metadata_only``). Exit status 1 when a region failed or an image is not
``ok`` afterwards (an image only a copy of data would fix does not count
after a metadata-only sync).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands
from glance_sync.sync import progress, syncing

__all__ = ['add_parser', 'sync_command']


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``sync`` to the subcommands."""
    parser = subparsers.add_parser('sync', parents=parents,
                                   help='synchronise the regions.')
    parser.add_argument('--dry-run', action='store_true',
                        help='print what would be done; change nothing.')
    parser.add_argument('--metadata-only', action='store_true',
                        help='update the metadata of the copies the '
                             'regions already hold; copy no data.')
    parser.add_argument('--parallel', type=_positive, metavar='N',
                        help='regions synchronised at the same time '
                             '(default: [sync] parallelism, or '
                             'max_children).')
    parser.add_argument('regions', nargs='*', metavar='REGION',
                        help=region_help)
    parser.set_defaults(handler=sync_command)


def sync_command(args: argparse.Namespace, config: SyncConfig,
                 out: TextIO) -> int:
    """Synchronise the regions; with ``--dry-run``, print the plan."""
    cloud = commands.make_cloud(args, config)
    names = commands.region_names(cloud, args.regions)
    shown = progress.Progress() if args.dry_run else progress.for_stream(
        sys.stderr)
    results = syncing.sync_regions(
        cloud, names, dry_run=args.dry_run,
        parallel=args.parallel or config.max_workers, progress=shown,
        metadata_only=args.metadata_only)
    commands.write_sync_results(out, args.format, results, args.dry_run)
    return 0 if all(result.ok for result in results) else 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError('%r is not a positive integer'
                                         % text)
    return value
