"""Acceptance 5: 50 images uploaded at once are all synchronised, once
each, with a consistent journal; the same with two daemons sharing a
PostgreSQL journal and a Redis coordination backend."""

from tests.functional import redis_fixtures
from tests.functional.daemon import base
from tests.functional.db import fixtures as db_fixtures

REGIONS = ('RegionTwo', 'other:RegionFour')
IMAGES = 50
SIZE = 128 * 1024


class ConcurrencyTest(base.DaemonTestCase):
    """Both tests in one class: stestr runs them one after the other, so
    that they do not slow each other down on the shared glance-apis."""

    def sync_conf(self):
        return self.sync_sections(master={'ignore_regions': 'RegionThree'})

    def check_all_synchronised(self, images, url=None):
        for image in images:
            # wait_synced fails on any second copy.
            self.wait_synced(image, REGIONS, timeout=180)
        tasks = self.wait_tasks_settled([i.id for i in images], url)
        pairs = [(t.image_id, t.region) for t in tasks]
        self.assertEqual(len(pairs), len(set(pairs)))
        self.assertEqual({(i.id, r) for i in images for r in REGIONS},
                         set(pairs))
        self.assertEqual({'done'}, {t.state.value for t in tasks})
        self.assertTrue(all(t.lease_owner is None for t in tasks))
        return tasks

    def test_fifty_concurrent_uploads(self):
        self.start_daemon(sync=self.sync_conf())
        images = self.upload_many(IMAGES, SIZE)
        self.check_all_synchronised(images)

    def test_fifty_concurrent_uploads_two_daemons(self):
        namespace = redis_fixtures.redis_namespace(self)
        self.journal_url = db_fixtures.database_url(self, 'postgresql')
        coordination = {'coordination': {
            'backend_url': redis_fixtures.coordination_url(namespace)}}
        for name in ('daemon-a', 'daemon-b'):
            # One pool: each event goes to one of them.
            self.start_daemon(name, sync=self.sync_conf(), extra=coordination)
        images = self.upload_many(IMAGES, SIZE)
        self.check_all_synchronised(images, self.journal_url)
        copies = {d.name: d.log().count('Streamed image')
                  for d in self.daemons}
        self.addDetail('copies-per-daemon',
                       base.content.text_content(repr(copies)))
