"""The service layer the CLI, the daemon, the API and the replicator share.

- :mod:`~glance_sync.sync.cloud`: the cloud of regions, online or from a
  folder of backups;
- :mod:`~glance_sync.sync.syncing`: the master index and a ``status`` or
  ``sync`` run over several regions;
- :mod:`~glance_sync.sync.copier`: the engine's copier over each target's
  transfer strategy;
- :mod:`~glance_sync.sync.locking`: per-image locks around a copy;
- :mod:`~glance_sync.sync.progress`: upload progress on a terminal or in
  the log.

Nothing here imports :mod:`glance_sync.manage`, :mod:`glance_sync.daemon`,
:mod:`glance_sync.api` or :mod:`glance_sync.replicator`.
"""
