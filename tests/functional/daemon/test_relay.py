"""Relay copies against the real cloud: the daemon reads a region that
already holds a verified copy instead of the master.

Sites: RegionOne (the master) at "west", the other regions at "east",
the link west-east costs 10 (the deployment guide's ``[region:...]`` and
``[site:...]`` groups, ``[transfer] relay = True``). Site workers
(``[daemon] regions`` and ``takeover_delay``) order the copies: the
worker's own regions first, the others once taken over.

The bytes each copy read, and from where, come from the daemon's log:
one ``Streamed``/``Relayed image ... bytes read once from region X``
line per read, and the task's outcome line ``copied from X (relay)``.
"""

from __future__ import annotations

import fcntl
import re
import time

from tests.functional.daemon import base

SIZE = 3 * base.MiB + 7
#: The master west, every other region east, and a costly link.
SITES = {'transfer': {'relay': 'True'},
         'region:RegionOne': {'site': 'west'},
         'region:RegionTwo': {'site': 'east'},
         'region:RegionThree': {'site': 'east'},
         'region:other:RegionFour': {'site': 'east'},
         'site:east': {'link_costs': 'west:10'}}


def reads(log: str, name: str) -> list[tuple[str, int, str]]:
    """Every read of the image ``name``: (source region, bytes, the
    regions it fed)."""
    found = re.compile(r'(?:Streamed|Relayed) image %s \(\S+\): (\d+) bytes '
                       r'read once from region (\S+) in [\d.]+ s; copied to '
                       r'([^;\n]*)' % re.escape(name))
    return [(source, int(size), fed)
            for size, source, fed in found.findall(log)]


class RelayTestCase(base.DaemonTestCase):

    def start_relaying(self, regions: str, takeover_delay: int,
                       ignore_four: bool = False, **extra_sync):
        sync = self.sync_sections(
            **({'other': {'ignore_regions': 'RegionFour'}}
               if ignore_four else {}))
        sync.update(SITES)
        for section, options in extra_sync.items():
            sync.setdefault(section, {}).update(options)
        return self.start_daemon('relay', sync=sync, regions=regions,
                                 takeover_delay=str(takeover_delay))

    def outcome(self, daemon, image, region: str) -> str:
        """The outcome line of the run that copied the image to
        ``region`` (later runs, rechecks, find nothing to do)."""
        found = re.findall(r'Task \S+: image %s in region %s: (.*)'
                           % (re.escape(image.id), re.escape(region)),
                           daemon.log())
        copies = [line for line in found if 'upload' in line]
        self.assertEqual(1, len(copies), str(found))
        return copies[0]


class RelayCopyTest(RelayTestCase):

    def test_the_image_leaves_the_master_site_once(self):
        daemon = self.start_relaying('RegionTwo, RegionThree', 600,
                                     ignore_four=True)
        image = self.upload(SIZE)
        self.wait_synced(image, ['RegionTwo', 'RegionThree'], timeout=90)
        self.wait_tasks_settled([image.id])
        log = daemon.log()
        found = reads(log, image.name)
        # One read of the master, one of the first east region: the
        # second east region's copy came over the east site's own link.
        self.assertEqual(2, len(found), found)
        sources = sorted(source for source, _, _ in found)
        self.assertEqual('RegionOne', sources[0])
        first = found[[s for s, _, _ in found].index('RegionOne')][2]
        second = ({'RegionTwo', 'RegionThree'} - {first}).pop()
        self.assertEqual([('RegionOne', SIZE, first), (first, SIZE, second)],
                         sorted(found))
        self.assertIn('copied from RegionOne (master)',
                      self.outcome(daemon, image, first))
        self.assertIn('copied from %s (relay)' % first,
                      self.outcome(daemon, image, second))

    def test_a_relay_across_the_two_keystones(self):
        # RegionTwo first (its worker's own region), other:RegionFour once
        # taken over: it reads RegionTwo, a region of the other Keystone,
        # with each target's own credentials.
        daemon = self.start_relaying('RegionTwo', 15,
                                     master={'ignore_regions':
                                             'RegionThree'})
        image = self.upload(SIZE)
        self.wait_synced(image, ['RegionTwo'], timeout=60)
        copies = self.wait_synced(image, ['other:RegionFour'], timeout=90)
        self.wait_tasks_settled([image.id])
        self.assertIn('copied from RegionTwo (relay)',
                      self.outcome(daemon, image, 'other:RegionFour'))
        self.assertIn(('RegionTwo', SIZE, 'other:RegionFour'),
                      reads(daemon.log(), image.name))
        # The copy's record is the master's: made from the master image.
        self.assertEqual(image.id, copies['other:RegionFour'].get(
            'glance_sync_source'))


class RelayFallbackTest(RelayTestCase):

    def hold_exclusive(self, region: str) -> None:
        """Wait until no test of another process uses ``region``, and
        keep them out until :meth:`stop_glance` is done with it."""
        info = self.use_region(region)
        self._flock(self._region_locks[info.name], fcntl.LOCK_EX,
                    info.name)

    def test_a_relay_stopped_mid_copy_falls_back_to_the_master(self):
        # RegionThree (its worker's own) first, from the master; then
        # RegionTwo, taken over, reads RegionThree slowly (its max_rate),
        # and RegionThree's glance-api stops under it.
        # Big enough that the relay's glance-api cannot have sent it all
        # into the socket buffers before it stops, and read ahead little.
        size, rate = 24 * base.MiB, 2 * base.MiB
        # No other test may hold RegionThree when its glance-api must stop:
        # waiting for them then would let the copy end first.
        self.hold_exclusive('RegionThree')
        daemon = self.start_relaying(
            'RegionThree', 8, ignore_four=True,
            **{'region:RegionTwo': {'max_rate': str(rate)},
               'transfer': {'chunk_size': '65536', 'queue_chunks': '2'}})
        image = self.upload(size)
        self.wait_synced(image, ['RegionThree'], timeout=60)
        self.wait_logged(daemon, 'Copying image %s to RegionTwo from '
                         'RegionThree (relay)' % image.id, timeout=60)
        time.sleep(2)  # a few chunks in
        with self.stop_glance('RegionThree'):
            self.wait_logged(daemon, 'Copy of image %s to RegionTwo from '
                             'RegionThree (relay) failed' % image.id,
                             timeout=60)
        self.wait_synced(image, ['RegionTwo'], timeout=90)
        self.wait_tasks_settled([image.id], timeout=60)
        self.assertIn('copied from RegionOne (master)',
                      self.outcome(daemon, image, 'RegionTwo'))
        # The partial copy was removed: wait_synced saw exactly one copy,
        # verified against the master's size, md5 and secure hash.
        found = reads(daemon.log(), image.name)
        self.assertIn(('RegionOne', size, 'RegionTwo'), found)
        self.assertNotIn(('RegionThree', size, 'RegionTwo'), found)
