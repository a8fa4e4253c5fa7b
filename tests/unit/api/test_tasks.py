from oslotest import base

from glance_sync.api import tasks
from glance_sync.db import data_models as dm

S = dm.TaskState


class RequestStatusTest(base.BaseTestCase):

    def status(self, **counts):
        return tasks.request_status({S(k): v for k, v in counts.items()})

    def test_no_task_is_unknown(self):
        self.assertIsNone(self.status())
        self.assertIsNone(self.status(done=0, failed=0))

    def test_any_active_task_is_syncing(self):
        for state in ('queued', 'running', 'retrying'):
            self.assertIs(tasks.TaskStatus.SYNCING,
                          self.status(done=3, failed=1, **{state: 1}))

    def test_failed_or_cancelled_without_active_is_failed(self):
        self.assertIs(tasks.TaskStatus.FAILED, self.status(done=3, failed=1))
        self.assertIs(tasks.TaskStatus.FAILED,
                      self.status(done=3, cancelled=1))

    def test_all_done_is_synced(self):
        self.assertIs(tasks.TaskStatus.SYNCED, self.status(done=2))
        self.assertEqual('synced', str(tasks.TaskStatus.SYNCED))
