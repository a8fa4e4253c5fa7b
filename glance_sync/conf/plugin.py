"""Options of the Glance plugin, read inside the master's glance-api.

They are registered on glance's own configuration (``glance-api.conf``),
in the ``[glance_sync]`` group, and may also be given as ``key = value``
lines of the ``[filter:glance_sync]`` section of the paste ini.
"""

from oslo_config import cfg

from glance_sync.conf import groups

GROUP = cfg.OptGroup(
    'glance_sync',
    title='glance-sync plugin',
    help='Publishing of image events from the master glance-api.')

OPTS = [
    cfg.StrOpt('topic', default='glance_sync',
               help='oslo.messaging notification topic the image events '
                    'are published on; the glance-sync daemon listens on '
                    'the same topic.'),
    cfg.StrOpt('transport_url', secret=True,
               help='Transport for the events. Unset: the notification '
                    'transport of glance itself ([oslo_messaging_'
                    'notifications] transport_url, else [DEFAULT] '
                    'transport_url).'),
    cfg.IntOpt('queue_size', default=10000, min=1,
               help='Events kept in each glance-api worker while the '
                    'broker does not take them; they are sent again, in '
                    'order, once it does. Only when the queue is full are '
                    'new events dropped (counted and logged; the daemon\'s '
                    'periodic reconcile repairs them): a user\'s request '
                    'never waits for the broker.'),
    cfg.IntOpt('publish_retry', default=0, min=0,
               help='Reconnection attempts of one send before the '
                    'publisher pauses (0.2 s, doubling up to 2 s) and '
                    'tries the same event again. Each attempt waits '
                    '[oslo_messaging_rabbit] rabbit_retry_interval and '
                    'more, so a small value lets the publisher notice the '
                    'broker\'s return sooner.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    groups.register(conf, GROUP, OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
