"""Acceptance 5: 50 images uploaded at once are all synchronised, once
each, with a consistent journal; the same with two daemons sharing a
PostgreSQL journal and a Redis coordination backend."""

import uuid

import redis

from tests.functional.daemon import base
from tests.functional.db import fixtures as db_fixtures

REGIONS = ('RegionTwo', 'other:RegionFour')
IMAGES = 50
SIZE = 128 * 1024
REDIS_URL = 'redis://127.0.0.1:6379'


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

    def redis_namespace(self):
        """A key prefix of this test's own on the machine's Redis, whose
        keys are deleted at cleanup."""
        client = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(client.close)
        try:
            client.ping()
        except redis.RedisError as exc:
            problem = 'Redis at %s is not reachable: %s' % (REDIS_URL, exc)
            if db_fixtures.ci():
                self.fail(problem + ' (CI=true: this is a failure)')
            self.skipTest(problem)
        namespace = 'gs-test-%s' % uuid.uuid4().hex[:12]
        self.addCleanup(self._delete_keys, client, namespace)
        return namespace

    @staticmethod
    def _delete_keys(client, namespace):
        keys = list(client.scan_iter(match=namespace + '*'))
        if keys:
            client.delete(*keys)

    def test_fifty_concurrent_uploads(self):
        self.start_daemon(sync=self.sync_conf())
        images = self.upload_many(IMAGES, SIZE)
        self.check_all_synchronised(images)

    def test_fifty_concurrent_uploads_two_daemons(self):
        namespace = self.redis_namespace()
        self.journal_url = db_fixtures.database_url(self, 'postgresql')
        coordination = {'coordination': {
            'backend_url': '%s?namespace=%s' % (REDIS_URL, namespace)}}
        for name in ('daemon-a', 'daemon-b'):
            # One pool: each event goes to one of them.
            self.start_daemon(name, sync=self.sync_conf(), extra=coordination)
        images = self.upload_many(IMAGES, SIZE)
        self.check_all_synchronised(images, self.journal_url)
        copies = {d.name: d.log().count('glance_sync.transfer.copy')
                  for d in self.daemons}
        self.addDetail('copies-per-daemon',
                       base.content.text_content(repr(copies)))
