"""I-Regexp (RFC 9485) for JSONPath's match() and search(): check a pattern, then run it in time linear in the text.

Python's `re` backtracks, so a pattern such as `(a+)+$` can take minutes on a short string; a pattern may come
from the document itself (`match(@.name, $.pattern)`). Here a pattern becomes a Thompson NFA that is run as a
DFA built lazily, one state set per step, so a match costs at most (text length x pattern states) steps.

Beyond the RFC's grammar, `^` and `$` are anchors (start and end of the text), as the JSONPath compliance
suite expects and as the host regex engines that implementations map I-Regexp onto treat them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Predicate = Callable[[str], bool]

# A pattern over these bounds is treated as one that is not an I-Regexp (match and search are false): the
# bounds keep a pattern from a document from costing unbounded time or memory to build.
MAX_PATTERN_CHARS = 1000
MAX_STATES = 5000  # NFA states, after a counted repetition `x{2,5}` is expanded into copies
MAX_GROUP_DEPTH = 32
_MAX_DFA_STATES = 2000  # cached state sets per pattern; past this the cache starts again
_MAX_CACHED_PATTERNS = 256

_SPECIAL = frozenset("()*+.?[\\]{|}^$")
_SINGLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"} | {c: c for c in "()*+-.?[\\]^{|}"}
_CATEGORIES = frozenset("L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps Z Zl Zp Zs "
                        "S Sc Sk Sm So C Cc Cf Cn Co".split())


class NotIRegexp(Exception):
    """The pattern is not an I-Regexp (or is over this module's bounds)."""


# --- parsing: pattern -> a small tree -----------------------------------------------------------------
# Nodes are tuples: ("char", predicate), ("cat", [nodes]), ("alt", [nodes]), ("rep", node, low, high|None),
# ("bol",), ("eol",).


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise NotIRegexp("unexpected end of pattern")
        self.pos += 1
        return char


def _parse(pattern: str) -> tuple:
    reader = _Reader(pattern)
    tree = _alternation(reader, 0)
    if reader.pos != len(pattern):
        raise NotIRegexp(f"unexpected {reader.peek()!r} at {reader.pos}")
    return tree


def _alternation(reader: _Reader, depth: int) -> tuple:
    if depth > MAX_GROUP_DEPTH:
        raise NotIRegexp("groups nested too deeply")
    branches = [_branch(reader, depth)]
    while reader.peek() == "|":
        reader.pos += 1
        branches.append(_branch(reader, depth))
    return branches[0] if len(branches) == 1 else ("alt", branches)


def _branch(reader: _Reader, depth: int) -> tuple:
    pieces = []
    while reader.peek() not in ("", "|", ")"):
        pieces.append(_piece(reader, depth))
    return ("cat", pieces)


def _piece(reader: _Reader, depth: int) -> tuple:
    char = reader.peek()
    if char in "^$":
        reader.pos += 1
        if reader.peek() and reader.peek() in "*+?{":
            raise NotIRegexp("an anchor cannot be repeated")
        return ("bol",) if char == "^" else ("eol",)
    atom = _atom(reader, depth)
    char = reader.peek()
    if char == "*":
        reader.pos += 1
        return ("rep", atom, 0, None)
    if char == "+":
        reader.pos += 1
        return ("rep", atom, 1, None)
    if char == "?":
        reader.pos += 1
        return ("rep", atom, 0, 1)
    if char == "{":
        reader.pos += 1
        low = _digits(reader)
        high: int | None = low
        if reader.peek() == ",":
            reader.pos += 1
            high = _digits(reader) if reader.peek().isdigit() else None
        if reader.take() != "}" or (high is not None and high < low):
            raise NotIRegexp("malformed {n,m}")
        return ("rep", atom, low, high)
    return atom


def _digits(reader: _Reader) -> int:
    start = reader.pos
    while reader.peek() and reader.peek() in "0123456789":
        reader.pos += 1
    if start == reader.pos:
        raise NotIRegexp("expected a number")
    if reader.pos - start > 4:  # more copies than MAX_STATES; also keeps `(){99999999}` from looping
        raise NotIRegexp("a count over 9999")
    return int(reader.text[start: reader.pos])


def _atom(reader: _Reader, depth: int) -> tuple:
    char = reader.take()
    if char == "(":
        inner = _alternation(reader, depth + 1)
        if reader.take() != ")":
            raise NotIRegexp("unclosed group")
        return inner
    if char == ".":
        return ("char", _dot)
    if char == "\\":
        return ("char", _escape(reader))
    if char == "[":
        return ("char", _class(reader))
    if char in _SPECIAL or _is_surrogate(char):
        raise NotIRegexp(f"unexpected {char!r}")
    return ("char", char.__eq__)


def _escape(reader: _Reader) -> Predicate:
    """After a backslash: a single-character escape or \\p{..} / \\P{..}."""
    char = reader.take()
    if char in _SINGLE_ESCAPES:
        return _SINGLE_ESCAPES[char].__eq__
    if char in "pP":
        if reader.take() != "{":
            raise NotIRegexp("expected '{' after \\p")
        end = reader.text.find("}", reader.pos)
        name = reader.text[reader.pos: end] if end >= 0 else ""
        if name not in _CATEGORIES:
            raise NotIRegexp(f"unknown category {name!r}")
        reader.pos = end + 1
        return _category(name, negated=char == "P")
    raise NotIRegexp(f"unknown escape \\{char}")


def _category(name: str, negated: bool) -> Predicate:
    import unicodedata  # only a pattern with \p{..} needs it

    category = unicodedata.category
    if len(name) == 1:
        return lambda c: (category(c)[0] == name) != negated
    return lambda c: (category(c) == name) != negated


def _class(reader: _Reader) -> Predicate:
    """After '[': `[^]`? then items, a leading or trailing '-' literal, up to ']'."""
    negated = reader.peek() == "^"
    if negated:
        reader.pos += 1
    singles: set[str] = set()
    ranges: list[tuple[str, str]] = []
    tests: list[Predicate] = []
    first = True
    while True:
        char = reader.take()
        if char == "]" and not first:
            break
        if char == "-":
            if not first and reader.peek() != "]":
                raise NotIRegexp("'-' inside a class must be first, last or part of a range")
            singles.add("-")
        elif char == "\\" and reader.peek() in ("p", "P"):
            tests.append(_escape(reader))
        else:
            low = _class_char(reader, char)
            if reader.peek() == "-" and reader.text[reader.pos + 1: reader.pos + 2] not in ("]", ""):
                reader.pos += 1
                high = _class_char(reader, reader.take())
                if high < low:
                    raise NotIRegexp("range out of order")
                ranges.append((low, high))
            else:
                singles.add(low)
        first = False

    def member(c: str) -> bool:
        found = c in singles or any(low <= c <= high for low, high in ranges) or any(test(c) for test in tests)
        return found != negated

    return member


def _class_char(reader: _Reader, char: str) -> str:
    if char == "\\":
        escaped = reader.take()
        if escaped not in _SINGLE_ESCAPES:
            raise NotIRegexp(f"unknown escape \\{escaped}")
        return _SINGLE_ESCAPES[escaped]
    if char in "[]-" or _is_surrogate(char):
        raise NotIRegexp(f"unexpected {char!r} in a class")
    return char


def _is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def _dot(char: str) -> bool:
    return char != "\n" and char != "\r"


# --- the automaton: tree -> NFA, run as a lazily built DFA ---------------------------------------------


class _Nfa:
    """States by number: `predicates[i]` (a character state, moving to `nexts[i][0]`), or None for an
    epsilon state moving to every one of `nexts[i]`; `anchors[i]` is "^" or "$" for an assertion state."""

    def __init__(self) -> None:
        self.predicates: list[Predicate | None] = []
        self.nexts: list[list[int]] = []
        self.anchors: dict[int, str] = {}

    def add(self, predicate: Predicate | None, nexts: list[int]) -> int:
        if len(self.nexts) >= MAX_STATES:
            raise NotIRegexp(f"more than {MAX_STATES} states")
        self.predicates.append(predicate)
        self.nexts.append(nexts)
        return len(self.nexts) - 1

    def build(self, node: tuple, following: int) -> int:
        """The start state of `node`, which continues at `following`."""
        kind = node[0]
        if kind == "char":
            return self.add(node[1], [following])
        if kind == "cat":
            for part in reversed(node[1]):
                following = self.build(part, following)
            return following
        if kind == "alt":
            return self.add(None, [self.build(branch, following) for branch in node[1]])
        if kind in ("bol", "eol"):
            state = self.add(None, [following])
            self.anchors[state] = "^" if kind == "bol" else "$"
            return state
        _, body, low, high = node
        if high is None:
            loop = self.add(None, [])
            self.nexts[loop] = [self.build(body, loop), following]
            start = loop
        else:
            start = following
            for _ in range(high - low):
                start = self.add(None, [self.build(body, start), following])
        for _ in range(low):
            start = self.build(body, start)
        return start


class _DfaState:
    __slots__ = ("states", "moves", "accepts", "accepts_at_end")

    def __init__(self, states: frozenset[int], accepts: bool, accepts_at_end: bool) -> None:
        self.states = states
        self.moves: dict[str, _DfaState] = {}
        self.accepts = accepts  # the match state is reached without needing the end of the text
        self.accepts_at_end = accepts_at_end


class Pattern:
    """A checked I-Regexp, ready for `fullmatch` (JSONPath match()) and `search` (JSONPath search())."""

    def __init__(self, tree: tuple) -> None:
        self.nfa = _Nfa()
        self.final = self.nfa.add(None, [])
        self.start = self.nfa.build(tree, self.final)
        self.cache: dict[tuple[frozenset[int], bool], _DfaState] = {}

    def _closure(self, seeds: list[int], at_start: bool, at_end: bool) -> frozenset[int]:
        seen: set[int] = set()
        stack = list(seeds)
        nfa = self.nfa
        while stack:
            state = stack.pop()
            if state in seen:
                continue
            seen.add(state)
            if nfa.predicates[state] is None:
                anchor = nfa.anchors.get(state)
                if anchor is None or (anchor == "^" and at_start) or (anchor == "$" and at_end):
                    stack.extend(nfa.nexts[state])
        return frozenset(seen)

    def _state(self, states: frozenset[int], searching: bool) -> _DfaState:
        if searching:  # an unanchored search may start at every position
            states = states | self._closure([self.start], False, False)
        key = (states, searching)
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= _MAX_DFA_STATES:
                self.cache.clear()
            at_end = self._closure(list(states), False, True)
            found = self.cache[key] = _DfaState(states, self.final in states, self.final in at_end)
        return found

    def _step(self, current: _DfaState, char: str, searching: bool) -> _DfaState:
        nfa = self.nfa
        moved = [nfa.nexts[s][0] for s in current.states
                 if (test := nfa.predicates[s]) is not None and test(char)]
        following = self._state(self._closure(moved, False, False), searching)
        if len(current.moves) < 256:  # a state seeing many distinct characters keeps only the first ones
            current.moves[char] = following
        return following

    def _run(self, text: str, searching: bool) -> bool:
        if not text:
            return self.final in self._closure([self.start], True, True)
        state = self._state(self._closure([self.start], True, False), searching)
        for char in text:
            if searching and state.accepts:
                return True
            following = state.moves.get(char)
            state = following if following is not None else self._step(state, char, searching)
            if not state.states and not searching:
                return False
        return state.accepts_at_end

    def fullmatch(self, text: str) -> bool:
        return self._run(text, False)

    def search(self, text: str) -> bool:
        return self._run(text, True)


class _Literal:
    """A pattern with no special character: plain string comparison."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fullmatch(self, text: str) -> bool:
        return text == self.text

    def search(self, text: str) -> bool:
        return self.text in text


_compiled: dict[str, Pattern | _Literal | None] = {}


def compile_pattern(pattern: str) -> Pattern | _Literal | None:
    """The compiled pattern, or None when it is not an I-Regexp (or is over the bounds); cached."""
    if pattern in _compiled:
        return _compiled[pattern]
    result: Pattern | _Literal | None
    if len(pattern) > MAX_PATTERN_CHARS:
        result = None
    elif not _SPECIAL.intersection(pattern) and not any(map(_is_surrogate, pattern)):
        result = _Literal(pattern)
    else:
        try:
            result = Pattern(_parse(pattern))
        except NotIRegexp:
            result = None
    if len(_compiled) >= _MAX_CACHED_PATTERNS:
        _compiled.clear()
    _compiled[pattern] = result
    return result


def match(text: object, pattern: object) -> bool:
    """JSONPath match(): the whole of `text` matches; false for a non-string or a pattern that is not an I-Regexp."""
    if type(text) is not str or type(pattern) is not str:
        return False
    compiled = compile_pattern(pattern)
    return compiled is not None and compiled.fullmatch(text)


def search(text: object, pattern: object) -> bool:
    """JSONPath search(): some substring of `text` matches."""
    if type(text) is not str or type(pattern) is not str:
        return False
    compiled = compile_pattern(pattern)
    return compiled is not None and compiled.search(text)
