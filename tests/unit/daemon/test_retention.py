"""The daemon's background purge of the journal."""

import threading

import sqlalchemy as sa

from oslotest import base

from glance_sync.daemon import retention
from glance_sync.db import repositories
from tests.unit.db.test_repositories import FakeClock


class PurgerTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = FakeClock()
        self.journal = repositories.Journal('sqlite://', clock=self.clock)
        self.journal.upgrade_schema()
        self.addCleanup(self.journal.dispose)

    def finish(self, image_id):
        self.journal.record_event('msg-' + image_id, image_id, ['R1'], 'e')
        self.journal.mark_done(self.journal.claim('w1')[0])

    def test_run_once_purges_older_than_the_retention(self):
        self.finish('img-old')
        self.clock.advance(2 * 86400)
        self.finish('img-new')
        purger = retention.Purger(self.journal, retention_days=1)
        self.assertEqual((1, 1), purger.run_once())
        self.assertEqual(['img-new'], [
            t.image_id for t in self.journal.list_tasks()])

    def test_thread_purges_until_stopped(self):
        self.finish('img-old')
        self.clock.advance(2 * 86400)
        purged = threading.Event()

        class Watched(retention.Purger):
            def run_once(self):
                result = super().run_once()
                purged.set()
                return result

        purger = Watched(self.journal, retention_days=1, interval=3600,
                         first_delay=0)
        purger.start()
        self.assertTrue(purged.wait(10))
        purger.stop()
        self.assertEqual([], self.journal.list_tasks())

    def test_zero_retention_starts_nothing(self):
        self.finish('img-old')
        self.clock.advance(400 * 86400)
        purger = retention.Purger(self.journal, retention_days=0,
                                  first_delay=0)
        purger.start()
        purger.stop()
        self.assertEqual(1, len(self.journal.list_tasks()))

    def test_tables_stay_flat_across_simulated_days(self):
        # Three days of one event an hour for two regions, each run to
        # the end, with the hourly purge and one day of retention: once
        # the first day has passed, the tables stop growing.
        purger = retention.Purger(self.journal, retention_days=1)
        sizes = []
        for hour in range(72):
            self.journal.record_event('msg-%d' % hour, 'img-%d' % hour,
                                      ['R1', 'R2'], 'e')
            for task in self.journal.claim('w1', limit=10):
                self.journal.mark_done(task)
            purger.run_once()
            self.clock.advance(3600)
            if hour % 24 == 23:
                sizes.append((len(self.journal.list_tasks()),
                              self._events()))
        # Kept: the last day's 24 hours and the one just past the cutoff.
        self.assertEqual([(48, 24), (50, 25), (50, 25)], sizes)

    def _events(self):
        with self.journal._db.reader() as session:
            return session.execute(sa.text(
                'SELECT count(*) FROM processed_events')).scalar()
