"""Zero-copy on the local cloud: a region's glance-api that reads the
master's store where it is.

Glance's location API refuses ``file://`` locations (its
``RESTRICTED_URI_SCHEMAS``), so a file system shared by two glance-api is
reached the way a deployment shares a read-only export: a web server
serves the master's ``file`` store directory, and the sharing region's
glance-api gets an ``http`` backend (read-only: deleting a copy never
deletes the master's bytes). glance-sync maps the master's locations to
that server with ``share_store = <master prefix> -> <region prefix>``.

``share-store REGION`` starts the server (``python -m http.server`` over
the master's store directory, on a free port, folder ``share-http/``) and
appends the backend to the region's ``glance-api.conf``; ``unshare-store
REGION`` takes it away and stops the server. The caller restarts the
region's glance-api (the CLI does; the tests do it under their region
lock), so nothing changes for the other tests unless asked.
"""

from __future__ import annotations

import pathlib
import socket
import sys

from tools.localcloud import info as info_mod
from tools.localcloud import procs

__all__ = ['MARK', 'SERVER_DIR', 'backend_conf', 'check_region', 'configure',
           'share_store_value', 'stop_server']

MARK = '# localcloud share-store'
#: The web server's folder under the run directory.
SERVER_DIR = 'share-http'
SERVER_TIMEOUT = 30


def _server_dir(run_dir: pathlib.Path) -> pathlib.Path:
    return run_dir / SERVER_DIR


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def _server_url(run_dir: pathlib.Path, store_dir: str) -> str:
    """Start the web server unless it runs; :returns: its URL."""
    folder = _server_dir(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    port_file = folder / 'port'
    if procs.running_pid(folder) is not None and port_file.exists():
        return 'http://127.0.0.1:%s/' % port_file.read_text().strip()
    port = _free_port()
    proc = procs.spawn(folder, [sys.executable, '-m', 'http.server',
                                '--bind', '127.0.0.1', '--directory',
                                store_dir, str(port)])
    port_file.write_text('%d\n' % port)
    url = 'http://127.0.0.1:%d/' % port
    procs.wait_ready(SERVER_DIR, proc, folder, url, SERVER_TIMEOUT)
    return url


def stop_server(run_dir: pathlib.Path) -> bool:
    """Stop the web server if it runs; :returns: whether it ran."""
    folder = _server_dir(run_dir)
    return folder.is_dir() and procs.stop(folder)


def share_store_value(master_store_dir: str, url: str) -> str:
    """The ``share_store`` entry mapping the master's locations to the
    web server."""
    return 'file://%s/ -> %s' % (master_store_dir.rstrip('/'), url)


def check_region(run_dir: pathlib.Path, region: str) -> str:
    """:returns: the region's name, if it can share the master's store.

    :raises KeyError: for an unknown region, or the master itself.
    """
    current = info_mod.load(run_dir.resolve())
    name = current.region(region).name
    if name == current.master_region:
        raise KeyError('the master region cannot share its own store')
    return name


def backend_conf(master_port: int, url: str,
                 allowed_hosts: tuple[str, ...] = ()) -> str:
    """The text a region's ``glance-api.conf`` ends with to read the
    master's store through the web export at ``url`` (its ``shared``
    http backend).

    :param allowed_hosts: when the export is not on a host the region
        already allows (127.0.0.1), every host its
        ``[import_filtering_opts]`` must allow: Glance checks a location's
        URI against them.
    """
    port = url.rstrip('/').rpartition(':')[2]
    hosts = ('allowed_hosts = [%s]\n' % ','.join(allowed_hosts)
             if allowed_hosts else '')
    return ('\n%s\n[DEFAULT]\nenabled_backends = local:file, shared:http\n\n'
            '[import_filtering_opts]\nallowed_ports = [80,443,%d,%s]\n%s'
            % (MARK, master_port, port, hosts))


def configure(run_dir: pathlib.Path, region: str, shared: bool) -> str:
    """Add (or remove) the shared backend in a region's ``glance-api.conf``
    and start (or stop) the web server; restart the region's glance-api
    afterwards.

    :returns: the ``share_store`` value for the region (empty when
        unshared).
    :raises KeyError: for an unknown region, or the master itself.
    """
    run_dir = run_dir.resolve()
    name = check_region(run_dir, region)
    current = info_mod.load(run_dir)
    path = pathlib.Path(current.region(name).conf_dir) / 'glance-api.conf'
    text = path.read_text().split('\n' + MARK)[0]
    if not shared:
        path.write_text(text)
        stop_server(run_dir)
        return ''
    url = _server_url(run_dir, current.master_store_dir)
    master_port = current.regions[current.master_region].port
    path.write_text(text + backend_conf(master_port, url))
    return share_store_value(current.master_store_dir, url)
