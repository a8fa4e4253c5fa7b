"""A key namespace of a test's own on the machine's Redis.

The server is found through ``GLANCE_SYNC_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379``); when it does not answer the test skips, except
under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import uuid

import redis
import testtools

from tests.functional.db import fixtures as db_fixtures

REDIS_URL = os.environ.get('GLANCE_SYNC_TEST_REDIS_URL',
                           'redis://127.0.0.1:6379')


def redis_namespace(test: testtools.TestCase) -> str:
    """A fresh key prefix (``gs-test-<random>``) whose keys are deleted
    when ``test`` ends.

    :returns: the prefix; the tooz URL is ``coordination_url(prefix)``.
    """
    client = redis.Redis.from_url(REDIS_URL)
    test.addCleanup(client.close)
    try:
        client.ping()
    except redis.RedisError as exc:
        problem = 'Redis at %s is not reachable: %s' % (REDIS_URL, exc)
        if db_fixtures.ci():
            test.fail(problem + ' (CI=true: this is a failure)')
        test.skipTest(problem)
    namespace = 'gs-test-%s' % uuid.uuid4().hex[:12]
    test.addCleanup(_delete_keys, client, namespace)
    return namespace


def coordination_url(namespace: str) -> str:
    """The ``[coordination] backend_url`` of a namespace."""
    return '%s?namespace=%s' % (REDIS_URL, namespace)


def _delete_keys(client: redis.Redis, namespace: str) -> None:
    keys = list(client.scan_iter(match=namespace + '*'))
    if keys:
        client.delete(*keys)
