"""Running the verbs of ``glance-sync-manage``, and what they share.

Each verb is a module of :mod:`glance_sync.manage` whose ``add_parser``
adds it to the command line with its handler (:data:`Command`);
:func:`run` calls the handler of the verb given. Each verb prints its
result on standard output (in the ``-f`` format) and returns the exit
status: 0 when every image is ``ok`` or
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

from glance_sync.conf.loaded import SyncConfig
from glance_sync.coordination import CoordinationError
from glance_sync.manage import output, regionargs
from glance_sync.regions import base
from glance_sync.rules.actions import Action, FixAmi, Rename, Replace, Upload
from glance_sync.sync import syncing
from glance_sync.sync.cloud import Cloud, OfflineCloud, OnlineCloud

__all__ = ['Command', 'make_cloud', 'region_names', 'run',
           'write_sync_results']

LOG = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, SyncConfig, TextIO], int]


def run(args: argparse.Namespace, config: SyncConfig,
        out: TextIO | None = None) -> int:
    """Run the verb ``args.command``.

    :returns: the exit status (0 or 1).
    :raises ConfigError: a usage or configuration error (status 2).
    """
    out = out or sys.stdout
    command: Command = args.handler
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
