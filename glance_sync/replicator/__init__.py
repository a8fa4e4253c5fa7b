"""glance-replicator's verbs on the Glance v2 API, with GlanceSync's rules.

- :mod:`~glance_sync.replicator.sizing`: what a sync would copy to each
  region (``glance-sync-manage size``);
- :mod:`~glance_sync.replicator.compare` and
  :mod:`~glance_sync.replicator.diff`: what differs between the master and
  each region, field by field (``compare``);
- :mod:`~glance_sync.replicator.dump`: the selected master images, records
  and data, to a folder (``dump``), resumable;
- :mod:`~glance_sync.replicator.load`: a region synchronised from such a
  folder as if it were the master (``load``), for regions with no network
  path to the master.

``size`` and ``compare`` only list images (:mod:`~glance_sync.replicator.
planning`); ``dump`` and ``load`` move data, verified. The folder format is
:mod:`glance_sync.regions.dumpfile`, read back by
:class:`glance_sync.regions.drivers.dumpdir.DumpRegion`.
"""
