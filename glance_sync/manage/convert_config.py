"""``glance-sync-manage convert-config``: a GlanceSync configuration in
the native format.

Prints the ``glance-sync.conf`` equivalent to the ``glancesync.conf``
given (:func:`glance_sync.conf.convert.convert_config`).
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from glance_sync.conf.convert import convert_config
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.legacy import LegacyConfig
from glance_sync.conf.loaded import SyncConfig

__all__ = ['add_parser', 'convert_config_command']


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``convert-config`` to the subcommands."""
    parser = subparsers.add_parser(
        'convert-config', parents=parents,
        help='print the native glance-sync.conf equivalent to the '
             'GlanceSync configuration.')
    parser.set_defaults(handler=convert_config_command)


def convert_config_command(args: argparse.Namespace, config: SyncConfig,
                           out: TextIO) -> int:
    """Print the native equivalent of the GlanceSync configuration."""
    if not isinstance(config, LegacyConfig):
        raise ConfigError(config.source, reason='convert-config converts a '
                          'GlanceSync configuration: give --glancesync-config '
                          'FILE or set GLANCESYNC_CONFIG')
    out.write(convert_config(config))
    return 0
