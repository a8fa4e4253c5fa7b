"""Every FIWARE GlanceSync scenario, through ``glance-sync-manage``.

For each scenario ``S``: copy ``S`` to a temporary folder, check that
``status`` prints ``S.status_pre``, run ``glance-sync-manage
--glancesync-config <config> --offline <copy> sync <regions in order>``,
then ``backup``, and compare the backup with ``S.result`` (as sets: same
regions, same image ids, same fields); ``status`` then prints
``S.status_post`` and the exit statuses say whether anything is pending.
The CLI runs in this process (``glance_sync.cmd.manage.main``).

The data is read in place; without it the tests skip, saying so, except
under ``CI=true``.
"""

import contextlib
import io
import json
import logging
import os
import shutil

import fixtures
from oslotest import base

from glance_sync.cmd import manage
from glance_sync.regions import base as regions_base
from glance_sync.regions import csvfile
from tests import fiware_data


def _scenarios():
    path = os.path.join(fiware_data.DATA_DIR, 'scenarios.json')
    if not os.path.exists(path):
        return {}
    with open(path) as stream:
        return {k: v for k, v in json.load(stream).items()
                if not k.startswith('_')}


def _comparable(image):
    return (image.region, image.name, image.id, image.status, image.size,
            image.checksum, image.owner, image.is_public,
            image.user_properties)


def _state(folder):
    return {name: {i.id: _comparable(i) for i in csvfile.read_backup(path)}
            for name, path in csvfile.list_backups(folder).items()}


class CliScenarioTest(base.BaseTestCase):
    """Filled in below with one test per scenario."""

    def setUp(self):
        super().setUp()
        self.root = fiware_data.root(self)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        root_logger = logging.getLogger()
        handlers, level = list(root_logger.handlers), root_logger.level
        self.addCleanup(self._restore_logging, handlers, level)

    @staticmethod
    def _restore_logging(handlers, level):
        root_logger = logging.getLogger()
        for handler in list(root_logger.handlers):
            root_logger.removeHandler(handler)
        for handler in handlers:
            root_logger.addHandler(handler)
        root_logger.setLevel(level)

    def cli(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = manage.main(list(argv))
        return status, out.getvalue()

    def config_of(self, name):
        config = os.path.join(self.root, name, 'config')
        if os.path.exists(config):
            return config
        return os.path.join(self.root, 'default.config')

    def expected_status(self, name, kind, region):
        path = os.path.join(self.root, '%s.%s' % (name, kind),
                            region + '.csv')
        with open(path, encoding='utf-8') as stream:
            return stream.read()

    def check_status(self, common, name, kind, regions):
        all_ok = True
        for region in regions:
            status, printed = self.cli(*common, 'status', region)
            expected = self.expected_status(name, kind, region)
            self.assertEqual(expected, printed,
                             '%s of %s in %s' % (kind, region, name))
            ok = all(line.split(',')[0].startswith('ok')
                     for line in expected.splitlines())
            self.assertEqual(0 if ok else 1, status)
            all_ok = all_ok and ok
        return all_ok

    def run_scenario(self, name, spec):
        work = os.path.join(self.tmp, name)
        shutil.copytree(os.path.join(self.root, name), work)
        common = ('--glancesync-config', self.config_of(name),
                  '--offline', work)
        regions = [regions_base.qualified_name(*regions_base.split_name(r))
                   for r in spec['regions']]
        self.check_status(common, name, 'status_pre', regions)
        status, _ = self.cli(*common, 'sync', *spec['regions'])
        out = os.path.join(self.tmp, name + '.backup')
        self.assertEqual(0, self.cli(*common, 'backup', '--output', out)[0])
        self.assertEqual(_state(os.path.join(self.root, name + '.result')),
                         _state(out), 'result of %s' % name)
        all_ok = self.check_status(common, name, 'status_post', regions)
        self.assertEqual(0 if all_ok else 1, status)


def _add_test(name, spec):
    def test(self):
        self.run_scenario(name, spec)
    test.__name__ = 'test_%s' % name
    setattr(CliScenarioTest, test.__name__, test)


for _name, _spec in sorted(_scenarios().items()):
    _add_test(_name, _spec)


class CliDataTest(base.BaseTestCase):

    def test_data_folder_present(self):
        fiware_data.root(self)
