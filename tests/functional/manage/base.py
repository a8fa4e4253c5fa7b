"""End-to-end tests of ``glance-sync-manage`` against the local cloud.

Each test drives the real command, as a subprocess, with a configuration
written for the cloud (native, or FIWARE's legacy format), and looks at
the regions through glanceclient.

Tests run two at a time against one cloud, so each one:

- names its images ``<token>-<label>`` with a token of its own, and tags
  the master images with the property ``gstest = <token>``;
- selects only those with ``metadata_condition`` (:meth:`ManageTestCase.
  condition`), so statuses and exit codes only depend on its own images;
- turns ``support_obsolete_images`` off unless it tests it: obsolete
  images are followed whatever the condition, and another test's sync
  would otherwise rename this test's copies under its feet;
- deletes, at cleanup, every image of every region that has one of its
  names, the copies the sync made and the ``.old``/``_obsolete`` renames
  included.

Usage::

    class MyTest(base.ManageTestCase):
        def test_it(self):
            image = self.master_image('a', 2048)
            conf = self.native_config()
            self.assertEqual({('RegionTwo', image.name): 'pending_upload'},
                             self.statuses(conf, 'RegionTwo', rc=1))
            self.manage(conf, 'sync', 'RegionTwo', rc=0)
"""

from __future__ import annotations

import base64
import configparser
import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import fixtures

from tests.functional import base
from tools.localcloud import syncconf

#: Seconds one command may take before the test fails.
COMMAND_TIMEOUT = 300
#: Environment variables the command must not inherit: GlanceSync reads
#: its file and the master's credentials from them.
_FOREIGN_ENV = ('GLANCESYNC_CONFIG',)
#: Names a synchronised image may end up with in a region.
RENAMED = ('', '.old', '_obsolete')

Sections = Mapping[str, Mapping[str, str]]


def manage_command() -> list[str]:
    """The ``glance-sync-manage`` of the running virtualenv."""
    script = pathlib.Path(sys.executable).parent / 'glance-sync-manage'
    if script.exists():
        return [str(script)]
    return [sys.executable, '-m', 'glance_sync.cmd.manage']


def command_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without GlanceSync's variables."""
    env = {key: value for key, value in os.environ.items()
           if key not in _FOREIGN_ENV and not key.startswith('OS_')}
    env.update(extra or {})
    return env


@dataclasses.dataclass
class Result:
    """What one run of the command gave."""

    args: list[str]
    rc: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        """The command and its output, for failure messages."""
        return ('$ glance-sync-manage %s\n(exit %d)\n--- stdout\n%s'
                '--- stderr\n%s' % (' '.join(self.args), self.rc,
                                    self.stdout, self.stderr))

    def errors(self) -> list[str]:
        """The lines of standard error that are not INFO/DEBUG logs."""
        return [line for line in self.stderr.splitlines()
                if line.strip() and ' INFO ' not in line
                and ' DEBUG ' not in line]


class ManageTestCase(base.FunctionalTestCase):
    """A test that runs ``glance-sync-manage`` against the local cloud."""

    def setUp(self) -> None:
        super().setUp()
        self.token = 'gs%s' % uuid.uuid4().hex[:10]
        self.folder = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self._names: set[str] = set()
        # Registered first, so it runs last: after the make_image deletes.
        # The region locks are released by then; glance() takes them again.
        self.addCleanup(self._delete_named)

    # Images

    def name(self, label: str) -> str:
        """A name of this test's own; cleaned up in every region."""
        name = '%s-%s' % (self.token, label)
        self._names.add(name)
        return name

    def master_image(self, label: str, size: int = 1024,
                     data: bytes | None = None, **attrs: Any) -> Any:
        """Upload an image of this test to the master region.

        It is public unless ``visibility`` says otherwise, and carries
        ``gstest = <token>`` (what :meth:`condition` selects).

        :returns: the image, as glance shows it (active).
        """
        attrs.setdefault('visibility', 'public')
        attrs.setdefault('gstest', self.token)
        return self.make_image(self.cloud.master_region, size,
                               name=self.name(label), data=data, **attrs)

    def region_image(self, region: str, label: str, size: int = 1024,
                     data: bytes | None = None, **attrs: Any) -> Any:
        """Upload an image straight to a region (not through a sync)."""
        attrs.setdefault('visibility', 'public')
        return self.make_image(region, size, name=self.name(label),
                               data=data, **attrs)

    def images_named(self, region: str, name: str) -> list[Any]:
        """Every image called ``name`` in a region, whoever owns it."""
        return list(self.glance(region).images.list(filters={'name': name}))

    def one_image(self, region: str, name: str) -> Any:
        """The only image called ``name`` in a region (fails otherwise)."""
        found = self.images_named(region, name)
        self.assertEqual(1, len(found), 'images called %s in %s: %s'
                         % (name, region, [i.id for i in found]))
        return found[0]

    def _delete_named(self) -> None:
        if not self._names:
            return
        for info in self.cloud.regions.values():
            glance = self.glance(info.qualified_name)
            for name in sorted(self._names):
                for suffix in RENAMED:
                    for image in glance.images.list(
                            filters={'name': name + suffix}):
                        self.delete_image(info.qualified_name, image.id)

    # Configurations

    def condition(self) -> str:
        """A ``metadata_condition`` selecting this test's master images."""
        return "image.user_properties.get('gstest') == '%s'" % self.token

    def native_config(self, sections: Sections = {},
                      filename: str = 'glance-sync.conf') -> list[str]:
        """A native ``glance-sync.conf`` for both Keystones.

        :param sections: options merged over the defaults (this test's
            condition and no obsolete images in ``[sync]``).
        :returns: the command line options that load it.
        """
        merged: dict[str, dict[str, str]] = {'sync': {
            'metadata_condition': self.condition(),
            'support_obsolete_images': 'false'}}
        for section, options in dict(sections).items():
            merged.setdefault(section, {}).update(options)
        path = syncconf.write_sync_config(self.cloud, self.folder / filename,
                                          merged)
        return ['--config-file', str(path)]

    def legacy_config(self, sections: Sections = {},
                      filename: str = 'glancesync.conf',
                      without: Sequence[str] = ()) -> list[str]:
        """A FIWARE ``glancesync.conf`` for both Keystones.

        ``[master]`` and ``[other]`` hold ``credential = user,
        base64(password),keystone_url,tenant``; ``[DEFAULT]`` (defaults
        of every target, as in GlanceSync) this test's condition and no
        obsolete images.

        :param sections: options merged over those.
        :param without: target sections to leave out.
        :returns: the command line options that load it.
        """
        parser = configparser.ConfigParser(interpolation=None)
        parser['DEFAULT'] = {'metadata_condition': self.condition(),
                             'support_obsolete_images': 'False'}
        parser['main'] = {'master_region': self.cloud.master_region}
        for name, target in self.cloud.targets.items():
            if name not in without:
                parser[name] = {'credential': legacy_credential(target)}
        for section, options in dict(sections).items():
            if section != 'DEFAULT' and not parser.has_section(section):
                parser.add_section(section)
            parser[section].update(options)
        path = self.folder / filename
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                          0o600), 'w') as out:
            parser.write(out)
        return ['--glancesync-config', str(path)]

    # The command

    def manage(self, config: Sequence[str], *args: str,
               rc: int | None = None,
               env: Mapping[str, str] | None = None) -> Result:
        """Run ``glance-sync-manage CONFIG ARGS``.

        Every region the command may reach is marked in use first (see
        :meth:`use_region`), so no other test stops it meanwhile.

        :param config: from :meth:`native_config` or :meth:`legacy_config`.
        :param rc: the exit status expected, if any.
        :param env: more environment variables.
        :returns: what it did; it never printed a traceback.
        """
        for region in self.regions_reached(args):
            self.use_region(region)
        argv = [*config, *args]
        done = subprocess.run(
            manage_command() + argv, capture_output=True, text=True,
            env=command_env(env), cwd=self.folder, timeout=COMMAND_TIMEOUT,
            check=False)
        result = Result(argv, done.returncode, done.stdout, done.stderr)
        self.assertNotIn('Traceback', result.stderr, result.describe())
        if rc is not None:
            self.assertEqual(rc, result.rc, result.describe())
        return result

    def regions_reached(self, args: Sequence[str]) -> set[str]:
        """The regions a command line may reach, as GlanceSync reads its
        region arguments (none: every region of the master target).

        Only these are marked in use: holding every region would keep the
        tests that stop one waiting.
        """
        if not {'status', 'sync', 'backup'} & set(args):
            return set()
        reached = {self.cloud.master_region}
        named = False
        for arg in args:
            target, _, region = arg.rpartition(':')
            if region in self.cloud.regions:
                reached.add(region)
                named = True
            elif arg.endswith(':') and target in self.cloud.targets:
                reached.update(self.cloud.targets[target].regions)
                named = True
        if not named:
            reached.update(self.cloud.targets['master'].regions)
        return reached

    def statuses(self, config: Sequence[str], *regions: str,
                 rc: int | None = None) -> dict[tuple[str, str], str]:
        """``status -f json``, reduced to this test's images.

        :returns: ``{(region, image name): status}``.
        """
        result = self.manage(config, 'status', '-f', 'json', *regions,
                             rc=rc)
        rows = json.loads(result.stdout)
        return {(row['region'], row['image']): row['status']
                for row in rows if row['image'].startswith(self.token)}


def legacy_credential(target: Any) -> str:
    """GlanceSync's ``credential`` value for a target of the cloud."""
    creds = target.credentials
    password = base64.b64encode(creds.password.encode()).decode()
    return ','.join((creds.username, password, creds.auth_url,
                     creds.project_name))
