import pathlib
import subprocess
import sys

import fixtures
from oslo_config import cfg
from oslo_context import context
from oslo_policy import policy
from oslotest import base

from glance_sync.api import auth, errors, policies

TOP = pathlib.Path(__file__).resolve().parents[3]


class PolicyTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        self.conf([])
        self.enforcer = auth.make_enforcer(self.conf)

    def allowed(self, rule, roles):
        ctx = context.RequestContext(roles=roles, project_id='p1')
        return self.enforcer.authorize(rule, {'project_id': 'p1'}, ctx)

    def test_admin_only_by_default(self):
        for rule in (policies.REGION_STATUS, policies.REGION_SYNC,
                     policies.TASK_GET, policies.TASK_DELETE):
            self.assertTrue(self.allowed(rule, ['admin']))
            self.assertFalse(self.allowed(rule, ['member', 'reader']))

    def test_every_rule_is_documented_with_its_route(self):
        for rule in policies.list_rules()[1:]:
            self.assertIsInstance(rule, policy.DocumentedRuleDefault)
            self.assertTrue(rule.operations[0]['path'].startswith(
                '/regions/'))

    def test_forbidden_names_the_rule(self):
        exc = errors.Forbidden(rule=policies.TASK_DELETE)
        self.assertEqual(403, exc.code)
        self.assertIn('glance_sync:task:delete', str(exc))


class SampleTest(base.BaseTestCase):

    def test_sample_is_generated_from_the_rules(self):
        generator = pathlib.Path(sys.executable).parent / (
            'oslopolicy-sample-generator')
        out = self.useFixture(fixtures.TempDir()).path
        target = pathlib.Path(out) / 'policy.yaml.sample'
        subprocess.run([str(generator), '--namespace', 'glance_sync',
                        '--output-file', str(target)], check=True,
                       capture_output=True)
        self.assertEqual(
            (TOP / 'etc/glance-sync/policy.yaml.sample').read_text(),
            target.read_text(), 'regenerate it: oslopolicy-sample-generator '
            '--config-file etc/oslo-policy-generator/glance-sync.conf')
