"""The command line of ``glance-sync-manage``.

::

    glance-sync-manage [GLOBAL OPTIONS] regions
    glance-sync-manage [GLOBAL OPTIONS] status [REGION ...]
    glance-sync-manage [GLOBAL OPTIONS] sync [--dry-run] [--parallel N]
                                            [REGION ...]
    glance-sync-manage [GLOBAL OPTIONS] backup [--output DIR] [REGION ...]
    glance-sync-manage [GLOBAL OPTIONS] convert-config
    glance-sync-manage [GLOBAL OPTIONS] size|compare [REGION ...]
    glance-sync-manage [GLOBAL OPTIONS] dump --output DIR [--metadata-only]
                                            [IMAGE ...]
    glance-sync-manage [GLOBAL OPTIONS] load DIR [--dry-run] [REGION ...]
    glance-sync-manage [GLOBAL OPTIONS] db sync|version
    glance-sync-manage [GLOBAL OPTIONS] tasks [--state S] [--region R]
    glance-sync-manage [GLOBAL OPTIONS] tasks retry|cancel ID

Global options may also follow the command. Usage errors exit with
status 2 (argparse's own convention, which configuration errors share).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from glance_sync.manage import backup, compare, convert_config, db, dump
from glance_sync.manage import load, regions, size, status, sync, tasks
from glance_sync.manage.output import FORMATS, default_format

__all__ = ['build_parser', 'parse_args']

_AFTER = '_after_command'
_LISTS = ('config_file', 'config')
#: The verbs, in the order of the help; each module's ``add_parser`` adds
#: its verb and the handler that runs it.
VERBS = (regions, status, sync, backup, convert_config, size, compare, dump,
         load, db, tasks)
REGION_HELP = ('Region, master:Region or target:Region; "target:" for all '
               'the regions of a target but its ignore_regions. None: all '
               'the regions of the master target (with --offline: of the '
               'folder).')


def _global_options(suppress: bool) -> argparse.ArgumentParser:
    """The global options; ``suppress`` keeps a subcommand from resetting
    what was given before it."""
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    # argparse replaces, not extends, a list given before the command
    # with the one given after it: those after go to a list of their own.
    suffix = _AFTER if suppress else ''
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group('configuration')
    group.add_argument('--config-file', action='append', metavar='FILE',
                       default=default(None), dest='config_file' + suffix,
                       help='a native glance-sync.conf (repeatable).')
    group.add_argument('--glancesync-config', metavar='FILE',
                       default=default(None),
                       help='a FIWARE GlanceSync glancesync.conf '
                            '(default: $GLANCESYNC_CONFIG).')
    group.add_argument('--config', action='append', metavar='KEY=VALUE',
                       default=default(None), dest='config' + suffix,
                       help='override an option: key=value or '
                            'section.key=value (repeatable).')
    group.add_argument('--offline', metavar='DIR', default=default(None),
                       help='use in-memory regions loaded from '
                            'DIR/backup_<region>.csv and write the changes '
                            'back to DIR.')
    parser.add_argument('-f', '--format', choices=FORMATS,
                        default=default(None),
                        help='output format (default: table on a '
                             'terminal, else csv).')
    parser.add_argument('-d', '--debug', action='store_true',
                        default=default(False), help='log debug messages.')
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The full parser, subcommands included."""
    parser = argparse.ArgumentParser(
        prog='glance-sync-manage', parents=[_global_options(False)],
        description='Synchronise the images of a master Glance to other '
                    'regions, as FIWARE GlanceSync does.')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND',
                                     required=True)
    common = [_global_options(True)]
    for verb in VERBS:
        verb.add_parser(commands, common, REGION_HELP)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; exits with status 2 on a usage error."""
    args = build_parser().parse_args(argv)
    for name in _LISTS:
        after = vars(args).pop(name + _AFTER, None)
        if after:
            setattr(args, name, (getattr(args, name) or []) + after)
    if args.format is None:
        args.format = default_format(sys.stdout)
    return args
