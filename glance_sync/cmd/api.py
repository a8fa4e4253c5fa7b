"""``glance-sync-api``: the REST API on a quick-start server.

Reads ``--config-file`` (or ``$GLANCE_SYNC_CONFIG_FILE``), builds
``glance_sync.api.app`` and serves it on ``[api] bind_host``/``bind_port``
until interrupted. Exit status 2 on a configuration error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from glance_sync.api import app, config, server
from glance_sync.conf.errors import ConfigError

PROG = 'glance-sync-api'


def main(argv: Sequence[str] | None = None) -> int:
    """Run the API until interrupted; returns the exit status."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument('--config-file', action='append', default=[],
                        metavar='FILE', help='glance-sync.conf (repeatable)')
    args = parser.parse_args(argv)
    try:
        conf, sync_config = config.load(config.config_files(args.config_file))
        httpd = server.make_server(app.build_app(conf, sync_config),
                                   conf.api.bind_host, conf.api.bind_port)
    except (ConfigError, OSError) as exc:
        sys.stderr.write('%s: error: %s\n' % (PROG, exc))
        return 2
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
