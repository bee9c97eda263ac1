"""Parse SudoLang Core (docs/language.md §8) into the typed nodes of sudolang.core_nodes.

The island parser (sudolang.parser) finds a program's functions and properties; this module reads the text
of one function, or one property's value, as Core: `parse_function` gives a core_nodes.Function, or a
NotCore that names the first line that is not Core (prose, a call with prose arguments, a declaration
without a body, anything the grammar does not take) and why.

Three steps, each linear in the text:

1. `_lex` cuts the text into raw tokens with one regular expression; strings (whose `${ … }` may hold
   strings of their own) and comments are scanned by hand, so a `//` inside a string is no comment.
2. `_tokens` reads each token in its context and gives the grammar (core.lark) the decisions it cannot make
   with one token of lookahead: which `{` opens a block, a match body or an object literal; which newlines
   end a statement; whether `if` starts a statement or an expression; which `(` opens an arrow function's
   parameters; which `=>` ends a match arm's patterns. Brackets are matched here, and nesting deeper than
   MAX_DEPTH stops the parse, so nothing later recurses deeply.
3. The LALR parser of sudolang.lalr (a loop, no recursion) reduces those tokens, calling _Builder for each
   rule as it goes: no parse tree is built, the nodes are made bottom-up. Every token is kept, so a node's span runs
   from its rule's first token to its last. Strings are read into Template/Shell parts there; an inserted
   `${ … }` is parsed as an expression of its own, at most MAX_STRING_DEPTH strings deep. A tree deeper
   than MAX_NODE_DEPTH (a chain of 300 `+`, 300 `else if`) is not Core: the compiler walks it recursively.

Every span is absolute (`positions.span` of offsets in the program's text), so line numbers are the file's.
Nothing raises: any input gives a Function (or expression) or a NotCore.
"""

from __future__ import annotations

import bisect
import os
import re
import threading
from functools import lru_cache

from sudolang import core_nodes as c
from sudolang import nodes
from sudolang.lalr import Parser, Token, UnexpectedToken

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

    from sudolang.core_nodes import Expression

# {, ( and [ (together) nested deeper than this are not Core ("nested too deep").
MAX_DEPTH = 100
# A tree of nodes deeper than this is not Core either ("nested too deep"): a chain of 300 `+` is as deep
# as it is long, and the compiler walks the tree recursively.
MAX_NODE_DEPTH = 200
# Strings inside `${ … }` inside strings: each level parses its insertions again (and recurses once).
MAX_STRING_DEPTH = 8

RESERVED = frozenset(
    "true false null if else match case default for each in while return throw require warn delete fn function "
    "let const break continue".split())
TYPES = frozenset({"text", "number", "integer", "boolean"})


class _Fail(Exception):
    """Not Core at offset `at`, for `reason`."""

    def __init__(self, at: int, reason: str) -> None:
        super().__init__(reason)
        self.at = at
        self.reason = reason


# --- the grammar -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def grammar() -> Parser:
    """The LALR parser of core.lark (its tables in sudolang/parse_tables.py; tools/build_parsers.py builds them
    with strict=True, so a grammar conflict fails there), calling _Builder as it reduces each rule."""
    from sudolang.parse_tables import CORE

    return Parser(CORE, _Builder())


def _terminal_names() -> dict[str, str]:
    """Each keyword and punctuation mark of the grammar -> the name of its terminal."""
    return grammar().literals


# --- step 1: raw tokens ----------------------------------------------------------------------------

_RAW = re.compile(r"""
 (?P<space>[ \t\f\v]+)
|(?P<newline>\r\n|\r|\n)
|(?P<line_comment>//[^\r\n]*)
|(?P<block_comment>/\*)
|(?P<number>[0-9]+(?:\.[0-9]+)?)
|(?P<name>[A-Za-z_][A-Za-z0-9_]*)
|(?P<string>["`])
|(?P<op>\.\.\.|\.\.|\|>|\|\||&&|==|!=|<=|>=|=>|\+=|-=|\*=|/=|[-+*/%^!<>=.,:;()\[\]{}|?])
""", re.VERBOSE)
_STRING_STOP = {closer: re.compile(r"\\|\$\{|" + re.escape(closer)) for closer in ('"', '"""', "`")}
_INSERTION_STOP = re.compile(r'[{}"`]')
_NEWLINE = re.compile(r"\r\n?|\n")

# A raw token: (kind, start, end, detail). kind is NAME, NUMBER, STRING, SHELL, NL, BAD (detail: the
# reason), a keyword or a punctuation mark.
RawToken = tuple  # (str, int, int, str | None)


def _lex(text: str, start: int, end: int, level: int) -> list[RawToken]:
    """The raw tokens of text[start:end]; comments are dropped (a block comment over lines is a newline).
    A character that is not Core, or a string or comment that does not end, is a BAD token, the last."""
    out: list[RawToken] = []
    position = start
    match_at = _RAW.match
    while position < end:
        match = match_at(text, position, end)
        if match is None:
            character = text[position]
            shown = character if character.isprintable() else repr(character)
            out.append(("BAD", position, position + 1, f"not Core: unexpected character `{shown}`"))
            return out
        kind = match.lastgroup
        after = match.end()
        if kind == "name":
            word = match.group()
            out.append((word if word in RESERVED else "NAME", position, after, None))
        elif kind == "op":
            out.append((match.group(), position, after, None))
        elif kind == "number":
            out.append(("NUMBER", position, after, None))
        elif kind == "newline":
            out.append(("NL", position, after, None))
        elif kind == "string":
            try:
                after = _scan_string(text, position, end, level)
            except _Fail as failure:
                out.append(("BAD", failure.at, failure.at + 1, failure.reason))
                return out
            out.append(("SHELL" if match.group() == "`" else "STRING", position, after, None))
        elif kind == "block_comment":
            close = text.find("*/", after, end)
            if close < 0:
                out.append(("BAD", position, after, "not Core: unterminated comment"))
                return out
            if _NEWLINE.search(text, position, close):
                out.append(("NL", position, close + 2, None))
            after = close + 2
        position = after
    return out


def _scan_string(text: str, start: int, end: int, level: int) -> int:
    """Where the string (`"…"`, `\"\"\"…\"\"\"` or a backtick call) starting at `start` ends; an insertion
    `${ … }` in it may hold strings of its own."""
    if level > MAX_STRING_DEPTH:
        raise _Fail(start, "nested too deep")
    closer = '"""' if text.startswith('"""', start, end) else text[start]
    stop = _STRING_STOP[closer]
    position = start + len(closer)
    while True:
        match = stop.search(text, position, end)
        if match is None:
            raise _Fail(start, "not Core: unterminated string")
        found = match.group()
        if found == "\\":
            position = match.end() + 1
        elif found == "${":
            position = _scan_insertion(text, match.start(), end, level)
        else:
            return match.end()


def _scan_insertion(text: str, start: int, end: int, level: int) -> int:
    """Where the `${ … }` starting at `start` ends (after its `}`)."""
    depth = 1
    position = start + 2
    while True:
        match = _INSERTION_STOP.search(text, position, end)
        if match is None:
            raise _Fail(start, "not Core: unterminated `${`")
        found = match.group()
        if found == "{":
            depth += 1
            position = match.end()
        elif found == "}":
            depth -= 1
            position = match.end()
            if depth == 0:
                return position
        else:
            position = _scan_string(text, match.start(), end, level + 1)


# --- step 2: tokens in context ---------------------------------------------------------------------

# After these a `{` opens an object literal (an operand is expected), and a newline does not end the statement.
_OPERATORS = frozenset({"+", "-", "*", "/", "%", "^", "!", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "..",
                        "|>", "=", "+=", "-=", "*=", "/=", "=>", ",", ".", "...", "|", "in", ":", "?"})
_EXPECTS_OPERAND = _OPERATORS | {"(", "[", "LPAR_ARROW", "return", "throw", "require", "warn", "delete", "case",
                                 "IFX", "ELSEX", "match", "{"}
_CONTINUES_AFTER = (_OPERATORS - {":", "?"}) | {"ARM_ARROW"}
# A line starting with one of these continues the line before.
_CONTINUES_BEFORE = frozenset({"|>", "&&", "||", ".", "else"})
_STATEMENT_START = frozenset({"_SEP", "LBLOCK", "else"})
# After `if (c)` at a statement's start, these go on with a statement's condition (or open its block).
_STATEMENT_IF_FOLLOWERS = (_OPERATORS - {"=>", ",", ":", "?", "|", "!", "=", "+=", "-=", "*=", "/="}) | {
    "{", "(", "[", None}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _after_parens(raw: list[RawToken]) -> dict[int, str | None]:
    """For the index of each `(` that is closed, the kind of the token after its `)` (None at the end):
    `(a, b) =>` opens an arrow function's parameters, `if (c) x` is an expression."""
    found: dict[int, str | None] = {}
    stack: list[int] = []
    count = len(raw)
    for index, token in enumerate(raw):
        kind = token[0]
        if kind == "(":
            stack.append(index)
        elif kind == ")" and stack:
            following = index + 1
            while following < count and raw[following][0] == "NL":
                following += 1
            found[stack.pop()] = raw[following][0] if following < count else None
    return found


class _Frame:
    """An open bracket: kind is (, [, object, block or match."""

    __slots__ = ("kind", "at", "arm_arrow")

    def __init__(self, kind: str, at: int) -> None:
        self.kind = kind
        self.at = at
        self.arm_arrow = False  # a match body: whether the current arm's `=>` was seen


def _tokens(text: str, raw: list[RawToken], function: bool) -> tuple[list[Token], tuple[int, str] | None]:
    """The grammar's tokens of `raw`, each typed by its context (see core.lark), and the first bracket that was
    never closed (its offset and a reason), if any."""
    names = _terminal_names()
    after_parens = _after_parens(raw)
    out: list[Token] = []
    stack: list[_Frame] = []
    pending: list[tuple[int, str]] = []  # (depth, block|match): a header whose `{` is still to come
    if function:
        pending.append((0, "block"))
    last: str | None = None  # the context type of the last token given
    separator: tuple[int, int, bool] | None = None  # a newline or `;` not yet given: (start, end, explicit)
    unclosed: tuple[int, str] | None = None

    def give(kind: str, start: int, stop: int) -> None:
        nonlocal last
        out.append(Token(names.get(kind, kind), text[start:stop], start, stop))
        last = kind

    count = len(raw)
    index = 0
    while index < count:
        kind, start, stop, detail = raw[index]
        index += 1
        depth = len(stack)
        in_brackets = bool(stack) and stack[-1].kind in ("(", "[", "object")
        if kind == "NL" or kind == ";":
            if in_brackets:
                if kind == ";":
                    give("_SEP", start, stop)
            elif separator is None:
                separator = (start, stop, kind == ";")
            elif kind == ";":
                separator = (separator[0], separator[1], True)
            continue
        if kind == "BAD":
            out.append(Token("BAD", detail or "", start, stop))
            return out, unclosed
        if separator is not None:
            sep_start, sep_end, explicit = separator
            separator = None
            drop = last in (None, "_SEP", "LBLOCK", "LMATCH") or (
                kind == "}" and stack and stack[-1].kind in ("block", "match"))
            if not drop and not explicit:
                drop = (last in _CONTINUES_AFTER or kind in _CONTINUES_BEFORE
                        or (kind == "{" and bool(pending) and pending[-1][0] == depth))
            if not drop:
                give("_SEP", sep_start, sep_end)
                while pending and pending[-1][0] >= depth:
                    pending.pop()
                if stack and stack[-1].kind == "match":
                    stack[-1].arm_arrow = False
        if kind in RESERVED:
            following = raw[index][0] if index < count else None
            if last == "." or (following == ":" and last in ("{", ",") and stack and stack[-1].kind == "object"):
                kind = "NAME"  # `a.default`, `{ default: 1 }`: a member's or a key's name
            elif kind == "if":
                # `if (c) x else y` is an expression also where a statement starts; `if (c) {` and
                # `if (a) || b {` are statements
                if last in _STATEMENT_START and not (
                        following == "(" and after_parens.get(index, "{") not in _STATEMENT_IF_FOLLOWERS):
                    pending.append((depth, "block"))
                else:
                    kind = "IFX"
            elif kind == "else":
                kind = "else" if last == "RBLOCK" else "ELSEX"
            elif kind in ("while", "for"):
                pending.append((depth, "block"))
            elif kind == "match":
                pending.append((depth, "match"))
        if kind in _OPENERS:
            if depth >= MAX_DEPTH:
                out.append(Token("BAD", "nested too deep", start, stop))
                return out, unclosed
            if kind == "{":
                if last in _EXPECTS_OPERAND:
                    frame = "object"
                elif pending and pending[-1][0] == depth:
                    frame = pending.pop()[1]
                elif last in ("else", "ARM_ARROW"):
                    frame = "block"
                else:
                    frame = "object"
                stack.append(_Frame(frame, start))
                give({"object": "{", "block": "LBLOCK", "match": "LMATCH"}[frame], start, stop)
            else:
                stack.append(_Frame(kind, start))
                # a `(` before the `=>` of a match arm is a pattern's: `case (1) => …`
                arrow = after_parens.get(index - 1) == "=>" and not (
                    depth and stack[-2].kind == "match" and not stack[-2].arm_arrow)
                give("LPAR_ARROW" if kind == "(" and arrow else kind, start, stop)
            continue
        if kind in _CLOSERS:
            opener = _CLOSERS[kind]
            top = stack[-1] if stack else None
            if top is None or (top.kind if top.kind in ("(", "[") else "{") != opener:
                if top is not None:
                    unclosed = (top.at, f"not Core: unclosed `{_OPEN_TEXT[top.kind]}`")
                out.append(Token("BAD", f"not Core: unbalanced `{kind}`", start, stop))
                return out, unclosed
            stack.pop()
            while pending and pending[-1][0] > len(stack):
                pending.pop()
            give({"block": "RBLOCK", "match": "RMATCH"}.get(top.kind, kind), start, stop)
            continue
        if kind == "=>" and stack and stack[-1].kind == "match" and not stack[-1].arm_arrow:
            stack[-1].arm_arrow = True
            kind = "ARM_ARROW"
        give(kind, start, stop)
    if stack:
        unclosed = (stack[-1].at, f"not Core: unclosed `{_OPEN_TEXT[stack[-1].kind]}`")
    return out, unclosed


_OPEN_TEXT = {"(": "(", "[": "[", "object": "{", "block": "{", "match": "{"}


# --- step 3: the tree ------------------------------------------------------------------------------


class _Context(threading.local):
    """What the builder's callbacks need of the parse under way: the grammar's parser is built once with
    one builder, and an insertion `${ … }` parses again inside a callback (so this is saved and restored)."""

    positions: nodes.Positions | None = None
    level = 0


_context = _Context()


def _parse(positions: nodes.Positions, start: int, end: int, rule: str, level: int) -> Any:
    """Text[start:end] parsed with the grammar's `rule` (function or expression) into nodes; raises _Fail."""
    text = positions.text
    raw = _lex(text, start, end, level)
    tokens, unclosed = _tokens(text, raw, rule == "function")
    saved = _context.positions, _context.level
    _context.positions, _context.level = positions, level
    try:
        return grammar().parse(tokens, rule)
    except UnexpectedToken as error:
        raise _unexpected(positions, raw, tokens, error, unclosed, end) from None
    finally:
        _context.positions, _context.level = saved


def _unexpected(positions: nodes.Positions, raw: list[RawToken], tokens: list[Token], error: UnexpectedToken,
                unclosed: tuple[int, str] | None, end: int) -> _Fail:
    """The _Fail for a token the grammar did not take (or the end of the text)."""
    text = positions.text
    token = getattr(error, "token", None)
    if token is None or token.type == "$END" or token.start_pos is None:
        if unclosed is not None:
            return _Fail(*unclosed)
        return _Fail(max(0, end - 1), "not Core: unexpected end")
    at = token.start_pos
    # A ( or [ left open swallows the newlines after it: the bracket is what is wrong, not a later line.
    if unclosed is not None and unclosed[0] < at and text[unclosed[0]] != "{":
        return _Fail(*unclosed)
    line_start = _line_start(positions, at)
    if token.type == "BAD":
        return _Fail(at, "prose" if _looks_like_prose(text, raw, line_start) else token.value)
    shown = "end of line" if token.type == "_SEP" and token.value != ";" else f"`{_short(token.value)}`"
    previous = None
    for index, candidate in enumerate(tokens):
        if candidate is token:
            previous = tokens[index - 1] if index else None
            break
    if (previous is not None and previous.end_pos is not None and previous.end_pos <= line_start
            and previous.value in _CONTINUES_AFTER):
        # the token opens its line after one that an operator left to go on (`x = 1 +`): that one is wrong
        at = previous.start_pos or 0
        line_start = _line_start(positions, at)
        before = text[line_start:previous.end_pos].strip()
    else:
        if _looks_like_prose(text, raw, line_start):
            return _Fail(at, "prose")
        before = text[line_start:at].strip()
    return _Fail(at, f"not Core: unexpected {shown}" + (f" after `{_short(before, tail=True)}`" if before else ""))


def _line_start(positions: nodes.Positions, at: int) -> int:
    return positions.line_starts[bisect.bisect_right(positions.line_starts, at) - 1]


def _short(text: str, tail: bool = False) -> str:
    text = " ".join(text.split())
    if len(text) <= 30:
        return text
    return "…" + text[-29:] if tail else text[:29] + "…"


def _looks_like_prose(text: str, raw: list[RawToken], line_start: int) -> bool:
    """Whether the line starting at `line_start` starts with two words (after a list marker): a sentence."""
    index = bisect.bisect_left([token[1] for token in raw], line_start)
    if index >= len(raw) or text[line_start:raw[index][1]].strip():
        return False  # the line starts before these tokens (inside a string's `${ … }`)
    kinds = [token[0] for token in raw[index:index + 4] if token[0] != "NL"]
    while kinds and kinds[0] in ("-", "*", ">"):
        kinds.pop(0)
    return len(kinds) >= 2 and kinds[0] == "NAME" and (kinds[1] in ("NAME", "BAD") or kinds[1] in RESERVED - {"in"})


def _node_depth(root: object) -> int:
    """How deep the tree of nodes goes (a stack, not recursion)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, tuple):
            stack.extend((child, depth) for child in item)
        elif isinstance(item, nodes.Node):
            if depth > deepest:
                deepest = depth
            for name in nodes.field_names(item)[1:]:  # all but the span
                value = getattr(item, name)
                if isinstance(value, (tuple, nodes.Node)):
                    stack.append((value, depth + 1))
    return deepest


class _Block(tuple):
    """A `{ … }` block's statements, with where it starts and ends (a rule's span may end with it)."""

    start: int
    end: int


def _start(item: Any) -> int:
    if isinstance(item, Token):
        return item.start_pos or 0
    if isinstance(item, _Block):
        return item.start
    return item.span.start


def _end(item: Any) -> int:
    if isinstance(item, Token):
        return item.end_pos or 0
    if isinstance(item, _Block):
        return item.end
    return item.span.end


def _span(children: list) -> nodes.Span:
    """The span from a rule's first child to its last (every token is kept)."""
    positions = _context.positions
    assert positions is not None  # set by _parse
    return positions.span(_start(children[0]), _end(children[-1]))


def _values(children: list) -> list:
    """The children that are not tokens."""
    return [child for child in children if not isinstance(child, Token)]


def _names(children: list) -> tuple[str, ...]:
    return tuple(child.value for child in children if isinstance(child, Token) and child.type == "NAME")


# How tightly each operator of the flat chain (core.lark's `operation`) binds; all of them group to the left.
_PRECEDENCE = {"|>": 1, "||": 2, "&&": 3, "==": 4, "!=": 4, "<": 5, "<=": 5, ">": 5, ">=": 5, "in": 5,
               "..": 6, "+": 7, "-": 7, "*": 8, "/": 8, "%": 8}
_MEMBER_CHAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_TEMPLATE_STOP = re.compile(r"[\\$]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$", "'": "'", "`": "`"}
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_LEADING_BLANKS = re.compile(r"[ \t]*")


def _combine(left: Any, op: str, right: Any) -> Any:
    """`left op right` as a node; a pipe is a call (`a |> f(x)` is `f(a, x)`, `a |> f` is `f(a)`)."""
    positions = _context.positions
    assert positions is not None
    span = positions.span(left.span.start, right.span.end)
    if op != "|>":
        return c.Binary(span, op, left, right)
    if isinstance(right, c.Call):
        return c.Call(span, right.function, (left, *right.args), right.modifiers)
    return c.Call(span, right, (left,), ())


class _Builder:
    """The parser calls a method of this for each rule it reduces (by the rule's name or alias), with the rule's
    children: tokens (all of them are kept) and what the methods made of its rules. A method raises _Fail
    for what the grammar takes but Core does not (an unknown type, a call as an assignment's target)."""

    # --- functions

    def function(self, children: list) -> c.Function:
        params = next((child for child in children if isinstance(child, list)), [])
        return c.Function(_span(children), _names(children)[0], tuple(params), tuple(children[-1]))

    def params(self, children: list) -> list:
        return _values(children)

    def param(self, children: list) -> c.Parameter:
        name = children[0].value
        kind: str | None = None
        default = None
        optional = False
        for index, child in enumerate(children):
            if isinstance(child, Token):
                if child.type == "QMARK":
                    optional = True
                elif child.type == "COLON":
                    kind = children[index + 1].value
                    if kind not in TYPES:
                        raise _Fail(_start(children[index + 1]), f"not Core: unknown type `{_short(kind)}`")
            else:
                default = child
        return c.Parameter(_span(children), name, kind, default, optional or default is not None)

    def expression(self, children: list) -> Any:
        return children[0]

    # --- statements

    def block(self, children: list) -> _Block:
        block = _Block(_values(children))
        block.start, block.end = _start(children[0]), _end(children[-1])
        return block

    def assign(self, children: list) -> c.Assign:
        target, op, value = children
        if not isinstance(target, (c.Name, c.Member, c.Index)):
            raise _Fail(_start(target), "not Core: cannot assign to this")
        return c.Assign(_span(children), target, op.value, value)

    def declare(self, children: list) -> c.Assign:
        keyword, name, _, value = children
        positions = _context.positions
        assert positions is not None
        return c.Assign(_span(children), c.Name(positions.span(_start(name), _end(name)), name.value), "=", value,
                        keyword.value)

    def if_statement(self, children: list) -> c.If:
        condition, body, *orelse = _values(children)
        return c.If(_span(children), condition, tuple(body), tuple(orelse[0]) if orelse else ())

    def else_clause(self, children: list) -> _Block:
        body = children[1]
        if isinstance(body, _Block):
            return body
        block = _Block((body,))
        block.start, block.end = _start(children[0]), _end(body)
        return block

    def for_each(self, children: list) -> c.ForEach:
        iterable, body = _values(children)
        return c.ForEach(_span(children), _names(children), iterable, tuple(body))

    def while_loop(self, children: list) -> c.While:
        condition, body = _values(children)
        return c.While(_span(children), condition, tuple(body))

    def break_statement(self, children: list) -> c.Break:
        return c.Break(_span(children))

    def continue_statement(self, children: list) -> c.Continue:
        return c.Continue(_span(children))

    def return_statement(self, children: list) -> c.Return:
        return c.Return(_span(children), children[1] if len(children) > 1 else None)

    def throw_statement(self, children: list) -> c.Throw:
        return c.Throw(_span(children), children[1])

    def require_statement(self, children: list, kind: str = "require") -> c.Require:
        condition, *message = _values(children)
        return c.Require(_span(children), kind, condition, message[0] if message else None)

    def warn_statement(self, children: list) -> c.Require:
        return self.require_statement(children, "warn")

    def delete_statement(self, children: list) -> c.Delete:
        target = children[1]
        if not isinstance(target, (c.Member, c.Index)):
            raise _Fail(_start(target), "not Core: `delete` takes a member or an item")
        return c.Delete(_span(children), target)

    def expression_statement(self, children: list) -> c.ExpressionStatement:
        return c.ExpressionStatement(_span(children), children[0])

    # --- expressions

    def arrow(self, children: list) -> c.Arrow:
        return c.Arrow(_span(children), _names(children), children[-1])

    def if_expression(self, children: list) -> c.IfExpression:
        condition, then, orelse = _values(children)
        return c.IfExpression(_span(children), condition, then, orelse)

    def operation(self, children: list) -> Any:
        """`a op b op c …` grouped by precedence, each level to the left (a stack, not recursion)."""
        if len(children) == 1:
            return children[0]
        operands = [children[0]]
        operators: list[str] = []
        for index in range(1, len(children), 2):
            op = children[index].value
            while operators and _PRECEDENCE[operators[-1]] >= _PRECEDENCE[op]:
                right = operands.pop()
                operands.append(_combine(operands.pop(), operators.pop(), right))
            operators.append(op)
            operands.append(children[index + 1])
        while operators:
            right = operands.pop()
            operands.append(_combine(operands.pop(), operators.pop(), right))
        return operands[0]

    def binary(self, children: list) -> c.Binary:
        left, op, right = children
        return c.Binary(_span(children), op.value, left, right)

    def unary(self, children: list) -> Any:
        op, operand = children
        if isinstance(operand, Token):  # `:limit=-5`: the number is still a token
            operand = self.number([operand])
        if op.value == "-" and isinstance(operand, c.Literal) and type(operand.value) in (int, float):
            return c.Literal(_span(children), -operand.value)  # type: ignore[operator]  # an int or a float
        return c.Unary(_span(children), op.value, operand)

    def call(self, children: list) -> c.Call:
        function, _, arguments, *modifiers = children
        return c.Call(_span(children), function, tuple(arguments), tuple(modifiers[1:]))

    def arguments(self, children: list) -> list:
        return _values(children)

    def modifier(self, children: list) -> c.Modifier:
        return c.Modifier(_span(children), children[1].value, children[3] if len(children) > 3 else None)

    def member(self, children: list) -> c.Member:
        return c.Member(_span(children), children[0], children[2].value)

    def index(self, children: list) -> c.Index:
        return c.Index(_span(children), children[0], children[2])

    def group(self, children: list) -> Any:
        return children[1]

    def number(self, children: list) -> c.Literal:
        value = children[0].value
        return c.Literal(_span(children), float(value) if "." in value else int(value))

    def true(self, children: list) -> c.Literal:
        return c.Literal(_span(children), True)

    def false(self, children: list) -> c.Literal:
        return c.Literal(_span(children), False)

    def null(self, children: list) -> c.Literal:
        return c.Literal(_span(children), None)

    def name(self, children: list) -> c.Name:
        return c.Name(_span(children), children[0].value)

    def array(self, children: list) -> c.Array:
        return c.Array(_span(children), tuple(_values(children)))

    def spread(self, children: list) -> c.Spread:
        return c.Spread(_span(children), children[1])

    def object(self, children: list) -> c.Object:
        return c.Object(_span(children), tuple(_values(children)))

    def entry(self, children: list) -> c.Entry:
        key, _, value = children
        if key.type == "STRING":
            template = self.string([key])
            if any(not isinstance(part, str) for part in template.parts):
                raise _Fail(_start(key), "not Core: a key cannot insert a value")
            name = "".join(template.parts)
        else:
            name = key.value
        return c.Entry(_span(children), name, value)

    def shorthand(self, children: list) -> c.Entry:
        span = _span(children)
        name = children[0].value
        return c.Entry(span, name, c.Name(span, name))

    def match(self, children: list) -> c.Match:
        subject, *arms = _values(children)
        return c.Match(_span(children), subject, tuple(arms))

    def case_arm(self, children: list) -> c.Arm:
        *patterns, body = _values(children)
        return c.Arm(_span(children), tuple(patterns), tuple(body) if isinstance(body, _Block) else body)

    def default_arm(self, children: list) -> c.Arm:
        body = children[-1]
        return c.Arm(_span(children), (), tuple(body) if isinstance(body, _Block) else body)

    # --- strings

    def string(self, children: list) -> c.Template:
        token = children[0]
        start, end = _start(token), _end(token)
        quote = 3 if token.value.startswith('"""') else 1
        lines = _template_lines(start + quote, end - quote)
        if quote == 3:
            lines = _dedent(lines)
        parts: list = []
        for number, line in enumerate(lines):
            if number:
                parts.append("\n")
            parts.extend(piece if isinstance(piece, str) else piece.value for piece in line)
        return c.Template(_span(children), _merged(parts))

    def shell(self, children: list) -> c.Shell:
        token = children[0]
        positions = _context.positions
        assert positions is not None
        text = positions.text
        start, end = _start(token) + 1, _end(token) - 1
        words: list[tuple] = []
        word: list | None = None
        quote = ""
        position = start
        while position < end:
            character = text[position]
            if quote == "'":
                if character == "'":
                    quote = ""
                else:
                    word = _add(word, character)
                position += 1
            elif character == "\\":
                word = _add(word, text[position + 1] if position + 1 < end else "\\")
                position += 2
            elif character in " \t\r\n" and not quote:
                if word is not None:
                    words.append(_merged(word) or ("",))
                    word = None
                position += 1
            elif character == '"':
                word = word if word is not None else []
                quote = "" if quote else '"'
                position += 1
            elif character == "'" and not quote:
                word = word if word is not None else []
                quote = "'"
                position += 1
            elif character == "$":
                position, piece = _escape_or_insertion(position, end)
                word = _add(word, piece.value if isinstance(piece, _Inserted) else piece)
            else:
                word = _add(word, character)
                position += 1
        if quote:
            raise _Fail(_start(token), f"not Core: unterminated {quote} in a shell call")
        if word is not None:
            words.append(_merged(word) or ("",))
        if not words:
            raise _Fail(_start(token), "not Core: empty shell call")
        return c.Shell(_span(children), tuple(words))


def _template_lines(start: int, end: int) -> list[list]:
    """A string's content as lines of pieces: _Raw source text (which dedenting may trim), decoded escapes
    (str) and inserted expressions (_Inserted)."""
    positions = _context.positions
    assert positions is not None
    text = positions.text
    lines: list[list] = [[]]
    position = start
    while position < end:
        match = _TEMPLATE_STOP.search(text, position, end)
        stop = match.start() if match else end
        if stop > position:
            for number, piece in enumerate(_NEWLINE.split(text[position:stop])):
                if number:
                    lines.append([])
                if piece:
                    lines[-1].append(_Raw(piece))
        if match is None:
            break
        position, inserted = _escape_or_insertion(stop, end)
        lines[-1].append(inserted)
    return lines


def _escape_or_insertion(at: int, end: int) -> tuple[int, object]:
    """What the `\\` or `$` at `at` stands for, and where it ends: a str or an _Inserted expression."""
    positions, level = _context.positions, _context.level
    assert positions is not None
    text = positions.text
    following = text[at + 1] if at + 1 < end else ""
    if text[at] == "\\":
        if following == "u" and at + 6 <= end and _HEX4.fullmatch(text, at + 2, at + 6):
            return at + 6, chr(int(text[at + 2:at + 6], 16))
        if following in _ESCAPES:
            return at + 2, _ESCAPES[following]
        return (at + 2 if following else at + 1), text[at:at + 2]
    if following == "{":
        close = _scan_insertion(text, at, end, level)
        inner_start, inner_end = at + 2, close - 1
        inner = text[inner_start:inner_end]
        if not inner.strip():
            raise _Fail(at, "not Core: empty `${}`")
        chain = _MEMBER_CHAIN.fullmatch(inner.strip())
        if chain and chain.group().partition(".")[0] not in RESERVED:  # `${a.b}`: no need to parse it
            first = inner_start + len(inner) - len(inner.lstrip())
            return close, _Inserted(_member_chain(positions, first, chain.group().split(".")))
        return close, _Inserted(_parse(positions, inner_start, inner_end, "expression", level + 1))
    if following == "_" or following.isascii() and following.isalpha():
        match = _MEMBER_CHAIN.match(text, at + 1, end)
        assert match is not None  # it starts with a name's first character
        names = match.group().split(".")
        if names[0] in RESERVED:
            return at + 1 + len(names[0]), text[at:at + 1 + len(names[0])]
        return match.end(), _Inserted(_member_chain(positions, at + 1, names))
    return at + 1, "$"


def _member_chain(positions: nodes.Positions, start: int, names: list[str]) -> Any:
    """`a.b.c` starting at `start` as Member(Member(Name a, b), c)."""
    position = start + len(names[0])
    expression: Any = c.Name(positions.span(start, position), names[0])
    for name in names[1:]:
        position += 1 + len(name)
        expression = c.Member(positions.span(start, position), expression, name)
    return expression


class _Raw(str):
    """Literal text as it stands in the source (a dedent may trim its leading blanks), not an escape."""

    __slots__ = ()


class _Inserted:
    """An inserted expression in a string's pieces."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _add(word: list | None, piece: object) -> list:
    word = word if word is not None else []
    word.append(piece)
    return word


def _merged(parts: list) -> tuple:
    """Adjacent strs joined into one (as plain str), empty ones dropped."""
    merged: list = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                continue
            merged.append(str(part))
        else:
            merged.append(part)
    return tuple(merged)


def _blank_line(line: list) -> bool:
    return all(isinstance(piece, _Raw) and not piece.strip() for piece in line)


def _dedent(lines: list[list]) -> list[list]:
    """A \"\"\" string's lines: without a blank first line and a blank last one, and without the leading
    blanks all its other lines share (as textwrap.dedent; a blank line keeps nothing)."""
    if len(lines) > 1 and _blank_line(lines[0]):
        lines = lines[1:]
    if len(lines) > 1 and _blank_line(lines[-1]):
        lines = lines[:-1]
    indents = []
    for line in lines:
        if not _blank_line(line):
            first = line[0]
            indents.append(_LEADING_BLANKS.match(first).group() if isinstance(first, _Raw) else "")  # type: ignore[union-attr]
    common = len(os.path.commonprefix(indents)) if indents else 0
    result: list[list] = []
    for line in lines:
        if _blank_line(line):
            result.append([])
        elif common:
            result.append([_Raw(line[0][common:]), *line[1:]])
        else:
            result.append(line)
    return result


# --- the API -----------------------------------------------------------------------------------------

_FUNCTION_NAME = re.compile(r"\s*(?:(?:fn|function)\s+)?([A-Za-z_][A-Za-z0-9_]*)")
_DECLARATION = re.compile(r"\s*(?:(?:fn|function)\s+)?[A-Za-z_][A-Za-z0-9_]*\s*(?:\([^(){}]*\))?\s*;?\s*(?://[^\n]*)?\s*")


def parse_function(positions: nodes.Positions, start: int, end: int) -> c.Function | c.NotCore:
    """positions.text[start:end] is a whole function definition as the island parser found it:
    `fn name(params) { body }`, `function name(params) { body }` or `name(params) { body }` (over lines,
    or `fn name;`). Gives the Function, or a NotCore naming the first line that is not Core."""
    text = positions.text
    match = _FUNCTION_NAME.match(text, start, end)
    name = match.group(1) if match and match.group(1) not in ("fn", "function") else ""
    if _DECLARATION.fullmatch(text, start, end):
        return _not_core(positions, start, end, name, "declared without a body")
    return _run(positions, start, end, "function", name)


def parse_expression(positions: nodes.Positions, start: int, end: int) -> Expression | c.NotCore:
    """positions.text[start:end] as one expression (a property's value: `["backlog", "todo"]`), or a NotCore."""
    return _run(positions, start, end, "expression", "")


def _run(positions: nodes.Positions, start: int, end: int, rule: str, name: str) -> Any:
    start = max(0, min(start, len(positions.text)))
    end = max(start, min(end, len(positions.text)))
    try:
        result = _parse(positions, start, end, rule, 0)
        if _node_depth(result) > MAX_NODE_DEPTH:
            return _not_core(positions, start, end, name, "nested too deep")
        return result
    except _Fail as failure:
        return _not_core(positions, failure.at, end, name, failure.reason)
    except Exception as error:  # a bug here must not stop the caller: the function is then a model command
        return _not_core(positions, start, end, name, f"not Core: the parser failed ({type(error).__name__})")


def _not_core(positions: nodes.Positions, at: int, end: int, name: str, reason: str) -> c.NotCore:
    """A NotCore whose span is the line holding offset `at` (trimmed)."""
    text = positions.text
    at = max(0, min(at, len(text)))
    starts = positions.line_starts
    line = bisect.bisect_right(starts, at) - 1
    line_start = starts[line]
    line_end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = text[line_start:line_end]
    stripped = content.strip()
    if stripped:
        line_start += len(content) - len(content.lstrip())
        line_end = line_start + len(stripped)
    else:
        line_start = line_end = at
    return c.NotCore(positions.span(line_start, line_end), name, reason)
