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

from glance_sync.manage import db, tasks
from glance_sync.manage import compare, dump, load, size
from glance_sync.manage.output import FORMATS, default_format

__all__ = ['build_parser', 'parse_args']

_AFTER = '_after_command'
_LISTS = ('config_file', 'config')
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
    commands.add_parser('regions', parents=common,
                        help='list the regions of every target.')
    status = commands.add_parser('status', parents=common,
                                 help='print each image\'s sync status.')
    status.add_argument('regions', nargs='*', metavar='REGION',
                        help=REGION_HELP)
    sync = commands.add_parser('sync', parents=common,
                               help='synchronise the regions.')
    sync.add_argument('--dry-run', action='store_true',
                      help='print what would be done; change nothing.')
    sync.add_argument('--parallel', type=_positive, metavar='N',
                      help='regions synchronised at the same time '
                           '(default: [sync] parallelism, or max_children).')
    sync.add_argument('regions', nargs='*', metavar='REGION',
                      help=REGION_HELP)
    backup = commands.add_parser('backup', parents=common,
                                 help='save the image records as CSV files.')
    backup.add_argument('--output', metavar='DIR',
                        help='where to write (default: '
                             'backup_glance_<date and time>).')
    backup.add_argument('regions', nargs='*', metavar='REGION',
                        help=REGION_HELP)
    commands.add_parser('convert-config', parents=common,
                        help='print the native glance-sync.conf equivalent '
                             'to the GlanceSync configuration.')
    for verb in (size, compare, dump, load):
        verb.add_parser(commands, common, REGION_HELP)
    db.add_parser(commands, common)
    tasks.add_parser(commands, common)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError('%r is not a positive integer'
                                         % text)
    return value


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
