"""The package's import graph keeps its shape (doc/source/architecture.rst).

Every module of glance_sync is read with ``ast``, not imported, and each
``import`` of another glance_sync module (at any level, inside functions
too) is an edge. The graph must have no cycle, neither between modules nor
between packages, and none of the edges the architecture forbids.
"""

from __future__ import annotations

import ast
import os

from oslotest import base

import glance_sync

ROOT = os.path.dirname(glance_sync.__file__)
PACKAGE = 'glance_sync'

#: Where imports may not go: ``(sources, exempt, banned, allowed)``: a
#: module under ``sources`` but not under ``exempt`` imports nothing under
#: ``banned`` that is not under ``allowed``.
FORBIDDEN = [
    # The rules are pure: the rules themselves and the image value type.
    ('glance_sync.rules', (), ('glance_sync',),
     ('glance_sync.rules', 'glance_sync.images', 'glance_sync.csvrows')),
    # The image value type and the CSV row writer are leaves.
    ('glance_sync.images', (), ('glance_sync',), ()),
    ('glance_sync.csvrows', (), ('glance_sync',), ()),
    # The digests are a leaf but for the image value type.
    ('glance_sync.digests', (), ('glance_sync',), ('glance_sync.images',)),
    # Strategies use regions through the Region interface only.
    ('glance_sync.transfer', (), ('glance_sync.regions.drivers',), ()),
    # The service layer serves these; it never uses them.
    ('glance_sync.sync', (), ('glance_sync.manage', 'glance_sync.daemon',
                              'glance_sync.api', 'glance_sync.replicator'),
     ()),
    # Only the console entry points start the command line.
    ('glance_sync', ('glance_sync.manage', 'glance_sync.cmd'),
     ('glance_sync.manage',), ()),
    # The configuration builds no region, no session.
    ('glance_sync.conf', (), ('glance_sync.regions', 'glance_sync.transfer',
                              'glance_sync.sync'), ()),
]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + '.')


def module_files() -> dict[str, str]:
    """Every module of the package: dotted name -> path."""
    found = {}
    for folder, _, files in os.walk(ROOT):
        for filename in files:
            if not filename.endswith('.py'):
                continue
            path = os.path.join(folder, filename)
            rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3]
            name = rel.replace(os.sep, '.')
            if name.endswith('.__init__'):
                name = name[:-len('.__init__')]
            found[name] = path
    return found


def _resolve(name: str, modules: dict[str, str]) -> str:
    """The module an imported name lives in (``a.b.C`` -> ``a.b``)."""
    while name not in modules and '.' in name:
        name = name.rpartition('.')[0]
    return name


def _imported(node: ast.AST, module: str, is_package: bool,
              modules: dict[str, str]) -> set[str]:
    found = set()
    if isinstance(node, ast.Import):
        found = {_resolve(a.name, modules) for a in node.names}
    elif isinstance(node, ast.ImportFrom):
        base_name = node.module or ''
        if node.level:
            parts = module.split('.')
            keep = len(parts) - node.level + (1 if is_package else 0)
            base_name = '.'.join(parts[:keep] + [base_name] * bool(base_name))
        for alias in node.names:
            full = '%s.%s' % (base_name, alias.name)
            found.add(full if full in modules
                      else _resolve(base_name, modules))
    return {name for name in found if _under(name, PACKAGE)}


def import_graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports (itself excluded)."""
    modules = module_files()
    graph = {}
    for module, path in modules.items():
        with open(path, encoding='utf-8') as source:
            tree = ast.parse(source.read(), path)
        is_package = path.endswith('__init__.py')
        edges = set()
        for node in ast.walk(tree):
            edges |= _imported(node, module, is_package, modules)
        edges.discard(module)
        graph[module] = edges
    return graph


def package_of(module: str) -> str:
    """``glance_sync.transfer.base`` -> ``glance_sync.transfer``."""
    return '.'.join(module.split('.')[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = packages.setdefault(package_of(module), set())
        edges |= {package_of(t) for t in targets}
    for source, edges in packages.items():
        edges.discard(source)
    return packages


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle (``[a, b, ..., a]``), or ``None``; depth first."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def forbidden_edges(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for source, exempt, banned, allowed in FORBIDDEN:
            if not _under(module, source) or any(
                    _under(module, e) for e in exempt):
                continue
            for target in sorted(targets):
                if (any(_under(target, b) for b in banned)
                        and not any(_under(target, a) for a in allowed)):
                    found.append('%s -> %s' % (module, target))
    return sorted(set(found))


class ImportGraphTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.graph = import_graph()

    def test_the_walk_sees_the_package(self):
        # Guards the guard: a broken walk would find no edge and pass.
        self.assertIn('glance_sync.transfer.base', self.graph)
        self.assertIn('glance_sync.regions.base',
                      self.graph['glance_sync.transfer.base'])
        # A function-level import counts (cmd.daemon imports the service
        # after patching).
        self.assertIn('glance_sync.daemon.service',
                      self.graph['glance_sync.cmd.daemon'])

    def test_no_cycle_between_modules(self):
        cycle = find_cycle(self.graph)
        self.assertIsNone(cycle, 'import cycle: %s'
                          % ' -> '.join(cycle or ()))

    def test_no_cycle_between_packages(self):
        cycle = find_cycle(package_graph(self.graph))
        self.assertIsNone(cycle, 'import cycle between packages: %s'
                          % ' -> '.join(cycle or ()))

    def test_no_forbidden_import(self):
        self.assertEqual([], forbidden_edges(self.graph),
                         'imports the architecture forbids')


class CheckerTest(base.BaseTestCase):
    """The checks themselves fail when they should."""

    def test_cycle_found_and_named(self):
        graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}
        self.assertEqual(['a', 'b', 'c', 'a'], find_cycle(graph))
        self.assertIsNone(find_cycle({'a': {'b'}, 'b': set()}))

    def test_forbidden_edge_named(self):
        graph = {'glance_sync.rules.plan': {'glance_sync.regions.base',
                                            'glance_sync.images'},
                 'glance_sync.transfer.streaming': {
                     'glance_sync.regions.drivers.glance'},
                 'glance_sync.sync.cloud': {'glance_sync.api.app'},
                 'glance_sync.api.app': {'glance_sync.manage.commands'},
                 'glance_sync.cmd.manage': {'glance_sync.manage.cli'}}
        self.assertEqual(
            ['glance_sync.api.app -> glance_sync.manage.commands',
             'glance_sync.rules.plan -> glance_sync.regions.base',
             'glance_sync.sync.cloud -> glance_sync.api.app',
             'glance_sync.transfer.streaming -> '
             'glance_sync.regions.drivers.glance'],
            forbidden_edges(graph))

    def test_package_edges(self):
        graph = {'glance_sync.a.x': {'glance_sync.b.y'},
                 'glance_sync.b.y': {'glance_sync.a'}}
        self.assertEqual({'glance_sync.a': {'glance_sync.b'},
                          'glance_sync.b': {'glance_sync.a'}},
                         package_graph(graph))
