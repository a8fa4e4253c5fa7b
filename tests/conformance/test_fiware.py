"""Every FIWARE GlanceSync scenario, through the rules and the engine.

The scenarios are discovered from ``scenarios.json`` in the shared data
folder (read in place, never copied). For each scenario ``S`` four tests:
the status before the sync, the regions after it, the status after it, and
the warnings it logs. Without the data folder the tests skip, saying so,
except under ``CI=true``, where the folder is always there and its absence
is a failure.
"""

import os
import re

from oslotest import base

from tests.conformance import fiware


def _data_present():
    return os.path.exists(os.path.join(fiware.DATA_DIR, 'scenarios.json'))


class FiwareDataTest(base.BaseTestCase):

    def test_data_folder_present(self):
        if _data_present():
            return
        message = ('FIWARE conformance data not found in %s (set '
                   'GLANCE_SYNC_FIWARE_DIR)' % fiware.DATA_DIR)
        if os.environ.get('CI') == 'true':
            self.fail(message)
        self.skipTest(message)


class FiwareScenarioTest(base.BaseTestCase):
    """Filled in below with four tests per scenario."""

    def check_status(self, name, kind):
        scenario = fiware.Scenario(name)
        if kind == 'status_post':
            scenario.sync()
        for region in scenario.regions_to_sync:
            self.assertEqual(scenario.expected_status(kind, region),
                             scenario.status(region),
                             '%s of %s in scenario %s' % (kind, region, name))

    def check_result(self, name):
        scenario = fiware.Scenario(name)
        scenario.sync()
        expected, found = scenario.expected_state(), scenario.state()
        self.assertEqual(sorted(expected), sorted(found))
        for region in expected:
            self.assertEqual(expected[region], found[region],
                             'region %s in scenario %s' % (region, name))

    def check_warnings(self, name):
        scenario = fiware.Scenario(name)
        if scenario.warnings is None:
            self.skipTest('scenario %s lists no expected warnings' % name)
        with fiware.WarningCapture() as capture:
            scenario.sync()
        self.assertEqual(len(scenario.warnings), len(capture.messages),
                         capture.messages)
        for expected, found in zip(scenario.warnings, capture.messages):
            self.assertTrue(found.startswith(expected),
                            '%r does not start with %r' % (found, expected))


def _add_tests(name):
    def status_pre(self):
        self.check_status(name, 'status_pre')

    def result(self):
        self.check_result(name)

    def status_post(self):
        self.check_status(name, 'status_post')

    def warnings(self):
        self.check_warnings(name)

    for suffix, test in (('status_pre', status_pre), ('result', result),
                         ('status_post', status_post),
                         ('warnings', warnings)):
        test_name = 'test_%s_%s' % (re.sub(r'\W', '_', name), suffix)
        test.__name__ = test_name
        test.__doc__ = 'Scenario %s: %s' % (name, suffix.replace('_', ' '))
        setattr(FiwareScenarioTest, test_name, test)


if _data_present():
    for _name in fiware.scenarios():
        _add_tests(_name)
