"""Every route of the API over an offline cloud and a real journal."""

import dataclasses
import logging

import fixtures
from oslotest import base

from glance_sync.api import tasks
from tests.unit.api import fakes


class ApiTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.OfflineApi())

    def call(self, method, path, status, token='admin-token', **kwargs):
        response = self.api.request(method, path, token, **kwargs)
        self.assertEqual(status, response.status_int, response.body)
        return response

    def assertError(self, response, code, *fragments):
        self.assertEqual('application/json', response.content_type)
        error = response.json['error']
        self.assertEqual(code, error['code'])
        for fragment in fragments:
            self.assertIn(fragment, error['message'])

    def run_tasks(self, fail=()):
        """Be the daemon: claim every due task and finish it."""
        for task in self.api.journal.claim('test-worker', limit=100):
            if task.image_name in fail:
                self.api.journal.mark_failed(task, 'copy of %s broke'
                                             % task.image_name)
            else:
                self.api.journal.mark_done(task)


class VersionTest(ApiTestCase):

    def test_version_needs_no_token(self):
        body = self.call('GET', '/', 200, token=None).json
        self.assertEqual('v1.0', body['id'])
        self.assertEqual('SUPPORTED', body['status'])
        for key in ('version', 'updated', 'runningfrom', 'href', 'owner'):
            self.assertIn(key, body)

    def test_version_rejects_post(self):
        response = self.call('POST', '/', 405, token=None)
        self.assertEqual('GET', response.headers['Allow'])
        self.assertError(response, 405, 'POST', '/')


class RegionStatusTest(ApiTestCase):

    def test_statuses_as_glance_sync_manage(self):
        images = self.call('GET', '/regions/R1', 200).json['images']
        self.assertEqual([
            {'id': 'R1-a', 'name': 'a', 'status': 'ok', 'message': None},
            {'id': None, 'name': 'b', 'status': 'pending_upload',
             'message': 'the image will be uploaded'},
            {'id': None, 'name': 'c', 'status': 'pending_upload',
             'message': 'the image will be uploaded'}], images)

    def test_image_filter(self):
        images = self.call('GET', '/regions/R1?image=b', 200).json['images']
        self.assertEqual(['b'], [image['name'] for image in images])
        self.assertEqual([], self.call('GET', '/regions/R1?image=zz',
                                       200).json['images'])

    def test_pages_with_limit_and_marker(self):
        every = self.call('GET', '/regions/R1', 200).json
        self.assertNotIn('next', every)
        first = self.call('GET', '/regions/R1?limit=2', 200).json
        self.assertEqual(every['images'][:2], first['images'])
        self.assertEqual('b', first['next'])
        last = self.call('GET', '/regions/R1?limit=2&marker=b', 200).json
        self.assertEqual({'images': every['images'][2:]}, last)
        self.assertEqual({'images': []}, self.call(
            'GET', '/regions/R1?marker=c', 200).json)

    def test_bad_page_parameters_are_bad_requests(self):
        for query, fragment in (('limit=0', "limit must be an integer "
                                            "from 1 to 10000, not '0'"),
                                ('limit=x', "not 'x'"),
                                ('limit=10001', "not '10001'"),
                                ('marker=zz', "marker 'zz' is no image")):
            self.assertError(self.call('GET', '/regions/R1?' + query, 400),
                             400, fragment)

    def test_region_of_another_target_follows_its_rules(self):
        images = self.call('GET', '/regions/other:O1', 200).json['images']
        self.assertEqual(['c'], [image['name'] for image in images])

    def test_master_prefix_is_accepted(self):
        self.call('GET', '/regions/master:R1', 200)

    def test_failed_task_error_is_the_message(self):
        self.call('POST', '/regions/R1', 200)
        self.run_tasks(fail=('b',))
        images = self.call('GET', '/regions/R1', 200).json['images']
        self.assertEqual('the last sync attempt failed: copy of b broke',
                         images[1]['message'])
        self.assertEqual('the image will be uploaded', images[2]['message'])

    def test_unknown_region_is_gone(self):
        self.assertError(self.call('GET', '/regions/R9', 410), 410, 'R9')
        self.assertError(self.call('GET', '/regions/nope:R1', 410), 410,
                         'nope:R1')
        self.assertError(self.call('POST', '/regions/other:', 410), 410)

    def test_master_region_is_a_bad_request(self):
        self.assertError(self.call('GET', '/regions/Master', 400), 400,
                         'Master is the master region')


class SyncTaskTest(ApiTestCase):

    def start(self, region='R1'):
        body = self.call('POST', '/regions/%s' % region, 200).json
        self.assertEqual('syncing', body['status'])
        return body['taskId']

    def task_status(self, task_id, region='R1'):
        return self.call('GET', '/regions/%s/tasks/%s' % (region, task_id),
                         200).json

    def test_post_enqueues_every_selected_image_in_the_journal(self):
        task_id = self.start()
        queued = self.api.journal.list_tasks(request_id=task_id)
        self.assertEqual({('Master-a', 'R1'), ('Master-b', 'R1'),
                          ('Master-c', 'R1')},
                         {(t.image_id, t.region) for t in queued})
        self.assertEqual({tasks.REASON}, {t.reason for t in queued})
        self.assertEqual({'taskId': task_id, 'status': 'syncing'},
                         self.task_status(task_id))

    def test_second_post_while_syncing_answers_the_same_task(self):
        task_id = self.start()
        self.assertEqual(task_id, self.start())

    def test_synced_once_the_daemon_did_every_task(self):
        task_id = self.start()
        self.run_tasks()
        self.assertEqual('synced', self.task_status(task_id)['status'])
        self.assertNotEqual(task_id, self.start())

    def test_failed_when_one_task_failed(self):
        task_id = self.start()
        self.run_tasks(fail=('c',))
        self.assertEqual('failed', self.task_status(task_id)['status'])

    def test_task_of_another_region_is_not_found(self):
        task_id = self.start('R1')
        self.assertError(self.call(
            'GET', '/regions/other:O1/tasks/%s' % task_id, 404), 404,
            task_id, 'other:O1')

    def test_unknown_task(self):
        self.assertError(self.call('GET', '/regions/R1/tasks/nope', 404),
                         404, 'Task nope of region R1 does not exist')
        self.assertError(self.call('DELETE', '/regions/R1/tasks/nope', 404),
                         404)

    def test_delete_a_running_task_is_a_conflict(self):
        task_id = self.start()
        self.assertError(self.call('DELETE', '/regions/R1/tasks/%s'
                                   % task_id, 409), 409, 'still syncing')
        self.assertEqual('syncing', self.task_status(task_id)['status'])

    def test_delete_a_finished_task(self):
        task_id = self.start()
        self.run_tasks(fail=('a',))
        response = self.call('DELETE', '/regions/R1/tasks/%s' % task_id, 200)
        self.assertEqual(b'', response.body)
        self.call('GET', '/regions/R1/tasks/%s' % task_id, 404)
        self.assertEqual([], self.api.journal.list_tasks(request_id=task_id))

    def test_delete_waits_for_a_pair_reopened_by_an_event(self):
        task_id = self.start()
        self.run_tasks()
        self.api.journal.enqueue('Master-a', 'R1', 'image.update')
        self.call('DELETE', '/regions/R1/tasks/%s' % task_id, 409)
        self.run_tasks()
        self.call('DELETE', '/regions/R1/tasks/%s' % task_id, 200)

    def test_a_pair_reopened_by_an_event_stays_in_its_task(self):
        # The journal keeps one task per pair; the client following the
        # request sees it syncing again, then synced, never lost.
        task_id = self.start('other:O1')
        self.run_tasks()
        self.api.journal.enqueue('Master-c', 'other:O1', 'image.update')
        self.assertEqual('syncing', self.task_status(task_id,
                                                     'other:O1')['status'])
        self.run_tasks()
        self.assertEqual('synced', self.task_status(task_id,
                                                    'other:O1')['status'])

    def test_wrong_methods(self):
        response = self.call('PUT', '/regions/R1', 405)
        self.assertEqual('GET, POST', response.headers['Allow'])
        response = self.call('POST', '/regions/R1/tasks/x', 405)
        self.assertEqual('DELETE, GET', response.headers['Allow'])


class AuthTest(ApiTestCase):

    ROUTES = (('GET', '/regions/R1'), ('POST', '/regions/R1'),
              ('GET', '/regions/R1/tasks/x'),
              ('DELETE', '/regions/R1/tasks/x'))

    def test_no_token_is_401(self):
        for method, path in self.ROUTES:
            self.assertError(self.call(method, path, 401, token=None), 401,
                             'no X-Auth-Token')

    def test_bad_token_is_401(self):
        for method, path in self.ROUTES:
            self.assertError(self.call(method, path, 401, token='junk'),
                             401, 'not valid')

    def test_member_is_403(self):
        for method, path in self.ROUTES:
            self.assertError(self.call(method, path, 403,
                                       token='member-token'), 403,
                             'glance_sync:')

    def test_unknown_region_is_hidden_from_strangers(self):
        self.call('GET', '/regions/R9', 401, token=None)
        self.call('GET', '/regions/R9', 403, token='member-token')

    def test_nothing_is_enqueued_for_a_member(self):
        self.call('POST', '/regions/R1', 403, token='member-token')
        self.assertEqual(0, sum(self.api.journal.counts().values()))

    def test_unexpected_errors_are_500_without_details(self):
        def broken(name):
            raise RuntimeError('secret internals')
        self.api.cloud.region = broken
        response = self.call('GET', '/regions/R1', 500)
        self.assertError(response, 500, 'Internal error')
        self.assertNotIn(b'secret', response.body)


class EmptyRegionTest(ApiTestCase):

    def test_nothing_selected_is_synced_at_once(self):
        # R1's target selects nothing once every image is excluded.
        targets = self.api.cloud.config.settings.targets
        targets['master'] = dataclasses.replace(targets['master'],
                                                metadata_condition='False')
        body = self.call('POST', '/regions/R1', 200).json
        self.assertEqual('synced', body['status'])
        self.assertEqual(0, sum(self.api.journal.counts().values()))
        # Not kept: there is nothing to follow.
        self.call('GET', '/regions/R1/tasks/%s' % body['taskId'], 404)


class DaemonSelectionTest(ApiTestCase):
    """The API shows and requests what the daemon will do, not only what
    the target's rules say."""

    def use_daemon_options(self, text):
        self.api = self.useFixture(fakes.OfflineApi('[daemon]\n' + text))

    def test_sync_strategy_none_selects_nothing(self):
        self.use_daemon_options('sync_strategy = none\n')
        self.assertEqual([], self.call('GET', '/regions/R1',
                                       200).json['images'])
        body = self.call('POST', '/regions/R1', 200).json
        self.assertEqual('synced', body['status'])
        self.assertEqual(0, sum(self.api.journal.counts().values()))

    def test_regions_property_sends_an_image_the_rules_would_not(self):
        # Target other only takes images of type x; b names its region.
        master = self.api.cloud.master()
        b = next(i for i in master.list_images(True) if i.name == 'b')
        master.update(b.id, set_properties={
            'glance_sync_regions': 'other:O1'})
        images = self.call('GET', '/regions/other:O1', 200).json['images']
        self.assertEqual(['b', 'c'], [image['name'] for image in images])
        self.call('POST', '/regions/other:O1', 200)
        self.assertEqual({'b', 'c'}, {t.image_name for t in
                                      self.api.journal.list_tasks()})

    def test_an_ignored_region_named_gets_the_rules(self):
        # R2 is ignored by target master: no candidate of the daemon, but
        # a request naming it is served by the rules, as on the CLI.
        self.use_daemon_options('sync_strategy = none\n')
        images = self.call('GET', '/regions/R2', 200).json['images']
        self.assertEqual(['a', 'b', 'c'],
                         [image['name'] for image in images])



def _closed_port():
    """A local port nothing listens on (bound, then released)."""
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class KeystoneUnreachableTest(base.BaseTestCase):
    """The real keystonemiddleware, its Keystone on a closed port."""

    def setUp(self):
        super().setUp()
        url = 'http://127.0.0.1:%d/v3' % _closed_port()
        self.api = self.useFixture(fakes.OfflineApi(
            '[keystone_authtoken]\nauth_type = password\nauth_url = %s\n'
            'www_authenticate_uri = %s\nusername = gs\npassword = pw\n'
            'project_name = service\nuser_domain_name = Default\n'
            'project_domain_name = Default\nhttp_request_max_retries = 0\n'
            % (url, url), auth_wrapper=None))
        # Loading set oslo.log's handlers up: keystoneauth's and
        # keystonemiddleware's warnings go to a captured log instead.
        self.logger = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO))

    def test_token_that_cannot_be_checked_is_503(self):
        for method, path in AuthTest.ROUTES:
            response = self.api.request(method, path, token='any-token')
            self.assertEqual(503, response.status_int, response.body)
            self.assertEqual('application/json', response.content_type)
            error = response.json['error']
            self.assertEqual(503, error['code'])
            self.assertIn('Keystone', error['message'])
        self.assertEqual(0, sum(self.api.journal.counts().values()))
        self.assertIn('Unable to validate token', self.logger.output)

    def test_no_token_is_still_401(self):
        response = self.api.request('GET', '/regions/R1', token=None)
        self.assertEqual(401, response.status_int, response.body)
        self.assertIn('Keystone uri=', response.headers['WWW-Authenticate'])

    def test_version_needs_no_keystone(self):
        response = self.api.request('GET', '/', token=None)
        self.assertEqual(200, response.status_int, response.body)


class NoAuthWarningTest(base.BaseTestCase):
    """The API's own logger, watched directly: loading the configuration
    sets oslo.log up, which replaces the root handlers."""

    def setUp(self):
        super().setUp()
        self.records = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = lambda record: self.records.append(
            record.getMessage())
        logger = logging.getLogger('glance_sync.api.app')
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)

    @property
    def output(self):
        return '\n'.join(self.records)

    def test_noauth_warns_at_start(self):
        api = self.useFixture(fakes.OfflineApi(
            '[api]\nauth_strategy = noauth\n', auth_wrapper=None))
        self.assertIn('NO AUTHENTICATION', self.output)
        self.assertIn('bind_host = 0.0.0.0', self.output)
        # And noauth does let an anonymous caller in.
        self.assertEqual(200, api.request('GET', '/regions/R1',
                                          token=None).status_int)

    def test_loopback_noauth_still_warns(self):
        self.useFixture(fakes.OfflineApi(
            '[api]\nauth_strategy = noauth\nbind_host = 127.0.0.1\n',
            auth_wrapper=None))
        self.assertIn('NO AUTHENTICATION', self.output)
        self.assertNotIn('reachable from other hosts', self.output)

    def test_keystone_strategy_does_not_warn(self):
        self.useFixture(fakes.OfflineApi())
        self.assertEqual([], self.records)
