"""Options of the task executor and of retries (``[DEFAULT]`` group).

``executor = eventlet`` also makes the daemon monkey-patch the standard
library at start-up (:func:`glance_sync.executor.monkey_patch_if_needed`);
the default, native threads, patches nothing.
"""

from __future__ import annotations

from oslo_config import cfg

from glance_sync.conf.numbers import FiniteFloatOpt

__all__ = ['OPTS', 'list_opts', 'register_opts']

OPTS: list[cfg.Opt] = [
    cfg.StrOpt('executor', default='threads',
               choices=[('threads', 'a futurist pool of native threads'),
                        ('eventlet', ('a futurist pool of eventlet green '
                                      'threads; the daemon monkey-patches '
                                      'the standard library at start-up. '
                                      'Eventlet is deprecated upstream: '
                                      'prefer threads'))],
               help='How sync tasks run concurrently.'),
    cfg.IntOpt('max_workers', default=8, min=1,
               help='Sync tasks running at the same time, all regions '
                    'together.'),
    cfg.IntOpt('per_region_workers', default=2, min=1,
               help='Sync tasks running at the same time against one '
                    'region; more tasks for that region wait without '
                    'holding a worker.'),
    cfg.IntOpt('task_retry_times', default=5, min=0,
               help='Retries of a failed sync task before it is marked '
                    'failed (0: never retry).'),
    FiniteFloatOpt('retry_backoff', default=2.0, min=0,
                 help='Base of the exponential backoff between retries, in '
                      'seconds: retry n waits a random time between 0 and '
                      'min(retry_backoff_max, retry_backoff * 2 ** (n - 1)).'),
    FiniteFloatOpt('retry_backoff_max', default=300.0, min=0,
                 help='Longest wait between two retries of a task, in '
                      'seconds.'),
    cfg.IntOpt('task_lease_time', default=300, min=1,
               help='Seconds a daemon owns a running task without renewing '
                    'its lease. When a daemon dies, its running tasks are '
                    'run again by any daemon once their lease has expired.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the executor options in ``[DEFAULT]``."""
    conf.register_opts(OPTS)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Options for the config generator."""
    return [('DEFAULT', OPTS)]
