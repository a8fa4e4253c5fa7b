"""The journal at a million rows: enqueue time and the query plans.

``python -m tools.bench_scale.journal [--rows N] [--backends
postgresql,mysql,sqlite]``: on a fresh database of each backend, enqueue
N pairs (N/100 images x 100 regions) with :meth:`Journal.enqueue_many`,
in one call (the worst case: one transaction, whose statistics the
planner never sees), finish most of them (done, a third of them older
than the retention), analyse the tables, then print the ``EXPLAIN`` of
each query the daemon, the CLI and the API run often: the claim, the
region status counts, a page of the task list, the request lookup, the
retention purge. Writes
``tools/bench-results/journal.json``.

Then, on the same backends, a simulated day and a half of events
(:func:`retention_day`): the daemon's purge (:class:`~glance_sync.daemon.
retention.Purger`, one day of retention) every simulated hour, the
tables' sizes at each hour. Once the retention has passed they must stay
flat, and no finished task or event id older than the retention may be
left after a purge.

``--baseline`` first runs the enqueue on PostgreSQL with the portable
statements of :mod:`glance_sync.db.bulk` (IN lists and a multi-row
INSERT, as MySQL and SQLite use; the only path before the ``unnest``
statements): the ratio is measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time
import uuid
from typing import Any
from unittest import mock

import sqlalchemy as sa

from glance_sync.daemon import retention
from glance_sync.db import bulk
from glance_sync.db import data_models as dm
from glance_sync.db import migration
from glance_sync.db.repositories import Journal, utcnow

TOP = pathlib.Path(__file__).resolve().parents[2]
RESULTS = TOP / 'tools' / 'bench-results' / 'journal.json'
ADMIN = {
    'postgresql': os.environ.get(
        'GLANCE_SYNC_BENCH_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
    'mysql': os.environ.get('GLANCE_SYNC_BENCH_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1:3306/'),
}
REGIONS = 100

#: The queries, as the journal runs them (parameters inlined).
QUERIES = {
    'claim': (
        "SELECT id FROM sync_tasks WHERE state IN ('queued', 'retrying') "
        "AND next_attempt_at <= :now ORDER BY next_attempt_at, created_at, "
        "id LIMIT 8"),
    'find pair': (
        "SELECT id, state FROM sync_tasks WHERE image_id = :image "
        "AND region = 'Region050'"),
    'region counts': (
        "SELECT state, count(*) FROM sync_tasks WHERE region = 'Region050' "
        "GROUP BY state"),
    'region errors': (
        "SELECT * FROM sync_tasks WHERE state IN ('failed', 'retrying') "
        "AND region = 'Region050' ORDER BY created_at, id"),
    'request counts': (
        "SELECT state, count(*) FROM sync_tasks WHERE region = 'Region050' "
        "AND request_id = 'req-1' GROUP BY state"),
    'task page': (
        "SELECT * FROM sync_tasks WHERE created_at > :now OR (created_at = "
        ":now AND id > 'x') ORDER BY created_at, id LIMIT 1000"),
    'purge': (
        "SELECT id FROM sync_tasks WHERE state IN ('done', 'failed', "
        "'cancelled') AND updated_at < :old LIMIT 5000"),
    'purge events': (
        "SELECT event_id FROM processed_events WHERE received_at < :old "
        "LIMIT 5000"),
}


def _database(backend: str) -> tuple[str, Any]:
    if backend == 'sqlite':
        folder = tempfile.mkdtemp(prefix='gs-journal-')
        return ('sqlite:///%s/journal.sqlite' % folder,
                lambda: shutil.rmtree(folder, ignore_errors=True))
    admin = sa.engine.make_url(ADMIN[backend])
    name = 'gs_bench_%s' % uuid.uuid4().hex[:12]
    engine = sa.create_engine(admin, isolation_level='AUTOCOMMIT',
                              poolclass=sa.pool.NullPool)
    extra = ' CHARACTER SET utf8mb4' if backend == 'mysql' else ''
    with engine.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE %s%s' % (name, extra))

    def drop() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
    url = admin.set(database=name)
    if backend == 'mysql':
        url = url.update_query_dict({'charset': 'utf8mb4'})
    return url.render_as_string(hide_password=False), drop


def _explain(engine: sa.engine.Engine, backend: str, sql: str,
             params: dict[str, Any]) -> list[str]:
    prefix = {'sqlite': 'EXPLAIN QUERY PLAN ', 'mysql': 'EXPLAIN ',
              'postgresql': 'EXPLAIN '}[backend]
    with engine.connect() as conn:
        rows = conn.execute(sa.text(prefix + sql), params).all()
    if backend == 'mysql':
        return ['table=%s type=%s key=%s rows=%s extra=%s' % (
            r.table, r.type, r.key, r.rows, r.Extra) for r in rows]
    if backend == 'sqlite':
        return [str(r[-1]) for r in rows]
    return [str(r[0]) for r in rows]


def _analyze(engine: sa.engine.Engine, backend: str) -> None:
    with engine.begin() as conn:
        if backend == 'mysql':
            conn.execute(sa.text('ANALYZE TABLE sync_tasks, '
                                 'processed_events'))
        else:
            conn.execute(sa.text('ANALYZE'))


def _requests(rows: int) -> list[dm.TaskRequest]:
    """``rows`` pairs: ``rows / REGIONS`` images, each to every region."""
    images = [str(uuid.uuid4()) for _ in range(rows // REGIONS)]
    return [dm.TaskRequest(image, 'Region%03d' % r, 'img')
            for image in images for r in range(REGIONS)]


def baseline(rows: int) -> dict[str, Any]:
    """The enqueue on PostgreSQL with the portable statements."""
    url, drop = _database('postgresql')
    try:
        migration.upgrade(url)
        journal = Journal(url)
        requests = _requests(rows)
        with mock.patch.object(bulk, 'takes_arrays', lambda _: False):
            start = time.monotonic()
            journal.enqueue_many(requests, 'reconcile')
            enqueue_s = time.monotonic() - start
        journal.dispose()
        return {'backend': 'postgresql', 'path': 'portable (baseline)',
                'rows': len(requests), 'enqueue_s': round(enqueue_s, 1)}
    finally:
        drop()


#: The simulated day: events an hour (each a new image, the worst case
#: for growth), regions per event, hours simulated.
DAY_EVENTS, DAY_REGIONS, DAY_HOURS = 100, 10, 30


def _sizes(engine: sa.engine.Engine, cutoff: datetime.datetime
           ) -> tuple[int, int, int]:
    """Tasks, event ids, and finished tasks or events older than cutoff."""
    with engine.connect() as conn:
        tasks = conn.execute(sa.text(
            'SELECT count(*) FROM sync_tasks')).scalar_one()
        events = conn.execute(sa.text(
            'SELECT count(*) FROM processed_events')).scalar_one()
        stale = conn.execute(sa.text(
            "SELECT count(*) FROM sync_tasks WHERE state IN ('done', "
            "'failed', 'cancelled') AND updated_at < :cutoff"),
            {'cutoff': cutoff}).scalar_one()
        stale += conn.execute(sa.text(
            'SELECT count(*) FROM processed_events WHERE received_at < '
            ':cutoff'), {'cutoff': cutoff}).scalar_one()
    return int(tasks), int(events), int(stale)


def retention_day(backend: str) -> dict[str, Any]:
    """Table sizes over simulated hours of events and hourly purges."""
    url, drop = _database(backend)
    now = [utcnow()]
    try:
        migration.upgrade(url)
        journal = Journal(url, clock=lambda: now[0])
        purger = retention.Purger(journal, retention_days=1)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        regions = ['Region%03d' % r for r in range(DAY_REGIONS)]
        hours = []
        for hour in range(DAY_HOURS):
            for n in range(DAY_EVENTS):
                image = str(uuid.uuid4())
                journal.record_event('%s-%d' % (image, n), image, regions,
                                     'image.update')
            with engine.begin() as conn:  # every task ran to the end
                conn.execute(sa.text(
                    "UPDATE sync_tasks SET state = 'done', updated_at = "
                    ":now, next_attempt_at = NULL WHERE state = 'queued'"),
                    {'now': now[0]})
            purger.run_once()
            tasks, events, stale = _sizes(
                engine, now[0] - datetime.timedelta(days=1))
            hours.append({'hour': hour, 'tasks': tasks, 'events': events,
                          'stale_after_purge': stale})
            now[0] += datetime.timedelta(hours=1)
        engine.dispose()
        journal.dispose()
        day = [h for h in hours if h['hour'] >= 24]
        return {'backend': backend, 'hours': hours,
                'tasks_after_day_1': sorted({h['tasks'] for h in day}),
                'events_after_day_1': sorted({h['events'] for h in day}),
                'stale_after_purges': sum(h['stale_after_purge']
                                          for h in hours)}
    finally:
        drop()


def run(backend: str, rows: int) -> dict[str, Any]:
    url, drop = _database(backend)
    try:
        migration.upgrade(url)
        journal = Journal(url)
        requests = _requests(rows)
        start = time.monotonic()
        journal.enqueue_many(requests, 'reconcile')
        enqueue_s = time.monotonic() - start
        now = utcnow()
        old = now - datetime.timedelta(days=40)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        _analyze(engine, backend)
        # Right after an initial sync: every task queued.
        claim_all_queued = _explain(engine, backend, QUERIES['claim'],
                                    {'now': now})
        start = time.monotonic()
        journal.claim('bench', limit=8)
        claim_all_queued_s = time.monotonic() - start
        with engine.begin() as conn:
            # Most pairs are finished; a third long ago; some events.
            conn.execute(sa.text(
                "UPDATE sync_tasks SET state = 'done', updated_at = :old, "
                "next_attempt_at = NULL "
                "WHERE region < 'Region033'"), {'old': old})
            conn.execute(sa.text(
                "UPDATE sync_tasks SET state = 'done', next_attempt_at = NULL "
                "WHERE region >= "
                "'Region033' AND region < 'Region095'"))
            conn.execute(sa.insert(sa.table(
                'processed_events', sa.column('event_id'),
                sa.column('image_id'), sa.column('received_at'))), [
                {'event_id': str(uuid.uuid4()), 'image_id': None,
                 'received_at': old if n % 3 else now}
                for n in range(min(rows // 10, 100000))])
        _analyze(engine, backend)
        params = {'now': now, 'old': now - datetime.timedelta(days=30),
                  'image': requests[len(requests) // 2].image_id}
        plans = {name: _explain(engine, backend, sql, params)
                 for name, sql in QUERIES.items()}
        plans['claim, every task queued'] = claim_all_queued
        start = time.monotonic()
        purged = journal.purge(older_than=datetime.timedelta(days=30))
        purge_s = time.monotonic() - start
        engine.dispose()
        journal.dispose()
        return {'backend': backend, 'path': (
                    'unnest' if backend == 'postgresql' else 'portable'),
                'rows': len(requests),
                'enqueue_s': round(enqueue_s, 1),
                'claim_all_queued_s': round(claim_all_queued_s, 3),
                'purged_tasks': purged[0], 'purged_events': purged[1],
                'purge_s': round(purge_s, 1), 'plans': plans}
    finally:
        drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='bench-scale-journal')
    parser.add_argument('--rows', type=int, default=1000000)
    parser.add_argument('--backends', default='postgresql,mysql,sqlite')
    parser.add_argument('--no-day', dest='day', action='store_false',
                        help='skip the simulated day of the retention')
    parser.add_argument('--baseline', action='store_true',
                        help='also time the portable statements on '
                        'PostgreSQL (the baseline)')
    args = parser.parse_args(argv)
    results = []
    if args.baseline:
        print('==> postgresql baseline, %d rows' % args.rows,
              file=sys.stderr, flush=True)
        results.append(baseline(args.rows))
        print(json.dumps(results[-1]), flush=True)
    for backend in args.backends.split(',') if args.rows else ():
        print('==> %s, %d rows' % (backend, args.rows), file=sys.stderr,
              flush=True)
        result = run(backend, args.rows)
        results.append(result)
        print(json.dumps(result, indent=1), flush=True)
    days = []
    if args.day:
        for backend in args.backends.split(','):
            print('==> %s, simulated day' % backend, file=sys.stderr,
                  flush=True)
            days.append(retention_day(backend))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({'enqueue': results, 'retention': days},
                                  indent=2) + '\n')
    if results:
        _table(results)
    for day in days:
        print('%-10s  tasks after day 1: %s  event ids: %s  stale rows '
              'after purges: %d' % (day['backend'], day['tasks_after_day_1'],
                                    day['events_after_day_1'],
                                    day['stale_after_purges']))
    return 0


def _table(results: list[dict[str, Any]]) -> None:
    """Enqueue times, as ratios to the baseline when it was measured."""
    base = next((r['enqueue_s'] for r in results
                 if r['path'].endswith('(baseline)')), None)
    print('%-10s  %-20s  %9s  %9s  %8s  %7s' % (
        'backend', 'path', 'rows', 'enqueue s', 'vs base', 'purge s'))
    for r in results:
        ratio = '%.2f' % (r['enqueue_s'] / base) if base else '-'
        print('%-10s  %-20s  %9d  %9.1f  %8s  %7s' % (
            r['backend'], r['path'], r['rows'], r['enqueue_s'], ratio,
            r.get('purge_s', '-')))


if __name__ == '__main__':
    sys.exit(main())
