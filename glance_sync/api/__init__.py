"""The REST API, compatible with FIWARE GlanceSync's v1 API.

WebOb, behind keystonemiddleware's ``auth_token``, with oslo.policy rules
defined in code (:mod:`~glance_sync.api.policies`). The API reads; it
never synchronises in its own process: ``POST /regions/{region}`` enqueues
the region's images in the task journal, which the ``glance-sync`` daemon
works through (:mod:`~glance_sync.api.tasks`).

Modules:

- :mod:`~glance_sync.api.app`: the pipeline and the route map;
- :mod:`~glance_sync.api.wsgi`: ``application`` for gunicorn or uWSGI;
- :mod:`~glance_sync.api.server`: the quick-start server of
  ``glance-sync-api``;
- :mod:`~glance_sync.api.router`, :mod:`~glance_sync.api.controllers`,
  :mod:`~glance_sync.api.views`: routes, handlers, bodies;
- :mod:`~glance_sync.api.auth`, :mod:`~glance_sync.api.policies`: who
  may do what;
- :mod:`~glance_sync.api.errors`, :mod:`~glance_sync.api.faults`: coded
  errors and the middleware that turns them into JSON;
- :mod:`~glance_sync.api.regions`, :mod:`~glance_sync.api.tasks`: the
  regions and the journal behind the handlers;
- :mod:`~glance_sync.api.config`: which files the API reads.

The OpenAPI document of the API is ``api-ref/openapi.yaml``.
"""
