"""devstack/plugin.sh, run for real with devstack's function library.

The phases devstack runs (``stack install``, ``stack post-config``,
``stack extra``, ``unstack``, ``clean``) source ``devstack/settings`` and
``devstack/plugin.sh`` after devstack's own ``functions-common``,
``inc/ini-config`` and ``inc/python`` (``../shared/devstack``, read in
place), against the local cloud's Keystone A and its glance-apis:

* ``stack install`` pip-installs this tree into a devstack virtualenv
  (``GLOBAL_VENV``, as devstack does today) that sees the project's
  packages;
* Keystone calls go through devstack's ``get_or_create_user``,
  ``get_or_add_user_project_role`` and the ``openstack`` CLI, as
  ``devstack-system-admin`` (Keystone A's admin);
* ``run_process``/``stop_process`` are devstack's; only what devstack's
  other files give (systemd units, ``lib/keystone``, ``lib/rpc_backend``,
  ``echo_summary``) is stood in for, in ``standins.sh``.

An image uploaded by the admin project, public, as stack.sh uploads
cirros, and one the demo user uploads (shared, Glance's default), must
then reach the other regions of the target, each copy owned by its
master image's project. stack.sh's ``create_keystone_accounts`` creates
the ``demo`` project and user; the test does it through Keystone A's API
before the phases run.
"""

import io
import os
import pathlib
import secrets
import subprocess
import sys
import time
import uuid

import fixtures
import requests

from tests.functional import base
from tests.functional.api import processes
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3

from tools.localcloud import rabbit

IDENTITY = {'service_type': 'identity', 'interface': 'public'}

DEVSTACK = base.REPO_ROOT.parent / 'shared' / 'devstack'
HERE = pathlib.Path(__file__).resolve().parent
TIMEOUT = 180

SCRIPT = '''\
set -o pipefail
TOP_DIR={devstack}
source {devstack}/functions-common
source {devstack}/inc/ini-config
source {devstack}/inc/python
source {standins}
source {top}/devstack/settings
for phase in {phases}; do
    source {top}/devstack/plugin.sh ${{phase/:/ }} || exit 1
done
'''


class DevstackPluginTest(base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        if not (DEVSTACK / 'functions-common').exists():
            why = 'devstack\'s function library is not in %s' % DEVSTACK
            if os.environ.get('CI', '').lower() == 'true':
                self.fail(why)
            self.skipTest(why)
        self.top = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        vhost = rabbit.fresh_vhost('glance-sync-devstack-%s'
                                   % uuid.uuid4().hex[:8])
        self.addCleanup(rabbit.delete_vhost, vhost)
        self.api_port = processes.free_port()
        # The plugin's daemon reaches these: no other test may stop their
        # glance-api meanwhile.
        for region in ('RegionOne', 'RegionTwo', 'RegionThree'):
            self.use_region(region)
        self.env = self.devstack_env(rabbit.transport_url(vhost))
        self.addCleanup(self.run_phases, 'unstack')

    def devstack_env(self, transport_url):
        top = self.top
        venv = top / 'data' / 'venv'
        subprocess.run([sys.executable, '-m', 'venv', str(venv)],
                       check=True)
        # The devstack virtualenv sees the project's packages (glance and
        # the rest are installed there): stack install adds glance-sync.
        site = next(venv.glob('lib/python3*/site-packages'))
        (site / 'project-venv.pth').write_text(
            next(pathlib.Path(sys.prefix).glob(
                'lib/python3*/site-packages')).as_posix() + '\n')
        requirements = top / 'requirements'
        (requirements / '.venv' / 'bin').mkdir(parents=True)
        (requirements / 'upper-constraints.txt').write_text(
            (base.REPO_ROOT / 'tools' / 'constraints.txt').read_text())
        # openstack/requirements' edit-constraints: drop the project's pin.
        edit = requirements / '.venv' / 'bin' / 'edit-constraints'
        edit.write_text('#!/bin/sh\nsed -i "/^$3==/d" "$1"\n')
        edit.chmod(0o755)
        (top / 'etc' / 'glance').mkdir(parents=True)
        master = self.cloud.master
        for name in ('glance-api.conf', 'glance-api-paste.ini'):
            (top / 'etc' / 'glance' / name).write_text(
                (pathlib.Path(master.conf_dir) / name).read_text())
        admin = self.cloud.keystones['keystone-a'].admin
        clouds = top / 'clouds.yaml'
        clouds.write_text(
            'clouds:\n  devstack-system-admin:\n    auth:\n'
            '      auth_url: %s\n      username: %s\n      password: %s\n'
            '      project_name: %s\n      user_domain_name: Default\n'
            '      project_domain_name: Default\n'
            '    identity_api_version: 3\n    region_name: %s\n'
            % (admin.auth_url, admin.username, admin.password,
               admin.project_name, self.cloud.master_region))
        clouds.chmod(0o600)
        self.user = 'devstack-sync-%s' % uuid.uuid4().hex[:8]
        return {
            'PATH': '%s:/usr/bin:/bin' % pathlib.Path(sys.executable).parent,
            'HOME': str(top), 'OS_CLIENT_CONFIG_FILE': str(clouds),
            'DEST': str(top / 'opt'), 'DATA_DIR': str(top / 'data'),
            'SERVICE_DIR': str(top / 'status'),
            'GLOBAL_VENV': 'True', 'DEVSTACK_VENV': str(venv),
            'REQUIREMENTS_DIR': str(requirements),
            'STACK_USER': 'root', 'SERVICE_HOST': '127.0.0.1',
            'SERVICE_LISTEN_ADDRESS': '127.0.0.1',
            'REGION_NAME': self.cloud.master_region,
            'KEYSTONE_SERVICE_URI': admin.auth_url.rsplit('/v3', 1)[0],
            'SERVICE_PASSWORD': secrets.token_urlsafe(12),
            'SERVICE_PROJECT_NAME': 'service',
            'SERVICE_DOMAIN_NAME': 'Default',
            'ENABLE_DEBUG_LOG_LEVEL': 'False',
            'GLANCE_SERVICE_PROTOCOL': 'http',
            'GLANCE_API_CONF': str(top / 'etc/glance/glance-api.conf'),
            'GLANCE_API_PASTE_INI': str(
                top / 'etc/glance/glance-api-paste.ini'),
            'GLANCE_SYNC_DIR': str(base.REPO_ROOT),
            'GLANCE_SYNC_CONF_DIR': str(top / 'etc' / 'glance-sync'),
            'GLANCE_SYNC_SERVICE_USER': self.user,
            'GLANCE_SYNC_API_HOST': '127.0.0.1',
            'GLANCE_SYNC_API_PORT': str(self.api_port),
            'GLANCE_SYNC_TEST_TRANSPORT_URL': transport_url,
        }

    def run_phases(self, *phases):
        script = SCRIPT.format(devstack=DEVSTACK, top=base.REPO_ROOT,
                               standins=HERE / 'standins.sh',
                               phases=' '.join(phases))
        result = subprocess.run(['bash', '-c', script], env=self.env,
                                capture_output=True, text=True,
                                timeout=600, check=False)
        self.assertEqual(0, result.returncode, '%s\n%s' % (
            result.stdout[-3000:], result.stderr[-5000:]))
        return result

    def pid(self, service):
        path = self.top / 'status' / ('%s.pid' % service)
        return int(path.read_text()) if path.exists() else None

    def service_log(self, service):
        path = self.top / 'status' / ('%s.log' % service)
        return path.read_text()[-3000:] if path.exists() else ''

    def test_stack_syncs_admin_and_demo_images_then_unstack_stops(self):
        image = self.upload_as_admin('cirros-%s' % uuid.uuid4().hex[:8])
        demo = self.upload_as_demo('demo-image-%s' % uuid.uuid4().hex[:8])
        self.assertEqual('shared', demo.visibility)
        self.run_phases('stack:install', 'stack:post-config', 'stack:extra')
        venv_bin = pathlib.Path(self.env['DEVSTACK_VENV']) / 'bin'
        self.assertTrue((venv_bin / 'glance-sync').exists())
        paste = (self.top / 'etc/glance/glance-api-paste.ini').read_text()
        self.assertIn('context glance_sync', paste)
        conf = (self.top / 'etc/glance-sync/glance-sync.conf').read_text()
        self.assertIn('project_name = admin', conf)
        self.assertIn('master_projects = admin,demo', conf)
        self.assertIn('copy_owner = master', conf)
        for service in ('glance-sync', 'glance-sync-api'):
            self.assertIsNotNone(self.pid(service), service)
        self.wait_api()
        for region in ('RegionTwo', 'RegionThree'):
            self.wait_copy(region, image)
            self.wait_copy(region, demo)
        daemon = self.pid('glance-sync')
        self.run_phases('unstack')
        self.assertIsNone(self.pid('glance-sync'))
        self.assertFalse(pathlib.Path('/proc/%d' % daemon).exists())
        self.run_phases('clean')
        self.assertFalse((self.top / 'etc' / 'glance-sync').exists())

    def admin_glance(self, region):
        return self.glance(region, self.cloud.keystones[
            'keystone-a'].admin.session())

    def upload_as_admin(self, name):
        """A public image of the admin project, as stack.sh's cirros."""
        glance = self.admin_glance('RegionOne')
        image = glance.images.create(name=name, disk_format='raw',
                                     container_format='bare',
                                     visibility='public')
        self.addCleanup(glance.images.delete, image.id)
        glance.images.upload(image.id, io.BytesIO(os.urandom(4096)))
        return glance.images.get(image.id)

    def demo_session(self):
        """stack.sh's demo project and a member of it (created once per
        cloud; the user is this test's)."""
        admin = self.cloud.keystones['keystone-a'].admin.session()

        def one(path, name):
            found = admin.get(path, params={'name': name},
                              endpoint_filter=IDENTITY).json()
            return found[path.strip('/')][0]['id'] if found[
                path.strip('/')] else None
        project = one('/projects', 'demo') or admin.post(
            '/projects', json={'project': {'name': 'demo',
                                           'domain_id': 'default'}},
            endpoint_filter=IDENTITY).json()['project']['id']
        name, password = 'demo-%s' % uuid.uuid4().hex[:8], uuid.uuid4().hex
        user = admin.post('/users', json={'user': {
            'name': name, 'password': password, 'domain_id': 'default',
            'default_project_id': project}},
            endpoint_filter=IDENTITY).json()['user']['id']
        self.addCleanup(admin.delete, '/users/%s' % user,
                        endpoint_filter=IDENTITY)
        admin.put('/projects/%s/users/%s/roles/%s'
                  % (project, user, one('/roles', 'member')),
                  endpoint_filter=IDENTITY)
        auth_url = self.cloud.keystones['keystone-a'].admin.auth_url
        return ksa_session.Session(auth=v3.Password(
            auth_url=auth_url, username=name, password=password,
            user_domain_id='default', project_id=project))

    def upload_as_demo(self, name):
        """An image of the demo user, with Glance's default visibility."""
        glance = self.glance('RegionOne', self.demo_session())
        image = glance.images.create(name=name, disk_format='raw',
                                     container_format='bare')
        self.addCleanup(self.admin_glance('RegionOne').images.delete,
                        image.id)
        glance.images.upload(image.id, io.BytesIO(os.urandom(2048)))
        return glance.images.get(image.id)

    def wait_api(self):
        deadline = time.monotonic() + TIMEOUT
        url = 'http://127.0.0.1:%d/healthcheck' % self.api_port
        while True:
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.fail('glance-sync-api never answered:\n%s'
                          % self.service_log('glance-sync-api'))
            time.sleep(0.5)

    def wait_copy(self, region, image):
        glance = self.admin_glance(region)
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = [i for i in glance.images.list(
                filters={'name': image.name, 'owner': image.owner})
                if i.status == 'active']
            if found:
                self.addCleanup(glance.images.delete, found[0].id)
                self.assertEqual(image.checksum, found[0].checksum)
                # The copy keeps its master image's owner (copy_owner =
                # master) and visibility.
                self.assertEqual(image.owner, found[0].owner)
                self.assertEqual(image.visibility, found[0].visibility)
                return
            if time.monotonic() > deadline:
                self.fail('%s never reached %s:\n%s' % (
                    image.name, region, self.service_log('glance-sync')))
            time.sleep(1)
