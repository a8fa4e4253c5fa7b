"""``metadata_condition`` without ``eval``: a whitelist compiler.

GlanceSync evaluated ``metadata_condition`` with Python's ``eval``, so a
configuration file could run any code. Here the text is parsed with
:mod:`ast` and every node is checked against a whitelist, then turned into
a tree of small closures; nothing the whitelist does not name can run.

Allowed:

- literals (strings, numbers, ``True``/``False``/``None``) and tuples,
  lists, sets and dicts built from allowed expressions;
- the names ``image`` and ``metadata_set``;
- ``image.<field>``: ``id``, ``name``, ``region``, ``owner``, ``status``,
  ``size``, ``checksum``, ``is_public``, ``visibility``,
  ``user_properties``, ``disk_format``, ``container_format``,
  ``min_disk``, ``min_ram``, ``os_hash_algo``, ``os_hash_value``;
- ``and``, ``or``, ``not``, ``x if c else y``, every comparison (``==``,
  ``<``, ``in``, ``not in``, ``is``, ... chained too), item access and
  slices, ``+ - * / // %`` on numbers (``*`` and ``+`` on strings and
  lists only up to :data:`MAX_SEQUENCE` items) and ``**`` between two small
  number literals;
- a few methods, on values of the right type only: ``get``, ``keys``,
  ``values``, ``items`` (and Python 2's ``has_key``) on dicts;
  ``startswith``, ``endswith``, ``lower``, ``upper``, ``strip``... on
  strings; ``intersection``, ``union``, ``issubset``... on sets; ``count``,
  ``index`` on lists and tuples;
- the functions ``len``, ``str``, ``int``, ``float``, ``bool``, ``set``,
  ``frozenset``, ``list``, ``tuple`` (and Python 2's ``unicode``).

Everything else (other names, other calls, keyword arguments, dunder or
other attributes, lambdas, comprehensions, f-strings, ``:=``, starred
expressions, big powers) is rejected when the condition is compiled, with a
:class:`ConditionError` that names the construct and quotes the text. So are
texts longer than :data:`MAX_LENGTH`, with more than :data:`MAX_NODES`
nodes or nested deeper than :data:`MAX_DEPTH`.

The syntax limits do not bound what an allowed expression builds:
``str([str(['a' * 9999] * 9999)] * 9999)`` is short, yet would build
gigabytes. So every value an operator, a call or a display creates is
measured when it is created (strings by length, containers by the sizes of
what they hold, shared items counted each time, as ``str`` would print
them) and refused past :data:`MAX_VALUE_SIZE`; ``*`` is checked *before* it
runs; and the sizes of all created values together are capped by
:data:`MAX_WORK` per evaluation, which caps its time too (there are no
loops: the work is at most proportional to the values built). Exceeding a
limit fails the evaluation for that image with a
:class:`ConditionEvaluationError`, never a hang.

Usage::

    condition = compile_condition("image.is_public and "
                                  "'type' in image.user_properties")
    if condition(image, metadata_set):
        ...
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import (Callable, ItemsView, Iterable, KeysView,
                             ValuesView)
from typing import Any, NoReturn

__all__ = ['Condition', 'ConditionError', 'ConditionEvaluationError',
           'ConditionLimitError', 'compile_condition', 'MAX_DEPTH',
           'MAX_LENGTH', 'MAX_NODES', 'MAX_SEQUENCE', 'MAX_VALUE_SIZE',
           'MAX_WORK']

#: Longest condition text accepted.
MAX_LENGTH = 2000
#: Most AST nodes in one condition.
MAX_NODES = 400
#: Deepest nesting of AST nodes.
MAX_DEPTH = 30
#: Longest string, list or tuple that ``+`` or ``*`` may build.
MAX_SEQUENCE = 10000
#: Largest value (about characters, see :func:`_measure`) an evaluation
#: may create.
MAX_VALUE_SIZE = 100000
#: Sum of the sizes of all the values one evaluation creates: a work (and
#: so time) budget per image.
MAX_WORK = 1000000
#: ``**`` is only allowed between number literals within these bounds.
MAX_POWER_BASE = 2 ** 32
MAX_POWER_EXPONENT = 64

IMAGE_FIELDS = frozenset({
    'id', 'name', 'region', 'owner', 'status', 'size', 'checksum',
    'is_public', 'visibility', 'user_properties', 'disk_format',
    'container_format', 'min_disk', 'min_ram', 'os_hash_algo',
    'os_hash_value'})

_STR_METHODS = frozenset({
    'startswith', 'endswith', 'lower', 'upper', 'strip', 'lstrip', 'rstrip',
    'split', 'isdigit', 'isalpha', 'isalnum', 'find', 'count'})
_SET_METHODS = frozenset({
    'intersection', 'union', 'difference', 'symmetric_difference',
    'issubset', 'issuperset', 'isdisjoint'})
#: The methods allowed, by the exact type of the value they are called on.
SAFE_METHODS: dict[type, frozenset[str]] = {
    dict: frozenset({'get', 'keys', 'values', 'items', 'has_key'}),
    str: _STR_METHODS,
    set: _SET_METHODS,
    frozenset: _SET_METHODS,
    list: frozenset({'count', 'index'}),
    tuple: frozenset({'count', 'index'}),
}
_ALL_METHODS = frozenset().union(*SAFE_METHODS.values())

SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    'len': len, 'str': str, 'unicode': str, 'int': int, 'float': float,
    'bool': bool, 'set': set, 'frozenset': frozenset, 'list': list,
    'tuple': tuple,
}

#: Names of the constructs that are never allowed, for error messages.
_FORBIDDEN_NAMES = {
    ast.Lambda: 'lambda', ast.ListComp: 'list comprehension',
    ast.SetComp: 'set comprehension', ast.DictComp: 'dict comprehension',
    ast.GeneratorExp: 'generator expression', ast.JoinedStr: 'f-string',
    ast.FormattedValue: 'f-string', ast.NamedExpr: 'assignment (:=)',
    ast.Starred: 'starred expression (*x)', ast.Await: 'await',
    ast.Yield: 'yield', ast.YieldFrom: 'yield',
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos,
}

#: The nodes whose evaluation creates a new value, measured each time.
_CREATING = (ast.Call, ast.BinOp, ast.List, ast.Tuple, ast.Set, ast.Dict,
             ast.Subscript)
_CONTAINERS = (list, tuple, set, frozenset, KeysView, ValuesView,
               ItemsView)

#: What a compiled node is: a function of (image, metadata_set, budget).
Env = tuple[Any, frozenset[str], '_Budget']
Evaluator = Callable[[Env], Any]


class ConditionError(ValueError):
    """A ``metadata_condition`` that cannot be parsed or is not allowed."""

    message = 'metadata_condition %(text)r is not allowed: %(reason)s'

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(self.message % {'text': text, 'reason': reason})


class ConditionLimitError(ValueError):
    """An evaluation built too big a value or did too much work."""


class _Budget:
    """What one evaluation may still create (see :data:`MAX_WORK`)."""

    __slots__ = ('left',)

    def __init__(self) -> None:
        self.left = MAX_WORK

    def charge(self, value: Any) -> Any:
        """Count a created value against the limits; returns it.

        :raises ConditionLimitError: it is bigger than
            :data:`MAX_VALUE_SIZE`, or the budget is spent.
        """
        limit = min(MAX_VALUE_SIZE, self.left)
        size = _measure(value, limit)
        if size > MAX_VALUE_SIZE:
            raise ConditionLimitError('a value bigger than %d characters'
                                      % MAX_VALUE_SIZE)
        self.left -= size
        if self.left < 0:
            raise ConditionLimitError('the evaluation built more than %d '
                                      'characters in all' % MAX_WORK)
        return value


def _measure(value: Any, limit: int) -> int:
    """The size of a value, counting shared items each time they appear.

    The walk is iterative and stops as soon as the size passes ``limit``
    (it returns ``limit + 1`` then), so measuring costs at most ``limit``
    steps whatever the value's shape.
    """
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item) + 1
        elif isinstance(item, int):
            total += item.bit_length() // 8 + 1
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _CONTAINERS):
            total += 1
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            return limit + 1
    return total


class ConditionEvaluationError(RuntimeError):
    """A condition failed on one image (a missing key, a wrong type...)."""

    message = ('metadata_condition %(text)r failed on image %(image)s: '
               '%(cause)s')

    def __init__(self, text: str, image: str, cause: str) -> None:
        self.text = text
        self.image = image
        self.cause = cause
        super().__init__(self.message % {'text': text, 'image': image,
                                         'cause': cause})


class Condition:
    """A compiled, safe ``metadata_condition``; call it on an image."""

    __slots__ = ('text', '_evaluate', '_reported')

    #: How many failures :meth:`first_report` remembers.
    MAX_REPORTED = 4096

    def __init__(self, text: str, evaluate: Evaluator) -> None:
        self.text = text
        self._evaluate = evaluate
        self._reported: set[tuple[str, str, str]] = set()

    def first_report(self, error: ConditionEvaluationError,
                     image_id: str) -> bool:
        """Whether this failure on this image is seen for the first time.

        The same condition is evaluated on the same image once per target
        and again at every sync; the failure is worth one warning, not one
        per evaluation. Thread-safe enough: a race only repeats a warning.
        """
        key = (image_id, error.image, error.cause)
        if key in self._reported:
            return False
        if len(self._reported) >= self.MAX_REPORTED:
            self._reported.clear()
        self._reported.add(key)
        return True

    def __call__(self, image: Any, metadata_set: Iterable[str] = ()) -> bool:
        """Whether ``image`` satisfies the condition.

        :param image: an :class:`~glance_sync.regions.base.Image`.
        :param metadata_set: the target's ``metadata_set``.
        :raises ConditionEvaluationError: the expression failed on it.
        """
        try:
            return bool(self._evaluate((image, frozenset(metadata_set),
                                        _Budget())))
        except Exception as exc:
            name = getattr(image, 'name', repr(image))
            raise ConditionEvaluationError(
                self.text, name, '%s: %s' % (type(exc).__name__, exc)
            ) from exc

    def __repr__(self) -> str:
        return 'Condition(%r)' % self.text


def compile_condition(text: str) -> Condition:
    """Parse and check a condition; see the module docstring for what is
    allowed.

    :param text: the expression, as the configuration gives it (line
        continuations included).
    :returns: the compiled condition.
    :raises ConditionError: the text is unparsable, too big or uses a
        construct that is not allowed; the message names it.
    """
    tree = _parse(text)
    _check_size(text, tree)
    return Condition(text, _Compiler(text).build(tree.body))


def _parse(text: str) -> ast.Expression:
    if len(text) > MAX_LENGTH:
        raise ConditionError(text[:80] + '...', 'longer than %d characters'
                             % MAX_LENGTH)
    try:
        return _quiet_parse(text.strip())
    except SyntaxError:
        pass  # maybe lines continued without a backslash: retry joined
    except (ValueError, MemoryError, RecursionError) as exc:
        raise ConditionError(text, 'cannot be parsed: %s' % exc) from None
    try:
        return _quiet_parse(' '.join(text.replace('\\\n', ' ').split()))
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        reason = getattr(exc, 'msg', None) or str(exc)
        raise ConditionError(text, 'not a Python expression: %s'
                             % reason) from None


def _quiet_parse(text: str) -> ast.Expression:
    # The parser warns about oddities such as '1.x'; the text is either
    # refused or compiled here, so the warnings would only be noise.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return ast.parse(text, mode='eval')


def _check_size(text: str, tree: ast.Expression) -> None:
    """Reject huge or deeply nested trees before walking them recursively.

    The walk here is iterative, so a hostile tree cannot exhaust the stack
    before it is rejected.
    """
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ConditionError(text, 'more than %d elements' % MAX_NODES)
        if depth > MAX_DEPTH:
            raise ConditionError(text, 'nested deeper than %d' % MAX_DEPTH)
        stack.extend((child, depth + 1)
                     for child in ast.iter_child_nodes(node))


class _Compiler:
    """Turns a checked AST into closures; one method per node type."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, reason: str) -> NoReturn:
        """:raises ConditionError: always, naming ``reason``."""
        raise ConditionError(self.text, reason)

    def build(self, node: ast.AST) -> Evaluator:
        """The evaluator of one node.

        :raises ConditionError: the node is not allowed.
        """
        method = getattr(self, '_' + type(node).__name__.lower(), None)
        if method is None:
            self.fail('%s is not allowed' % _describe(node))
        result: Evaluator = method(node)
        if isinstance(node, _CREATING):
            return _charged(result)
        return result

    def build_all(self, nodes: Iterable[ast.AST]) -> list[Evaluator]:
        """The evaluators of several nodes, in order."""
        return [self.build(node) for node in nodes]

    # -- literals and names ------------------------------------------------

    def _constant(self, node: ast.Constant) -> Evaluator:
        value = node.value
        if not isinstance(value, (str, int, float, bool, type(None))):
            self.fail('the literal %r is not allowed' % (value,))
        return lambda env: value

    def _name(self, node: ast.Name) -> Evaluator:
        if node.id == 'image':
            return operator.itemgetter(0)
        if node.id == 'metadata_set':
            return operator.itemgetter(1)
        if node.id in SAFE_FUNCTIONS:
            self.fail('the function %s may only be called' % node.id)
        self.fail('the name %r is not allowed (only image and metadata_set)'
                  % node.id)

    def _tuple(self, node: ast.Tuple) -> Evaluator:
        items = self.build_all(node.elts)
        return lambda env: tuple(item(env) for item in items)

    def _list(self, node: ast.List) -> Evaluator:
        items = self.build_all(node.elts)
        return lambda env: [item(env) for item in items]

    def _set(self, node: ast.Set) -> Evaluator:
        items = self.build_all(node.elts)
        return lambda env: {item(env) for item in items}

    def _dict(self, node: ast.Dict) -> Evaluator:
        if any(key is None for key in node.keys):
            self.fail('dict unpacking (**x) is not allowed')
        keys = self.build_all(k for k in node.keys if k is not None)
        values = self.build_all(node.values)
        pairs = list(zip(keys, values))
        return lambda env: {k(env): v(env) for k, v in pairs}

    # -- attributes, items and calls ---------------------------------------

    def _attribute(self, node: ast.Attribute) -> Evaluator:
        if not (isinstance(node.value, ast.Name) and node.value.id == 'image'):
            self.fail('the attribute %r is only allowed on image, or as a '
                      'method call' % node.attr)
        if node.attr not in IMAGE_FIELDS:
            self.fail('image has no field %r (allowed: %s)'
                      % (node.attr, ', '.join(sorted(IMAGE_FIELDS))))
        field = operator.attrgetter(node.attr)
        return lambda env: field(env[0])

    def _subscript(self, node: ast.Subscript) -> Evaluator:
        value, index = self.build(node.value), self.build(node.slice)
        return lambda env: value(env)[index(env)]

    def _slice(self, node: ast.Slice) -> Evaluator:
        parts = [self.build(p) if p is not None else (lambda env: None)
                 for p in (node.lower, node.upper, node.step)]
        return lambda env: slice(*(part(env) for part in parts))

    def _call(self, node: ast.Call) -> Evaluator:
        if node.keywords:
            self.fail('keyword arguments are not allowed')
        args = self.build_all(node.args)
        if isinstance(node.func, ast.Attribute):
            return self._method(node.func, args)
        if isinstance(node.func, ast.Name) and node.func.id in SAFE_FUNCTIONS:
            function = SAFE_FUNCTIONS[node.func.id]
            return lambda env: function(*(arg(env) for arg in args))
        self.fail('calling %s is not allowed (allowed functions: %s)'
                  % (_describe(node.func), ', '.join(sorted(SAFE_FUNCTIONS))))

    def _method(self, func: ast.Attribute,
                args: list[Evaluator]) -> Evaluator:
        name = func.attr
        receiver = self.build(func.value)
        if name not in _ALL_METHODS:
            self.fail('the method %r is not allowed (allowed: %s)'
                      % (name, ', '.join(sorted(_ALL_METHODS))))

        def call(env: Env) -> Any:
            return _call_method(receiver(env), name,
                                [arg(env) for arg in args])
        return call

    # -- operators ---------------------------------------------------------

    def _boolop(self, node: ast.BoolOp) -> Evaluator:
        values = self.build_all(node.values)
        return _all_of(values) if isinstance(node.op, ast.And) else (
            _any_of(values))

    def _unaryop(self, node: ast.UnaryOp) -> Evaluator:
        op = _UNARY.get(type(node.op))
        if op is None:
            self.fail(_operator_refused(node.op, node))
        operand = self.build(node.operand)
        return lambda env: op(operand(env))

    def _compare(self, node: ast.Compare) -> Evaluator:
        ops = [_COMPARE[type(op)] for op in node.ops]
        first = self.build(node.left)
        rest = list(zip(ops, self.build_all(node.comparators)))

        def compare(env: Env) -> bool:
            left = first(env)
            for op, right_of in rest:
                right = right_of(env)
                if not op(left, right):
                    return False
                left = right
            return True
        return compare

    def _binop(self, node: ast.BinOp) -> Evaluator:
        if isinstance(node.op, ast.Pow):
            return self._power(node)
        op = _ARITHMETIC.get(type(node.op))
        if op is None:
            self.fail(_operator_refused(node.op, node))
        left, right = self.build(node.left), self.build(node.right)
        return lambda env: _arithmetic(op, left(env), right(env))

    def _power(self, node: ast.BinOp) -> Evaluator:
        base, exponent = _number(node.left), _number(node.right)
        # Only literals, and small ones: x ** y is the classic way to make
        # an evaluator spin or eat memory.
        if base is None or exponent is None:
            self.fail('** is only allowed between number literals')
        if abs(base) > MAX_POWER_BASE or not 0 <= exponent <= (
                MAX_POWER_EXPONENT):
            self.fail('%r ** %r is too big' % (base, exponent))
        try:
            value = base ** exponent
        except (OverflowError, ZeroDivisionError) as exc:
            self.fail('%r ** %r: %s' % (base, exponent, exc))
        return lambda env: value

    def _ifexp(self, node: ast.IfExp) -> Evaluator:
        test, body = self.build(node.test), self.build(node.body)
        orelse = self.build(node.orelse)
        return lambda env: body(env) if test(env) else orelse(env)


def _charged(evaluate: Evaluator) -> Evaluator:
    def charged(env: Env) -> Any:
        return env[2].charge(evaluate(env))
    return charged


def _describe(node: ast.AST) -> str:
    """A readable name for a construct, used in error messages."""
    for kind, name in _FORBIDDEN_NAMES.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, ast.Name):
        return repr(node.id)
    if isinstance(node, ast.Attribute):
        return 'the attribute %r' % node.attr
    try:
        return '%r' % ast.unparse(node)[:60]
    except Exception:  # a node ast.unparse does not know
        return type(node).__name__


_SYMBOLS = {ast.LShift: '<<', ast.RShift: '>>', ast.BitOr: '|',
            ast.BitAnd: '&', ast.BitXor: '^', ast.MatMult: '@',
            ast.Invert: '~'}


def _operator_refused(op: ast.AST, node: ast.AST) -> str:
    symbol = _SYMBOLS.get(type(op), type(op).__name__)
    return 'the operator %s is not allowed (in %s)' % (symbol,
                                                       _describe(node))


def _number(node: ast.AST) -> int | float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value: int | float = node.value
        return value
    return None


def _all_of(values: list[Evaluator]) -> Evaluator:
    def all_of(env: Env) -> Any:
        result: Any = True
        for value in values:
            result = value(env)
            if not result:
                return result
        return result
    return all_of


def _any_of(values: list[Evaluator]) -> Evaluator:
    def any_of(env: Env) -> Any:
        result: Any = False
        for value in values:
            result = value(env)
            if result:
                return result
        return result
    return any_of


def _arithmetic(op: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    """``op(left, right)``, refusing what could eat memory or run code.

    ``%`` on a string is formatting (``'%09999999d' % 1`` builds a huge
    string), and ``*`` or ``+`` on sequences can build big ones, so
    sequences are bounded and string formatting is refused.
    """
    if op is operator.mod and isinstance(left, (str, bytes)):
        raise TypeError('string formatting is not allowed')
    if op in (operator.mul, operator.add):
        _check_length(op, left, right)
    return op(left, right)


def _check_length(op: Callable[[Any, Any], Any], left: Any,
                  right: Any) -> None:
    sequences = (str, list, tuple)
    if not isinstance(left, sequences) and not isinstance(right, sequences):
        return
    if op is operator.add:
        if len(left) + len(right) > MAX_SEQUENCE:
            raise ValueError('result longer than %d items' % MAX_SEQUENCE)
        return
    seq, times = (left, right) if isinstance(left, sequences) else (
        right, left)
    if not isinstance(times, int) or times <= 0:
        return
    if len(seq) * times > MAX_SEQUENCE:
        raise ValueError('result longer than %d items' % MAX_SEQUENCE)
    # Before multiplying: the result is the operand's size that many
    # times (shared items count each time, as str() would print them),
    # and building it first is what could eat the memory.
    if _measure(seq, MAX_VALUE_SIZE) * times > MAX_VALUE_SIZE:
        raise ConditionLimitError('a value bigger than %d characters'
                                  % MAX_VALUE_SIZE)


def _call_method(receiver: Any, name: str, args: list[Any]) -> Any:
    """``receiver.name(*args)`` if the receiver's exact type allows it."""
    allowed = SAFE_METHODS.get(type(receiver), frozenset())
    if name not in allowed:
        raise TypeError('%s has no allowed method %r'
                        % (type(receiver).__name__, name))
    if name == 'has_key':  # Python 2 conditions still use it
        if len(args) != 1:
            raise TypeError('has_key takes exactly one argument')
        return args[0] in receiver
    return getattr(receiver, name)(*args)
