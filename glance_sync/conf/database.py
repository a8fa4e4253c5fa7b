"""``[database]`` options: where the task journal lives.

The options are oslo.db's own (``connection``, pool sizes, retries…); this
module gives ``connection`` a default so that a single daemon works out
of the box on SQLite, and adds ``retention_days``: how long finished tasks
and processed event ids are kept. MySQL (``mysql+pymysql://``) and
PostgreSQL (``postgresql+psycopg2://``) are chosen by URL.
"""

from __future__ import annotations

import copy

from oslo_config import cfg
from oslo_db import options as db_options

__all__ = ['DEFAULT_CONNECTION', 'GROUP', 'RETENTION_OPTS', 'list_opts',
           'register_opts']

GROUP = 'database'

#: A single daemon needs nothing else: one SQLite file.
DEFAULT_CONNECTION = 'sqlite:////var/lib/glance-sync/journal.sqlite'

RETENTION_OPTS: list[cfg.Opt] = [
    cfg.IntOpt('retention_days', default=30, min=0,
               help='Days the journal keeps finished (done, failed, '
                    'cancelled) sync tasks and the ids of processed '
                    'events. The daemon purges older ones in the '
                    'background (hourly); "glance-sync-manage tasks purge" '
                    'does it on demand. Keep it well above the broker\'s '
                    'redelivery window: an event redelivered after its id '
                    'was purged runs its tasks once more (harmlessly). '
                    '0: keep everything forever.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register oslo.db's ``[database]`` options with our default URL.

    Idempotent: registering twice on the same ``conf`` is harmless.
    """
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    conf.register_opts(RETENTION_OPTS, group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Options for the config generator, with our default connection."""
    opts = copy.deepcopy(db_options.database_opts)
    for opt in opts:
        if opt.dest == 'connection':
            opt.default = DEFAULT_CONNECTION
    return [(GROUP, opts + copy.deepcopy(RETENTION_OPTS))]
