"""``glance-sync-manage dump --output DIR [--metadata-only] [IMAGE ...]``.

Writes the master images the targets select (or the images named) to a
folder, records and data, for ``load`` (:mod:`glance_sync.replicator.
dump`); run it again to finish an interrupted dump. Only the master
region is contacted. One row per image: ``dumped``, ``kept`` (already
there, verified, not rewritten), ``record only`` or ``failed``. Exit
status 1 when an image failed or the dump could not start (the folder,
its free space), 2 when an image argument names no synchronisable master
image.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any, TextIO

from glance_sync import digests
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.loaded import SyncConfig
from glance_sync.manage import commands, output
from glance_sync.regions import base
from glance_sync.replicator import dump, dumpselect
from glance_sync.rules.selection import MasterIndex
from glance_sync.sync.cloud import Cloud

__all__ = ['COLUMNS', 'add_parser', 'byte_count', 'dump_command']

LOG = logging.getLogger(__name__)
COLUMNS = ('image', 'id', 'size', 'result', 'detail')


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``dump`` to the subcommands."""
    parser = subparsers.add_parser(
        'dump', parents=parents,
        help='write the master images the targets select (records and '
             'data, with a manifest of their hashes) to a folder, for '
             'load; run it again to finish an interrupted dump.')
    parser.add_argument('--output', metavar='DIR', required=True,
                        help='the folder to write (created if needed).')
    parser.add_argument('--metadata-only', action='store_true',
                        help='write the image records only, no data.')
    add_chunk_size(parser)
    parser.add_argument(
        'images', nargs='*', metavar='IMAGE',
        help='names or ids of master images (and the kernels and ramdisks '
             'they point to). None: every image a target selects, and the '
             'folder drops the images the master no longer offers.')
    parser.set_defaults(handler=dump_command)


def add_chunk_size(parser: argparse.ArgumentParser) -> None:
    """The ``--chunk-size`` option of ``dump`` and ``load``."""
    parser.add_argument('--chunk-size', type=byte_count, metavar='BYTES',
                        default=digests.DEFAULT_CHUNK_SIZE,
                        help='bytes read and written at a time '
                             '(default: %(default)s).')


def byte_count(text: str) -> int:
    """A positive number of bytes, for argparse.

    :raises ArgumentTypeError: not a positive integer.
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError('%r is not a positive number of '
                                         'bytes' % text)
    return value


def dump_command(args: argparse.Namespace, config: SyncConfig,
                 out: TextIO) -> int:
    """Dump the selected master images to ``args.output``."""
    cloud = commands.make_cloud(args, config)
    master = cloud.master()
    images = master.list_images(include_public=True)
    owners = cloud.master_owners()
    index = MasterIndex.build(images, owners, master.name)
    selection = _selection(cloud, images, index, args.images)
    dumper = dump.Dumper(master, args.output,
                         master_region=cloud.master_region,
                         tenant_id=owners.primary, projects=owners.ids[1:],
                         metadata_only=args.metadata_only,
                         chunk_size=args.chunk_size)
    try:
        outcomes = dumper.dump(selection, prune=not args.images)
    except dump.DumpError as exc:
        error = str(exc)
    else:
        output.write_rows(out, args.format, COLUMNS,
                          [outcome.as_row() for outcome in outcomes])
        return 1 if any(o.result == dump.FAILED for o in outcomes) else 0
    # Logged outside the handler: oslo.log would repeat the exception.
    LOG.error('%s', error)
    return 1


def _selection(cloud: Cloud, images: list[base.Image], index: MasterIndex,
               wanted: list[str]) -> list[tuple[base.Image, bool]]:
    try:
        return dumpselect.dump_selection(
            images, index, cloud.config.settings.targets.values(), wanted)
    except dumpselect.UnknownImage as exc:
        raise ConfigError(cloud.config.source, reason=str(exc)) from exc
