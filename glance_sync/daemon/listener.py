"""The oslo.messaging notification listeners of the daemon.

The plugin's events (``[daemon] topic`` on ``exchange``) are consumed from
the queue the plugin's notifier declares when it publishes
(``<topic>.info``), unless ``[daemon] pool`` names a pool of its own: that
queue exists from the first event on, so nothing published before a
daemon ever started is lost, and no durable queue fills up unread. With
``listen_glance_notifications``, glance's own notifications
(``glance_notifications_topic``) are consumed by a second listener in
``glance_notifications_pool``, so other consumers of that topic still get
them. The transport is oslo.messaging's notification transport:
``[oslo_messaging_notifications] transport_url``, else ``[DEFAULT]
transport_url``. Endpoints run on the ``threading`` executor (green
threads once eventlet has patched them) and may ask for a message to be
requeued.
"""

from __future__ import annotations

from typing import Any

import oslo_messaging
from oslo_config import cfg

from glance_sync.conf import daemon as daemon_conf
from glance_sync.daemon import endpoints

__all__ = ['Listeners', 'make_listener']


class Listeners:
    """Several notification listeners started and stopped as one."""

    def __init__(self, listeners: list[Any]) -> None:
        self.listeners = listeners

    def start(self) -> None:
        for one in self.listeners:
            one.start()

    def stop(self) -> None:
        for one in self.listeners:
            one.stop()

    def wait(self) -> None:
        for one in self.listeners:
            one.wait()


def make_listener(conf: cfg.ConfigOpts, recorder: endpoints.EventRecorder
                  ) -> tuple[Listeners, Any]:
    """The notification listeners, not started, and their transport.

    :param conf: the daemon's options (``[daemon]`` and oslo.messaging's).
    :param recorder: what the endpoints hand the events to.
    :returns: ``(listeners, transport)``; stop and wait for the listeners,
        then clean the transport up.
    """
    daemon_conf.register_opts(conf)
    group = conf.daemon
    transport = oslo_messaging.get_notification_transport(conf)
    listeners = [oslo_messaging.get_notification_listener(
        transport,
        [oslo_messaging.Target(topic=group.topic, exchange=group.exchange)],
        [endpoints.SyncEventEndpoint(recorder)], executor='threading',
        allow_requeue=True, pool=group.pool or None)]
    if group.listen_glance_notifications:
        listeners.append(oslo_messaging.get_notification_listener(
            transport,
            [oslo_messaging.Target(topic=group.glance_notifications_topic,
                                   exchange=group.exchange)],
            [endpoints.GlanceNotificationEndpoint(recorder)],
            executor='threading', allow_requeue=True,
            pool=group.glance_notifications_pool))
    return Listeners(listeners), transport
