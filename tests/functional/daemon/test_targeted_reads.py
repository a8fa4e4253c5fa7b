"""What one task costs a real Glance: requests per event and region.

The task runner runs in this process, with the daemon's configuration
(the one the test daemons get), against the local cloud's glance-api;
the project's Glance driver counts every HTTP request it sends. Once the
master catalog is filled (by a reconcile pass), an upload event costs a
region at most four requests besides the data itself, and a metadata
change at most four, whatever the size of the catalogs.
"""

from __future__ import annotations

import datetime
import re

from oslo_config import cfg

from glance_sync import coordination
from glance_sync.daemon import runner, service, startup
from glance_sync.db import data_models as dm
from tests.functional.daemon import base
from tests.functional.daemon import fixtures as daemon_fixtures

#: The two requests that move data: the master's GET of the file and the
#: region's PUT of it.
DATA_REQUESTS = 2
#: The requests of an upload event, besides the data, in order: the
#: master image (fresh), the region's images of that name, the new
#: record, the record after the upload (verified against the master).
UPLOAD = ['GET /v2/images/<id>', 'GET /v2/images', 'POST /v2/images',
          'GET /v2/images/<id>']
#: Those of a metadata change: the master image, the region's images of
#: that name, its copies by recorded source (a copy renamed by an earlier
#: change is renamed in place), one PATCH.
METADATA = ['GET /v2/images/<id>', 'GET /v2/images', 'GET /v2/images',
            'PATCH /v2/images/<id>']
_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')
NOW = datetime.datetime(2030, 1, 1)


def _task(image_id: str, region: str, reason: str) -> dm.Task:
    return dm.Task(id='t-%s' % region, image_id=image_id, image_name=None,
                   region=region, reason=reason,
                   state=dm.TaskState.RUNNING, attempts=1, last_error=None,
                   recheck=False, request_id=None, created_at=NOW,
                   updated_at=NOW, next_attempt_at=None, lease_owner='w',
                   lease_token='tok', lease_expires_at=NOW)


class RequestsPerEventTest(base.DaemonTestCase):

    def _runner(self) -> tuple[runner.TaskRunner, object]:
        files = daemon_fixtures.write_config(
            self.cloud, self.folder / 'inproc', self.sync_sections(),
            self.daemon_sections('inproc'))
        conf = cfg.ConfigOpts()
        startup.parse_args(conf, ['--config-file', files[0],
                                  '--config-file', files[1]])
        context = service.load_context(conf)
        task_runner = runner.TaskRunner(lambda: context,
                                        coordination.Coordinator(None))
        master = context.cloud.master()
        # What the start-up reconcile pass does.
        task_runner.master_catalog.replace(master, runner.list_master(master))
        return task_runner, context

    def _record(self, glance_region) -> None:
        """Note each request's method and path in ``self.sent`` (for the
        failure messages), once per region object."""
        if glance_region.name in self.recorded:
            return
        self.recorded.add(glance_region.name)
        session = glance_region.client.http_client.session
        request = session.request

        def recorded(url, method, **kwargs):
            self.sent.append('%s %s %s' % (glance_region.name, method,
                                           url.split('?')[0]))
            return request(url, method, **kwargs)
        session.request = recorded

    def _cost(self, task_runner, context, task) -> int:
        master = context.cloud.master()
        region = context.cloud.region(task.region)
        self._record(master)
        self._record(region)
        self.sent: list[str] = []
        before = master.requests_made + region.requests_made
        outcome = task_runner.run(task)
        self.assertEqual(runner.Kind.DONE, outcome.kind, outcome.detail)
        cost = master.requests_made + region.requests_made - before
        self.assertEqual(len(self.sent), cost)
        # glanceclient reads the image schema once per client, the first
        # time it creates or reads an image: not a cost of the event.
        return cost - len([s for s in self.sent if '/v2/schemas/' in s])

    def sequence(self) -> list[str]:
        """The requests of the last task but data and schemas, ids as
        ``<id>``, region names left out."""
        return [_UUID.sub('<id>', sent.split(' ', 1)[1])
                for sent in self.sent if '/v2/schemas/' not in sent
                and not sent.endswith('/file')]

    def test_upload_and_metadata_events(self):
        image = self.upload()
        self.recorded: set[str] = set()
        task_runner, context = self._runner()
        for region in base.TARGET_REGIONS:
            cost = self._cost(task_runner, context, _task(
                image.id, region, 'glance_sync.image.uploaded'))
            self.assertLessEqual(cost - DATA_REQUESTS, 4, self.sent)
            self.assertEqual(UPLOAD, self.sequence())
        self.wait_synced(image)
        master = context.cloud.master()
        master.update(image.id, set_properties={'colour': 'blue'})
        for region in base.TARGET_REGIONS:
            cost = self._cost(task_runner, context, _task(
                image.id, region, 'glance_sync.image.updated'))
            self.assertLessEqual(cost, 4, self.sent)
            self.assertEqual(METADATA, self.sequence())
            copy = context.cloud.region(region).find_images(
                runner.ImageQuery(names=frozenset([image.name])))
            self.assertEqual(['blue'], [c.user_properties.get('colour')
                                        for c in copy])
