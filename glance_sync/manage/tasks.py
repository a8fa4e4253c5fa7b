"""``glance-sync-manage tasks``: read and act on the daemon's journal.

::

    glance-sync-manage tasks [--state STATE ...] [--region REGION]
                             [--image ID] [--limit N] [--marker ID]
    glance-sync-manage tasks retry ID      # run again now, fresh budget
    glance-sync-manage tasks cancel ID     # stop a pending or running task
    glance-sync-manage tasks purge [--days N]  # apply the retention now

Listing shows at most ``--limit`` tasks (default :data:`DEFAULT_LIMIT`),
oldest first; ``--marker`` with the last id shown gives the next page.
Each task's last copy is shown as its ``rate`` (``12.3 MB/s``) and
``source`` region in a table; ``json`` and ``csv`` give its ``bytes`` and
``seconds`` instead (``csv`` after the other columns, so that scripts that
read the older columns by position keep working).
It exits 0, or 1 when the marker is no task. ``purge`` deletes finished
tasks and processed event ids older than ``[database] retention_days``
(or ``--days``), prints how many, and exits 0. ``retry`` and ``cancel``
print the task afterwards and exit 0, or 1 (one logged line) when the
task does not exist or its state forbids it (``retry`` of a running
task, ``cancel`` of a done one).
"""

from __future__ import annotations

import argparse
import datetime
import logging
from typing import TYPE_CHECKING, Any, TextIO

from glance_sync.conf.loaded import SyncConfig
from glance_sync.db import data_models as dm
from glance_sync.db.exceptions import TaskNotFound, TaskStateConflict
from glance_sync.images import qualified_name, split_name
from glance_sync.manage import output
from glance_sync.manage.db import database_conf, opening

if TYPE_CHECKING:
    from glance_sync.db.repositories import Journal

__all__ = ['COLUMNS', 'DEFAULT_LIMIT', 'TABLE_COLUMNS', 'add_parser',
           'task_row', 'tasks_command']

LOG = logging.getLogger(__name__)

COLUMNS = ('id', 'image_id', 'image_name', 'region', 'state', 'attempts',
           'reason', 'updated_at', 'next_attempt_at', 'lease_owner',
           'last_error', 'bytes', 'seconds', 'source')
#: What a table shows: the last copy's rate instead of bytes and seconds.
TABLE_COLUMNS = ('id', 'image_id', 'image_name', 'region', 'state',
                 'attempts', 'reason', 'updated_at', 'next_attempt_at',
                 'lease_owner', 'rate', 'source', 'last_error')
_STATES = [state.value for state in dm.TaskState]
#: Tasks listed when no --limit is given: a journal may hold a million.
DEFAULT_LIMIT = 1000


def add_parser(subparsers: Any, parents: list[argparse.ArgumentParser],
               region_help: str) -> None:
    """Add ``tasks``, ``tasks retry ID`` and ``tasks cancel ID``."""
    tasks = subparsers.add_parser('tasks', parents=parents,
                                  help='list the sync tasks of the '
                                       'journal.')
    tasks.set_defaults(handler=tasks_command)
    tasks.add_argument('--state', action='append', choices=_STATES,
                       help='only tasks in this state (repeatable).')
    tasks.add_argument('--region', metavar='REGION',
                       help='only tasks of this region (Region or '
                            'target:Region).')
    tasks.add_argument('--image', metavar='ID',
                       help='only tasks of this master image.')
    tasks.add_argument('--limit', type=_positive, metavar='N',
                       default=DEFAULT_LIMIT,
                       help='at most N tasks, oldest first (default '
                            '%d).' % DEFAULT_LIMIT)
    tasks.add_argument('--marker', metavar='ID',
                       help='only tasks after this one (the last id of '
                            'the previous page).')
    actions = tasks.add_subparsers(dest='tasks_action', metavar='ACTION')
    for name, text in (('retry', 'run a task again now, with a fresh '
                                 'retry budget.'),
                       ('cancel', 'cancel a queued, retrying or running '
                                  'task.')):
        action = actions.add_parser(name, parents=parents, help=text)
        action.add_argument('task_id', metavar='ID', help='the task id.')
    purge = actions.add_parser('purge', parents=parents,
                               help='delete finished tasks and processed '
                                    'event ids older than the retention.')
    purge.add_argument('--days', type=_positive, metavar='N',
                       help='retention in days (default: [database] '
                            'retention_days).')


def _positive(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            'expected a positive integer, got %r' % text)
    return value


def tasks_command(args: argparse.Namespace, config: SyncConfig,
                  out: TextIO) -> int:
    """List tasks, or retry or cancel one."""
    # Imported here, like the db verbs' alembic: the other verbs need no
    # database layer at start-up.
    from glance_sync.db.repositories import Journal

    conf = database_conf(config)
    journal = Journal(conf)
    try:
        if args.tasks_action == 'purge':
            return opening(conf, lambda: _purge(journal, conf, args, out))
        if args.tasks_action is None:
            tasks = opening(conf, lambda: _list(journal, args))
        else:
            tasks = [opening(conf, lambda: _act(journal, args))]
    except (TaskNotFound, TaskStateConflict) as exc:
        error = str(exc)
    else:
        output.write_rows(
            out, args.format,
            TABLE_COLUMNS if args.format == 'table' else COLUMNS,
            [task_row(task) for task in tasks])
        return 0
    finally:
        journal.dispose()
    # Logged outside the handler: oslo.log would repeat the exception.
    LOG.error('%s', error)
    return 1


def task_row(task: dm.Task) -> dict[str, Any]:
    """A task's printed values: its own, and its last copy's rate as a
    person reads it (``12.3 MB/s``; empty without a copy)."""
    row = task.as_dict()
    rate = task.rate
    row['rate'] = None if rate is None else output.human_rate(rate)
    return row


def _list(journal: Journal, args: argparse.Namespace) -> list[dm.Task]:
    states = ([dm.TaskState(s) for s in args.state] if args.state
              else None)
    region = qualified_name(*split_name(args.region)) if args.region else None
    return journal.list_tasks(states=states, region=region,
                              image_id=args.image, limit=args.limit,
                              marker=args.marker)


def _purge(journal: Journal, conf: Any, args: argparse.Namespace,
           out: TextIO) -> int:
    days = args.days or conf.database.retention_days
    if not days:
        LOG.info('[database] retention_days is 0 and no --days was given: '
                 'nothing is purged')
        tasks = events = 0
    else:
        tasks, events = journal.purge(
            older_than=datetime.timedelta(days=days))
    output.write_rows(out, args.format, ('tasks', 'events'),
                      [{'tasks': tasks, 'events': events}])
    return 0


def _act(journal: Journal, args: argparse.Namespace) -> dm.Task:
    if args.tasks_action == 'retry':
        task = journal.retry(args.task_id)
    else:
        task = journal.cancel(args.task_id)
    LOG.info('Task %s (image %s, region %s) is now %s', task.id,
             task.image_id, task.region, task.state)
    return task


