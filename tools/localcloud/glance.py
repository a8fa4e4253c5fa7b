"""One local glance-api: configuration, database and process.

Each region's glance-api has a folder with ``etc/`` (``glance-api.conf``
and a copy of the sample ``glance-api-paste.ini`` installed with glance),
its SQLite database, its ``file`` store (``images/``), the staging and
tasks stores, locks and its log. It runs under gunicorn or, the way
devstack runs it, under uWSGI (:data:`SERVERS`), with
``OS_GLANCE_CONFIG_DIR`` pointing at ``etc/``, through
:mod:`tools.localcloud.glance_wsgi` (glance's own application with SQLite
made safe for threads, which also creates the database at first start).
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import subprocess
import sys

from tools.localcloud import layout as lay
from tools.localcloud import procs

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
APP = 'tools.localcloud.glance_wsgi:application'
#: WSGI servers a glance-api can run under.
SERVERS = ('gunicorn', 'uwsgi')
UWSGI_INI = 'glance-uwsgi.ini'
#: devstack's uWSGI settings for glance-api (lib/apache,
#: write_local_uwsgi_http_config, called by lib/glance), minus what only
#: applies to its distribution packages (``plugins``: pip's uWSGI has them
#: built in), with one process, like the gunicorn of this cloud, and
#: timeouts and a chunked input limit that let large uploads through.
UWSGI_TEMPLATE = """\
[uwsgi]
module = {app}
pythonpath = {root}
chdir = {dir}
http-socket = {host}:{port}
processes = 1
master = true
die-on-term = true
exit-on-reload = false
worker-reload-mercy = 5
enable-threads = {threads}
thunder-lock = true
hook-master-start = unix_signal:15 gracefully_kill_them_all
buffer-size = 65535
# glance reads chunked uploads (glanceclient streams images chunked) in
# parts of up to 1 MiB through uwsgi.chunked_read(), which refuses any at
# or above this limit, 1 MiB by default: uploads of 1 MiB or more failed.
chunked-input-limit = 4194304
add-header = Connection: close
lazy-apps = true
http-raw-body = true
http-chunked-input = true
http-auto-chunked = true
http-keepalive = false
# Large uploads through one request take minutes on this machine.
http-timeout = 900
socket-timeout = 900
"""
#: Under uWSGI glance's import plugins need the Python to run (devstack's
#: lib/glance sets it too), not the uwsgi binary.
UWSGI_GLANCE_CONF = """
[wsgi]
python_interpreter = {python}
"""
FILTER_NAME = 'glance_sync'
FILTER_SECTION = """
[filter:glance_sync]
paste.filter_factory = glance_sync.glance_plugin.filter:filter_factory
"""
#: Pipeline flavours of the sample paste ini that run keystone auth.
KEYSTONE_FLAVOURS = ('keystone', 'keystone+caching',
                     'keystone+cachemanagement')

CONF_TEMPLATE = """\
[DEFAULT]
debug = false
enabled_backends = {backends}
enabled_import_methods = [glance-direct,web-download,copy-image,glance-download]
worker_self_reference_url = {url}
public_endpoint = {url}
# The master's file locations are read by the ``store`` transfer strategy.
show_image_direct_url = true
show_multiple_locations = {show_locations}
image_cache_dir = {dir}/cache

[database]
connection = sqlite:///{dir}/glance.sqlite
# A test cloud needs no durability; fsyncs cost seconds on this machine.
sqlite_synchronous = false

[glance_store]
default_backend = local

[local]
filesystem_store_datadir = {dir}/images/

{extra_stores}[os_glance_staging_store]
filesystem_store_datadir = {dir}/staging/

[os_glance_tasks_store]
filesystem_store_datadir = {dir}/tasks/

[paste_deploy]
flavor = keystone
config_file = {dir}/etc/glance-api-paste.ini

# No region_name here: it breaks token validation.
[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
user_domain_name = Default
project_domain_name = Default
project_name = {service_project}
username = {service_user}
password = {password}

[oslo_concurrency]
lock_path = {dir}/locks

# glance-download from the master: loopback and its port are refused by
# default.
[import_filtering_opts]
allowed_ports = [80,443,{master_port}]
allowed_hosts = [{allowed_hosts}]
"""


#: Extra file stores of a region's glance-api, besides its default one
#: (``local``): a multi-store Glance, as at edge sites, for the tests of
#: ``[target:<name>] stores``. Uploads still go to ``local``.
EXTRA_STORES = {'RegionTwo': ('edge1', 'edge2')}


def _extra_stores(region: str, folder: pathlib.Path) -> tuple[str, str]:
    """``enabled_backends`` and the extra stores' sections."""
    names = EXTRA_STORES.get(region, ())
    backends = ','.join(['local:file'] + ['%s:file' % n for n in names])
    sections = ''.join('[%s]\nfilesystem_store_datadir = %s/%s/\n\n'
                       % (name, folder, name) for name in names)
    return backends, sections


@dataclasses.dataclass
class Settings:
    """How one glance-api is configured.

    :param region: its region.
    :param service_password: password of the ``glance`` service user in the
        region's Keystone.
    :param plugin: add the glance-sync paste filter (master only).
    :param extra_conf: text appended to ``glance-api.conf``.
    :param server: the WSGI server, one of :data:`SERVERS`.
    """

    region: str
    service_password: str
    plugin: bool = False
    extra_conf: str = ''
    server: str = 'gunicorn'


def sample_paste_ini() -> pathlib.Path:
    """:returns: the sample paste ini installed with glance in this venv.

    :raises FileNotFoundError: when glance's data files are missing.
    """
    path = pathlib.Path(sys.prefix) / 'etc' / 'glance' / 'glance-api-paste.ini'
    if not path.exists():
        raise FileNotFoundError('glance sample paste ini not found at %s'
                                % path)
    return path


def configure(cloud: lay.Layout, settings: Settings) -> pathlib.Path:
    """Write a glance-api's folder (the database comes at first start).

    :param cloud: the cloud's layout.
    :param settings: how to configure it.
    :returns: the service folder.
    """
    folder = cloud.service_dir(lay.glance_service(settings.region))
    extra = EXTRA_STORES.get(settings.region, ())
    for sub in ('etc', 'images', 'staging', 'tasks', 'cache', 'locks',
                *extra):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    backends, extra_stores = _extra_stores(settings.region, folder)
    keystone = cloud.keystone_of(settings.region)
    master = lay.glance_service(lay.MASTER_REGION)
    conf = folder / 'etc' / 'glance-api.conf'
    conf.write_text(CONF_TEMPLATE.format(
        dir=folder, url=cloud.url(lay.glance_service(settings.region)),
        backends=backends, extra_stores=extra_stores,
        show_locations=str(settings.region == lay.MASTER_REGION).lower(),
        keystone=cloud.keystone_url(keystone.name),
        service_project=lay.SERVICE_PROJECT,
        service_user=lay.GLANCE_SERVICE_USER,
        password=settings.service_password,
        master_port=cloud.port(master),
        allowed_hosts=','.join(dict.fromkeys(
            ('127.0.0.1', cloud.host(master).address))),
    ) + settings.extra_conf + (
        UWSGI_GLANCE_CONF.format(python=sys.executable)
        if settings.server == 'uwsgi' else ''))
    conf.chmod(0o600)
    paste = paste_ini(sample_paste_ini().read_text(), folder, settings.plugin)
    (folder / 'etc' / 'glance-api-paste.ini').write_text(paste)
    return folder


def paste_ini(sample: str, folder: pathlib.Path, plugin: bool) -> str:
    """Adapt glance's sample paste ini to one local glance-api.

    :param sample: the sample's text.
    :param folder: the service folder (for the healthcheck's disable file).
    :param plugin: insert the glance-sync filter after ``context`` in every
        keystone pipeline flavour.
    :returns: the new text.
    """
    text = sample.replace('/etc/glance/healthcheck_disable',
                          str(folder / 'healthcheck_disable'))
    if not plugin:
        return text
    lines = []
    for line in text.splitlines():
        match = re.match(r'^([\w+]+)\s*=\s*(.*)$', line)
        if match and match.group(1) in KEYSTONE_FLAVOURS:
            stages = match.group(2).split()
            stages.insert(stages.index('context') + 1, FILTER_NAME)
            line = '%s = %s' % (match.group(1), ' '.join(stages))
        lines.append(line)
    return '\n'.join(lines) + '\n' + FILTER_SECTION


def uwsgi_ini(folder: pathlib.Path, port: int,
              enable_threads: bool = True, host: str = '127.0.0.1') -> str:
    """devstack's uWSGI configuration of glance-api, for one local one.

    :param folder: the service folder.
    :param port: port to serve HTTP on, on ``host``.
    :param enable_threads: False reproduces a uWSGI without threads, in
        which the plugin cannot publish (and says so in the log).
    :param host: the address to serve on.
    :returns: the ini text.
    """
    return UWSGI_TEMPLATE.format(app=APP, root=REPO_ROOT, dir=folder,
                                 port=port, host=host,
                                 threads=str(enable_threads).lower())


def start(cloud: lay.Layout, region: str, first: bool = False,
          server: str = 'gunicorn') -> subprocess.Popen[bytes]:
    """Run a region's glance-api under gunicorn or uWSGI.

    :param cloud: the cloud's layout.
    :param region: which region.
    :param first: first start: create the database before serving.
    :param server: one of :data:`SERVERS`.
    :returns: the server's master process.
    """
    service = lay.glance_service(region)
    folder = cloud.service_dir(service)
    host = cloud.host(service)
    if server == 'uwsgi':
        # One http-socket: a placed glance-api (several addresses) runs
        # under gunicorn only.
        ini = folder / 'etc' / UWSGI_INI
        ini.write_text(uwsgi_ini(folder, cloud.port(service),
                                 host=host.address))
        cmd = [str(pathlib.Path(sys.executable).parent / 'uwsgi'),
               '--ini', str(ini)]
    else:
        cmd = procs.gunicorn_command(folder, cloud.port(service), APP,
                                     extra=('--pythonpath', str(REPO_ROOT)),
                                     hosts=host.binds)
    if host.netns:
        cmd = ['ip', 'netns', 'exec', host.netns, *cmd]
    env = {'OS_GLANCE_CONFIG_DIR': str(folder / 'etc')}
    if first:
        env['LOCALCLOUD_GLANCE_DB_SYNC'] = '1'
    return procs.spawn(folder, cmd, env=env)


def health_url(cloud: lay.Layout, region: str) -> str:
    """:returns: the URL that tells whether a region's glance-api is up."""
    return cloud.reach_url(lay.glance_service(region)) + '/healthcheck'
