"""The daemon's parts, how they start and stop, and its signals.

:class:`Daemon` assembles the journal, the coordinator, the executor, the
task runner, the worker loop, the listener and the reconciler from the
parsed options; :func:`run` is the process: start, wait for signals,
stop.

- ``SIGTERM`` (and ``SIGINT``): stop listening, stop claiming, let the
  running tasks finish for up to ``graceful_shutdown_timeout`` seconds,
  exit. Tasks still running then are abandoned (their leases expire, or
  this daemon takes them back when it starts again under the same
  ``worker_id``) and the process leaves with ``os._exit``; a second
  ``SIGTERM`` leaves at once.
- ``SIGHUP``: read the configuration files again and use the new rules,
  targets and ``[daemon]`` sync options for the tasks and events that
  come next; running tasks finish with the old ones. The transport,
  topic, pool, database and executor sizes need a restart.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from oslo_config import cfg
from oslo_log import log as logging

from glance_sync import coordination, executor
from glance_sync.conf import native, sites
from glance_sync.conf.errors import ConfigError
from glance_sync.daemon import (
    context,
    endpoints,
    listener,
    metrics,
    reconcile,
    retention,
    runner,
    systemd,
    watchdog,
    worker,
)
from glance_sync.db import migration
from glance_sync.db.repositories import Journal
from glance_sync.sync.cloud import OnlineCloud, resolve_master_projects
from glance_sync.retry import RetryPolicy

__all__ = ['Daemon', 'run']

LOG = logging.getLogger(__name__)


def load_context(conf: cfg.ConfigOpts) -> context.SyncContext:
    """The sync configuration and daemon options of ``conf``, as a context.

    :raises ConfigError: the configuration is unusable.
    """
    native.register_opts(conf)
    config = native.load(conf)
    cloud = OnlineCloud(config)
    resolve_master_projects(cloud)
    return context.SyncContext(cloud, context.DaemonOptions.from_conf(conf))


def check_schema(conf: cfg.ConfigOpts) -> None:
    """Refuse to start on a journal that ``db sync`` has not upgraded.

    :raises ConfigError: the database cannot be reached or is not at the
        latest revision.
    """
    where = 'the journal database'
    files = ', '.join(conf.config_file) or None
    try:
        current = migration.current_revision(conf)
    except Exception as exc:  # any driver error: say it in one line
        raise ConfigError(files, 'database', 'connection', 'cannot open %s: '
                          '%s' % (where, str(exc).splitlines()[0])) from exc
    if current != migration.head_revision():
        raise ConfigError(files, 'database', 'connection',
                          '%s is at revision %s, not %s: run glance-sync-'
                          'manage db sync' % (where, current,
                                              migration.head_revision()))


class Daemon:
    """Every part of the daemon (see the module docstring).

    :raises ConfigError: the configuration or the journal is unusable.
    """

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf
        self._context = load_context(conf)
        check_schema(conf)
        group = conf.daemon
        self.journal = Journal(conf)
        self.coordinator = coordination.Coordinator.from_conf(
            conf, '%s-%d' % (group.worker_id, os.getpid()))
        task_runner = runner.TaskRunner(
            self.context, self.coordinator,
            lock_timeout=conf.task_lease_time, journal=self.journal)
        self.worker = worker.Worker(
            self.journal, task_runner, executor.create_region_executor(conf),
            worker_id=group.worker_id, policy=RetryPolicy.from_conf(conf),
            options=lambda: self.context().options,
            lease_seconds=conf.task_lease_time,
            poll_interval=group.poll_interval,
            regions=sites.worker_regions(conf),
            takeover_after=conf.daemon.takeover_delay)
        recorder = endpoints.EventRecorder(self.journal, self.context,
                                           self.worker.wake)
        self.listener, self.transport = listener.make_listener(conf,
                                                               recorder)
        self.reconciler = reconcile.Reconciler(
            self.journal, self.context, group.reconcile_interval,
            self.worker.wake, catalog=task_runner.master_catalog,
            workers=group.reconcile_workers)
        self.purger = retention.Purger(self.journal,
                                       conf.database.retention_days)
        self.watchdog: watchdog.Watchdog | None = None
        self.metrics: metrics.MetricsServer | None = None

    def context(self) -> context.SyncContext:
        """The current configuration's context."""
        return self._context

    def start(self) -> None:
        """Start every part; tell systemd the daemon is ready.

        :raises ConfigError: the metrics endpoint cannot listen.
        :raises CoordinationError: the coordination backend is unusable.
        """
        self.metrics = metrics.serve(self.conf, self.journal)
        self.coordinator.start()
        self.worker.recover()
        self.worker.start()
        self.listener.start()
        self.reconciler.start()
        self.purger.start()
        LOG.info('glance-sync daemon %s ready (executor %s, %d workers)',
                 self.worker.worker_id, self.conf.executor,
                 self.conf.max_workers)
        systemd.notify('READY=1')
        self.watchdog = _watchdog(self.worker)
        if self.watchdog is not None:
            self.watchdog.start()

    def reload(self) -> bool:
        """Read the configuration files again (SIGHUP).

        :returns: whether the new configuration is in use; when it is
            unusable, the old one stays and the error is logged.
        """
        systemd.notify('RELOADING=1')
        try:
            if not self.conf.reload_config_files():
                raise ConfigError(', '.join(self.conf.config_file),
                                  reason='cannot be read again')
            logging.setup(self.conf, 'glance-sync')
            self._context = load_context(self.conf)
        except ConfigError as exc:
            LOG.error('Configuration not reloaded, the previous one stays: '
                      '%s', exc)
            return False
        finally:
            systemd.notify('READY=1')
        self.worker.wake()
        LOG.info('Configuration reloaded from %s',
                 ', '.join(self.conf.config_file))
        return True

    def stop(self) -> bool:
        """Stop listening, drain the tasks, release everything.

        :returns: True when every running task finished in time.
        """
        systemd.notify('STOPPING=1')
        if self.watchdog is not None:
            self.watchdog.stop()
        LOG.info('Stopping: draining running tasks for up to %d s',
                 self.conf.daemon.graceful_shutdown_timeout)
        self.listener.stop()
        self.reconciler.stop()
        self.purger.stop()
        complete = self.worker.stop(
            self.conf.daemon.graceful_shutdown_timeout)
        self.listener.wait()
        self.transport.cleanup()
        self.coordinator.stop()
        if self.metrics is not None:
            self.metrics.stop()
        self.journal.dispose()
        return complete


def _watchdog(loop: worker.Worker) -> watchdog.Watchdog | None:
    """systemd's watchdog over the task loop, if the unit asks for one."""
    limit = watchdog.timeout()
    if limit is None:
        return None
    return watchdog.Watchdog(lambda: loop.alive(limit), limit / 2)


class _Signals:
    """SIGTERM/SIGINT ask to stop, SIGHUP to reload; the main thread acts."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.stopping = False
        self.reload = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGHUP, self._reload)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            os._exit(1)  # asked twice: do not wait for the drain
        self.stopping = True
        self.wake.set()

    def _reload(self, signum: int, frame: FrameType | None) -> None:
        self.reload = True
        self.wake.set()


def run(conf: cfg.ConfigOpts) -> int:
    """The daemon process, once the options are parsed.

    :returns: 0 after a clean stop, 2 on a configuration error; leaves
        with ``os._exit(1)`` when tasks had to be abandoned.
    """
    logging.setup(conf, 'glance-sync')
    signals = _Signals()
    try:
        daemon = Daemon(conf)
        daemon.start()
    except (ConfigError, coordination.CoordinationError) as exc:
        error: str | None = str(exc)
    else:
        error = None
    if error is not None:
        # Logged outside the handler: oslo.log would repeat the exception.
        LOG.error('%s', error)
        # Unless the log line itself went to standard error: oslo.log
        # writes to standard output when there is no log file and
        # use_stderr is false (its default).
        if conf.log_file or not conf.use_stderr:
            sys.stderr.write('glance-sync: error: %s\n' % error)
        return 2
    while not signals.stopping:
        signals.wake.wait(1.0)
        signals.wake.clear()
        if signals.reload and not signals.stopping:
            signals.reload = False
            daemon.reload()
    if daemon.stop():
        LOG.info('Stopped')
        return 0
    LOG.warning('Leaving with tasks still running')
    os._exit(1)
