"""Checksum conflicts, end to end through the CLI.

A region holds images with the master's names but other contents; the
checksum of each decides: ``rename`` (moved aside as ``<name>.old``,
private, and the master's copied), ``replace`` (the master's copied, the
old one deleted), ``dontupdate`` (left, ``ok_stalled_checksum``) and no
rule at all (left, ``error_checksum`` and GlanceSync's warning).
"""

from __future__ import annotations

import csv
import io

from tests.functional.manage import base

WARNING = ('Image %s has a different checksum (%s) in region RegionTwo than '
           'in the master region. It was not set what to do. Please, fill '
           'either dontupdate, replace or rename with the checksum.')


class ChecksumTest(base.ManageTestCase):

    def test_rename_replace_dontupdate_and_error(self):
        labels = ('renamed', 'unruled', 'replaced', 'stalled')
        masters, olds = {}, {}
        for number, label in enumerate(labels, 1):
            masters[label] = self.master_image(label, 1024 * number)
            olds[label] = self.region_image('RegionTwo', label, 512 * number)
        conf = self.native_config({'target:master': {
            'rename': olds['renamed'].checksum,
            'replace': olds['replaced'].checksum,
            'dontupdate': olds['stalled'].checksum}})
        before = {'renamed': 'pending_rename', 'unruled': 'error_checksum',
                  'replaced': 'pending_replace',
                  'stalled': 'ok_stalled_checksum'}
        self.assertEqual(self._keyed(masters, before),
                         self.statuses(conf, 'RegionTwo', rc=1))

        dry = self.manage(conf, 'sync', '--dry-run', 'RegionTwo', rc=1)
        self.assertEqual(
            {('rename', masters['renamed'].name),
             ('replace', masters['replaced'].name)},
            {(row[1], row[2]) for row in csv.reader(io.StringIO(dry.stdout))
             if row})
        for label, old in olds.items():
            self.assertEqual([old.id], [i.id for i in self.images_named(
                'RegionTwo', masters[label].name)])

        done = self.manage(conf, 'sync', 'RegionTwo', rc=1)
        unruled = masters['unruled'].name
        self.assertIn(WARNING % (unruled, olds['unruled'].checksum),
                      done.stderr)
        self._check_renamed(masters['renamed'], olds['renamed'])
        replaced = self.one_image('RegionTwo', masters['replaced'].name)
        self.assertEqual(masters['replaced'].checksum, replaced.checksum)
        self.assertNotEqual(olds['replaced'].id, replaced.id)
        for label in ('unruled', 'stalled'):
            kept = self.one_image('RegionTwo', masters[label].name)
            self.assertEqual((olds[label].id, olds[label].checksum),
                             (kept.id, kept.checksum))

        after = dict(before, renamed='ok', replaced='ok')
        self.assertEqual(self._keyed(masters, after),
                         self.statuses(conf, 'RegionTwo', rc=1))

    def _check_renamed(self, master, old):
        aside = self.one_image('RegionTwo', master.name + '.old')
        self.assertEqual((old.id, old.checksum, 'private'),
                         (aside.id, aside.checksum, aside.visibility))
        copy = self.one_image('RegionTwo', master.name)
        self.assertEqual((master.checksum, 'public'),
                         (copy.checksum, copy.visibility))

    def test_rename_any_from_a_legacy_configuration(self):
        master = self.master_image('any', 2048)
        old = self.region_image('RegionTwo', 'any', 1024)
        conf = self.legacy_config() + ['--config', 'master.rename=any']
        key = ('RegionTwo', master.name)
        self.assertEqual({key: 'pending_rename'},
                         self.statuses(conf, 'RegionTwo', rc=1))
        self.manage(conf, 'sync', 'RegionTwo', rc=0)
        self._check_renamed(master, old)
        self.assertEqual({key: 'ok'}, self.statuses(conf, 'RegionTwo', rc=0))

    def _keyed(self, masters, statuses):
        return {('RegionTwo', masters[label].name): status
                for label, status in statuses.items()}
