"""Waits recorded in a task's ``last_error``, with since when.

A task that waits (for its master image to become active, for a copy
slot of a relay source) ends its run and is run again later, maybe by
another daemon after a restart. Its ``last_error`` says what it waits for
and since when, so that the limit of the wait (``snapshot_timeout``,
``relay_wait``) holds across runs. :class:`WaitNote` writes and reads one
kind of such lines.
"""

from __future__ import annotations

import datetime
import re

__all__ = ['WaitNote']


class WaitNote:
    """One kind of wait line: ``<prefix> <what> since <ISO time>``.

    :param prefix: the fixed words that start the line.
    :param middle: the format of what follows them, with ``%s`` fields.
    """

    def __init__(self, prefix: str, middle: str) -> None:
        self._format = prefix + ' ' + middle + ' since %s'
        self._since = re.compile(re.escape(prefix) + r' .* since (\S+)$')

    def message(self, *fields: str, since: datetime.datetime) -> str:
        """The line for ``fields``, waiting since ``since``."""
        return self._format % (*fields, since.isoformat())

    def since(self, last_error: str | None) -> datetime.datetime | None:
        """When the wait of such a line began; ``None`` for another line."""
        match = self._since.match(last_error or '')
        if match is None:
            return None
        try:
            return datetime.datetime.fromisoformat(match.group(1))
        except ValueError:
            return None
