"""``glance-sync-manage regions``: every region of every target.

One row per region, with its target and whether the target ignores it
(``csv``: one name a line).
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands, output, regionargs

__all__ = ['add_parser', 'regions_command']


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``regions`` to the subcommands."""
    parser = subparsers.add_parser('regions', parents=parents,
                                   help='list the regions of every target.')
    parser.set_defaults(handler=regions_command)


def regions_command(args: argparse.Namespace, config: SyncConfig,
                    out: TextIO) -> int:
    """Every region of every target (``csv``: one name a line)."""
    cloud = commands.make_cloud(args, config)
    rows = [{'region': name, 'target': target, 'ignored': ignored}
            for target, name, ignored in regionargs.every_region(cloud)]
    output.write_rows(out, args.format, ('region', 'target', 'ignored'),
                      rows, csv_columns=('region',))
    return 0
