"""``glance-sync-manage status [REGION ...]``: GlanceSync's status report.

One row per image and region (``status``, ``region``, ``image``); on a
terminal, the count of images in each status per region follows. Exit
status 1 when an image is not ``ok``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, TextIO

from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands, lag, output
from glance_sync.sync import syncing

__all__ = ['STATUS_COLUMNS', 'add_parser', 'status_command']

STATUS_COLUMNS = ('status', 'region', 'image')


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``status`` to the subcommands."""
    parser = subparsers.add_parser('status', parents=parents,
                                   help='print each image\'s sync status.')
    parser.add_argument('regions', nargs='*', metavar='REGION',
                        help=region_help)
    parser.set_defaults(handler=status_command)


def status_command(args: argparse.Namespace, config: SyncConfig,
                   out: TextIO) -> int:
    """GlanceSync's status report of the regions."""
    cloud = commands.make_cloud(args, config)
    names = commands.region_names(cloud, args.regions)
    results = syncing.status_regions(cloud, names, config.max_workers)
    _write_statuses(out, args.format, results)
    if args.format == 'table':
        # How far behind the daemons are, from their journal, when there
        # is one to read.
        lags = lag.journal_lags(config)
        if lags is not None:
            out.write('\n')
            lag.write_lags(out, names, lags)
    return 0 if all(result.ok for result in results) else 1


def _write_statuses(out: TextIO, fmt: str,
                    results: Sequence[syncing.RegionResult]) -> None:
    rows = [dict(zip(STATUS_COLUMNS, status.as_row()))
            for result in results for status in result.statuses]
    output.write_rows(out, fmt, STATUS_COLUMNS, rows)
    if fmt == 'table':
        # The admin's first look: how many images in each status, per region.
        out.write('\n')
        output.write_status_counts(out, rows, output.use_colour(out))
