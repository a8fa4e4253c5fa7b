"""Run a set-up step in a forked child of a service's gunicorn worker.

Keystone and glance take 2–3 s of CPU to import on this machine. Their
``*-manage`` commands import the same modules again, and parse the global
oslo.config object, which a process can do once only. Forking the worker
after its imports gives each step a fresh configuration and no import cost.
"""

import os
import sys
import traceback
from collections.abc import Callable


def run_in_child(step: str, func: Callable[[], None]) -> None:
    """Run ``func`` in a forked child and wait for it.

    :param step: name of the step, for errors.
    :param func: what to run; raising (or ``SystemExit`` with a non-zero
        code) fails the step, with its traceback on stderr.
    :raises RuntimeError: when the step fails.
    """
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            func()
            code = 0
        except SystemExit as exc:
            code = 0 if not exc.code else 1
            if code:
                print('%s: %s' % (step, exc.code), file=sys.stderr)
        except BaseException:  # noqa: BLE001
            # Whatever happens, the child must not return into the worker.
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError('set-up step %s failed with status %d'
                           % (step, code))
