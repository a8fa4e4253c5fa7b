"""``glance-sync``: the synchronisation daemon.

Parse the command line and configuration, monkey-patch when ``executor =
eventlet`` (before anything else starts), then run
:func:`glance_sync.daemon.service.run`. Exit status: 0 after a clean
stop, 1 when running tasks had to be abandoned, 2 for a configuration
error (one line on standard error).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from oslo_config import cfg

from glance_sync import executor
from glance_sync.conf.errors import ConfigError
from glance_sync.daemon import startup


def main(argv: Sequence[str] | None = None) -> int:
    """Run the daemon until SIGTERM; returns the exit status."""
    conf = cfg.ConfigOpts()
    try:
        startup.parse_args(conf, argv)
    except ConfigError as exc:
        sys.stderr.write('%s: error: %s\n' % (startup.PROG, exc))
        return 2
    # First thing, before any thread or socket exists.
    executor.monkey_patch_if_needed(conf)
    from glance_sync.daemon import service  # after patching, on purpose
    return service.run(conf)


if __name__ == '__main__':
    sys.exit(main())
