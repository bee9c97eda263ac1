"""Evaluate parsed JSONPath queries as RFC 9535 section 2 defines them: a nodelist of (location, value) pairs.

A query is turned once into plain Python closures (a filter's comparison becomes one small function), so a
filter over 10,000 tasks costs a few milliseconds. Inside a filter only values are needed, so its queries
skip building locations, and a singular query (`@.status`) is a direct walk.
"""

from __future__ import annotations

import operator

from sudolang.jsonpath_parse import (
    LOGICAL,
    NODES,
    VALUE,
    FUNCTIONS,
    And,
    Call,
    Comparison,
    Filter,
    Index,
    Literal,
    Name,
    Not,
    Or,
    Query,
    QueryTooLarge,
    Segment,
    Slice,
    Test,
    Wildcard,
    shown,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from sudolang.jsonpath_parse import Expression, Selector

    Token = str | int
    Location = tuple[Token, ...]
    Node = tuple[Location, Any]
    Select = Callable[[Any, "_Context"], Iterable[tuple[Token, Any]]]
    Getter = Callable[[Any, "_Context"], Any]  # (current node's value, context) -> a value or NOTHING
    Predicate = Callable[[Any, "_Context"], bool]
    Step = Callable[[list, "_Context"], list]

# Nodes one evaluation may produce or visit, all segments and filters together. Duplicates are kept in a
# nodelist, so `$[0,0][0,0]...` doubles with each segment and `$..*..*` multiplies by the depth: past this
# the query is refused rather than left to run for hours under the session's lock.
MAX_NODES = 500_000


class NOTHING:
    """The RFC's special result Nothing: no value (a missing member, value() of several nodes)."""


class _Context:
    __slots__ = ("root", "work", "text")

    def __init__(self, root: Any, text: str) -> None:
        self.root = root
        self.work = 0
        self.text = text

    def spend(self, nodes: int) -> None:
        self.work += nodes
        if self.work > MAX_NODES:
            raise QueryTooLarge(f"JSONPath {shown(self.text)} selects or visits more than {MAX_NODES:,} nodes "
                                "of this document; make it narrower")


def compile_query(query: Query, text: str) -> Callable[[Any], list[Node]]:
    """A function from a document to the nodelist `query` selects in it, in the RFC's order."""
    steps = [_segment(segment, located=True) for segment in query.segments]

    def run(document: Any) -> list[Node]:
        context = _Context(document, text)
        nodes: list = [((), document)]
        for step in steps:
            nodes = step(nodes, context)
        return nodes

    return run


# --- segments and selectors ------------------------------------------------------------------------------


def _segment(segment: Segment, located: bool) -> Step:
    """One segment over a nodelist: (location, value) pairs when `located`, else bare values."""
    selectors = [_SELECTORS[type(selector)](selector) for selector in segment.selectors]
    if segment.descendant:
        return _descendant_step(selectors, located)

    def located_step(nodes: list, context: _Context) -> list:
        out: list = []
        room = MAX_NODES - context.work  # checked per input node: one node gives at most its children per selector
        for location, value in nodes:
            for select in selectors:
                out += [(location + (key,), child) for key, child in select(value, context)]
            if len(out) > room:
                break
        context.spend(len(out))
        return out

    def value_step(nodes: list, context: _Context) -> list:
        out: list = []
        room = MAX_NODES - context.work
        for value in nodes:
            for select in selectors:
                out += [child for _, child in select(value, context)]
            if len(out) > room:
                break
        context.spend(len(out))
        return out

    return located_step if located else value_step


def _descendant_step(selectors: list[Select], located: bool) -> Step:
    """`..`: the selectors applied to each input node and to each of its descendants, in that order. The
    visits count against MAX_NODES as well as the nodes selected."""

    def located_step(nodes: list, context: _Context) -> list:
        out: list = []
        visited = 0
        room = MAX_NODES - context.work
        for location, value in nodes:
            if not isinstance(value, (dict, list)):
                continue
            found = _descendants(location, value)
            visited += len(found)
            out += [(at + (key,), child) for at, current in found for select in selectors
                    for key, child in select(current, context)]
            if len(out) + visited > room:
                break
        context.spend(len(out) + visited)
        return out

    def value_step(nodes: list, context: _Context) -> list:
        out: list = []
        visited = 0
        room = MAX_NODES - context.work
        for value in nodes:
            if not isinstance(value, (dict, list)):
                continue
            found = _descendant_values(value)
            visited += len(found)
            out += [child for current in found for select in selectors for _, child in select(current, context)]
            if len(out) + visited > room:
                break
        context.spend(len(out) + visited)
        return out

    return located_step if located else value_step


# Only objects and arrays are visited: every selector selects nothing from a string, number, boolean or null.


def _descendants(location: Location, value: Any) -> list[Node]:
    """The node and its descendants that are objects or arrays, each before its children, children in order."""
    found = []
    stack = [(location, value)]
    while stack:
        location, value = stack.pop()
        found.append((location, value))
        if isinstance(value, dict):
            stack += reversed([(location + (key,), child) for key, child in value.items()
                               if isinstance(child, (dict, list))])
        else:
            stack += reversed([(location + (index,), child) for index, child in enumerate(value)
                               if isinstance(child, (dict, list))])
    return found


def _descendant_values(value: Any) -> list:
    found = []
    stack = [value]
    while stack:
        value = stack.pop()
        found.append(value)
        if isinstance(value, dict):
            stack += reversed([child for child in value.values() if isinstance(child, (dict, list))])
        else:
            stack += reversed([child for child in value if isinstance(child, (dict, list))])
    return found


def _name(selector: Name) -> Select:
    name = selector.name

    def select(value: Any, context: _Context) -> Iterable[tuple[Token, Any]]:
        if isinstance(value, dict) and name in value:
            return ((name, value[name]),)
        return ()

    return select


def _wildcard(selector: Wildcard) -> Select:
    def select(value: Any, context: _Context) -> Iterable[tuple[Token, Any]]:
        if isinstance(value, dict):
            return value.items()
        if isinstance(value, list):
            return enumerate(value)
        return ()

    return select


def _index(selector: Index) -> Select:
    index = selector.index

    def select(value: Any, context: _Context) -> Iterable[tuple[Token, Any]]:
        if isinstance(value, list):
            at = index + len(value) if index < 0 else index
            if 0 <= at < len(value):
                return ((at, value[at]),)
        return ()

    return select


def _slice(selector: Slice) -> Select:
    # Python's slice arithmetic is the RFC's (section 2.3.4.2), defaults included; a step of 0 selects nothing.
    bounds = slice(selector.start, selector.end, selector.step)

    def select(value: Any, context: _Context) -> Iterable[tuple[Token, Any]]:
        if not isinstance(value, list) or bounds.step == 0:
            return ()
        return [(index, value[index]) for index in range(*bounds.indices(len(value)))]

    return select


def _filter(selector: Filter) -> Select:
    keep = _logical(selector.expression)

    def select(value: Any, context: _Context) -> Iterable[tuple[Token, Any]]:
        if isinstance(value, dict):
            return [(key, child) for key, child in value.items() if keep(child, context)]
        if isinstance(value, list):
            return [(index, child) for index, child in enumerate(value) if keep(child, context)]
        return ()

    return select


_SELECTORS: dict[type, Callable[[Any], Select]] = {
    Name: _name, Wildcard: _wildcard, Index: _index, Slice: _slice, Filter: _filter}


# --- queries inside filters --------------------------------------------------------------------------------


def _values(query: Query) -> Getter:
    """The values a query inside a filter selects, as a list."""
    if query.singular:
        get = _singular(query)
        return lambda current, context: [] if (value := get(current, context)) is NOTHING else [value]
    steps = [_segment(segment, located=False) for segment in query.segments]
    relative = query.relative

    def run(current: Any, context: _Context) -> list:
        nodes = [current if relative else context.root]
        for step in steps:
            nodes = step(nodes, context)
        return nodes

    return run


def _singular(query: Query) -> Getter:
    """The value a singular query names, or NOTHING."""
    tokens = [selector.name if isinstance(selector, Name) else selector.index  # type: ignore[union-attr]
              for segment in query.segments for selector in segment.selectors]
    relative = query.relative
    if relative and len(tokens) == 1 and isinstance(tokens[0], str):
        name = tokens[0]
        return lambda current, context: current.get(name, NOTHING) if isinstance(current, dict) else NOTHING

    def get(current: Any, context: _Context) -> Any:
        value = current if relative else context.root
        for token in tokens:
            if isinstance(token, str):
                if not isinstance(value, dict) or token not in value:
                    return NOTHING
                value = value[token]
            else:
                if not isinstance(value, list):
                    return NOTHING
                at = token + len(value) if token < 0 else token
                if not 0 <= at < len(value):
                    return NOTHING
                value = value[at]
        return value

    return get


# --- filter expressions ---------------------------------------------------------------------------------


def _logical(expression: Expression) -> Predicate:
    kind = type(expression)
    if kind is Comparison:
        return _comparison(expression)  # type: ignore[arg-type]
    if kind is And or kind is Or:
        parts = [_logical(part) for part in expression.operands]  # type: ignore[union-attr]
        return _all(parts) if kind is And else _any(parts)
    if kind is Not:
        inner = _logical(expression.operand)  # type: ignore[union-attr]
        return lambda current, context: not inner(current, context)
    assert isinstance(expression, Test)
    operand = expression.operand
    if isinstance(operand, Query):
        if operand.singular:
            get = _singular(operand)
            return lambda current, context: get(current, context) is not NOTHING
        nodes = _values(operand)
        return lambda current, context: bool(nodes(current, context))
    call = _call(operand)
    if operand.result == LOGICAL:
        return lambda current, context: call(current, context) is True
    return lambda current, context: bool(call(current, context))


def _all(parts: list[Predicate]) -> Predicate:
    first, *rest = parts
    if not rest:
        return first
    others = _all(rest)
    return lambda current, context: first(current, context) and others(current, context)


def _any(parts: list[Predicate]) -> Predicate:
    first, *rest = parts
    if not rest:
        return first
    others = _any(rest)
    return lambda current, context: first(current, context) or others(current, context)


def _comparable(expression: Expression) -> Getter:
    """A literal, a singular query or a function returning a value, as a getter of a value or NOTHING."""
    if isinstance(expression, Literal):
        constant = expression.value
        return lambda current, context: constant
    if isinstance(expression, Query):
        return _singular(expression)
    assert isinstance(expression, Call)
    return _call(expression)


def _comparison(expression: Comparison) -> Predicate:
    op, left, right = expression.op, expression.left, expression.right
    if isinstance(left, Literal) and not isinstance(right, Literal):  # the constant on the right
        left, right, op = right, left, _SWAPPED[op]
    get = _comparable(left)
    if isinstance(right, Literal):
        fast = _member_against_text(op, left, right.value) or _against_constant(op, get, right.value)
        if fast is not None:
            return fast
    compare = _OPERATORS[op]
    other = _comparable(right)
    return lambda current, context: compare(get(current, context), other(current, context))


def _member_against_text(op: str, left: Expression, constant: Any) -> Predicate | None:
    """`@.name == "text"` (and `!=`) in one call per node: the filter of most state queries (`@.status ==
    "done"` over 10,000 tasks), without the getter's call that _against_constant makes. A member that is
    absent is Nothing, which equals no text; None where the query is not one member of the current node."""
    if type(constant) is not str or op not in ("==", "!=") or not isinstance(left, Query) or not left.relative:
        return None
    selectors = [selector for segment in left.segments for selector in segment.selectors]
    if len(left.segments) != 1 or left.segments[0].descendant or len(selectors) != 1 \
            or not isinstance(selectors[0], Name):
        return None
    name = selectors[0].name
    if op == "==":
        return lambda current, context: isinstance(current, dict) and current.get(name, NOTHING) == constant
    return lambda current, context: not isinstance(current, dict) or current.get(name, NOTHING) != constant


def _against_constant(op: str, get: Getter, constant: Any) -> Predicate | None:
    """`get(...) OP constant` without the general comparison's dispatch, for the common filters
    (`@.status == "todo"`, `@.points > 3`); None where the general rules are needed."""
    kind = type(constant)
    if kind is str and op == "==":
        return lambda current, context: get(current, context) == constant  # only an equal string is ==
    if kind is str and op == "!=":
        return lambda current, context: get(current, context) != constant
    if (kind is bool or constant is None) and op in ("==", "!="):
        same = op == "=="
        return lambda current, context: (get(current, context) is constant) == same
    if kind in _NUMBERS:
        if op == "==":
            return lambda current, context: type(value := get(current, context)) in _NUMBERS and value == constant
        if op == "!=":
            return lambda current, context: not (type(value := get(current, context)) in _NUMBERS
                                                 and value == constant)
        order = _ORDER[op]  # int and float compare exactly with each other; a bool is neither here
        return lambda current, context: type(value := get(current, context)) in _NUMBERS and order(value, constant)
    return None


_NUMBERS = (int, float)
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _equal(left: Any, right: Any) -> bool:
    """The RFC's ==: Nothing equals only Nothing; numbers by value (1 == 1.0); no number equals a boolean;
    arrays and objects member by member."""
    if left is right:
        return True
    kind, other = type(left), type(right)
    if kind is not other:
        return kind in _NUMBERS and other in _NUMBERS and left == right
    if kind is list:
        return len(left) == len(right) and all(_equal(a, b) for a, b in zip(left, right))
    if kind is dict:
        return left.keys() == right.keys() and all(_equal(value, right[key]) for key, value in left.items())
    return left is not NOTHING and left == right


def _less(left: Any, right: Any) -> bool:
    """The RFC's <: only between two numbers or two strings; anything else is false."""
    kind, other = type(left), type(right)
    if kind in _NUMBERS and other in _NUMBERS:
        return left < right
    return kind is str and other is str and left < right


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda left, right: not _equal(left, right),
    "<": _less,
    ">": lambda left, right: _less(right, left),
    "<=": lambda left, right: _less(left, right) or _equal(left, right),
    ">=": lambda left, right: _less(right, left) or _equal(left, right),
}
_SWAPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


# --- function extensions ------------------------------------------------------------------------------


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, (str, list, dict)) else NOTHING


def _value(nodes: list) -> Any:
    return nodes[0] if len(nodes) == 1 else NOTHING


def _match(text: Any, pattern: Any) -> bool:
    from sudolang import iregexp  # only a filter with match() or search() needs the regex engine

    return iregexp.match(text, pattern)


def _search(text: Any, pattern: Any) -> bool:
    from sudolang import iregexp

    return iregexp.search(text, pattern)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "length": _length, "count": len, "match": _match, "search": _search, "value": _value}


def _call(call: Call) -> Getter:
    function = _FUNCTIONS[call.name]
    arguments = [_argument(argument, kind) for argument, kind in zip(call.arguments, FUNCTIONS[call.name][0])]
    if len(arguments) == 1:
        only = arguments[0]
        return lambda current, context: function(only(current, context))
    first, second = arguments
    return lambda current, context: function(first(current, context), second(current, context))


def _argument(argument: Expression, kind: str) -> Getter:
    if kind == VALUE:
        return _comparable(argument)
    if kind == NODES:
        return _values(argument) if isinstance(argument, Query) else _call(argument)  # type: ignore[arg-type]
    return _logical(argument)
