import io

from oslo_config import cfg, generator
from oslotest import base

import glance_sync.conf
from glance_sync.conf import opts


class ListOptsTest(base.BaseTestCase):

    def test_groups(self):
        groups = {getattr(g, 'name', g) for g, _ in opts.list_opts()}
        self.assertTrue({'DEFAULT', 'sync', 'target:master'} <= groups)

    def test_every_option_has_help(self):
        for group, options in opts.list_opts():
            for opt in options:
                self.assertTrue(opt.help, '%s.%s has no help'
                                % (getattr(group, 'name', group), opt.dest))

    def test_target_example_has_auth_session_and_rules(self):
        example = {getattr(g, 'name', g): o
                   for g, o in opts.list_opts()}['target:master']
        names = {opt.dest for opt in example}
        self.assertTrue({'auth_type', 'auth_url', 'username', 'password',
                         'project_name', 'cafile', 'timeout',
                         'owner_project_id', 'metadata_condition',
                         'ignore_regions'} <= names)

    def test_register_opts_registers_every_static_group(self):
        conf = cfg.ConfigOpts()
        glance_sync.conf.register_opts(conf)
        conf([])
        self.assertEqual([], conf.metadata_set)
        self.assertIsNone(conf.sync.metadata_set)
        self.assertEqual(4, conf.sync.parallelism)

    def test_generator_renders_target_group(self):
        conf = cfg.ConfigOpts()
        generator.register_cli_opts(conf)
        conf(['--namespace', 'glance_sync'])
        out = io.StringIO()
        generator.generate(conf, output_file=out)
        text = out.getvalue()
        self.assertIn('[target:master]', text)
        self.assertIn('#auth_url = <None>', text)
        self.assertIn('#master_region = <None>', text)
