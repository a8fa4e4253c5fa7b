"""The one error every configuration problem becomes."""

from __future__ import annotations

__all__ = ['ConfigError']


class ConfigError(Exception):
    """A configuration file, option or override is unusable.

    The message is one line naming the file, the section, the option and
    what is wrong, e.g. ``/etc/glancesync.conf: [other] credential: the
    password (second field) is not valid base64``. The parts are kept as
    attributes. Secrets never appear in the message.
    """

    def __init__(self, path: str | None, section: str | None = None,
                 option: str | None = None, reason: str = 'invalid') -> None:
        self.path = path
        self.section = section
        self.option = option
        self.reason = ' '.join(str(reason).split())
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.section is not None:
            where.append('[%s]' % self.section)
        if self.option is not None:
            where.append(self.option)
        prefix = '%s: ' % (self.path or '<no configuration file>')
        if where:
            prefix += ' '.join(where) + ': '
        return prefix + self.reason
