"""The handlers of each route; see :mod:`glance_sync.api.app` for the map.

Handlers receive the WebOb request and the route's parameters and return
a response; errors are :mod:`glance_sync.api.errors` exceptions.
"""

from __future__ import annotations

import datetime
from typing import Any

import webob

from glance_sync.api import paging, views
from glance_sync.api.regions import RegionDirectory
from glance_sync.api.tasks import SyncRequests

__all__ = ['Controller', 'json_response']


def json_response(body: Any, status: int = 200) -> webob.Response:
    """A JSON response."""
    response = webob.Response(status=status, content_type='application/json',
                              charset=None)
    response.json_body = body
    return response


class Controller:
    """Every handler, over the regions and the journal.

    :param regions: region names and plans.
    :param requests: the journal's requests.
    """

    def __init__(self, regions: RegionDirectory,
                 requests: SyncRequests) -> None:
        self.regions = regions
        self.requests = requests
        self.started = datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%SZ')

    def version(self, request: webob.Request) -> webob.Response:
        """``GET /``: the version document (no token needed)."""
        return json_response(views.version(self.started))

    def region_status(self, request: webob.Request,
                      region: str) -> webob.Response:
        """``GET /regions/{region}[?image=NAME][&limit=N&marker=NAME]``:
        every image's status, or one page of them."""
        name = self.regions.resolve(region)
        image = request.GET.get('image')
        plan = self.regions.plan(name).plan
        rows = views.image_rows(plan, self.requests.errors_by_image(name),
                                image)
        return json_response(paging.page(rows, request.GET))

    def region_sync(self, request: webob.Request,
                    region: str) -> webob.Response:
        """``POST /regions/{region}``: enqueue the region's sync."""
        name = self.regions.resolve(region)
        task_id, status = self.requests.start(
            name, self.regions.plan(name).sync_requests())
        return json_response({'taskId': task_id, 'status': status.value})

    def task_show(self, request: webob.Request, region: str,
                  task_id: str) -> webob.Response:
        """``GET /regions/{region}/tasks/{task_id}``: a task's status."""
        name = self.regions.resolve(region)
        status = self.requests.status(name, task_id)
        return json_response({'taskId': task_id, 'status': status.value})

    def task_delete(self, request: webob.Request, region: str,
                    task_id: str) -> webob.Response:
        """``DELETE /regions/{region}/tasks/{task_id}``: forget a finished
        task (409 while it is syncing)."""
        name = self.regions.resolve(region)
        self.requests.delete(name, task_id)
        return webob.Response(status=200, content_type=None)
