from oslotest import base

from glance_sync.manage import cli


class VerbsTest(base.BaseTestCase):
    """Every verb registers itself the same way: its module's add_parser
    adds it with the handler that runs it."""

    ARGS = {'db': ['db', 'version'], 'dump': ['dump', '--output', 'd'],
            'load': ['load', 'd']}

    def test_each_verb_runs_its_own_handler(self):
        names = []
        for verb in cli.VERBS:
            handlers = [value for name, value in vars(verb).items()
                        if name.endswith('_command') and callable(value)]
            self.assertEqual(1, len(handlers), verb.__name__)
            name = handlers[0].__name__[:-len('_command')].replace('_', '-')
            names.append(name)
            args = cli.parse_args(self.ARGS.get(name, [name]))
            self.assertEqual(name, args.command)
            self.assertIs(handlers[0], args.handler)
        self.assertEqual(['regions', 'status', 'sync', 'backup',
                          'convert-config', 'size', 'compare', 'dump',
                          'load', 'db', 'tasks'], names)
