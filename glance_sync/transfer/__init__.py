"""How image data moves between regions, always verified.

:func:`copy_image` is the basic verified copy from one region to another.
The transfer strategies copy one master image to several regions in one
call (:class:`TransferStrategy`, loaded by name with :func:`get_strategy`,
or per target with :class:`StrategySelector`):

- ``stream`` (the default): read the master image once, feed every region
  at the same time (:mod:`~glance_sync.transfer.fanout`);
- ``store``: the same, reading the master's backend with glance_store;
- ``glance-download``: regions under the master's Keystone pull the image
  themselves; the others are streamed;
- ``sequential``: one :func:`copy_image` after the other (the baseline);
- ``fake``: data-less copies into in-memory regions, for tests.

:mod:`~glance_sync.transfer.gathering` puts them behind the engine's copier
interface. Every copy is checked against the master's size, md5 and
secure hash (:mod:`~glance_sync.digests`); a bad one is deleted.
"""

from glance_sync.transfer.base import (NAMESPACE, TransferStats,
                                       TransferStrategy)
from glance_sync.transfer.targets import Results, Target
from glance_sync.transfer.copy import copy_image
from glance_sync.transfer.loader import (StrategyError, StrategyLoadFailed,
                                         StrategyNotFound, StrategySelector,
                                         get_strategy, strategy_names)
from glance_sync.digests import DigestMismatch, Digests, HashingStream

__all__ = ['NAMESPACE', 'DigestMismatch', 'Digests', 'HashingStream',
           'Results', 'StrategyError', 'StrategyLoadFailed',
           'StrategyNotFound', 'StrategySelector', 'Target', 'TransferStats',
           'TransferStrategy', 'copy_image', 'get_strategy', 'strategy_names']
