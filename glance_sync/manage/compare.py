"""``glance-sync-manage compare [REGION ...]``: what differs.

One row per difference: an image missing from a region, a copy with
other content (``checksum``), or one field of a copy's record
(``metadata``), with the master's value and the region's
(:mod:`glance_sync.replicator.compare`); ``-f table`` reads as a diff,
``-f json`` suits scripts. Exit status 1 when anything differs (or a
region could not be listed), 0 when nothing does.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands, output
from glance_sync.replicator import compare

__all__ = ['add_parser', 'compare_command']


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``compare`` to the subcommands."""
    parser = subparsers.add_parser(
        'compare', parents=parents,
        help='list the images missing from each region and the fields '
             'that differ from the master; exit 1 when anything differs.')
    parser.add_argument('regions', nargs='*', metavar='REGION',
                        help=region_help)
    parser.set_defaults(handler=compare_command)


def compare_command(args: argparse.Namespace, config: SyncConfig,
                    out: TextIO) -> int:
    """Print every difference of the regions."""
    cloud = commands.make_cloud(args, config)
    names = commands.region_names(cloud, args.regions)
    found = compare.compare_regions(cloud, names, config.max_workers)
    output.write_rows(out, args.format, compare.COLUMNS,
                      [difference.as_row() for difference in found])
    return 1 if found else 0
