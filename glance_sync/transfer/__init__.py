"""How image data moves between regions, always verified.

The modules, in the order the data flows through them:

- :mod:`~glance_sync.transfer.gathering`: the engine's copier
  (:data:`~glance_sync.transfer.targets.Copier`) over the strategies; the
  regions synchronised at the same time are gathered so that one transfer
  serves them all (:class:`~glance_sync.transfer.gathering.GatheringCopier`);
- :mod:`~glance_sync.transfer.loader`: each target's strategy, loaded by
  name through stevedore (:func:`get_strategy`, :class:`StrategySelector`);
- :mod:`~glance_sync.transfer.base`: the strategy contract
  (:class:`TransferStrategy`), with :mod:`~glance_sync.transfer.targets`
  (what a transfer is given and returns) and its implementations in
  ``_strategies/impl_<name>.py``:

  - ``stream`` (the default): read the master image once, feed every
    region at the same time;
  - ``store``: the same, reading the master's backend with glance_store
    (:mod:`~glance_sync.transfer._store`);
  - ``glance-download``: regions under the master's Keystone pull the
    image themselves; the others are streamed;
  - ``sequential``: one verified copy per region, one after the other (the
    baseline);
  - ``fake``: data-less copies into in-memory regions, for tests and the
    offline sync;

- :mod:`~glance_sync.transfer.streaming`: the copies of one read, each
  region's record created, judged and removed if bad
  (:mod:`~glance_sync.transfer.records`);
- :mod:`~glance_sync.transfer.fanout`: one read feeding many uploads
  (:class:`~glance_sync.transfer.fanout.FanOut`), hashed once;
- :mod:`~glance_sync.transfer.capabilities`: what the strategies use of a
  region beyond the Region interface (sized uploads, locations, imports)
  when its driver offers it.

Every copy is checked against the master's size, md5 and secure hash
(:mod:`glance_sync.digests`); a bad one is deleted.
"""

from glance_sync.transfer.base import (NAMESPACE, TransferStats,
                                       TransferStrategy)
from glance_sync.transfer.loader import (StrategyError, StrategyLoadFailed,
                                         StrategyNotFound, StrategySelector,
                                         get_strategy, strategy_names)
from glance_sync.transfer.targets import Results, Target

__all__ = ['NAMESPACE', 'Results', 'StrategyError', 'StrategyLoadFailed',
           'StrategyNotFound', 'StrategySelector', 'Target', 'TransferStats',
           'TransferStrategy', 'get_strategy', 'strategy_names']
