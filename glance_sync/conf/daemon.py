"""``[daemon]`` options: the ``glance-sync`` daemon.

Where the events come from (oslo.messaging's ``[DEFAULT] transport_url``
names the broker; this group names the topic, exchange and pool), which
regions an image goes to (``sync_strategy`` and the per-image
``regions_property``), how master images that are still being written
are waited for, what a master delete does to the copies, and how the
daemon reconciles, polls the journal and shuts down.
"""

from __future__ import annotations

import socket

from oslo_config import cfg

from glance_sync.conf import groups
from glance_sync.conf.numbers import FiniteFloatOpt

__all__ = ['DELETE_POLICIES', 'GROUP', 'OPTS', 'SYNC_STRATEGIES',
           'list_opts', 'register_opts']

GROUP = cfg.OptGroup(
    'daemon', title='glance-sync daemon',
    help='The event listener, the task workers and the periodic reconcile '
         'of the glance-sync daemon.')

SYNC_STRATEGIES = ('rules', 'all', 'none')
DELETE_POLICIES = ('keep', 'deactivate', 'delete')

_LISTENER_OPTS: list[cfg.Opt] = [
    cfg.StrOpt('topic', default='glance_sync',
               help='Notification topic of the glance-sync plugin\'s image '
                    'events (the plugin\'s [glance_sync] topic).'),
    cfg.StrOpt('exchange', default='glance',
               help='Exchange the events travel on: the control exchange '
                    'of the master glance-api, which publishes them.'),
    cfg.StrOpt('pool',
               help='Listener pool for the plugin\'s events. Unset (the '
                    'default): the daemons consume the queue the plugin '
                    'itself declares when it publishes ("<topic>.info"), '
                    'so events published before any daemon ever started '
                    'are kept too, and daemons sharing one journal share '
                    'that queue (each event goes to one of them). Set it '
                    'only to give a group of daemons its own copy of every '
                    'event; the "<topic>.info" queue then fills with '
                    'events nobody reads, so give it a max-length policy. '
                    'With [oslo_messaging_rabbit] amqp_durable_queues = '
                    'true here and in the master glance-api.conf, the '
                    'queue keeps events across broker restarts.'),
    cfg.BoolOpt('listen_glance_notifications', default=False,
                help='Also consume glance\'s own image.* notifications as '
                     'hints, for clouds whose master glance-api cannot run '
                     'the glance-sync paste filter.'),
    cfg.StrOpt('glance_notifications_topic', default='notifications',
               help='Topic of glance\'s own notifications.'),
    cfg.StrOpt('glance_notifications_pool', default='glance-sync',
               help='Listener pool (queue name) for glance\'s own '
                    'notifications: a pool of its own, so that other '
                    'consumers of the topic (ceilometer...) still get '
                    'every notification.'),
]

_SYNC_OPTS: list[cfg.Opt] = [
    cfg.StrOpt('sync_strategy', default='rules',
               choices=[('rules', 'the images each target\'s rules select '
                                  '(GlanceSync\'s behaviour)'),
                        ('all', 'every image of the master project, to '
                                'every region'),
                        ('none', 'only the images that name their regions '
                                 'in regions_property')],
               help='Which master images the daemon synchronises, and to '
                    'which regions. With any strategy, an image carrying '
                    'regions_property goes to the regions it names, and '
                    'only to those; ignore_regions always wins.'),
    cfg.StrOpt('regions_property', default='glance_sync_regions',
               help='Image property naming the regions an image goes to, '
                    'comma separated: "RegionTwo,other:RegionFour"; '
                    '"other:" is every region of target other. An empty '
                    'value sends the image nowhere.'),
    cfg.IntOpt('snapshot_timeout', default=300, min=0,
               help='Seconds a sync task waits for a master image that is '
                    'still queued, saving or importing (a snapshot being '
                    'written) before it fails.'),
    cfg.IntOpt('snapshot_sleep_interval', default=10, min=1,
               help='Seconds between two looks at a master image that is '
                    'still being written; the task gives its worker back '
                    'meanwhile.'),
    cfg.StrOpt('delete_policy', default='keep',
               choices=[('keep', 'leave the copies, log only'),
                        ('deactivate', 'deactivate the copies'),
                        ('delete', 'delete the copies')],
               help='What a master image\'s deletion does to its copies. '
                    'Only copies the daemon made are touched: those whose '
                    'glance_sync_source property is the master image\'s id '
                    '([sync] record_source).'),
]

_SERVICE_OPTS: list[cfg.Opt] = [
    cfg.IntOpt('reconcile_interval', default=600, min=0,
               help='Seconds between two reconcile passes, which plan every '
                    'region with the rules and enqueue whatever events '
                    'missed. One pass also runs at start-up. 0: only the '
                    'start-up pass.'),
    cfg.IntOpt('reconcile_workers', default=8, min=1,
               help='Regions a reconcile pass lists and plans at the same '
                    'time. Each region is listed once per pass; the '
                    'pass holds the master\'s images plus the listings of '
                    'this many regions at most.'),
    FiniteFloatOpt('poll_interval', default=2.0, min=0.05,
                 help='Seconds between two looks at the journal for due '
                      'tasks (events received by this daemon wake it at '
                      'once).'),
    cfg.IntOpt('graceful_shutdown_timeout', default=60, min=0,
               help='Seconds SIGTERM waits for running tasks before the '
                    'daemon exits anyway (their leases then expire and '
                    'another daemon, or this one restarted, runs them).'),
    cfg.StrOpt('worker_id', default=socket.gethostname(),
               sample_default='<host name>',
               help='This daemon\'s name in the journal\'s leases; unique '
                    'among the daemons sharing a journal. At start-up the '
                    'daemon takes back the tasks a previous run under the '
                    'same name left running.'),
]

OPTS: list[cfg.Opt] = _LISTENER_OPTS + _SYNC_OPTS + _SERVICE_OPTS


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the ``[daemon]`` options on ``conf``."""
    groups.register(conf, GROUP, OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for the config generator."""
    return [(GROUP, OPTS)]
