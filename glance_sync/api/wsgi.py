"""The WSGI entry point: ``glance_sync.api.wsgi:application``.

For gunicorn or uWSGI; the configuration files come from
``$GLANCE_SYNC_CONFIG_FILE`` (comma-separated) or
``/etc/glance-sync/glance-sync.conf``::

    GLANCE_SYNC_CONFIG_FILE=/etc/glance-sync/glance-sync.conf \\
        gunicorn -w 2 -b 0.0.0.0:9393 glance_sync.api.wsgi:application

The application is built on import, once per worker process.
"""

from __future__ import annotations

from glance_sync.api import app, config

__all__ = ['application', 'init_application']


def init_application() -> app.WsgiApp:
    """Read the configuration and build the application.

    :raises ConfigError: the configuration is missing or wrong (the
        worker then fails to start, with that one line in its log).
    """
    conf, sync_config = config.load(config.config_files())
    return app.build_app(conf, sync_config)


application = init_application()
