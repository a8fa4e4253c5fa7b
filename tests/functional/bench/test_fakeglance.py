"""The benchmark's fake Glance answers the driver as the real glance-api.

The same calls of the project's Glance driver (python-glanceclient over
real HTTP) go to RegionTwo's glance-api and to the fake
(``tools/bench_scale/fakeglance.py``) under the same account; what comes
back must be the same, but for ids and timestamps. This covers what the
driver and the benchmark use: create, upload, read, list with pagination
and the server-side filters targeted reads rely on (``name``, ``id`` with
``in:``, a property, ``owner``, ``visibility``), update, rename,
deactivate, reactivate, delete, and the errors of a missing image.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import subprocess
import sys
import time
from typing import Any

import requests

from glance_sync.regions import base as regions_base
from glance_sync.regions.drivers import glance
from tests.functional.regions import helpers
from tools.localcloud import procs

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


class FakeGlanceTest(helpers.RegionTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.real = self.region('RegionTwo', page_size=2)
        port = _free_port()
        self.url = 'http://127.0.0.1:%d' % port
        proc = subprocess.Popen(
            [sys.executable, '-m', 'tools.bench_scale.fakeglance', '--port',
             str(port), '--project-id', self.real.project_id], cwd=TOP,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(procs.terminate, proc)
        self._wait_for(self.url + '/_bench/stats')
        self.fake = glance.GlanceRegion(
            'Fake', self.target_session(), project_id=self.real.project_id,
            endpoint_override=self.url + '/Fake', page_size=2)
        self.source = self.unique_name('src')
        self.data = os.urandom(300000)

    def _wait_for(self, url: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(url, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.fail('the fake Glance did not start')

    # -- the same story on both ------------------------------------------

    def story(self, region: glance.GlanceRegion) -> dict[str, Any]:
        """Every call, on one region; what each answered, comparable."""
        names = {key: self.unique_name(key) for key in ('a', 'b', 'c')}
        seen: dict[str, Any] = {}
        ids = {}
        for key, visibility in (('a', 'public'), ('b', 'private'),
                                ('c', 'shared')):
            image = region.create_image(
                names[key], visibility=visibility,
                properties={'type': 'baseimage',
                            'glance_sync_source': self.source},
                disk_format='raw', container_format='bare')
            self.delete_later(region, image.id)
            ids[key] = image.id
            seen['created ' + key] = image
        data = self.data
        seen['uploaded'] = region.upload(ids['a'], [data[:100000],
                                                    data[100000:]])
        seen['read'] = region.get_image(ids['a'])
        self.assertEqual(hashlib.md5(data).hexdigest(),
                         seen['read'].checksum)
        seen['updated'] = region.update(
            ids['b'], set_properties={'nid': '7'}, remove_properties=['type'])
        seen['renamed'] = region.update(ids['c'], name=names['c'] + '_obs',
                                        visibility='public')
        region.deactivate(ids['a'])
        seen['deactivated'] = region.get_image(ids['a'])
        region.reactivate(ids['a'])
        seen['reactivated'] = region.get_image(ids['a'])
        mine = set(ids.values())
        seen['listed'] = sorted(
            (i for i in region.list_images() if i.id in mine),
            key=lambda i: i.name)
        seen['listed with public'] = sorted(
            (i.name for i in region.list_images(include_public=True)
             if i.id in mine))
        seen['filters'] = self.filtered(region, names, ids)
        region.delete(ids['b'])
        seen['deleted'] = self.missing(region, ids['b'])
        seen['never existed'] = self.missing(
            region, '00000000-0000-4000-8000-000000000000')
        return self.comparable(seen, names)

    def filtered(self, region: glance.GlanceRegion, names: dict[str, str],
                 ids: dict[str, str]) -> dict[str, list[str]]:
        """The names each filtered listing gives, ours only."""
        owner = region.project_id
        queries = {
            'name': {'name': names['a']},
            'name in': {'name': 'in:"%s","%s"' % (names['a'], names['b'])},
            'id in': {'id': 'in:%s,%s' % (ids['b'], ids['c'])},
            'source': {'glance_sync_source': self.source},
            'source and public': {'glance_sync_source': self.source,
                                  'visibility': 'public'},
            'owner, all': {'owner': owner, 'visibility': 'all',
                           'glance_sync_source': self.source},
            'private': {'visibility': 'private',
                        'glance_sync_source': self.source},
            'status': {'status': 'active',
                       'glance_sync_source': self.source},
        }
        mine = set(ids.values())
        return {label: sorted(
            image['name'] for image in region.client.images.list(
                filters=query, page_size=1) if image['id'] in mine)
            for label, query in queries.items()}

    @staticmethod
    def missing(region: glance.GlanceRegion, image_id: str) -> str:
        try:
            region.get_image(image_id)
        except regions_base.ImageNotFound:
            return 'ImageNotFound'
        return 'found'

    @staticmethod
    def comparable(seen: dict[str, Any],
                   names: dict[str, str]) -> dict[str, Any]:
        """Ids, regions and the names' unique parts left out."""
        def text(value: Any) -> Any:
            if isinstance(value, regions_base.Image):
                return {k: text(v)
                        for k, v in dataclasses.asdict(value).items()
                        if k not in ('id', 'region')}
            if isinstance(value, dict):
                return {k: text(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [text(v) for v in value]
            if isinstance(value, str):
                for key, name in names.items():
                    value = value.replace(name, '<%s>' % key)
            return value
        return text(seen)

    def test_same_answers_as_the_real_glance(self):
        real = self.story(self.real)
        fake = self.story(self.fake)
        for key in real:
            self.assertEqual(real[key], fake[key], key)
        # The story did reach the fake, and every filter matched something.
        stats = requests.get(self.url + '/_bench/stats', timeout=10).json()
        self.assertGreater(stats['Fake']['GET list'], 8)
        self.assertTrue(all(real['filters'].values()), real['filters'])
