"""The per-image regions property, ``sync_strategy`` and SIGHUP."""

import signal

from tests.functional.daemon import base


class PropertyAndReloadTest(base.DaemonTestCase):

    def test_property_names_the_regions_and_sighup_reloads(self):
        # A property of this test's own: a region named by the default one
        # goes to every daemon running meanwhile (other tests' included),
        # whatever their rules select.
        regions_property = 'gs_regions_%s' % self.token
        daemon = self.start_daemon(sync_strategy='none',
                                   regions_property=regions_property)
        named = self.upload(**{regions_property: 'other:RegionFour'})
        plain = self.upload()
        self.wait_synced(named, ['other:RegionFour'])
        # The event was handled: recorded with no region.
        self.wait_logged(daemon, 'image %s (%s): no region'
                         % (plain.id, plain.name))
        self.assertEqual([], self.journal().list_tasks(image_id=plain.id))
        for region in ('RegionTwo', 'RegionThree'):
            self.assertEqual([], self.copies(region, name=named.name))
        # The rules decide once the configuration says so again.
        conf = self.folder / 'daemon' / 'daemon.conf'
        conf.write_text(conf.read_text().replace('sync_strategy = none',
                                                 'sync_strategy = rules'))
        daemon.signal(signal.SIGHUP)
        self.wait_logged(daemon, 'Configuration reloaded')
        later = self.upload()
        self.wait_synced(later)


class GlanceNotificationsTest(base.DaemonTestCase):

    def test_glance_notifications_alone_drive_the_sync(self):
        # Nobody publishes on this topic: only glance's own image.*
        # notifications reach the daemon.
        # The periodic reconcile is off: past the start-up pass, only the
        # notifications can bring the copies.
        daemon = self.start_daemon(topic='nothing-%s' % self.token,
                                   listen_glance_notifications='true',
                                   reconcile_interval='0')
        self.wait_logged(daemon, 'Reconcile pass over', timeout=60)
        image = self.upload()
        self.wait_synced(image)
        reasons = {t.reason for t in self.wait_tasks_settled([image.id])}
        self.assertTrue(reasons <= {'image.activate', 'image.upload',
                                    'image.update'}, reasons)
