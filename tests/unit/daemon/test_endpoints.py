from unittest import mock

import fixtures
from oslotest import base

from glance_sync.daemon import endpoints, runner
from glance_sync.db import data_models as dm
from glance_sync.db import repositories
from glance_sync.glance_plugin import events
from glance_sync.regions.base import RegionUnavailable
from tests.unit.daemon import fakes

HANDLED = endpoints.HANDLED
REQUEUE = endpoints.REQUEUE


def payload(image_id='img-1', name='a', status='active', **props):
    return {'id': image_id, 'name': name, 'owner': 'tm',
            'visibility': 'public', 'status': status, 'size': 10,
            'checksum': 'c', 'properties': props}


class EndpointTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.journal = repositories.Journal('sqlite://')
        self.journal.upgrade_schema()
        self.context = fakes.make_context(
            other={'metadata_condition':
                   "image.user_properties.get('t') == 'x'"})
        self.wakes = []
        recorder = endpoints.EventRecorder(
            self.journal, lambda: self.context,
            wake=lambda: self.wakes.append(1), requeue_delay=0)
        self.ours = endpoints.SyncEventEndpoint(recorder)
        self.glance = endpoints.GlanceNotificationEndpoint(recorder)

    def send(self, event_type, body, message_id='m-1', endpoint=None,
             ctxt=None):
        endpoint = endpoint or self.ours
        return endpoint.info(ctxt or {}, 'glance-sync.host', event_type,
                             body, {'message_id': message_id})

    def tasks(self):
        return {(t.image_id, t.region): t for t in self.journal.list_tasks()}


class RecordTest(EndpointTestCase):

    def test_upload_makes_one_task_per_selected_region(self):
        self.assertEqual(HANDLED, self.send(events.UPLOADED, payload()))
        self.assertEqual({('img-1', 'R2'), ('img-1', 'R3')},
                         set(self.tasks()))
        task = self.tasks()['img-1', 'R2']
        self.assertEqual((events.UPLOADED, 'a', dm.TaskState.QUEUED),
                         (task.reason, task.image_name, task.state))
        self.assertEqual([1], self.wakes)

    def test_replayed_message_is_a_noop(self):
        self.send(events.UPLOADED, payload())
        task = self.journal.find('img-1', 'R2')
        self.journal.cancel(task.id)
        self.assertEqual(HANDLED, self.send(events.UPLOADED, payload()))
        self.assertEqual(dm.TaskState.CANCELLED,
                         self.journal.get(task.id).state)
        self.assertEqual([1], self.wakes)

    def test_a_new_message_reopens_a_finished_task(self):
        self.send(events.UPLOADED, payload())
        self.journal.cancel(self.journal.find('img-1', 'R2').id)
        self.send(events.UPDATED, payload(), message_id='m-2')
        self.assertEqual(dm.TaskState.QUEUED,
                         self.journal.find('img-1', 'R2').state)

    def test_unselected_image_is_recorded_without_tasks(self):
        private = dict(payload(), visibility='private')
        self.assertEqual(HANDLED, self.send(events.UPDATED, private))
        self.assertEqual({}, self.tasks())

    def test_per_image_regions(self):
        self.send(events.UPLOADED, payload(glance_sync_regions='other:O1'))
        self.assertEqual({('img-1', 'other:O1')}, set(self.tasks()))

    def test_delete_makes_tasks_where_the_image_went(self):
        self.send(events.DELETED, payload(status='deleted', t='x'))
        self.assertEqual({('img-1', 'R2'), ('img-1', 'R3'),
                          ('img-1', 'other:O1')}, set(self.tasks()))

    def test_events_without_work_are_acknowledged(self):
        for event_type, body in (
                (events.CREATED, payload(status='queued')),
                (events.UPLOADED, {'name': 'no id'}),
                (events.UPLOADED, 'not a dict')):
            self.assertEqual(HANDLED, self.send(event_type, body))
        self.assertEqual({}, self.tasks())

    def test_deactivation_records_tasks(self):
        # The copies follow their master's deactivation (issue 14).
        self.assertEqual(HANDLED, self.send(
            events.DEACTIVATED, payload(status='deactivated')))
        self.assertEqual({('img-1', 'R2'), ('img-1', 'R3')},
                         set(self.tasks()))
        self.assertEqual(HANDLED, self.send(
            'image.deactivate', payload(status='deactivated'), 'm-2',
            endpoint=self.glance))

    def test_glance_notifications(self):
        body = payload()
        del body['visibility']
        body['is_public'] = True
        self.assertEqual(HANDLED, self.send('image.activate', body,
                                            endpoint=self.glance,
                                            ctxt={'request_id': 'req-1'}))
        self.assertEqual('req-1', self.tasks()['img-1', 'R2'].request_id)
        self.assertEqual(HANDLED, self.send('image.send', body, 'm-2',
                                            endpoint=self.glance))
        self.assertEqual(2, len(self.tasks()))

    def test_filters_route_each_family_to_its_endpoint(self):
        ours, glance = (self.ours.filter_rule, self.glance.filter_rule)
        self.assertTrue(ours.match({}, 'p', events.UPLOADED, {}, {}))
        self.assertFalse(ours.match({}, 'p', 'image.update', {}, {}))
        self.assertTrue(glance.match({}, 'p', 'image.delete', {}, {}))
        self.assertFalse(glance.match({}, 'p', 'image.send', {}, {}))


class RequeueTest(EndpointTestCase):

    def test_journal_failure_requeues(self):
        with mock.patch.object(self.journal, 'record_event',
                               side_effect=RuntimeError('db down')):
            self.assertEqual(REQUEUE, self.send(events.UPLOADED, payload()))
        self.assertEqual({}, self.tasks())
        # The redelivered message is recorded.
        self.assertEqual(HANDLED, self.send(events.UPLOADED, payload()))
        self.assertEqual(2, len(self.tasks()))

    def test_unknown_regions_requeue(self):
        self.context.cloud.broken['other'] = RegionUnavailable(
            'other', reason='keystone down')
        self.assertEqual(REQUEUE, self.send(events.UPLOADED, payload()))
        self.assertEqual({}, self.tasks())


class EndWaitTest(EndpointTestCase):

    def test_activation_ends_a_snapshot_wait(self):
        self.send(events.UPLOADED, payload(status='saving'))
        task = self.journal.claim('w', limit=1)[0]
        marker = runner.wait_message('img-1', 'saving',
                                     repositories.utcnow())
        self.journal.retry_later(task, marker, 3600)
        self.send(events.UPLOADED, payload(), message_id='m-2')
        again = self.journal.get(task.id)
        self.assertEqual((dm.TaskState.QUEUED, 0),
                         (again.state, again.attempts))
