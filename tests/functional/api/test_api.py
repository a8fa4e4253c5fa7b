"""The REST API against the real cloud, with real Keystone tokens.

The API runs under gunicorn, configured like a deployment; tokens come
from Keystone A: the master sync account (admin on project ``images``)
and ``demo`` (member only). The syncs started here only select images
tagged for the test (see :class:`processes.SyncConfigFile`).
"""

from __future__ import annotations

import pathlib
import subprocess
import time

import fixtures
import requests

from glance_sync.db.repositories import Journal
from tests.functional import base
from tests.functional import messaging
from tests.functional.api import processes

TOP = pathlib.Path(__file__).resolve().parents[3]
REGION = 'RegionTwo'
#: Seconds a sync started by POST gets to finish.
SYNC_TIMEOUT = 120


class ApiTestCase(base.FunctionalTestCase):

    def setUp(self) -> None:
        super().setUp()
        folder = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self.config = self.useFixture(processes.SyncConfigFile(
            self.cloud, folder, self.transport_url()))
        self.api = self.useFixture(processes.ApiServer(self.config))
        self.admin_token = self.session('master').get_token()
        self.use_region(REGION)

    def transport_url(self) -> str | None:
        return None

    def call(self, method: str, path: str, status: int,
             token: str | None = 'admin') -> requests.Response:
        headers: dict[str, str] = {}
        if token == 'admin':
            headers['X-Auth-Token'] = self.admin_token or ''
        elif token:
            headers['X-Auth-Token'] = token
        response = requests.request(method, self.api.url + path,
                                    headers=headers, timeout=60)
        self.assertEqual(status, response.status_code, response.text)
        return response

    def assertError(self, response: requests.Response, code: int) -> None:
        self.assertEqual('application/json',
                         response.headers['Content-Type'])
        self.assertEqual(code, response.json()['error']['code'])

    def tagged_image(self, size: int = 4096):
        """A public master image the test's configuration selects."""
        return self.make_image('RegionOne', size, visibility='public',
                               api_test=self.config.tag)


class AuthTest(ApiTestCase):

    ROUTES = (('GET', '/regions/%s' % REGION), ('POST', '/regions/%s'
                                                 % REGION),
              ('GET', '/regions/%s/tasks/x' % REGION),
              ('DELETE', '/regions/%s/tasks/x' % REGION))

    def test_version_needs_no_token(self):
        body = self.call('GET', '/', 200, token=None).json()
        self.assertEqual('v1.0', body['id'])

    def test_no_token_is_401_with_where_to_authenticate(self):
        for method, path in self.ROUTES:
            response = self.call(method, path, 401, token=None)
            self.assertError(response, 401)
            self.assertIn('Keystone uri=', response.headers[
                'WWW-Authenticate'])

    def test_bad_token_is_401(self):
        for method, path in self.ROUTES:
            self.assertError(self.call(method, path, 401,
                                       token='gAAAAAbogus'), 401)

    def test_member_token_is_403(self):
        token = self.user_session('demo').get_token()
        for method, path in self.ROUTES:
            self.assertError(self.call(method, path, 403, token=token), 403)

    def test_admin_token_works(self):
        self.call('GET', '/regions/%s' % REGION, 200)


class RoutesTest(ApiTestCase):

    def test_status_of_a_new_image_is_pending_upload(self):
        image = self.tagged_image()
        body = self.call('GET', '/regions/%s?image=%s' % (REGION, image.name),
                         200).json()
        self.assertEqual([{'id': None, 'name': image.name,
                           'status': 'pending_upload',
                           'message': 'the image will be uploaded'}],
                         body['images'])

    def test_region_of_the_other_keystone(self):
        self.use_region('other:RegionFour')
        self.call('GET', '/regions/other:RegionFour', 200)

    def test_errors(self):
        self.assertError(self.call('GET', '/regions/RegionNine', 410), 410)
        self.assertError(self.call('GET', '/regions/RegionOne', 400), 400)
        self.assertError(self.call('PUT', '/regions/%s' % REGION, 405), 405)
        self.assertError(self.call('GET', '/regions/%s/tasks/nope' % REGION,
                                   404), 404)

    def test_post_enqueues_in_the_journal_not_in_the_worker(self):
        image = self.tagged_image()
        body = self.call('POST', '/regions/%s' % REGION, 200).json()
        journal = Journal(self.config.db_url)
        self.addCleanup(journal.dispose)
        tasks = journal.list_tasks(request_id=body['taskId'])
        self.assertEqual([(image.id, REGION, 'queued')],
                         [(t.image_id, t.region, t.state.value)
                          for t in tasks])
        self.assertEqual({'taskId': body['taskId'], 'status': 'syncing'},
                         self.call('GET', '/regions/%s/tasks/%s'
                                   % (REGION, body['taskId']), 200).json())
        self.assertError(self.call('DELETE', '/regions/%s/tasks/%s'
                                   % (REGION, body['taskId']), 409), 409)


class SchemaTest(ApiTestCase):

    def test_schemathesis_finds_no_error_and_no_schema_mismatch(self):
        # An image for RegionTwo to select: its POSTs then make tasks.
        self.tagged_image()
        # positive_data_acceptance is left out: any string is a valid
        # region name for the schema, and most regions do not exist (410).
        result = subprocess.run(
            [str(processes.BIN / 'schemathesis'), 'run',
             str(TOP / 'api-ref' / 'openapi.yaml'), '--url', self.api.url,
             '-H', 'X-Auth-Token: %s' % self.admin_token,
             '--checks', 'all', '--exclude-checks',
             'positive_data_acceptance', '--max-examples', '25',
             '--seed', '1', '--request-timeout', '60'],
            capture_output=True, text=True, timeout=600, check=False,
            cwd=self.config.folder)  # its .schemathesis/ cache goes there
        self.assertEqual(0, result.returncode,
                         result.stdout[-6000:] + result.stderr[-2000:])


class SyncTest(ApiTestCase):
    """POST, then the daemon synchronises and the task reports synced."""

    def setUp(self) -> None:
        if not processes.daemon_available():
            self.skipTest('the glance-sync daemon (glance_sync.cmd.daemon) '
                          'is not in this tree yet')
        super().setUp()
        self.daemon = self.useFixture(processes.Daemon(self.config))

    def transport_url(self) -> str | None:
        # The daemon listens like a deployed one: the run's broker, with
        # the install guide's settings.
        return messaging.transport_url()

    def wait_task(self, task_id: str) -> str:
        deadline = time.monotonic() + SYNC_TIMEOUT
        path = '/regions/%s/tasks/%s' % (REGION, task_id)
        while True:
            status = self.call('GET', path, 200).json()['status']
            if status != 'syncing':
                return status
            if time.monotonic() > deadline:
                self.fail('task %s still syncing after %ds; daemon log:\n%s'
                          % (task_id, SYNC_TIMEOUT,
                             self.daemon.process.log_tail()))
            time.sleep(1)

    def test_post_syncs_the_region_and_the_task_reports_synced(self):
        image = self.tagged_image(64 * 1024)
        task_id = self.call('POST', '/regions/%s' % REGION, 200).json()[
            'taskId']
        self.assertEqual('synced', self.wait_task(task_id),
                         self.daemon.process.log_tail())
        copies = list(self.glance(REGION).images.list(
            filters={'name': image.name}))
        for copy in copies:
            self.addCleanup(self.delete_image, REGION, copy.id)
        self.assertEqual([(image.checksum, 'active')],
                         [(c.checksum, c.status) for c in copies])
        rows = self.call('GET', '/regions/%s?image=%s' % (REGION, image.name),
                         200).json()['images']
        self.assertEqual([(copies[0].id, 'ok')],
                         [(r['id'], r['status']) for r in rows])
        self.call('DELETE', '/regions/%s/tasks/%s' % (REGION, task_id), 200)
        self.call('GET', '/regions/%s/tasks/%s' % (REGION, task_id), 404)
