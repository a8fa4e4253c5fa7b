"""A loaded configuration, whatever file format it came from.

Both loaders (:mod:`glance_sync.conf.legacy` for a FIWARE
``glancesync.conf`` and :mod:`glance_sync.conf.native` for an oslo.config
``glance-sync.conf``) return a :class:`SyncConfig`. The rest of glance-sync
only uses this interface: the rules' :class:`~glance_sync.rules.options.
SyncSettings`, a keystoneauth auth plugin per target, and a few facts
about the synchronising account. Sessions are built where the regions are
(:func:`glance_sync.regions.auth.target_session`).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping

from keystoneauth1 import plugin as ks_plugin

from glance_sync.conf.errors import ConfigError
from glance_sync.rules.options import SyncSettings

__all__ = ['EndpointSettings', 'SyncConfig']


@dataclasses.dataclass(frozen=True)
class EndpointSettings:
    """Where a target's Glance endpoints are: catalog interface and URLs."""

    #: The catalog interface of the image endpoints.
    interface: str = 'public'
    #: Bare region name → Glance URL used instead of the catalog's; such a
    #: region need not be in the catalog.
    overrides: Mapping[str, str] = dataclasses.field(default_factory=dict)


class SyncConfig(metaclass=abc.ABCMeta):
    """Settings for the rules plus credentials for every target."""

    def __init__(self, source: str | None, settings: SyncSettings,
                 max_workers: int = 1) -> None:
        #: The file the configuration was read from (``None``: none).
        self.source = source
        #: What the rules and the engine need.
        self.settings = settings
        #: How many regions may be synchronised at the same time.
        self.max_workers = max_workers

    @property
    def targets(self) -> tuple[str, ...]:
        """The target names, ``master`` first."""
        names = sorted(self.settings.targets, key=lambda n: (n != 'master', n))
        return tuple(names)

    def auth_plugin(self, target: str) -> ks_plugin.BaseAuthPlugin:
        """The keystoneauth plugin of a target (no network I/O).

        :raises ConfigError: the target is unknown.
        """
        self._check_target(target)
        return self._make_auth(target)

    def endpoints(self, target: str) -> EndpointSettings:
        """How the target's image endpoints are found (default: the
        catalog's public ones; legacy configurations have no option).

        :raises ConfigError: the target is unknown.
        """
        self._check_target(target)
        return EndpointSettings()

    @abc.abstractmethod
    def project_name(self, target: str) -> str | None:
        """The project (tenant) name the target's account is scoped to.

        :returns: the name, or ``None`` when the credentials scope by id
            or do not say.
        :raises ConfigError: the target is unknown.
        """

    @abc.abstractmethod
    def _make_auth(self, target: str) -> ks_plugin.BaseAuthPlugin:
        """Build the target's auth plugin; the target is known."""

    def _check_target(self, target: str) -> None:
        if target not in self.settings.targets:
            raise ConfigError(self.source, target, None,
                              'unknown target %r (targets: %s)'
                              % (target, ', '.join(self.targets)))
