"""Number options that refuse what no timeout or interval can be.

``float('inf')`` and ``float('nan')`` are floats, and oslo.config's range
check lets ``nan`` through (every comparison with it is false): a
``stall_timeout = nan`` would never fire and ``inf`` would wait forever.
:class:`FiniteFloatOpt` is a ``FloatOpt`` whose values must be finite.
"""

from __future__ import annotations

import math
from typing import Any

from oslo_config import cfg, types

__all__ = ['FiniteFloat', 'FiniteFloatOpt']


class FiniteFloat(types.Float):
    """oslo.config's ``Float`` type, refusing ``inf`` and ``nan``."""

    def __call__(self, value: Any) -> float:
        parsed = super().__call__(value)
        # Float's parser returns None for None only; an option's value is
        # never None here.
        number = float(parsed if parsed is not None else 'nan')
        if not math.isfinite(number):
            raise ValueError('must be a finite number, not %s' % number)
        return number


class FiniteFloatOpt(cfg.FloatOpt):
    """A ``FloatOpt`` (same sample output) of finite values only."""

    def __init__(self, name: str, min: float | None = None,
                 max: float | None = None, **kwargs: Any) -> None:
        super().__init__(name, min=min, max=max, **kwargs)
        self.type = FiniteFloat(min=min, max=max)
