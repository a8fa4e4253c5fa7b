"""Base class of the functional tests: a real local cloud, or a clear skip.

The cloud is the one ``tools/localcloud`` started in
``$GLANCE_SYNC_CLOUD_DIR`` (default: ``run/testcloud`` under the repository
root); ``tools/run-tests`` starts and stops it. When no cloud answers, every
test skips saying how to start one, except under ``CI=true``, where a
missing cloud is a failure.

Helpers, all cleaning up after themselves::

    class MyTest(base.FunctionalTestCase):
        def test_copy(self):
            image = self.make_image('RegionOne', 64 * 1024)
            glance = self.glance('other:RegionFour')
            with self.stop_glance('RegionThree'):
                ...   # RegionThree does not answer here

Tests run in several processes at once: a test that stops a glance-api
first waits for the tests using that region to finish, and tests that need
it wait until it is back (:meth:`FunctionalTestCase.use_region`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pathlib
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from glanceclient import client as glance_client
from glanceclient import exc as glance_exc
from keystoneauth1 import session as ks_session
from oslotest import base

from tools import localcloud
from tools.localcloud import cloud as cloud_ops
from tools.localcloud import procs

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_CLOUD_DIR = REPO_ROOT / 'run' / 'testcloud'

#: Seconds a test waits for other tests to release a region it needs.
LOCK_TIMEOUT = 600

_lock = threading.Lock()
_cloud: localcloud.CloudInfo | None = None
_sessions: dict[str, ks_session.Session] = {}


def cloud_dir() -> pathlib.Path:
    """:returns: the run directory of the cloud under test."""
    return pathlib.Path(os.environ.get('GLANCE_SYNC_CLOUD_DIR')
                        or DEFAULT_CLOUD_DIR)


def _find_cloud() -> tuple[localcloud.CloudInfo | None, str]:
    """Load the cloud once per process and check that it answers.

    :returns: the cloud, or None and why not.
    """
    global _cloud
    with _lock:
        if _cloud is not None:
            return _cloud, ''
        hint = ('start one with: python -m tools.localcloud --dir %s up '
                '(or run tools/run-tests)' % cloud_dir())
        try:
            found = localcloud.load(cloud_dir())
        except localcloud.CloudNotFound:
            return None, 'no local cloud in %s; %s' % (cloud_dir(), hint)
        # Keystone A answering means a cloud runs; a glance may be stopped
        # for a moment by another test's stop_glance().
        keystone = found.keystones[found.targets['master'].keystone]
        if not procs.answers(keystone.url):
            return None, ('the local cloud in %s does not answer (%s); %s'
                          % (cloud_dir(), keystone.url, hint))
        _cloud = found
        return _cloud, ''


class FunctionalTestCase(base.BaseTestCase):
    """A test against the real two-Keystone, four-glance local cloud.

    ``self.cloud`` is the :class:`tools.localcloud.CloudInfo`.
    """

    cloud: localcloud.CloudInfo

    def setUp(self) -> None:
        super().setUp()
        found, why = _find_cloud()
        if found is None:
            if os.environ.get('CI', '').lower() == 'true':
                self.fail(why)
            self.skipTest(why)
        self.cloud = found
        self._region_locks: dict[str, Any] = {}
        self._region_locks_guard = threading.Lock()

    def session(self, target: str = 'master') -> ks_session.Session:
        """A keystoneauth1 session for a target's sync account.

        Sessions are shared by the tests of a process (they are thread-safe
        and keep their token).

        :param target: ``master`` or ``other``.
        :returns: the session.
        """
        with _lock:
            if target not in _sessions:
                _sessions[target] = self.cloud.session(target)
            return _sessions[target]

    def user_session(self, user: str = 'demo') -> ks_session.Session:
        """:param user: an extra account of the cloud (``demo``: member
            role only on the sync project of Keystone A).

        :returns: a new keystoneauth1 session for it.
        """
        return self.cloud.users[user].session()

    def glance(self, region: str,
               sess: ks_session.Session | None = None) -> Any:
        """A glanceclient v2 client for a region's glance-api.

        :param region: ``RegionOne`` or ``target:Region``.
        :param sess: session to use (default: the region's sync account).
        :returns: a ``glanceclient.v2.client.Client``.
        """
        info = self.use_region(region)
        return glance_client.Client('2', session=sess or self.session(
            info.target), endpoint_override=info.url)

    def make_image(self, region: str = 'RegionOne', size: int = 1024,
                   name: str | None = None, data: bytes | None = None,
                   **attrs: Any) -> Any:
        """Create and upload an image of random bytes; delete it at cleanup.

        :param region: where to create it.
        :param size: number of random bytes (ignored when ``data`` is given).
        :param name: image name (default: unique, named after the test).
        :param data: exact content to upload.
        :param attrs: more image attributes and properties for create
            (``disk_format`` and ``container_format`` default to raw/bare).
        :returns: the image as glance shows it after the upload (active,
            its ``checksum`` and ``os_hash_value`` checked against the bytes
            sent).
        """
        glance = self.glance(region)
        attrs.setdefault('disk_format', 'raw')
        attrs.setdefault('container_format', 'bare')
        name = name or 'functional-%s-%s' % (
            self.id().rpartition('.')[2], uuid.uuid4().hex[:8])
        image = glance.images.create(name=name, **attrs)
        self.addCleanup(self.delete_image, region, image.id)
        reader = RandomReader(size) if data is None else BytesReader(data)
        glance.images.upload(image.id, reader)
        result = glance.images.get(image.id)
        self.assertEqual('active', result.status)
        self.assertEqual(reader.md5.hexdigest(), result.checksum)
        self.assertEqual(reader.sha512.hexdigest(), result.os_hash_value)
        return result

    def delete_image(self, region: str, image_id: str) -> None:
        """Delete an image if it still exists.

        :param region: its region.
        :param image_id: its id.
        """
        for attempt in range(3):
            try:
                self.glance(region).images.delete(image_id)
            except glance_exc.HTTPNotFound:
                return
            except glance_exc.CommunicationError:
                # A kept-alive connection the busy glance-api had just
                # closed: a DELETE may simply be sent again.
                if attempt == 2:
                    raise
                time.sleep(0.5)
            else:
                return

    def wait_image(self, region: str, image_id: str, status: str = 'active',
                   timeout: float = 60) -> Any:
        """Poll an image until it reaches ``status``.

        :param region: its region.
        :param image_id: its id.
        :param status: the status to wait for.
        :param timeout: seconds before the test fails.
        :returns: the image.
        """
        deadline = time.monotonic() + timeout
        while True:
            image = self.glance(region).images.get(image_id)
            if image.status == status:
                return image
            if time.monotonic() > deadline:
                self.fail('image %s in %s is %s, not %s, after %ds'
                          % (image_id, region, image.status, status, timeout))
            time.sleep(0.5)

    def use_region(self, region: str) -> localcloud.RegionInfo:
        """Declare that this test needs a region's glance-api to answer.

        Until the test ends it holds a shared lock on the region, so that no
        test in another process stops that glance-api meanwhile (see
        :meth:`stop_glance`). :meth:`glance` and :meth:`make_image` call it;
        call it yourself before reaching a region by other means.

        :param region: the region.
        :returns: the region's info.
        """
        info = self.cloud.region(region)
        # Tests may reach regions from several threads at once.
        with self._region_locks_guard:
            if info.name in self._region_locks:
                return info
            # Held until the test's cleanup, not a ``with`` block.
            lock = open(pathlib.Path(self.cloud.dir)  # noqa: SIM115
                        / ('.region-%s.lock' % info.name), 'w')
            self._region_locks[info.name] = lock
            self.addCleanup(self._release_region, info.name)
            self._flock(lock, fcntl.LOCK_SH, info.name)
        return info

    def _release_region(self, name: str) -> None:
        # Forgotten as well as closed: a cleanup that runs later (they run
        # last registered first) and reaches the region again must take the
        # lock anew, or another process could restart that glance-api
        # under it.
        with self._region_locks_guard:
            self._region_locks.pop(name).close()

    def _flock(self, lock: Any, mode: int, region: str) -> None:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(lock, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.fail('waited %ds for other tests to release %s'
                              % (LOCK_TIMEOUT, region))
                time.sleep(0.2)

    @contextlib.contextmanager
    def stop_glance(self, region: str) -> Iterator[localcloud.RegionInfo]:
        """Stop a region's glance-api for the ``with`` block, then restart it.

        It first waits until no test in another process uses the region
        (:meth:`use_region`), and those wait until it is back. Keep
        unavailability tests on ``RegionThree``, which other tests use
        least.

        :param region: the region.
        :returns: (as the ``with`` target) the region's info.
        """
        info = self.use_region(region)
        lock = self._region_locks[info.name]
        run_dir = pathlib.Path(self.cloud.dir)
        self._flock(lock, fcntl.LOCK_EX, info.name)
        try:
            cloud_ops.stop_glance(run_dir, info.name)
            try:
                yield info
            finally:
                cloud_ops.start_glance(run_dir, info.name)
        finally:
            self._flock(lock, fcntl.LOCK_SH, info.name)


def reads_of(log: str, name: str) -> list[tuple[str, str]]:
    """The reads of a master image that a log reports, each as (bytes,
    the regions it fed), from the streaming strategies' summary line."""
    found = re.compile(r'Streamed image %s \(\S+\): (\d+) bytes read once '
                       r'from region \S+ in [\d.]+ s; copied to ([^;\n]*)'
                       % re.escape(name))
    return found.findall(log)


class RandomReader:
    """A file-like source of ``size`` random bytes that hashes what it gives.

    :param size: how many bytes ``read`` returns in total.
    """

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.md5 = hashlib.md5()
        self.sha512 = hashlib.sha512()

    def read(self, n: int = -1) -> bytes:
        """:returns: up to ``n`` random bytes (b'' at the end)."""
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        chunk = os.urandom(n)
        self.remaining -= n
        self.md5.update(chunk)
        self.sha512.update(chunk)
        return chunk


class BytesReader(RandomReader):
    """Like :class:`RandomReader`, for given bytes.

    :param data: the content.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(len(data))
        self.data = memoryview(data)

    def read(self, n: int = -1) -> bytes:
        """:returns: up to ``n`` of the next bytes (b'' at the end)."""
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        start = len(self.data) - self.remaining
        chunk = bytes(self.data[start:start + n])
        self.remaining -= n
        self.md5.update(chunk)
        self.sha512.update(chunk)
        return chunk
