"""systemd's readiness protocol (``Type=notify``), without a dependency.

When systemd starts the daemon it sets ``NOTIFY_SOCKET``; the daemon
sends ``READY=1`` once it listens, ``RELOADING=1`` and ``READY=1`` around
a reload, and ``STOPPING=1`` when it begins to stop. Without the variable
nothing is sent. The functional tests use the same socket to know when
the daemon is up.
"""

from __future__ import annotations

import logging
import os
import socket

__all__ = ['notify']

LOG = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send ``state`` (``READY=1``...) to systemd, if it listens.

    :returns: whether it was sent.
    """
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    if address.startswith('@'):  # an abstract socket
        address = '\0' + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        LOG.warning('Cannot notify systemd of %s: %s', state, exc)
        return False
    return True
