"""The daemon's Prometheus metrics (prometheus_client).

Counters are updated where things happen (a copy in the task runner, a
failed run in the worker, an event in the recorder); the journal's state
(tasks by region and state, the sync lag) is read when Prometheus
scrapes, by :class:`JournalCollector`, so every daemon sharing a journal
reports the same numbers. :func:`serve` starts the HTTP endpoint when
``[metrics] port`` is set. The metrics live in :data:`REGISTRY`, not in
prometheus_client's global one, so that importing glance-sync in another
process (glance-api, tests) exposes nothing.

Exported (see ``doc/source/operations.rst``):

- ``glance_sync_tasks{region,state}``: tasks in the journal;
- ``glance_sync_region_lag_seconds{region}``: age of the oldest pending
  task of the region (0: up to date);
- ``glance_sync_journal_up``: 1 when the journal could be read;
- ``glance_sync_copies_total{region}``,
  ``glance_sync_copied_bytes_total{region}``: images copied, and bytes;
- ``glance_sync_task_failures_total{region,reason}``: failed runs;
- ``glance_sync_events_received_total{event_type}``,
  ``glance_sync_event_lag_seconds``: events and their delay.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from wsgiref import simple_server

import prometheus_client
from oslo_config import cfg
from oslo_log import log as logging
from prometheus_client import core, registry

from glance_sync import engine
from glance_sync.conf import metrics as metrics_conf
from glance_sync.conf.errors import ConfigError
from glance_sync.db.repositories import Journal, utcnow
from glance_sync.rules import actions

__all__ = ['REGISTRY', 'JournalCollector', 'MetricsServer', 'copied',
           'event_received', 'serve', 'task_failed']

LOG = logging.getLogger(__name__)

#: Every metric of the daemon.
REGISTRY = prometheus_client.CollectorRegistry()
# CPU, memory and file descriptors of the process, the Python version.
prometheus_client.ProcessCollector(registry=REGISTRY)
prometheus_client.PlatformCollector(registry=REGISTRY)

COPIES = prometheus_client.Counter(
    'glance_sync_copies', 'Images copied to a region.', ['region'],
    registry=REGISTRY)
COPIED_BYTES = prometheus_client.Counter(
    'glance_sync_copied_bytes', 'Bytes of the images copied to a region.',
    ['region'], registry=REGISTRY)
FAILURES = prometheus_client.Counter(
    'glance_sync_task_failures',
    'Task runs that failed (retried or not), by region and error class.',
    ['region', 'reason'], registry=REGISTRY)
EVENTS = prometheus_client.Counter(
    'glance_sync_events_received', 'Image events received from the broker.',
    ['event_type'], registry=REGISTRY)
EVENT_LAG = prometheus_client.Histogram(
    'glance_sync_event_lag_seconds',
    'Seconds between the publication of an event and its reception.',
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
    registry=REGISTRY)


def copied(region: str, done: Iterable[object]) -> None:
    """Count the uploads among the actions a task applied to ``region``."""
    for action in done:
        if isinstance(action, actions.Upload):
            COPIES.labels(region).inc()
            COPIED_BYTES.labels(region).inc(action.size)


def task_failed(region: str, reason: BaseException | str) -> None:
    """Count one failed run of a task of ``region``.

    :param reason: the error (labelled by its class, an engine error by
        its cause's, as the worker judges it), or a short label such as
        ``snapshot_timeout``; never a message, which is unbounded and may
        hold names.
    """
    if isinstance(reason, BaseException):
        if isinstance(reason, engine.ApplyError):
            copied(region, reason.report.done)  # what went through
            reason = reason.__cause__ or reason
        reason = type(reason).__name__
    FAILURES.labels(region, reason).inc()


def event_received(event_type: str,
                   metadata: Mapping[str, Any] | None) -> None:
    """Count an event; observe its lag from oslo.messaging's timestamp."""
    EVENTS.labels(event_type).inc()
    sent = _timestamp((metadata or {}).get('timestamp'))
    if sent is not None:
        EVENT_LAG.observe(max(0.0, (utcnow() - sent).total_seconds()))


def _timestamp(value: object) -> datetime.datetime | None:
    """oslo.messaging's naive UTC ``timestamp``, if it is one."""
    try:
        when = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return when


class JournalCollector(registry.Collector):
    """Tasks by region and state, and the sync lag, read at each scrape.

    :param journal: the task journal.
    :param clock: the current naive UTC time.
    """

    def __init__(self, journal: Journal,
                 clock: Callable[[], datetime.datetime] = utcnow) -> None:
        self._journal = journal
        self._clock = clock

    def collect(self) -> Iterator[core.Metric]:
        """The journal's metrics (``glance_sync_journal_up`` 0 when it
        cannot be read)."""
        up = core.GaugeMetricFamily(
            'glance_sync_journal_up', 'Whether the journal could be read.')
        try:
            counts = self._journal.counts_by_region()
            since = self._journal.pending_since()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer
            LOG.warning('Metrics: cannot read the journal: %s', exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        tasks = core.GaugeMetricFamily(
            'glance_sync_tasks', 'Tasks in the journal.',
            labels=['region', 'state'])
        for (region, state), count in sorted(counts.items()):
            tasks.add_metric([region, state.value], count)
        yield tasks
        lag = core.GaugeMetricFamily(
            'glance_sync_region_lag_seconds',
            'Age of the oldest pending task of the region (0: up to date).',
            labels=['region'])
        now = self._clock()
        for region, oldest in sorted(since.items()):
            behind = 0.0 if oldest is None else (now - oldest).total_seconds()
            lag.add_metric([region], max(0.0, behind))
        yield lag


@dataclasses.dataclass
class MetricsServer:
    """The running ``/metrics`` endpoint (:func:`serve`)."""

    server: simple_server.WSGIServer
    thread: threading.Thread
    collector: JournalCollector

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server.server_port)

    def stop(self) -> None:
        """Close the endpoint and forget the journal."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        REGISTRY.unregister(self.collector)


def serve(conf: cfg.ConfigOpts, journal: Journal) -> MetricsServer | None:
    """Start the endpoint of ``[metrics]``, if it has a port.

    :returns: the server, or ``None`` when metrics are off.
    :raises ConfigError: the address cannot be listened on.
    """
    metrics_conf.register_opts(conf)
    group = conf.metrics
    if group.port is None:
        return None
    collector = JournalCollector(journal)
    REGISTRY.register(collector)
    try:
        server, thread = prometheus_client.start_http_server(
            group.port, group.host, registry=REGISTRY)
    except OSError as exc:
        REGISTRY.unregister(collector)
        raise ConfigError(', '.join(conf.config_file) or None, 'metrics',
                          'port', 'cannot listen on %s:%s: %s'
                          % (group.host, group.port,
                             exc.strerror or exc)) from exc
    LOG.info('Prometheus metrics on http://%s:%d/metrics', group.host,
             server.server_port)
    return MetricsServer(server, thread, collector)
