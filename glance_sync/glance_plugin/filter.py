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

A broken plugin must not take the master's API down: this module imports
only the standard library at module level, and everything else (glance,
oslo, the rest of glance-sync) inside the ``try`` of
:func:`filter_factory`, so a missing or broken dependency costs one error
in glance-api's log, not glance-api.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from typing import Any

__all__ = ['filter_factory', 'install', 'threads_problem']

LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()
_PATCHED = '_glance_sync_patched'


def install(publisher: Any) -> bool:
    """Wrap glance's gateway so its image repos publish to ``publisher``.

    Idempotent: the first publisher installed in a process stays.

    :returns: True when this call installed the patch.
    """
    from glance import gateway

    from glance_sync.glance_plugin import proxy

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


def _uwsgi_flag(options: dict[Any, Any], name: str) -> Any:
    # uwsgi.opt has bytes or str keys depending on the build, bytes values
    # (or a list of them when an option is repeated).
    value = options.get(name, options.get(name.encode()))
    if isinstance(value, list):
        value = value[-1] if value else None
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'replace')
    return value


def threads_problem() -> str | None:
    """Why the publisher's thread cannot run in this server, if it cannot.

    Under uWSGI, Python threads started by the application never run
    unless threads are enabled (``enable-threads = true``, implied by
    ``threads`` greater than 1): the events would stay in the queue.

    :returns: the problem and the setting to change, or None.
    """
    uwsgi = sys.modules.get('uwsgi')
    if uwsgi is None:
        # Only importable inside a uWSGI process, where it is pre-loaded.
        return None
    options = getattr(uwsgi, 'opt', {}) or {}
    enabled = str(_uwsgi_flag(options, 'enable-threads') or '').lower()
    if enabled in ('1', 'true', 'yes', 'on'):
        return None
    try:
        threads = int(_uwsgi_flag(options, 'threads') or 0)
    except ValueError:
        threads = 0
    if threads > 1:
        return None
    return ('glance-api runs under uWSGI without threads: the glance-sync '
            'plugin\'s publisher thread would never run and no image event '
            'would leave this process. Set "enable-threads = true" in the '
            '[uwsgi] section of glance-api\'s uWSGI configuration (devstack '
            'writes it in /etc/glance/glance-uwsgi.ini) and restart '
            'glance-api.')


def _configure(local_conf: dict[str, str]) -> Any:
    from oslo_config import cfg

    from glance_sync.conf import plugin as plugin_conf

    conf = cfg.CONF  # glance-api's own, already loaded from its files
    plugin_conf.register_opts(conf)
    for key, value in local_conf.items():
        if key in conf.glance_sync:
            conf.set_override(key, value, group='glance_sync')
    return conf


def filter_factory(global_conf: dict[str, str], **local_conf: str) -> Any:
    """paste.deploy entry point: install the plugin, pass requests on."""
    try:
        from glance_sync.glance_plugin import publisher as publisher_mod

        problem = threads_problem()
        if problem:
            LOG.error(problem)
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
