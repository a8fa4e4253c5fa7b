"""The repo proxy, over glance's real domain objects and a dict-backed repo."""

import copy

import fixtures
from glance import domain
from glance.domain import proxy as domain_proxy
from oslotest import base

from glance_sync.glance_plugin import events
from glance_sync.glance_plugin import proxy


class DictRepo:
    """The innermost repo: stores copies, as the DB layer would."""

    def __init__(self):
        self.images = {}
        self.saved_from = []

    def add(self, image):
        self.images[image.image_id] = copy.deepcopy(image)

    def get(self, image_id):
        return copy.deepcopy(self.images[image_id])

    def list(self):
        return [copy.deepcopy(i) for i in self.images.values()]

    def save(self, image, from_state=None):
        self.saved_from.append(from_state)
        self.images[image.image_id] = copy.deepcopy(image)

    def remove(self, image):
        image.status = 'deleted'
        del self.images[image.image_id]


class GlanceLayer(domain_proxy.Repo):
    """Stands for one of glance's own proxy layers."""


class RecordingPublisher:

    def __init__(self, fail=False):
        self.events = []
        self.fail = fail

    def publish(self, event_type, payload):
        if self.fail:
            raise RuntimeError('publisher broke')
        self.events.append((event_type, payload))

    def types(self):
        return [event_type for event_type, _ in self.events]


class RepoProxyTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.db = DictRepo()
        self.publisher = RecordingPublisher()
        self.repo = proxy.SyncImageRepoProxy(GlanceLayer(self.db),
                                             self.publisher)
        self.factory = proxy.SyncImageFactoryProxy(domain.ImageFactory())

    def _create(self, **kwargs):
        image = self.factory.new_image(name='cirros', visibility='public',
                                       disk_format='raw',
                                       container_format='bare',
                                       owner='p1', **kwargs)
        self.repo.add(image)
        return image

    def _upload(self, image):
        image.status = 'saving'
        self.repo.save(image, from_state='queued')
        image.status = 'active'
        image.size, image.checksum = 3, 'md5'
        image.os_hash_algo, image.os_hash_value = 'sha512', 'h'
        self.repo.save(image, from_state='saving')

    def test_create_then_upload(self):
        image = self._create()
        self._upload(image)
        self.assertEqual([events.CREATED, events.UPLOADED],
                         self.publisher.types())
        body = self.publisher.events[1][1]
        self.assertEqual((3, 'md5', 'h'), (body['size'], body['checksum'],
                                           body['os_hash_value']))
        self.assertEqual(image.image_id, body['id'])

    def test_repeated_active_saves_are_dropped(self):
        image = self._create()
        self._upload(image)
        self.repo.save(image, from_state='active')
        self.repo.save(self.repo.get(image.image_id))
        self.assertEqual([events.CREATED, events.UPLOADED],
                         self.publisher.types())

    def test_rename_to_obsolete_from_a_fresh_get(self):
        image_id = self._create().image_id
        self.publisher.events.clear()
        image = self.repo.get(image_id)
        image.name = 'cirros_obsolete'
        self.repo.save(image)
        (event_type, body), = self.publisher.events
        self.assertEqual(events.RENAMED, event_type)
        self.assertEqual('cirros', body['previous_name'])
        self.assertTrue(body['obsolete'])

    def test_property_change_and_delete(self):
        image_id = self._create(extra_properties={'type': 'a'}).image_id
        image = self.repo.list()[0]
        image.extra_properties['type'] = 'b'
        self.repo.save(image)
        self.repo.remove(self.repo.get(image_id))
        self.assertEqual([events.CREATED, events.UPDATED, events.DELETED],
                         self.publisher.types())
        self.assertEqual('cirros', self.publisher.events[-1][1]['name'])

    def test_from_state_reaches_the_inner_repo(self):
        self._upload(self._create())
        self.assertEqual(['queued', 'saving'], self.db.saved_from)

    def test_foreign_image_is_not_stripped(self):
        # An image that did not come from our factory keeps glance's layers.
        image = domain.ImageFactory().new_image(name='x', owner='p1')
        self.repo.add(image)
        self.assertIn(image.image_id, self.db.images)
        self.assertEqual([events.CREATED], self.publisher.types())

    def test_a_broken_publisher_never_fails_glance(self):
        log = self.useFixture(fixtures.FakeLogger(
            name='glance_sync.glance_plugin.proxy'))
        self.repo.publisher = RecordingPublisher(fail=True)
        image = self._create()
        self._upload(image)
        self.assertEqual('active', self.db.images[image.image_id].status)
        self.assertIn('could not publish', log.output)
