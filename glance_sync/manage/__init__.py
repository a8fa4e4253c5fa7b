"""The verbs of ``glance-sync-manage`` (the entry point is
:mod:`glance_sync.cmd.manage`).

One module per verb, each with an ``add_parser(subparsers, parents,
region_help)`` that adds the verb to the command line with the handler
that runs it (``<verb>_command``): :mod:`~glance_sync.manage.regions`,
:mod:`~glance_sync.manage.status`, :mod:`~glance_sync.manage.sync`,
:mod:`~glance_sync.manage.backup`, :mod:`~glance_sync.manage.
convert_config`, :mod:`~glance_sync.manage.size`,
:mod:`~glance_sync.manage.compare`, :mod:`~glance_sync.manage.dump`,
:mod:`~glance_sync.manage.load`, :mod:`~glance_sync.manage.db`,
:mod:`~glance_sync.manage.tasks`. Around them:

- :mod:`~glance_sync.manage.cli`: the command line (``VERBS`` lists the
  verb modules);
- :mod:`~glance_sync.manage.config`: which configuration, and logging;
- :mod:`~glance_sync.manage.commands`: running a verb, and what verbs
  share (the cloud of ``--offline`` or real regions, region arguments, the
  sync summary);
- :mod:`~glance_sync.manage.regionargs`: ``Region``, ``target:Region``,
  ``target:`` arguments;
- :mod:`~glance_sync.manage.output`: ``-f csv|table|json``.

The work itself is done by the service layer (:mod:`glance_sync.sync`)
and the replicator (:mod:`glance_sync.replicator`); nothing but
:mod:`glance_sync.cmd` imports this package.
"""
