"""Start, watch and stop the local cloud's processes.

Each service runs in its own session (process group), started by us, with
its pid in ``<service dir>/service.pid`` and its output in
``<service dir>/service.log``. Stopping goes by that pid only, and only when
the process still runs in the service folder, so a recycled pid is never
signalled.
"""

from __future__ import annotations

import logging
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

LOG = logging.getLogger(__name__)

PID_FILE = 'service.pid'
LOG_FILE = 'service.log'


class ServiceFailed(Exception):
    """A service did not come up; the message names it and shows its log."""

    def __init__(self, service: str, reason: str, log_tail: str = '') -> None:
        self.service = service
        self.reason = reason
        self.log_tail = log_tail
        text = '%s did not come up: %s' % (service, reason)
        if log_tail:
            text += '\n--- last lines of its log ---\n' + log_tail
        super().__init__(text)


def log_tail(path: pathlib.Path, lines: int = 30) -> str:
    """:returns: the last ``lines`` lines of ``path`` ('' when missing)."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            data = f.read().decode('utf-8', 'replace')
    except OSError:
        return ''
    return '\n'.join(data.splitlines()[-lines:])


def run(service: str, cmd: Sequence[str], log: pathlib.Path,
        env: Mapping[str, str] | None = None, timeout: float = 120) -> None:
    """Run a set-up command to completion, its output appended to ``log``.

    :param service: the service it prepares, named in errors.
    :param cmd: the command line.
    :param log: file that receives stdout and stderr.
    :param env: extra environment variables.
    :param timeout: seconds before the command counts as failed.
    :raises ServiceFailed: when it exits non-zero or times out.
    """
    with open(log, 'ab') as out:
        out.write(('$ %s\n' % ' '.join(cmd)).encode())
        out.flush()
        try:
            subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                           env=_env(env), check=True, timeout=timeout)
        except (subprocess.CalledProcessError,
                subprocess.TimeoutExpired) as exc:
            raise ServiceFailed(service, '%s failed: %s' % (cmd[0], exc),
                                log_tail(log)) from exc


def gunicorn_command(folder: pathlib.Path, port: int, app: str,
                     extra: Sequence[str] = (),
                     hosts: Sequence[str] = ('127.0.0.1',)) -> list[str]:
    """The gunicorn command line shared by every service.

    :param folder: the service folder, gunicorn's working directory, which
        identifies the process (:func:`is_ours`).
    :param port: port to bind on each of ``hosts``.
    :param app: the WSGI application, ``module:attribute``.
    :param extra: more gunicorn options.
    :param hosts: addresses to listen on.
    :returns: the command line.
    """
    return [sys.executable, '-m', 'gunicorn',
            '--chdir', str(folder),
            *[arg for host in hosts for arg in ('--bind', '%s:%d'
                                                % (host, port))],
            '--worker-class', 'gthread', '--workers', '1', '--threads', '8',
            # Large uploads through one request take minutes on this machine.
            '--timeout', '900', '--graceful-timeout', '5',
            '--log-level', 'warning',
            # gunicorn's control socket defaults to one path in $HOME, shared
            # by every gunicorn on the machine.
            '--control-socket', str(folder / 'gunicorn.ctl'),
            *extra, app]


def spawn(service_dir: pathlib.Path, cmd: Sequence[str],
          env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a long-running service in its own process group.

    :param service_dir: its folder: the working directory, which
        identifies the process (see :func:`is_ours`); receives the pid and
        log files.
    :param cmd: the command line.
    :param env: extra environment variables.
    :returns: the started process.
    """
    with open(service_dir / LOG_FILE, 'ab') as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=_env(env),
                                cwd=service_dir, start_new_session=True)
    (service_dir / PID_FILE).write_text('%d\n' % proc.pid)
    LOG.debug('started %s as pid %d', service_dir.name, proc.pid)
    return proc


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    # A developer's OS_* variables must not leak into the services.
    for name in list(env):
        if name.startswith('OS_'):
            del env[name]
    env.update(extra or {})
    return env


def recorded_pid(service_dir: pathlib.Path) -> int | None:
    """:returns: the pid recorded for a service, or None."""
    try:
        return int((service_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def is_ours(pid: int, service_dir: pathlib.Path) -> bool:
    """Whether ``pid`` is alive and is the service started in that folder.

    gunicorn rewrites its command line and environment (setproctitle), so
    the working directory is what identifies a service: we start each one
    in its own folder.

    :param pid: a recorded pid.
    :param service_dir: the service's folder.
    :returns: False for dead, zombie or recycled pids.
    """
    try:
        cwd = os.readlink('/proc/%d/cwd' % pid)
        stat = pathlib.Path('/proc/%d/stat' % pid).read_text()
    except OSError:
        return False
    if stat.rpartition(')')[2].split()[0] == 'Z':
        return False
    wanted = str(service_dir)
    return cwd in (wanted, wanted + ' (deleted)')


def running_pid(service_dir: pathlib.Path) -> int | None:
    """:returns: the pid of the service if it is running, else None."""
    pid = recorded_pid(service_dir)
    return pid if pid and is_ours(pid, service_dir) else None


def stop(service_dir: pathlib.Path, timeout: float = 15) -> bool:
    """Stop the service recorded in ``service_dir`` and wait for it.

    gunicorn shuts down quickly on SIGINT (SIGTERM waits for requests to
    finish); whatever is left after ``timeout`` gets SIGKILL.

    :param service_dir: the service's folder.
    :param timeout: seconds to wait before killing.
    :returns: whether a running process was stopped.
    """
    pid = running_pid(service_dir)
    (service_dir / PID_FILE).unlink(missing_ok=True)
    if pid is None:
        return False
    # The service leads its own group (start_new_session): signal the group
    # so gunicorn's workers go too.
    _signal_group(pid, signal.SIGINT)
    if not _wait_group_gone(pid, timeout):
        LOG.warning('%s (pid %d) ignored SIGINT, killing it',
                    service_dir.name, pid)
        _signal_group(pid, signal.SIGKILL)
        _wait_group_gone(pid, 5)
    return True


def terminate(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop a child process: SIGTERM, then SIGKILL after ``timeout``
    seconds; reaped either way."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pgid)
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if _only_zombies(pgid):
            return True
        time.sleep(0.1)
    return False


def _reap(pid: int) -> None:
    # When this process started the service (the same ``up``), it must reap
    # it, or the zombie keeps the group alive.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _only_zombies(pgid: int) -> bool:
    for entry in pathlib.Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / 'stat').read_text().rpartition(')')[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != 'Z':
            return False
    return True


def answers(url: str, timeout: float = 2) -> bool:
    """:returns: whether an HTTP GET of ``url`` gets a non-5xx answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(resp.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False


def wait_ready(service: str, proc: subprocess.Popen[bytes],
               service_dir: pathlib.Path, url: str, timeout: float,
               abort: threading.Event | None = None) -> None:
    """Poll ``url`` until the service answers.

    :param service: name for errors.
    :param proc: the process we started; its exit ends the wait at once.
    :param service_dir: its folder (for the log).
    :param url: what to poll.
    :param timeout: seconds before giving up.
    :param abort: when set (another service failed), give up at once.
    :raises ServiceFailed: when it exits or does not answer in time.
    """
    deadline = time.monotonic() + timeout
    while True:
        if answers(url):
            return
        if abort is not None and abort.is_set():
            raise ServiceFailed(service, 'start-up abandoned')
        if proc.poll() is not None:
            raise ServiceFailed(service, 'the process exited with status %s'
                                % proc.returncode,
                                log_tail(service_dir / LOG_FILE))
        if time.monotonic() > deadline:
            raise ServiceFailed(service, 'no answer from %s in %ds'
                                % (url, timeout),
                                log_tail(service_dir / LOG_FILE))
        time.sleep(0.25)
