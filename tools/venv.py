"""Run a tool script with the project's virtualenv.

The benchmark scripts start with the system's python; :func:`reexec`
bootstraps the virtualenv (``tools/bootstrap``) and runs the script again
with its python, once.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]
_MARK = 'GLANCE_SYNC_BENCH_VENV'


def reexec(script: str) -> None:
    """Re-run ``script`` with the project's virtualenv, bootstrapping it if
    needed; returns at once when already running there."""
    if os.environ.get(_MARK) == sys.prefix:
        return
    venv = subprocess.run([str(TOP / 'tools' / 'bootstrap')], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    python = os.path.join(venv, 'bin', 'python')
    os.environ[_MARK] = venv
    os.execv(python, [python, script] + sys.argv[1:])
