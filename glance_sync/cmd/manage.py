"""``glance-sync-manage``: GlanceSync's sync.py, the OpenStack way.

Parse the command line, load the configuration (native or GlanceSync's),
set up logging and run the verb from :mod:`glance_sync.manage.commands`.
Exit status: 0 all synchronised, 1 something pending, in error or failed,
2 usage or configuration error (one line on standard error).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from glance_sync.conf.errors import ConfigError
from glance_sync.manage import cli, commands
from glance_sync.manage import config as manage_config

PROG = 'glance-sync-manage'


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``glance-sync-manage``; returns the exit status."""
    args = cli.parse_args(argv)
    try:
        _conf, config = manage_config.load(args)
        status = commands.run(args, config)
        # Flushed here, not at exit, so that a closed pipe is seen below.
        sys.stdout.flush()
        return status
    except ConfigError as exc:
        sys.stderr.write('%s: error: %s\n' % (PROG, exc))
        return 2
    except BrokenPipeError:
        _silence_stdout()
        sys.stderr.write('%s: error: standard output was closed (broken '
                         'pipe); the output is incomplete\n' % PROG)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write('%s: interrupted\n' % PROG)
        return 130


def _silence_stdout() -> None:
    """Point standard output at /dev/null.

    What is still buffered would otherwise fail again, as an "Exception
    ignored" message, when Python flushes it at exit.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # not a real file (a test's StringIO): nothing to flush


if __name__ == '__main__':
    sys.exit(main())
