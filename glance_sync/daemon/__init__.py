"""The ``glance-sync`` daemon: every master change reaches the regions.

Run it with ``glance-sync --config-file /etc/glance-sync/glance-sync.conf``
(``etc/systemd/glance-sync.service``) once ``glance-sync-manage db sync``
has created the journal. The same file holds the targets and rules (as for
``glance-sync-manage``), ``[DEFAULT] transport_url`` (the broker the master
glance-api publishes to), ``[database] connection`` (the journal),
``[coordination] backend_url`` (several daemons) and ``[daemon]``.

How a change travels::

    event (plugin, or glance's image.*)        periodic reconcile
            │ listener.py / endpoints.py              │ reconcile.py
            │  regions: selection.py                  │  full plan per region
            ▼                                         ▼
       journal: one task per (image, region), keyed by event id
            │ worker.py: claim (lease), per-region limit, lease renewal
            ▼
       runner.py: re-read master and region, lock the pair (and the AMI
       kernel and ramdisk), remove leftovers, plan that image, apply
            │
            ▼  done | retry later (backoff, or snapshot still written)
               | failed (task_retry_times, permanent error, timeout)

Which regions an image goes to (:mod:`~glance_sync.rules.destinations`):
the ``glance_sync_regions`` image property names them when present
(``"RegionTwo,other:RegionFour"``, ``"other:"`` for a whole target, empty
for none); otherwise ``sync_strategy``: ``rules`` (each target's GlanceSync
rules, the default), ``all`` (every image of the master project to every
region) or ``none`` (only images with the property). ``ignore_regions``
and the master region are never candidates.

Copies the daemon made carry ``glance_sync_source`` (the master image id):
a ``queued``/``saving`` one is a leftover of a transfer whose daemon died
and is deleted before the pair is copied again (:mod:`~glance_sync.daemon.
cleanup`); ``delete_policy`` (``keep``, ``deactivate``, ``delete``) only
touches copies carrying the deleted image's id.

Modules: :mod:`~glance_sync.daemon.service` (assembly, signals),
:mod:`~glance_sync.daemon.startup` (parsing, before eventlet patches),
:mod:`~glance_sync.daemon.context` (configuration and discovered regions),
:mod:`~glance_sync.daemon.systemd` (``Type=notify``). Nothing here is
imported by this package's ``__init__``: ``glance_sync.cmd.daemon``
monkey-patches first, then imports the service.
"""
