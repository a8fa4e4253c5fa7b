"""Load transfer strategies by name, through stevedore.

::

    strategy = get_strategy('stream', conf)
    strategy = strategy_for(config, 'other')   # the target's configured one

Strategies are entry points of :data:`~glance_sync.transfer.base.
NAMESPACE`; a failure to load one names the namespace and the strategy,
and keeps the cause.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from oslo_config import cfg
from stevedore import driver
from stevedore import exception as stevedore_exc

from glance_sync.conf import targets as targets_conf
from glance_sync.conf import transfer as transfer_conf
from glance_sync.transfer.base import NAMESPACE, TransferStrategy

__all__ = ['StrategyError', 'StrategyLoadFailed', 'StrategyNotFound',
           'StrategySelector', 'get_strategy', 'strategy_names']

LOG = logging.getLogger(__name__)


class StrategyError(Exception):
    """A transfer strategy could not be had; ``namespace`` and ``name``
    say which."""

    message = 'Transfer strategy %(name)r (%(namespace)s): %(reason)s'

    def __init__(self, name: str, reason: str = '') -> None:
        self.name = name
        self.namespace = NAMESPACE
        super().__init__(self.message % {'name': name, 'namespace': NAMESPACE,
                                         'reason': reason})


class StrategyNotFound(StrategyError):
    """No strategy of that name is installed."""

    def __init__(self, name: str) -> None:
        super().__init__(name, 'no such strategy (installed: %s)'
                         % ', '.join(strategy_names()))


class StrategyLoadFailed(StrategyError):
    """The strategy is installed but could not be imported or built."""

    def __init__(self, name: str, cause: BaseException) -> None:
        super().__init__(name, 'cannot be loaded: %s: %s'
                         % (type(cause).__name__, cause))


def strategy_names() -> list[str]:
    """The installed strategies' names, sorted."""
    return transfer_conf.installed_strategies()


def get_strategy(name: str, conf: cfg.ConfigOpts | None = None
                 ) -> TransferStrategy:
    """A new strategy object.

    :param name: the entry point name (``stream``, ``store``, ...).
    :param conf: options for the strategy (``[transfer]`` and
        ``[transfer_store]`` are registered on it); ``None``: defaults.
    :raises StrategyNotFound: no such strategy is installed.
    :raises StrategyLoadFailed: it failed to import or to build; the cause
        is chained.
    """
    failures: list[BaseException] = []

    def failed(_manager: Any, _entry: Any, exc: BaseException) -> None:
        failures.append(exc)

    try:
        manager = driver.DriverManager(
            NAMESPACE, name, invoke_on_load=True, invoke_args=(conf,),
            on_load_failure_callback=failed,
            warn_on_missing_entrypoint=False)
    except stevedore_exc.NoMatches as exc:
        if failures:
            raise StrategyLoadFailed(name, failures[0]) from failures[0]
        raise StrategyNotFound(name) from exc
    strategy = manager.driver
    if not isinstance(strategy, TransferStrategy):
        raise StrategyLoadFailed(name, TypeError(
            '%r is not a TransferStrategy' % (strategy,)))
    return strategy


class StrategySelector:
    """Each target's strategy, as configured, built once and shared.

    ``[target:<name>] transfer_strategy``, else ``[sync]``'s, else
    ``[DEFAULT]``'s. Thread-safe.
    """

    def __init__(self, conf: cfg.ConfigOpts | None = None, *,
                 strategy: str | None = None) -> None:
        """:param conf: the parsed configuration; ``None`` (a legacy
            configuration) uses the default strategy everywhere.
        :param strategy: the strategy of every target, whatever ``conf``
            says (an offline sync uses ``fake``).
        """
        self.conf = conf
        self._only = strategy
        if conf is not None:
            transfer_conf.register_opts(conf)
        self._strategies: dict[str, TransferStrategy] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Any) -> StrategySelector:
        """The selector of a loaded configuration
        (:class:`~glance_sync.conf.loaded.SyncConfig`): a native one's
        options; a legacy FIWARE one has none, so the default everywhere.
        """
        conf = getattr(config, 'conf', None)
        return cls(conf if isinstance(conf, cfg.ConfigOpts) else None)

    def name_for(self, target: str) -> str:
        """The name of the strategy a target uses."""
        if self._only is not None:
            return self._only
        if self.conf is None:
            return transfer_conf.DEFAULT_STRATEGY
        return transfer_conf.strategy_of(self.conf,
                                         targets_conf.group_name(target))

    def for_target(self, target: str) -> TransferStrategy:
        """The strategy object of a target (built on first use).

        :raises StrategyError: the configured strategy cannot be loaded.
        """
        name = self.name_for(target)
        with self._lock:
            if name not in self._strategies:
                self._strategies[name] = get_strategy(name, self.conf)
                LOG.debug('Transfer strategy %s loaded', name)
            return self._strategies[name]

    def check(self, targets: list[str]) -> None:
        """Load every target's strategy now, so that a bad name is a
        configuration error at start rather than a failed copy later.

        :raises StrategyError: naming the first one that cannot be loaded.
        """
        for target in targets:
            self.for_target(target)
