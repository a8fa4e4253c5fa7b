"""A RabbitMQ virtual host of one's own on the machine's broker.

The demo and the benchmarks give the master's plugin and their daemon a
vhost of their own, so that what they publish never reaches another run's
listeners (the test runner does the same in shell).
"""

from __future__ import annotations

import shutil
import subprocess

__all__ = ['delete_vhost', 'fresh_vhost', 'transport_url']


def fresh_vhost(name: str) -> str:
    """Create ``name`` again, empty, for the ``guest`` user.

    :returns: ``name``, or ``''`` (the default vhost) when rabbitmqctl is
        not installed or cannot create it.
    """
    ctl = shutil.which('rabbitmqctl')
    if not ctl:
        return ''
    delete_vhost(name)
    if subprocess.call([ctl, '-q', 'add_vhost', name],
                       stdout=subprocess.DEVNULL) != 0:
        return ''
    subprocess.check_call([ctl, '-q', 'set_permissions', '-p', name,
                           'guest', '.*', '.*', '.*'],
                          stdout=subprocess.DEVNULL)
    return name


def delete_vhost(name: str) -> None:
    """Delete ``name`` and what it holds; nothing if it does not exist."""
    ctl = shutil.which('rabbitmqctl')
    if ctl and name:
        subprocess.call([ctl, '-q', 'delete_vhost', name],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def transport_url(vhost: str) -> str:
    """The oslo.messaging URL of the machine's broker and ``vhost``."""
    return 'rabbit://guest:guest@127.0.0.1:5672/%s' % vhost
