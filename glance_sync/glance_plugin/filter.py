"""The paste filter that installs the plugin in a glance-api process.

glance-api has no entry point for extra repo proxies. In the master's
``glance-api-paste.ini``::

    [filter:glance_sync]
    paste.filter_factory = glance_sync.glance_plugin.filter:filter_factory

and ``glance_sync`` added right after ``context`` in each pipeline. When
the pipeline loads (once per worker process), :func:`filter_factory`
patches ``glance.gateway.Gateway`` so that the image repo and the image
factory it returns are wrapped in our proxies; controllers and the import
task executor look these methods up at every call, so they pick the patch
up. The WSGI middleware itself passes requests through untouched.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

from glance import gateway
from oslo_config import cfg

from glance_sync.conf import plugin as plugin_conf
from glance_sync.glance_plugin import proxy
from glance_sync.glance_plugin import publisher as publisher_mod

__all__ = ['filter_factory', 'install']

LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()
_PATCHED = '_glance_sync_patched'


def install(publisher: Any) -> bool:
    """Wrap glance's gateway so its image repos publish to ``publisher``.

    Idempotent: the first publisher installed in a process stays.

    :returns: True when this call installed the patch.
    """
    with _LOCK:
        if getattr(gateway.Gateway, _PATCHED, False):
            return False
        get_repo = gateway.Gateway.get_repo
        get_factory = gateway.Gateway.get_image_factory

        @functools.wraps(get_repo)
        def get_repo_with_sync(self: Any, context: Any) -> Any:
            return proxy.SyncImageRepoProxy(get_repo(self, context),
                                            publisher)

        @functools.wraps(get_factory)
        def get_factory_with_sync(self: Any, context: Any) -> Any:
            return proxy.SyncImageFactoryProxy(get_factory(self, context))

        gateway.Gateway.get_repo = get_repo_with_sync
        gateway.Gateway.get_image_factory = get_factory_with_sync
        setattr(gateway.Gateway, _PATCHED, True)
        return True


def _configure(local_conf: dict[str, str]) -> cfg.ConfigOpts:
    conf = cfg.CONF  # glance-api's own, already loaded from its files
    plugin_conf.register_opts(conf)
    for key, value in local_conf.items():
        if key in conf.glance_sync:
            conf.set_override(key, value, group='glance_sync')
    return conf


def filter_factory(global_conf: dict[str, str], **local_conf: str) -> Any:
    """paste.deploy entry point: install the plugin, pass requests on."""
    try:
        conf = _configure(local_conf)
        publisher = publisher_mod.Publisher(
            publisher_mod.make_sender(conf), conf.glance_sync.queue_size)
        if install(publisher):
            LOG.info('glance-sync plugin installed: image events go to '
                     'topic %s', conf.glance_sync.topic)
    except Exception:
        # A broken plugin must not take the master's API down with it.
        LOG.exception('glance-sync plugin NOT installed; images will only '
                      'be synchronised by the periodic reconcile')
    return lambda app: app
