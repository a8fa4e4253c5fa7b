"""The command's copies under the daemons' pair locks."""

import contextlib

import fixtures
from oslo_config import cfg
from oslotest import base

from glance_sync import coordination
from glance_sync.regions.drivers.memory import MemoryRegion
from glance_sync.rules.actions import ImageRecord
from glance_sync.rules.metadata import SOURCE_PROPERTY
from glance_sync.sync import locking


class FakeCoordinator:
    """Records the pairs locked and whether a copy ran under the lock."""

    def __init__(self):
        self.held = []
        self.locked = False
        #: The first try fails as if a daemon held the lock.
        self.busy = False

    @contextlib.contextmanager
    def lock(self, image_id, region, timeout=None):
        if self.busy and timeout == 0:
            self.busy = False
            raise coordination.LockNotAcquired(image_id, region)
        self.held.append((image_id, region))
        self.locked = True
        try:
            yield
        finally:
            self.locked = False


class Config:
    def __init__(self, conf):
        self.conf = conf


class SharedCoordinatorTest(base.BaseTestCase):

    def test_legacy_configuration_has_none(self):
        self.assertIsNone(locking.shared_coordinator(object()))

    def test_none_without_a_backend(self):
        self.assertIsNone(locking.shared_coordinator(Config(cfg.ConfigOpts())))

    def test_the_backend_of_the_configuration(self):
        conf = cfg.ConfigOpts()
        coordination.Coordinator.from_conf(conf)  # registers the options
        conf.set_override('backend_url', 'redis://127.0.0.1:1',
                          'coordination')
        found = locking.shared_coordinator(Config(conf))
        self.assertEqual('redis://127.0.0.1:1', found.backend_url)


class LockedTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.master = MemoryRegion('Master', tenant_id='t1')
        record = self.master.create_image('img', visibility='public',
                                          properties={})
        self.source = self.master.upload(record.id, [b'x' * 1000])
        self.region = MemoryRegion('R2', tenant_id='t2')
        self.coordinator = FakeCoordinator()
        self.copies = []

    def copier(self, master_region, master_image, region, record):
        self.copies.append(self.coordinator.locked)
        queued = region.create_image(record.name, visibility='public',
                                     properties={SOURCE_PROPERTY:
                                                 master_image.id})
        return region.upload(queued.id, master_region.download(
            master_image.id))

    def copy(self):
        return locking.locked(self.copier, self.coordinator)(
            self.master, self.source, self.region,
            ImageRecord(name='img', visibility='public'))

    def daemon_copy(self, data=b'x' * 1000, status='active'):
        queued = self.region.create_image(
            'img', visibility='public',
            properties={SOURCE_PROPERTY: self.source.id})
        if status == 'queued':
            return queued
        return self.region.upload(queued.id, [data])

    def test_copies_under_the_pair_lock(self):
        copy = self.copy()
        self.assertEqual([True], self.copies)
        self.assertEqual([(self.source.id, 'R2')], self.coordinator.held)
        self.assertEqual(self.source.checksum, copy.checksum)

    def test_a_held_lock_is_waited_for_and_said(self):
        self.coordinator.busy = True
        logger = self.useFixture(fixtures.FakeLogger())
        self.copy()
        self.assertEqual([True], self.copies)
        self.assertIn('R2: a daemon is working on image img', logger.output)

    def test_a_copy_finished_meanwhile_is_used(self):
        made = self.daemon_copy()
        skipped = []
        copy = locking.locked(self.copier, self.coordinator,
                              lambda *pair: skipped.append(pair))(
            self.master, self.source, self.region,
            ImageRecord(name='img', visibility='public'))
        self.assertEqual(made.id, copy.id)
        self.assertEqual([], self.copies)
        self.assertEqual(1, len(self.region.list_images()))
        self.assertEqual([('R2', self.source.id)], skipped)

    def test_unfinished_or_different_copies_do_not_count(self):
        self.daemon_copy(status='queued')
        self.daemon_copy(data=b'y' * 1000)
        self.copy()
        self.assertEqual([True], self.copies)
