"""``glance-sync-manage size [REGION ...]``: what a sync would copy.

One row per region (images and bytes to copy, exact and in binary units)
and a ``total`` row; only listings are read (:mod:`glance_sync.replicator.
sizing`). Exit status 1 when a region could not be listed.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands, output
from glance_sync.replicator import sizing

__all__ = ['COLUMNS', 'add_parser', 'size_command']

COLUMNS = ('region', 'images', 'bytes', 'size', 'error')


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``size`` to the subcommands."""
    parser = subparsers.add_parser(
        'size', parents=parents,
        help='count the images and bytes a sync would copy to each region.')
    parser.add_argument('regions', nargs='*', metavar='REGION',
                        help=region_help)
    parser.set_defaults(handler=size_command)


def size_command(args: argparse.Namespace, config: SyncConfig,
                 out: TextIO) -> int:
    """Print what a sync would copy to each region, and the total."""
    cloud = commands.make_cloud(args, config)
    names = commands.region_names(cloud, args.regions)
    sizes = sizing.size_regions(cloud, names, config.max_workers)
    rows = [size.as_row() for size in [*sizes, sizing.total(sizes)]]
    output.write_rows(out, args.format, COLUMNS, rows)
    return 1 if any(size.error for size in sizes) else 0
