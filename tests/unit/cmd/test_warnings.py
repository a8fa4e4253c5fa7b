"""The console scripts start without eventlet's import-time warning."""

import subprocess
import sys

from oslotest import base


class StartupWarningTest(base.BaseTestCase):

    def test_no_eventlet_deprecation_warning_at_import(self):
        for module in ('daemon', 'api', 'manage'):
            found = subprocess.run(
                [sys.executable, '-c', 'import glance_sync.cmd.%s' % module],
                capture_output=True, text=True, timeout=120, check=True)
            self.assertNotIn('Eventlet is deprecated', found.stderr, module)

    def test_the_warning_exists_without_the_filter(self):
        # Else the test above would prove nothing.
        found = subprocess.run(
            [sys.executable, '-c', 'import futurist'],
            capture_output=True, text=True, timeout=120, check=True)
        self.assertIn('Eventlet is deprecated', found.stderr)
