"""The harness configures services from the snippets the docs show."""

import configparser
import pathlib
import re

import fixtures

from oslotest import base

from tools.localcloud import snippets

TOP = pathlib.Path(__file__).resolve().parents[3]
INSTALL = TOP / 'doc' / 'source' / 'install.rst'
URL = 'rabbit://guest:guest@127.0.0.1:5672/run-1'


def included(rst: pathlib.Path) -> set[pathlib.Path]:
    """The files a page shows with ``literalinclude``."""
    return {(rst.parent / name).resolve() for name in re.findall(
        r'^\s*\.\. literalinclude:: (\S+)$', rst.read_text(), re.M)}


class SnippetsTest(base.BaseTestCase):

    def test_install_guide_shows_the_snippets_verbatim(self):
        shown = included(INSTALL)
        for path in (snippets.MASTER_GLANCE, snippets.DAEMON,
                     snippets.GLANCE_NOTIFICATIONS):
            self.assertIn(path.resolve(), shown)

    def test_master_conf_is_the_snippet_with_the_url(self):
        text = snippets.master_glance_conf(URL)
        self.assertEqual(snippets.MASTER_GLANCE.read_text().replace(
            snippets.PLACEHOLDER, URL), text)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        self.assertEqual(URL, parser['glance_sync']['transport_url'])
        self.assertEqual(
            'true', parser['oslo_messaging_rabbit']['amqp_durable_queues'])
        # The plugin needs none of glance's own notifications.
        self.assertFalse(parser.has_section('oslo_messaging_notifications'))

    def test_daemon_and_master_agree_on_durability(self):
        daemon = snippets.daemon_sections(URL)
        master = configparser.ConfigParser(interpolation=None)
        master.read_string(snippets.master_glance_conf(URL))
        self.assertEqual(URL, daemon['DEFAULT']['transport_url'])
        self.assertEqual(dict(master['oslo_messaging_rabbit']),
                         daemon['oslo_messaging_rabbit'])

    def test_glance_notifications_are_bounded(self):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(snippets.GLANCE_NOTIFICATIONS)
        group = parser['oslo_messaging_notifications']
        self.assertEqual('messagingv2', group['driver'])
        self.assertGreaterEqual(int(group['retry']), 0)

    def test_a_snippet_without_placeholder_is_refused(self):
        path = pathlib.Path(self.useFixture(
            fixtures.TempDir()).path) / 'x.conf'
        path.write_text('[DEFAULT]\ntransport_url = rabbit://h/\n')
        self.assertRaisesRegex(ValueError, 'x.conf has no rabbit://USER',
                               snippets.render, path, URL)

    def test_glance_notifications_come_from_their_snippet(self):
        text = snippets.master_glance_conf(URL, glance_notifications=True)
        self.assertEqual(
            snippets.master_glance_conf(URL) + '\n'
            + snippets.GLANCE_NOTIFICATIONS.read_text().replace(
                snippets.PLACEHOLDER, URL), text)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        self.assertEqual(
            URL, parser['oslo_messaging_notifications']['transport_url'])
