"""The logic of ``glance-sync-manage``'s verbs (the entry point is
:mod:`glance_sync.cmd.manage`).

- :mod:`~glance_sync.manage.cli`: the command line;
- :mod:`~glance_sync.manage.config`: which configuration, and logging;
- :mod:`~glance_sync.sync.cloud`: real regions, or in-memory ones from a
  backup folder (``--offline``);
- :mod:`~glance_sync.manage.regionargs`: ``Region``, ``target:Region``,
  ``target:`` arguments;
- :mod:`~glance_sync.sync.syncing`, :mod:`~glance_sync.manage.backup`:
  status, sync and backup over several regions;
- :mod:`~glance_sync.manage.commands`: one function per verb;
- :mod:`~glance_sync.manage.output`, :mod:`~glance_sync.sync.progress`:
  ``-f csv|table|json`` and upload progress.
"""
