"""The LALR(1) runtime both parsers use: a lexer for grammar.lark's terminals and a loop that runs the parse
tables of sudolang/parse_tables.py, which tools/build_parsers.py has Lark build from the .lark grammars.

Lark is the grammar compiler; this is its runtime cut to what sudolang asks of it. The tables already say
what Lark's tree builder would do on each reduction (which children a rule keeps, which an inlined `_rule`
splices in, whether a `?rule` gives its only child), so a reduction is one call of the builder's method named
after the rule: no tree is built, and nothing recurses. Lark's standalone runtime took ~16 ms to import (with
typing, inspect, logging and dataclasses) and about twice as long per token.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable


class Token:
    """A terminal of a grammar, with its text and its offsets in the text lexed."""

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def update(self, type: str) -> Token:
        """The same text at the same place, read as another terminal."""
        return Token(type, self.value, self.start_pos, self.end_pos)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r}, {self.start_pos}, {self.end_pos})"


class UnexpectedToken(Exception):
    """The grammar takes no `token` here (None: the input ended too early); `expected` names what it takes."""

    def __init__(self, token: Token | None, expected: list[str]) -> None:
        shown = f"`{token.value}` ({token.type}) at {token.start_pos}" if token else "the end of the input"
        super().__init__(f"unexpected {shown}; expected one of {', '.join(expected)}")
        self.token = token
        self.expected = expected


_END = Token("$END", "", -1, -1)  # what the tables read after the last token


def lex(pattern: Any, text: str) -> list[Token]:
    """The tokens of `text` by `pattern` (one compiled alternation of named groups, in the grammar's terminal
    order, that matches somewhere at every position: grammar.lark's terminals cover every character)."""
    tokens: list[Token] = []
    match = pattern.match
    position, end = 0, len(text)
    while position < end:
        found = match(text, position)
        if found is None:
            raise ValueError(f"no terminal of the grammar matches at offset {position}: {text[position:position + 20]!r}")
        after = found.end()
        tokens.append(Token(found.lastgroup, found.group(), position, after))
        position = after
    return tokens


class Parser:
    """Runs one grammar's tables (a dict of sudolang.parse_tables) with `builder`, whose method named after a
    rule (or its alias) makes that rule's value from its children: tokens and the values of its rules."""

    def __init__(self, tables: dict, builder: object) -> None:
        self._states: tuple[dict[str, int], ...] = tables["states"]
        self._start_states: dict[str, int] = tables["start_states"]
        self._end_states: dict[str, int] = tables["end_states"]
        self.literals: dict[str, str] = tables["literals"]  # each fixed text of the grammar -> its terminal
        self._rules = [(origin, size, _reducer(builder, size, callback, include))
                       for origin, size, callback, include in tables["rules"]]

    def parse(self, tokens: Iterable[Token], start: str) -> Any:
        """The value the builder made of the `start` rule, reading `tokens` to their end; raises
        UnexpectedToken where the grammar takes no more."""
        states, rules = self._states, self._rules
        end_state = self._end_states[start]
        state_stack = [self._start_states[start]]
        value_stack: list = []
        for token in (*tokens, _END):
            while True:
                action = states[state_stack[-1]].get(token.type)
                if action is None:
                    raise UnexpectedToken(None if token is _END else token, self._expected(state_stack[-1]))
                if action >= 0:  # never at the end
                    state_stack.append(action)
                    value_stack.append(token)
                    break
                origin, size, reduce = rules[~action]
                if reduce is None:  # a rule of one symbol that gives its child: the value stays as it is
                    del state_stack[-1]
                elif size == 1:  # the usual reduction: no slice to make
                    value_stack[-1] = reduce([value_stack[-1]])
                    del state_stack[-1]
                elif size:
                    children = value_stack[-size:]
                    del value_stack[-size:]
                    del state_stack[-size:]
                    value_stack.append(reduce(children))
                else:
                    value_stack.append(reduce([]))
                state_stack.append(states[state_stack[-1]][origin])
                if token is _END and state_stack[-1] == end_state:
                    return value_stack[-1]
        raise AssertionError("the end of the input always reduces to the end state or is refused")

    def _expected(self, state: int) -> list[str]:
        return sorted(symbol for symbol in self._states[state] if symbol.isupper() or symbol == "$END")


def _reducer(builder: object, size: int, callback: str | None, include: tuple | None
             ) -> Callable[[list], Any] | None:
    """The function that makes a rule's value from its children, as Lark's tree builder would (None: the
    rule has one symbol and its value is that child's)."""
    if callback == "":  # a `?rule` alternative of one symbol: the value is that child's
        index = include[0][0] if include else 0
        if size == 1:
            return None  # Parser.parse leaves the value where it is
        return lambda children: children[index]
    make = getattr(builder, callback) if callback else None  # None: an inlined rule, its children a list
    if include is None:
        return make or _same
    if not any(splice for _, splice in include):
        indices = [index for index, _ in include]
        if make is None:
            return lambda children: [children[index] for index in indices]
        return lambda children: make([children[index] for index in indices])

    (first, first_splices), rest = include[0], include[1:]

    def reduce(children: list) -> Any:
        # The first spliced list is taken over, not copied: a value on the stack is read by one reduction
        # only, and a left-recursive list (`a: a b | b`) would otherwise be copied once per item.
        kept = children[first] if first_splices else [children[first]]
        for index, splice in rest:
            if splice:
                kept += children[index]
            else:
                kept.append(children[index])
        return make(kept) if make else kept

    return reduce


def _same(children: list) -> list:
    return children
