"""The configuration snippets the docs give operators, for the harness.

``etc/glance-sync/*.snippet.conf`` are shown verbatim by the install guide
(``literalinclude``) and written by the devstack plugin. The local cloud,
the functional tests, the demo and the benchmarks configure the master
glance-api and the daemons from the same files, with only the broker's
URL put in place of :data:`PLACEHOLDER`: a setting the harness needs is a
setting the docs give.
"""

from __future__ import annotations

import configparser
import pathlib

__all__ = ['DAEMON', 'GLANCE_NOTIFICATIONS', 'MASTER_GLANCE', 'PLACEHOLDER',
           'daemon_sections', 'master_glance_conf', 'render']

ETC = pathlib.Path(__file__).resolve().parents[2] / 'etc' / 'glance-sync'
#: The master glance-api's settings for the plugin.
MASTER_GLANCE = ETC / 'glance-api.snippet.conf'
#: glance's own notifications, for ``[daemon] listen_glance_notifications``.
GLANCE_NOTIFICATIONS = ETC / 'glance-api-notifications.snippet.conf'
#: The daemon's broker settings.
DAEMON = ETC / 'glance-sync-messaging.snippet.conf'
#: What operators replace by their broker's URL.
PLACEHOLDER = 'rabbit://USER:PASSWORD@HOST:5672/'


def render(path: pathlib.Path, transport_url: str) -> str:
    """The snippet's text with ``transport_url`` in place of the URL.

    :raises ValueError: the snippet lost its placeholder.
    """
    text = path.read_text()
    if PLACEHOLDER not in text:
        raise ValueError('%s has no %s to replace' % (path, PLACEHOLDER))
    return text.replace(PLACEHOLDER, transport_url)


def master_glance_conf(transport_url: str,
                       glance_notifications: bool = False) -> str:
    """The text to add to the master's ``glance-api.conf``.

    :param glance_notifications: glance's own notifications on too (the
        guide's second snippet, for ``listen_glance_notifications``).
    """
    text = render(MASTER_GLANCE, transport_url)
    if glance_notifications:
        text += '\n' + render(GLANCE_NOTIFICATIONS, transport_url)
    return text


def daemon_sections(transport_url: str) -> dict[str, dict[str, str]]:
    """The daemon's broker settings, by section (``DEFAULT`` included)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(render(DAEMON, transport_url))
    defaults = parser.defaults()
    # A section's mapping shows [DEFAULT]'s keys too: keep its own only.
    sections = {name: {key: value for key, value in parser[name].items()
                       if key not in defaults}
                for name in parser.sections()}
    sections['DEFAULT'] = dict(defaults)
    return sections
