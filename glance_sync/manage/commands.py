"""The verbs of ``glance-sync-manage``: parse done, configuration loaded.

Each verb prints its result on standard output (in the ``-f`` format) and
returns the exit status: 0 when every image is ``ok`` or
``ok_stalled_checksum`` (for ``status`` and ``sync``) and nothing failed,
1 when something is pending, in error or failed. Configuration and usage
errors raise :class:`~glance_sync.conf.errors.ConfigError`, which the
entry point turns into status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from glance_sync.conf.convert import convert_config
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.legacy import LegacyConfig
from glance_sync.conf.loaded import SyncConfig
from glance_sync.coordination import CoordinationError
from glance_sync.manage import backup, db, output, progress, regionargs
from glance_sync.manage import syncing, tasks
from glance_sync.manage import lag
from glance_sync.manage.cloud import Cloud, OfflineCloud, OnlineCloud
from glance_sync.regions import base
from glance_sync.rules.actions import Action, FixAmi, Rename, Replace, Upload

__all__ = ['COMMANDS', 'make_cloud', 'region_names', 'run',
           'write_sync_results']

LOG = logging.getLogger(__name__)
STATUS_COLUMNS = ('status', 'region', 'image')

Command = Callable[[argparse.Namespace, SyncConfig, TextIO], int]


def run(args: argparse.Namespace, config: SyncConfig,
        out: TextIO | None = None) -> int:
    """Run the verb ``args.command``.

    :returns: the exit status (0 or 1).
    :raises ConfigError: a usage or configuration error (status 2).
    """
    out = out or sys.stdout
    # Verbs that register a handler of their own are not listed here.
    command = COMMANDS.get(args.command) or args.handler
    try:
        return command(args, config, out)
    except (base.RegionError, CoordinationError) as exc:
        error = str(exc)
    # Logged outside the handler: oslo.log would repeat the exception.
    LOG.error('%s', error)
    return 1


def make_cloud(args: argparse.Namespace, config: SyncConfig) -> Cloud:
    """Offline regions from ``--offline DIR``, else the real ones."""
    if args.offline:
        return OfflineCloud(config, args.offline)
    return OnlineCloud(config)


def region_names(cloud: Cloud, arguments: Sequence[str]) -> list[str]:
    """The regions meant, each checked to exist (offline) first."""
    names = regionargs.expand(arguments, cloud)
    for name in names:
        cloud.region(name)
    return names


def regions_command(args: argparse.Namespace, config: SyncConfig,
                    out: TextIO) -> int:
    """Every region of every target (``csv``: one name a line)."""
    cloud = make_cloud(args, config)
    rows = [{'region': name, 'target': target, 'ignored': ignored}
            for target, name, ignored in regionargs.every_region(cloud)]
    output.write_rows(out, args.format, ('region', 'target', 'ignored'),
                      rows, csv_columns=('region',))
    return 0


def status_command(args: argparse.Namespace, config: SyncConfig,
                   out: TextIO) -> int:
    """GlanceSync's status report of the regions."""
    cloud = make_cloud(args, config)
    names = region_names(cloud, args.regions)
    results = syncing.status_regions(cloud, names, config.max_workers)
    _write_statuses(out, args.format, results)
    if args.format == 'table':
        lags = lag.journal_lags(config)
        if lags is not None:
            out.write('\n')
            lag.write_lags(out, names, lags)
    return 0 if all(result.ok for result in results) else 1


def sync_command(args: argparse.Namespace, config: SyncConfig,
                 out: TextIO) -> int:
    """Synchronise the regions; with ``--dry-run``, print the plan."""
    cloud = make_cloud(args, config)
    names = region_names(cloud, args.regions)
    shown = progress.Progress() if args.dry_run else progress.for_stream(
        sys.stderr)
    results = syncing.sync_regions(
        cloud, names, dry_run=args.dry_run,
        parallel=args.parallel or config.max_workers, progress=shown)
    write_sync_results(out, args.format, results, args.dry_run)
    return 0 if all(result.ok for result in results) else 1


def write_sync_results(out: TextIO, fmt: str,
                       results: Sequence[syncing.RegionResult],
                       dry_run: bool) -> None:
    """Print a sync's summary, one row per region; with ``dry_run``, the
    actions planned."""
    if dry_run:
        rows = [_action_row(r.region, a) for r in results for a in r.actions]
        output.write_rows(out, fmt, ('region', 'action', 'image', 'detail'),
                          rows)
    else:
        output.write_rows(out, fmt, _SUMMARY_COLUMNS,
                          [_summary_row(result) for result in results])


def backup_command(args: argparse.Namespace, config: SyncConfig,
                   out: TextIO) -> int:
    """Write ``backup_<region>.csv`` files (the master's included)."""
    cloud = make_cloud(args, config)
    if args.regions or not isinstance(cloud, OfflineCloud):
        names = region_names(cloud, args.regions)
    else:
        names = [base.qualified_name(target, region)
                 for target in config.targets
                 for region in cloud.regions_of(target)]
    folder = args.output or backup.default_folder()
    try:
        written, failed = backup.backup_regions(cloud, names, folder)
    except OSError as exc:
        raise ConfigError(folder, reason='cannot write the backup: %s'
                          % (exc.strerror or exc)) from exc
    output.write_rows(out, args.format, ('file',),
                      [{'file': path} for path in written])
    return 1 if failed else 0


def convert_config_command(args: argparse.Namespace, config: SyncConfig,
                           out: TextIO) -> int:
    """Print the native equivalent of the GlanceSync configuration."""
    if not isinstance(config, LegacyConfig):
        raise ConfigError(config.source, reason='convert-config converts a '
                          'GlanceSync configuration: give --glancesync-config '
                          'FILE or set GLANCESYNC_CONFIG')
    out.write(convert_config(config))
    return 0


def _write_statuses(out: TextIO, fmt: str,
                    results: Sequence[syncing.RegionResult]) -> None:
    rows = [dict(zip(STATUS_COLUMNS, status.as_row()))
            for result in results for status in result.statuses]
    output.write_rows(out, fmt, STATUS_COLUMNS, rows)
    if fmt == 'table':
        # The admin's first look: how many images in each status, per region.
        out.write('\n')
        output.write_status_counts(out, rows, output.use_colour(out))


_SUMMARY_COLUMNS = ('region', 'result', 'actions', 'uploaded_bytes',
                    'pending', 'errors')


def _summary_row(result: syncing.RegionResult) -> dict[str, object]:
    pending = sum(1 for s in result.statuses if s.status.is_pending)
    errors = sum(1 for s in result.statuses if s.status.is_error)
    outcome = ('failed: %s' % result.error if result.error else
               'synchronised' if result.ok else 'needs attention')
    return {'region': result.region, 'result': outcome,
            'actions': len(result.actions),
            'uploaded_bytes': result.uploaded_bytes, 'pending': pending,
            'errors': errors}


def _action_row(region: str, action: Action) -> dict[str, object]:
    if isinstance(action, Upload):
        kind = ('rename' if isinstance(action, Rename) else
                'replace' if isinstance(action, Replace) else 'upload')
        image = action.master.name
    else:
        kind = 'ami' if isinstance(action, FixAmi) else action.reason
        image = action.image_name
    return {'region': region, 'action': kind, 'image': image,
            'detail': action.describe()}


COMMANDS: dict[str, Command] = {
    'regions': regions_command,
    'status': status_command,
    'sync': sync_command,
    'backup': backup_command,
    'convert-config': convert_config_command,
    **db.COMMANDS,
    **tasks.COMMANDS,
}
