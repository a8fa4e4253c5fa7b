"""The oslo.messaging notification listener of the daemon.

It consumes, in the ``[daemon] pool`` queue, the plugin's events (``topic``
on ``exchange``) and, with ``listen_glance_notifications``, glance's own
notifications (``glance_notifications_topic``). The transport is
oslo.messaging's notification transport: ``[oslo_messaging_notifications]
transport_url``, else ``[DEFAULT] transport_url``. Endpoints run on the
``threading`` executor (green threads once eventlet has patched them) and
may ask for a message to be requeued.
"""

from __future__ import annotations

from typing import Any

import oslo_messaging
from oslo_config import cfg

from glance_sync.conf import daemon as daemon_conf
from glance_sync.daemon import endpoints

__all__ = ['make_listener']


def make_listener(conf: cfg.ConfigOpts, recorder: endpoints.EventRecorder
                  ) -> tuple[Any, Any]:
    """A notification listener, not started, and its transport.

    :param conf: the daemon's options (``[daemon]`` and oslo.messaging's).
    :param recorder: what the endpoints hand the events to.
    :returns: ``(listener, transport)``; stop and wait for the listener,
        then clean the transport up.
    """
    daemon_conf.register_opts(conf)
    group = conf.daemon
    transport = oslo_messaging.get_notification_transport(conf)
    targets = [oslo_messaging.Target(topic=group.topic,
                                     exchange=group.exchange)]
    handlers: list[Any] = [endpoints.SyncEventEndpoint(recorder)]
    if group.listen_glance_notifications:
        targets.append(oslo_messaging.Target(
            topic=group.glance_notifications_topic, exchange=group.exchange))
        handlers.append(endpoints.GlanceNotificationEndpoint(recorder))
    listener = oslo_messaging.get_notification_listener(
        transport, targets, handlers, executor='threading',
        allow_requeue=True, pool=group.pool)
    return listener, transport
