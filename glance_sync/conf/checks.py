"""Checks shared by both configuration formats."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

__all__ = ['check_condition', 'check_target_name', 'read_utf8']


def check_condition(text: str) -> None:
    """Check a ``metadata_condition`` without running it.

    Uses the rules' safe compiler when it is available, else only checks
    that the text is one Python expression.

    :param text: the condition's source text, on one line.
    :raises ValueError: the condition is unparsable or forbidden; the
        message quotes the offending text.
    """
    compiler = _rules_compiler()
    if compiler is not None:
        try:
            compiler(text)
        except ValueError as exc:
            reason = getattr(exc, 'reason', None) or str(exc)
            raise ValueError('%r is not allowed: %s' % (text, reason)
                             ) from exc
        return
    try:
        ast.parse(text.strip(), mode='eval')
    except SyntaxError as exc:
        raise ValueError('%r is not a valid expression: %s'
                         % (text, exc.msg)) from exc


def _rules_compiler() -> Callable[[str], Any] | None:
    """The rules' condition compiler, if that module exists yet."""
    try:
        from glance_sync.rules import condition
    except ImportError:
        return None
    return getattr(condition, 'compile_condition', None)


def check_target_name(name: str) -> None:
    """A target name must be usable in ``target:Region`` arguments.

    :raises ValueError: the name is empty, padded or contains ``:``.
    """
    if not name or name != name.strip() or ':' in name:
        raise ValueError('invalid target name %r: it must not be empty nor '
                         'contain ":" or surrounding spaces' % name)


def read_utf8(path: str) -> str:
    """A configuration file's text.

    :raises OSError: it cannot be read.
    :raises ValueError: it is not UTF-8; the message names the line (and
        not its bytes: they may be part of a secret).
    """
    with open(path, 'rb') as stream:
        data = stream.read()
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as exc:
        line = data.count(b'\n', 0, exc.start) + 1
        raise ValueError('line %d: not UTF-8 text' % line) from None
