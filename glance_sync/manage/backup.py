"""``glance-sync-manage backup [--output DIR] [REGION ...]``: every image
record of some regions, as FIWARE CSV files.

One ``backup_<region>.csv`` per region (the master region always
included), in GlanceSync's format (:mod:`glance_sync.regions.csvfile`),
which ``--offline`` and the in-memory regions read back. Only records are
saved, never image data.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
from collections.abc import Sequence
from typing import Any, TextIO

from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands, output
from glance_sync.regions import base, csvfile
from glance_sync.sync.cloud import Cloud, OfflineCloud

__all__ = ['add_parser', 'backup_command', 'backup_regions',
           'default_folder']

LOG = logging.getLogger(__name__)


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``backup`` to the subcommands."""
    parser = subparsers.add_parser(
        'backup', parents=parents,
        help='save the image records as CSV files.')
    parser.add_argument('--output', metavar='DIR',
                        help='where to write (default: '
                             'backup_glance_<date and time>).')
    parser.add_argument('regions', nargs='*', metavar='REGION',
                        help=region_help)
    parser.set_defaults(handler=backup_command)


def backup_command(args: argparse.Namespace, config: SyncConfig,
                   out: TextIO) -> int:
    """Write ``backup_<region>.csv`` files (the master's included)."""
    cloud = commands.make_cloud(args, config)
    if args.regions or not isinstance(cloud, OfflineCloud):
        names = commands.region_names(cloud, args.regions)
    else:
        names = [base.qualified_name(target, region)
                 for target in config.targets
                 for region in cloud.regions_of(target)]
    folder = args.output or default_folder()
    try:
        written, failed = backup_regions(cloud, names, folder)
    except OSError as exc:
        raise ConfigError(folder, reason='cannot write the backup: %s'
                          % (exc.strerror or exc)) from exc
    output.write_rows(out, args.format, ('file',),
                      [{'file': path} for path in written])
    return 1 if failed else 0


def default_folder(now: datetime.datetime | None = None) -> str:
    """GlanceSync's folder name: ``backup_glance_<ISO date and time>``."""
    now = now or datetime.datetime.now()
    return 'backup_glance_' + now.isoformat(timespec='seconds')


def backup_regions(cloud: Cloud, names: Sequence[str],
                   folder: str) -> tuple[list[str], list[str]]:
    """Write the backup of the regions and of the master region.

    :param folder: created if needed.
    :returns: the files written, and the regions that failed.
    :raises OSError: the folder cannot be created.
    """
    os.makedirs(folder, exist_ok=True)
    regions = list(dict.fromkeys([cloud.master_region, *names]))
    written, failed = [], []
    for name in regions:
        try:
            images = cloud.region(name).list_images(include_public=True)
        except base.RegionError as exc:
            LOG.error('%s: backup failed: %s', name, exc)
            failed.append(name)
            continue
        path = csvfile.backup_path(folder, name)
        csvfile.write_backup(path, images)
        written.append(path)
    return written, failed
