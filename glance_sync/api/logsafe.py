"""Request data made safe for a log line.

Paths, methods and messages that quote them come from the caller: a
``%0A`` in a path, decoded, would end the log line and let the caller
write one of its own. :func:`log_path` keeps a path percent-encoded;
:func:`printable` escapes what cannot be printed.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

__all__ = ['log_path', 'printable']

#: Kept as they are in a logged path; everything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def printable(text: str) -> str:
    """``text`` with every control or other unprintable character (line
    breaks, escape sequences, U+2028...) written as a Python escape."""
    if text.isprintable():
        return text
    return ''.join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def log_path(environ: dict[str, Any]) -> str:
    """The request's path and query for a log line, percent-encoded as a
    URL so that it stays on one line whatever its bytes."""
    raw = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    try:
        data = raw.encode('latin-1')
    except UnicodeEncodeError:  # a server that decoded it already
        data = raw.encode('utf-8', 'surrogateescape')
    path = urllib.parse.quote(data, safe=_PATH_SAFE)
    query = environ.get('QUERY_STRING', '')
    if query:
        path += '?' + urllib.parse.quote(query, safe=_PATH_SAFE + '?%',
                                         errors='backslashreplace')
    return path
