"""The paste filter: it never takes glance-api down, and it says when the
WSGI server it finds itself in cannot run its publisher thread."""

import ast
import pathlib
import sys
import types
from unittest import mock

import fixtures
from oslotest import base

from glance_sync.glance_plugin import filter as plugin_filter

SOURCE = pathlib.Path(plugin_filter.__file__)


def module_level_imports(path):
    """:returns: the top-level names a module imports before any code."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split('.')[0])
    return names


class ModuleImportsTest(base.BaseTestCase):

    def test_only_the_standard_library_at_module_level(self):
        imported = module_level_imports(SOURCE) - {'__future__'}
        self.assertTrue(imported)
        self.assertEqual(set(), imported - sys.stdlib_module_names)

    def test_packages_above_the_filter_import_nothing(self):
        # Importing the filter runs these first, outside any try.
        for init in (SOURCE.parent / '__init__.py',
                     SOURCE.parents[1] / '__init__.py'):
            self.assertEqual(set(), module_level_imports(init), init)


def patch_modules(test, **modules):
    """Add ``modules`` to ``sys.modules`` (in place) for one test."""
    patcher = mock.patch.dict(sys.modules, modules)
    patcher.start()
    test.addCleanup(patcher.stop)


class BrokenDependencyTest(base.BaseTestCase):

    def patch_modules(self, **modules):
        patch_modules(self, **modules)

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name=plugin_filter.__name__))

    def test_missing_dependency_logs_one_error_and_passes_through(self):
        # None in sys.modules makes "import X" raise ImportError, as a
        # module missing from glance's environment would.
        # The package's attribute goes too, or "from package import
        # module" would find it there.
        name = 'glance_sync.glance_plugin.publisher'
        package = sys.modules['glance_sync.glance_plugin']
        self.addCleanup(setattr, package, 'publisher', package.publisher)
        del package.publisher
        self.patch_modules(**{name: None})
        middleware = plugin_filter.filter_factory({})
        app = object()
        self.assertIs(app, middleware(app))
        self.assertEqual(1, self.log.output.count('NOT installed'))
        self.assertIn('ModuleNotFoundError', self.log.output)
        self.assertIn('glance_sync.glance_plugin.publisher', self.log.output)

    def test_failing_configuration_logs_and_passes_through(self):
        self.useFixture(fixtures.MockPatchObject(
            plugin_filter, '_configure',
            side_effect=RuntimeError('no such option')))
        middleware = plugin_filter.filter_factory({})
        app = object()
        self.assertIs(app, middleware(app))
        self.assertIn('NOT installed', self.log.output)
        self.assertIn('no such option', self.log.output)


class ThreadsProblemTest(base.BaseTestCase):

    def uwsgi(self, **opt):
        module = types.ModuleType('uwsgi')
        module.opt = opt
        patch_modules(self, uwsgi=module)

    def test_no_uwsgi_no_problem(self):
        self.assertNotIn('uwsgi', sys.modules)
        self.assertIsNone(plugin_filter.threads_problem())

    def test_uwsgi_without_threads_names_the_setting(self):
        self.uwsgi(**{'master': True, 'processes': b'2'})
        problem = plugin_filter.threads_problem()
        self.assertIn('enable-threads = true', problem)
        self.assertIn('uWSGI', problem)

    def test_uwsgi_with_enable_threads(self):
        self.uwsgi(**{'enable-threads': True})
        self.assertIsNone(plugin_filter.threads_problem())

    def test_uwsgi_bytes_keys_and_values(self):
        self.uwsgi(**{'x': 1})
        sys.modules['uwsgi'].opt = {b'enable-threads': b'true'}
        self.assertIsNone(plugin_filter.threads_problem())

    def test_uwsgi_with_several_threads(self):
        self.uwsgi(threads=b'4')
        self.assertIsNone(plugin_filter.threads_problem())

    def test_uwsgi_with_one_thread_is_a_problem(self):
        self.uwsgi(threads=b'1')
        self.assertIsNotNone(plugin_filter.threads_problem())

    def test_the_problem_is_logged_at_start(self):
        self.uwsgi(processes=b'1')
        log = self.useFixture(fixtures.FakeLogger(
            name=plugin_filter.__name__))
        self.useFixture(fixtures.MockPatchObject(
            plugin_filter, '_configure',
            side_effect=RuntimeError('stop here')))
        plugin_filter.filter_factory({})
        self.assertIn('enable-threads = true', log.output)
