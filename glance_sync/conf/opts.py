"""Every option of glance-sync, for ``oslo-config-generator``.

Declared in ``setup.cfg`` as the ``oslo.config.opts`` entry point
``glance_sync``. Every module of this package defines one option group
with ``register_opts(conf)`` and ``list_opts()``, except the loaders and
helpers named in :data:`NOT_OPTION_MODULES`; a new option module is found
without being listed here, and one without ``list_opts`` is an error that
names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from oslo_config import cfg

__all__ = ['NOT_OPTION_MODULES', 'list_opts', 'option_modules']

PACKAGE = 'glance_sync.conf'
#: Modules of the package that define no option.
NOT_OPTION_MODULES = frozenset({'checks', 'convert', 'errors', 'groups',
                                'legacy', 'loaded', 'native', 'numbers',
                                'opts'})


def option_modules() -> list[ModuleType]:
    """The option modules of the package, sorted by name.

    :raises ImportError: a module lacks ``list_opts`` or ``register_opts``.
    """
    package = importlib.import_module(PACKAGE)
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__)
                   if m.name not in NOT_OPTION_MODULES)
    modules = [importlib.import_module('%s.%s' % (PACKAGE, n)) for n in names]
    for module in modules:
        for function in ('list_opts', 'register_opts'):
            if not hasattr(module, function):
                raise ImportError('%s defines no %s()'
                                  % (module.__name__, function))
    return modules


def list_opts() -> list[tuple[Any, list[cfg.Opt]]]:
    """The ``(group, options)`` pairs of every option module."""
    result: list[tuple[Any, list[cfg.Opt]]] = []
    for module in option_modules():
        result.extend(module.list_opts())
    return result
