"""Base of the daemon's functional tests: the real cloud, broker and daemon.

Each test has a token of its own; its daemons only select master images
whose ``gs_test`` property is that token (``metadata_condition``), listen
in a pool of their own and keep their journal in the test's folder (or a
database the test names). So tests running at the same time, each with
its daemons, never touch each other's images. At cleanup every image
carrying the token is deleted from every region, after the daemons have
stopped.

Tests take the broker lock shared (:func:`tests.functional.messaging.
broker_lock`); the one that stops RabbitMQ takes it exclusively.
"""

from __future__ import annotations

import concurrent.futures
import pathlib
import socket
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import fixtures
from glanceclient import exc as glance_exc
from testtools import content

from glance_sync.db import data_models as dm
from glance_sync.db import migration
from glance_sync.db.repositories import Journal
from tests.functional import base, messaging
from tests.functional.daemon import fixtures as daemon_fixtures
from tests.functional.db import fixtures as db_fixtures
from tools.localcloud import snippets

MASTER = 'RegionOne'
#: The regions that receive images, qualified.
TARGET_REGIONS = ('RegionTwo', 'RegionThree', 'other:RegionFour')
MiB = 1024 * 1024
#: Tries of a listing that the server resets.
LIST_ATTEMPTS = 3


def broker_problem() -> str | None:
    """Why RabbitMQ cannot be used, or None."""
    try:
        socket.create_connection(('127.0.0.1', 5672), timeout=3).close()
    except OSError as exc:
        return 'RabbitMQ at 127.0.0.1:5672 is not reachable: %s' % exc
    return None


class DaemonTestCase(base.FunctionalTestCase):
    """A functional test that runs ``glance-sync`` daemons."""

    #: True for a test that stops RabbitMQ: it holds the broker lock
    #: exclusively (a process cannot hold it both ways at once).
    stops_broker = False

    def setUp(self) -> None:
        super().setUp()
        if not self.cloud.plugin:
            self.skipTest('the local cloud runs without the glance-sync '
                          'plugin (start it with: up --plugin)')
        # The lock first: a test that stops RabbitMQ holds it exclusively,
        # and the broker is down while it does.
        self.hold_broker(self.stops_broker)
        problem = broker_problem()
        if problem:
            if db_fixtures.ci():
                self.fail(problem + ' (CI=true: this is a failure)')
            self.skipTest(problem)
        self.token = uuid.uuid4().hex[:12]
        self.folder = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self.journal_url = 'sqlite:///%s/journal.sqlite' % self.folder
        for region in TARGET_REGIONS:
            self.use_region(region)
        self.addCleanup(self.delete_token_images)
        self.daemons: list[daemon_fixtures.DaemonProcess] = []
        self._journals: dict[str, Journal] = {}

    def hold_broker(self, exclusive: bool = False) -> None:
        """Hold the broker lock until the test ends."""
        lock = messaging.broker_lock(exclusive)
        self.addCleanup(lock.close)

    # -- daemons ----------------------------------------------------------

    def daemon_sections(self, name: str, **daemon: str
                        ) -> dict[str, dict[str, str]]:
        """``daemon.conf`` of a test daemon; ``daemon`` overrides
        ``[daemon]`` options, ``DEFAULT__x`` ``[DEFAULT] x``."""
        # The broker's settings are the install guide's snippet.
        sections = snippets.daemon_sections(messaging.transport_url())
        default = {**sections.pop('DEFAULT'),
                   'log_file': str(self.folder / ('%s.log' % name)),
                   'task_lease_time': '30', 'max_workers': '8',
                   'per_region_workers': '2', 'retry_backoff': '1'}
        # Pools of the test's own: every test daemon gets every event,
        # whatever the other tests running meanwhile consume.
        group = {'pool': 'gs-test-%s' % self.token,
                 'glance_notifications_pool': 'gs-test-glance-%s' % self.token,
                 'poll_interval': '0.2',
                 'reconcile_interval': '600',
                 'worker_id': '%s-%s' % (name, self.token),
                 'graceful_shutdown_timeout': '15'}
        for key, value in daemon.items():
            if key.startswith('DEFAULT__'):
                default[key[len('DEFAULT__'):]] = value
            else:
                group[key] = value
        return {**sections, 'DEFAULT': default,
                'database': {'connection': self.journal_url},
                'daemon': group}

    def sync_sections(self, sync: Mapping[str, str] | None = None,
                      **targets: Mapping[str, str]
                      ) -> dict[str, dict[str, str]]:
        """``sync.conf`` additions: the token condition and ``sync`` in
        ``[sync]``, and ``targets`` in their groups
        (``master={'ignore_regions': 'RegionThree'}``)."""
        sections = {'sync': {'metadata_condition':
                             "image.user_properties.get('gs_test') == '%s'"
                             % self.token, **(sync or {})}}
        for target, options in targets.items():
            sections['target:%s' % target] = dict(options)
        return sections

    def start_daemon(self, name: str = 'daemon',
                     sync: Mapping[str, Mapping[str, str]] | None = None,
                     extra: Mapping[str, Mapping[str, str]] | None = None,
                     **daemon: str) -> daemon_fixtures.DaemonProcess:
        """Write the configuration, create the journal, start a daemon.

        :param sync: ``sync.conf`` sections (default: the token only).
        :param extra: more ``daemon.conf`` sections (``coordination``).
        :param daemon: ``[daemon]`` options (see :meth:`daemon_sections`).
        """
        sections: dict[str, Mapping[str, str]] = dict(
            self.daemon_sections(name, **daemon))
        sections.update(extra or {})
        files = daemon_fixtures.write_config(
            self.cloud, self.folder / name, sync or self.sync_sections(),
            sections)
        migration.upgrade(sections['database']['connection'])
        process = daemon_fixtures.DaemonProcess(
            files, self.folder / name,
            pathlib.Path(sections['DEFAULT']['log_file']), name)
        # Registered first so it runs after the daemon has stopped.
        self.addCleanup(self._attach_log, process)
        self.useFixture(process)
        self.daemons.append(process)
        return process

    def _attach_log(self, process: daemon_fixtures.DaemonProcess) -> None:
        self.addDetail('%s-log' % process.name,
                       content.text_content(process.tail(300)))

    def journal(self, url: str | None = None) -> Journal:
        """The test daemons' journal (one per URL and test)."""
        url = url or self.journal_url
        if url not in self._journals:
            self._journals[url] = Journal(url)
            self.addCleanup(self._journals[url].dispose)
        return self._journals[url]

    def wait_tasks_settled(self, image_ids: Iterable[str],
                           url: str | None = None,
                           timeout: float = 30) -> list[Any]:
        """Wait until no task of these images is queued, running or
        retrying (a run may be followed by a recheck).

        :returns: their tasks.
        """
        wanted = set(image_ids)
        deadline = time.monotonic() + timeout
        while True:
            tasks = [t for t in self.journal(url).list_tasks()
                     if t.image_id in wanted]
            active = [t for t in tasks if t.state in dm.ACTIVE_STATES]
            if not active:
                return tasks
            if time.monotonic() > deadline:
                self.fail('tasks still active after %ds: %s' % (
                    timeout, [(t.image_id, t.region, t.state.value)
                              for t in active]))
            time.sleep(0.3)

    # -- images -----------------------------------------------------------

    def upload(self, size: int = 64 * 1024, **attrs: Any) -> Any:
        """A public master image carrying the token; deleted at cleanup."""
        attrs.setdefault('visibility', 'public')
        return self.make_image(MASTER, size, gs_test=self.token, **attrs)

    def upload_many(self, count: int, size: int,
                    workers: int = 10) -> list[Any]:
        """``count`` images uploaded concurrently."""
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda n: self.upload(size), range(count)))

    def copies(self, region: str, **filters: str) -> list[Any]:
        """The images of a region matching ``filters`` (any status).

        A connection the busy local glance-api reset is tried again: the
        test waits for the daemon, not for a perfect network.
        """
        for attempt in range(LIST_ATTEMPTS):
            try:
                return list(self.glance(region).images.list(
                    filters=filters))
            except glance_exc.CommunicationError:
                if attempt == LIST_ATTEMPTS - 1:
                    raise
                time.sleep(0.5)
        raise AssertionError('unreachable')

    #: Seconds :meth:`wait_for` waits by default.
    wait_timeout: float = 30

    def wait_for(self, what: str, check: Any,
                 timeout: float | None = None) -> Any:
        """Poll ``check()`` until it returns something true, and return
        it; fail naming ``what``, with the tail of the daemons' logs."""
        timeout = self.wait_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                self.fail('%s: not after %ds\n%s' % (
                    what, timeout,
                    '\n'.join(d.tail() for d in self.daemons)))
            time.sleep(0.3)

    def wait_logged(self, daemon: daemon_fixtures.DaemonProcess, text: str,
                    timeout: float = 30) -> None:
        """Wait until the daemon's log holds ``text``."""
        deadline = time.monotonic() + timeout
        while text not in daemon.log():
            if time.monotonic() > deadline:
                self.fail('%r not logged after %ds:\n%s'
                          % (text, timeout, daemon.tail()))
            time.sleep(0.2)

    def wait_synced(self, image: Any, regions: Iterable[str] = TARGET_REGIONS,
                    timeout: float = 60) -> dict[str, Any]:
        """Wait until each region has exactly one active, identical copy.

        :returns: the copy in each region.
        """
        deadline = time.monotonic() + timeout
        pending = list(regions)
        found: dict[str, Any] = {}
        while pending:
            for region in list(pending):
                copy = self._synced_copy(region, image)
                if copy is not None:
                    found[region] = copy
                    pending.remove(region)
            if pending and time.monotonic() > deadline:
                self.fail('image %s (%s) not synchronised to %s after %ds: %s'
                          % (image.id, image.name, ', '.join(pending),
                             timeout, self._describe(pending, image)))
            if pending:
                time.sleep(0.3)
        return found

    def _synced_copy(self, region: str, image: Any) -> Any | None:
        copies = self.copies(region, name=image.name)
        if len(copies) > 1:
            self.fail('%d copies of %s in %s: %s' % (
                len(copies), image.name, region,
                [(c.id, c.status) for c in copies]))
        if not copies or copies[0].status != 'active':
            return None
        copy = copies[0]
        self.assertEqual(
            (image.size, image.checksum, image.os_hash_algo,
             image.os_hash_value),
            (copy.size, copy.checksum, copy.os_hash_algo,
             copy.os_hash_value), 'copy of %s in %s' % (image.name, region))
        return copy

    def _describe(self, regions: Iterable[str], image: Any) -> str:
        return '; '.join('%s: %s' % (r, [(c.id, c.status) for c in
                                          self.copies(r, name=image.name)])
                         for r in regions)

    def delete_token_images(self) -> None:
        """Delete every image with the token, in every region but the
        master (whose images :meth:`make_image` deletes)."""
        for region in TARGET_REGIONS:
            for image in self.copies(region, gs_test=self.token):
                self.delete_image(region, image.id)


def median_seconds(durations: Iterable[float]) -> float:
    """The median of a few durations."""
    ordered = sorted(durations)
    return ordered[len(ordered) // 2]
