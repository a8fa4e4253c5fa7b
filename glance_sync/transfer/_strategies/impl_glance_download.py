"""``glance-download``: regions pull the image from the master themselves.

Each region under the master's Keystone whose Glance enables the
``glance-download`` import method gets a ``queued`` record and is asked to
import the master image into it; its Glance downloads the data from the
master's Glance (with our token) and stores it, while we only poll. Every
other region (another Keystone, the method not in its ``/v2/info/import``,
not a Glance) is streamed instead (see ``stream``), at the same time, and
the log says why. An import whose task fails is streamed too, after its
record is removed; a region that stops answering fails like any copy.

We poll the import *task*, not only the image: a failed import leaves the
image ``queued`` without ``os_glance_failed_import``. Every pulled copy is
verified against the master's size, md5 and secure hash like any other;
then its size is reported to the target's ``on_bytes`` at once (the
bytes the region wrote, which we never see go by).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable

from oslo_config import cfg

from glance_sync import digests
from glance_sync.regions import base
from glance_sync.transfer import capabilities
from glance_sync.transfer import records, streaming
from glance_sync.transfer.base import TransferStats, TransferStrategy
from glance_sync.transfer.targets import Results, Target

__all__ = ['GlanceDownloadStrategy', 'ImportFailed']

LOG = logging.getLogger(__name__)

#: Seconds a region's list of import methods is trusted.
METHODS_TTL = 300.0


class ImportFailed(Exception):
    """The region's Glance reported the import task as failed."""


@dataclasses.dataclass
class _Pull:
    """One region's import in progress."""

    target: Target
    copy: base.Image


class GlanceDownloadStrategy(TransferStrategy):
    """Concurrent pulls by the regions; streamed where they cannot pull."""

    name = 'glance-download'

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        super().__init__(conf)
        self._methods: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def _transfer(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats) -> Results:
        pulls, streamed = [], []
        for target in targets:
            why = self.cannot_pull(master_region, target.region)
            if why is None:
                pulls.append(target)
            else:
                self._fall_back(target, master_image, why, stats)
                streamed.append(target)
        results: Results = {}
        background = _Background(lambda: self._stream(
            master_region, master_image, streamed, stats))
        retry = self._pull_all(master_region, master_image, pulls, stats,
                               results)
        results.update(background.result())
        results.update(self._stream(master_region, master_image, retry, stats))
        return results

    def cannot_pull(self, master_region: base.Region,
                    region: base.Region) -> str | None:
        """Why ``region`` cannot pull from the master, ``None`` if it can.

        :returns: the reason, for the log.
        """
        if not (capabilities.can_pull(master_region)
                and capabilities.can_pull(region)):
            return 'glance-download needs Glance regions on both sides'
        master_target = base.split_name(master_region.name)[0]
        target = base.split_name(region.name)[0]
        if target != master_target:
            return ('it is under the Keystone of target %s, the master under '
                    'that of target %s: its Glance cannot use our token '
                    'with the master' % (target, master_target))
        try:
            methods = self._import_methods(region)
        except base.RegionError as exc:
            return 'its import methods could not be read: %s' % exc
        if capabilities.GLANCE_DOWNLOAD not in methods:
            return ('its Glance does not enable the glance-download import '
                    'method (enabled: %s)' % (', '.join(methods) or 'none'))
        return None

    def _import_methods(self, region: base.Region) -> list[str]:
        with self._lock:
            cached = self._methods.get(region.name)
        if cached is not None and time.monotonic() - cached[0] < METHODS_TTL:
            return cached[1]
        methods = capabilities.import_methods(region)
        with self._lock:
            self._methods[region.name] = (time.monotonic(), methods)
        return methods

    @staticmethod
    def _fall_back(target: Target, master_image: base.Image, why: str,
                   stats: TransferStats) -> None:
        LOG.warning('glance-download: region %(region)s cannot pull image '
                    '%(name)s (%(id)s) from the master (%(why)s): streaming '
                    'it instead', {'region': target.region.name,
                                   'name': master_image.name,
                                   'id': master_image.id, 'why': why})
        stats.fallbacks[target.region.name] = why

    def _stream(self, master_region: base.Region, master_image: base.Image,
                targets: list[Target], stats: TransferStats) -> Results:
        return streaming.stream_copies(
            self.options, master_region, master_image, targets,
            lambda: master_region.download(master_image.id), stats)

    def _pull_all(self, master_region: base.Region, master_image: base.Image,
                  targets: list[Target], stats: TransferStats,
                  results: Results) -> list[Target]:
        """Start every import, then poll them together until they end.

        :param results: filled in with each region's outcome.
        :returns: the targets whose import failed, to be streamed.
        """
        pending: list[_Pull] = []
        retry: list[Target] = []
        for target in targets:
            pull = self._start(master_region, master_image, target, results,
                               stats, retry)
            if pull is not None:
                pending.append(pull)
        deadline = time.monotonic() + self.options.import_timeout
        while pending:
            time.sleep(self.options.import_poll_interval)
            expired = time.monotonic() > deadline
            for pull in list(pending):
                if self._poll(pull, master_region, master_image, expired,
                              results, stats, retry):
                    pending.remove(pull)
        return retry

    def _start(self, master_region: base.Region,
               master_image: base.Image, target: Target, results: Results,
               stats: TransferStats, retry: list[Target]) -> _Pull | None:
        """Create the record and ask for the import.

        :returns: the import in progress, or ``None`` when the outcome is
            already in ``results`` or the target in ``retry``.
        """
        name = target.region.name
        try:
            copy = records.record_for(target, master_image)
        except base.CopyFailed as exc:
            results[name] = exc
            return None
        try:
            capabilities.start_download(target.region, copy.id,
                                        master_region, master_image.id)
        except base.Refused as exc:
            self._stream_later(target, copy, master_image,
                               'the import was refused: %s' % exc, stats,
                               retry)
            return None
        except Exception as exc:
            results[name] = self._failed(target, copy, master_region,
                                         master_image, exc)
            return None
        LOG.info('glance-download: region %(region)s pulls image %(name)s '
                 '(%(id)s) into %(copy)s', {'region': name, 'copy': copy.id,
                                            'name': master_image.name,
                                            'id': master_image.id})
        return _Pull(target, copy)

    def _poll(self, pull: _Pull, master_region: base.Region,
              master_image: base.Image, expired: bool, results: Results,
              stats: TransferStats, retry: list[Target]) -> bool:
        """Look at one import once.

        :returns: whether it has ended (its outcome recorded, or the
            target added to ``retry``).
        """
        target, copy = pull.target, pull.copy
        name = target.region.name
        try:
            image = _finished(target.region, copy.id, master_image)
        except ImportFailed as exc:
            self._stream_later(target, copy, master_image,
                               'its import failed: %s' % exc, stats, retry)
            return True
        except base.RegionUnavailable as exc:
            # One look that did not get an answer (a kept-alive connection
            # the region closed as it was reused, a restart) says nothing
            # of the import, which goes on in the region: look again, and
            # give up only at the deadline, not by pulling it again.
            if not expired:
                LOG.info('glance-download: region %s did not answer about '
                         'the import of %s (%s); looking again', name,
                         copy.id, exc)
                return False
            results[name] = self._failed(target, copy, master_region,
                                         master_image, exc)
            return True
        except Exception as exc:
            results[name] = self._failed(target, copy, master_region,
                                         master_image, exc)
            return True
        if image is None and expired:
            results[name] = self._failed(
                target, copy, master_region, master_image, TimeoutError(
                    'the import did not end within %.0f s'
                    % self.options.import_timeout))
            return True
        if image is None:
            return False
        results[name] = image
        stats.pulled.append(name)
        if target.on_bytes is not None:
            # The region wrote the whole image, pulled from the master.
            target.on_bytes(image.size or 0)
        return True


    def _stream_later(self, target: Target, copy: base.Image,
                      master_image: base.Image, why: str,
                      stats: TransferStats, retry: list[Target]) -> None:
        """Remove the record of an import that will not happen and stream
        the target instead, once the pulls are over."""
        records.remove_copy(target.region, copy.id, target.keep_queued,
                            attempts=self.options.cleanup_attempts)
        self._fall_back(target, master_image, why, stats)
        retry.append(target)

    def _failed(self, target: Target, copy: base.Image,
                master_region: base.Region, master_image: base.Image,
                exc: Exception) -> base.CopyFailed:
        return records.failure(target, copy.id, master_region, master_image,
                               exc, self.options.cleanup_attempts)


def _finished(region: base.Region, copy_id: str,
              master_image: base.Image) -> base.Image | None:
    """The verified copy once its import has succeeded, else ``None``.

    :raises ImportFailed: the import task failed.
    :raises DigestMismatch: the copy's fingerprints differ.
    :raises RegionError: the region failed.
    """
    task = capabilities.latest_task(region, copy_id)
    status = (task or {}).get('status')
    if status == 'failure':
        raise ImportFailed((task or {}).get('message') or 'no message')
    if status != 'success':
        return None
    image = region.get_image(copy_id)
    if image.status != 'active':
        return None
    digests.check_copy(digests.Digests.of_image(master_image), image.size or 0,
                       True, image, region.name,
                       sent_name='the master image has')
    return image


class _Background:
    """A call running in a thread of its own; :meth:`result` waits."""

    def __init__(self, call: Callable[[], Results]) -> None:
        self._result: Results = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,),
                                        name='glance-download-stream',
                                        daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], Results]) -> None:
        try:
            self._result = call()
        except BaseException as exc:
            self._error = exc

    def result(self) -> Results:
        """:raises: whatever the call raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result
