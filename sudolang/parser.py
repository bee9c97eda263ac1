"""Parse SudoLang source into the AST of sudolang.nodes: total, lossless, with positions.

Three steps. The markdown container (front matter, code fences) is split off
by a line scanner; opaque regions are blanked so offsets stay absolute. The
grammar (grammar.lark) lexes the rest; unbalanced brackets and unterminated
strings are reported and repaired in the token stream, so the LALR parse
always succeeds. Finally each line of the resulting tree is read as the
construct it is (property, command, call, block, ...) or kept as prose.

`parse(text, path)` collects every syntax error in `Program.errors` (for the
linter); `parse(..., fail_fast=True)` raises SudoLangSyntaxError instead (for
the compiler and the runtime), as sqlglot's ErrorLevel does.

Hostile input is bounded (docs/language.md, "Limits and line endings"): every
step is linear or close to it in the size of the text, brackets nested deeper
than MAX_DEPTH are reported (SL007) and read as text before the LALR parser sees them, and
nothing here recurses deeper than that limit. A lone carriage return is a line
ending: it is read as `\n` (offsets unchanged), as `\r\n` already is.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from sudolang import nodes as n
from sudolang.diagnostics import (
    Diagnostic,
    NestingTooDeep,
    StrayCloser,
    SudoLangSyntaxError,
    UnclosedBracket,
    UnterminatedComment,
    UnterminatedFence,
    UnterminatedString,
    UnterminatedTripleString,
)
from sudolang.lalr import Parser, Token, lex

PAIRS = {"LBRACE": ("{", "}", "RBRACE"), "LPAR": ("(", ")", "RPAR"), "LSQB": ("[", "]", "RSQB")}
CLOSERS = {close_type: (opener, closer, open_type) for open_type, (opener, closer, close_type) in PAIRS.items()}
STRING_TOKENS = {"STRING": '"', "BACKTICK_STRING": "`", "TRIPLE_STRING": '"""'}
SUDO_FENCE_LANGUAGES = {"sudo", "sudolang"}
# Brackets ({, ( and [ together) nested deeper than this are reported (SL007) and read as text. Real
# programs nest under 10; the bound keeps the readers below, which recurse once per level (up to four
# frames), well inside Python's default recursion limit of 1000, with room for the caller's own stack.
MAX_DEPTH = 100
_LONE_CR = re.compile(r"\r(?!\n)")


def normalise_line_endings(text: str) -> str:
    """`text` with every lone carriage return made a newline; `\r\n` is kept, so offsets do not move."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


# --- the grammar ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def grammar() -> tuple[Parser, re.Pattern[str]]:
    """The LALR parser of grammar.lark and its lexer's expression (the tables in sudolang/parse_tables.py;
    tools/build_parsers.py builds them with strict=True, so a grammar conflict fails there)."""
    from sudolang.parse_tables import GRAMMAR

    return Parser(GRAMMAR, _Segments()), re.compile(GRAMMAR["lexer"])


# --- step 1: the markdown container ----------------------------------------------------------------

# A fence line: indented or not, after a list marker or not (`* ```js`); a ``` line whose info has a
# backtick (```x``` inline code) opens no fence, as in CommonMark.
_FENCE = re.compile(r"^([ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)?)(```+(?![^\n]*`)|~~~+)[ \t]*([\w+-]*)[^\n]*$", re.MULTILINE)
# An opaque fence is lexed as one FENCE token: its characters become these two (offsets kept), so the
# fence is a segment of its line wherever it stands, also inside a { … } body.
FENCE_START, FENCE_REST = "\ue001", "\ue000"
_HIDE_OPENER = re.compile(r'(?<![:\w.\/*])/\*|"""')
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:.*\n)*?---[ \t]*(?:\n|\Z)")


class _Region:
    __slots__ = ("kind", "start", "end", "language", "content_start", "content_end")

    def __init__(self, kind: str, start: int, end: int, language: str = "", content_start: int = 0,
                 content_end: int = 0) -> None:
        self.kind = kind  # "front", "fence" (opaque: one FENCE token), "sudo" (a fence whose content is parsed)
        self.start, self.end = start, end
        self.language, self.content_start, self.content_end = language, content_start, content_end


def _container(text: str) -> tuple[list[_Region], list[int]]:
    """Front matter and fences; returns the regions and the offsets of unterminated fences."""
    regions: list[_Region] = []
    unterminated: list[int] = []
    position = 0
    if match := _FRONT_MATTER.match(text):
        regions.append(_Region("front", 0, match.end()))
        position = match.end()
    hidden = _hidden(text)
    hidden_starts = [start for start, _ in hidden]
    while opening := _FENCE.search(text, position):
        at = bisect.bisect_left(hidden_starts, opening.start()) - 1  # the hidden span starting before it
        if at >= 0 and opening.start() < hidden[at][1]:  # a fence quoted in a comment or a """ string
            position = opening.end()
            continue
        marker, language = opening.group(2), opening.group(3)
        closing = re.compile(rf"^[ \t]*{re.escape(marker[0]) * len(marker)}[ \t]*$", re.MULTILINE)
        content_start = min(opening.end() + 1, len(text))
        close = closing.search(text, content_start) if opening.end() < len(text) else None
        if close is None:
            unterminated.append(opening.start(2))
            end = content_end = len(text)
        else:
            end, content_end = close.end(), close.start()
        # A sudo fence's lines are read as the file's own, so only one at the top level (not after a
        # list marker) is one; a fence in a list item is kept verbatim.
        sudo = language.lower() in SUDO_FENCE_LANGUAGES and close is not None and not opening.group(1).strip()
        start = opening.start() if sudo else opening.start(2)
        regions.append(_Region("sudo" if sudo else "fence", start, end, language, content_start, content_end))
        position = end
    return regions, unterminated


def _hidden(text: str) -> list[tuple[int, int]]:
    """The spans of block comments and \"\"\" strings, in order and disjoint, found in one pass: a `/*`
    that never closes hides the rest of the file (as the grammar reads it); a \"\"\" that never closes
    hides nothing (no later \"\"\" can close either)."""
    spans: list[tuple[int, int]] = []
    position, triples = 0, True
    while opening := _HIDE_OPENER.search(text, position):
        if opening.group() == '"""':
            close = text.find('"""', opening.end()) if triples else -1
            if close < 0:
                triples, position = False, opening.end()
                continue
            end = close + 3
        else:
            close = text.find("*/", opening.end())
            end = len(text) if close < 0 else close + 2
        spans.append((opening.start(), end))
        position = end
    return spans


def _blank(text: str, regions: list[_Region]) -> str:
    """The text with every opaque character turned into a space (newlines kept), so offsets stay put."""
    if not regions:
        return text
    pieces: list[str] = []
    position = 0
    for region in regions:
        spans = [(region.start, region.end)]
        if region.kind == "sudo":
            spans = [(region.start, region.content_start), (region.content_end, region.end)]
        for start, end in spans:
            pieces.append(text[position:start])
            if region.kind == "fence":
                pieces.append(FENCE_START + FENCE_REST * (end - start - 1))
            else:
                pieces.append(_NOT_NEWLINE.sub(" ", text[start:end]))
            position = end
    pieces.append(text[position:])
    return "".join(pieces)


_NOT_NEWLINE = re.compile(r"[^\n]")


# --- step 2: tokens, repaired --------------------------------------------------------------------

# Tokens the grammar accepts only so that parsing can go on; each is a syntax error.
_TOKEN_ERRORS = {
    "STRAY_QUOTE": UnterminatedString, "STRAY_BACKTICK": UnterminatedString,
    "UNCLOSED_TRIPLE": UnterminatedTripleString, "UNCLOSED_BLOCK_COMMENT": UnterminatedComment,
}


def _repair(tokens, positions: n.Positions, errors: list[Diagnostic], fences: dict | None = None) -> list[Token]:
    """Report unbalanced brackets, unterminated strings and nesting past MAX_DEPTH; return tokens
    that always parse, nested at most MAX_DEPTH deep. One pass, constant work per token. A FENCE
    token that is not one of `fences` (the source itself held its marker character) is text."""
    fences = fences or {}
    out: list[Token] = []
    stack: list[Token] = []
    open_counts = dict.fromkeys(PAIRS, 0)  # how many of each opener the stack holds
    excess = 0  # brackets open past MAX_DEPTH: read as text, with their closers, until it falls back to 0
    for token in tokens:
        kind = token.type
        if kind == "FENCE" and token.start_pos not in fences:
            out.append(token.update("TEXT"))
            continue
        if kind in _TOKEN_ERRORS:
            quote = {"STRAY_QUOTE": '"', "STRAY_BACKTICK": "`"}.get(kind, "")
            errors.append(_TOKEN_ERRORS[kind].at(_token_span(positions, token), quote=quote))
        if excess and (kind in PAIRS or kind in CLOSERS):
            excess += 1 if kind in PAIRS else -1
            out.append(token.update("TEXT"))
            continue
        if kind in PAIRS:
            if len(stack) >= MAX_DEPTH:
                errors.append(NestingTooDeep.at(_token_span(positions, token), opener=token.value,
                                                depth=MAX_DEPTH + 1, limit=MAX_DEPTH))
                excess = 1
                out.append(token.update("TEXT"))
                continue
            stack.append(token)
            open_counts[kind] += 1
        elif kind in CLOSERS:
            opener, closer, open_type = CLOSERS[kind]
            # A ')' or ']' inside an open '{' is stray: braces span lines by design, parens rarely do.
            stray = stack and stack[-1].type == "LBRACE" and open_type != "LBRACE"
            if stray or not open_counts[open_type]:
                inside = f" (inside '{stack[-1].value}' opened at {_place(positions, stack[-1])})" if stack else ""
                errors.append(StrayCloser.at(_token_span(positions, token), closer=closer, opener=opener, inside=inside))
                out.append(token.update("TEXT"))
                continue
            while stack[-1].type != open_type:  # brackets left open inside this one
                left_open = stack.pop()
                open_counts[left_open.type] -= 1
                out.append(_close(left_open, token, positions, errors, f"before the '{closer}' at {_place(positions, token)}"))
            stack.pop()
            open_counts[open_type] -= 1
        out.append(token)
    end = Token("TEXT", "", len(positions.text), len(positions.text))
    while stack:
        out.append(_close(stack.pop(), end, positions, errors, "before the end of the file"))
    return out


def _skip(pattern: re.Pattern[str], text: str, start: int, end: int) -> int:
    """Where `pattern`, one that matches the empty string too (_SPACE, _INDENT), ends when matched at `start`."""
    match = pattern.match(text, start, end)
    return match.end() if match else start


def _place(positions: n.Positions, token: Token) -> str:
    """`line:column` of a token, counted in the source."""
    span = positions.span(token.start_pos, token.start_pos)
    return f"{span.line}:{span.column}"


def _close(opener: Token, where: Token, positions: n.Positions, errors: list[Diagnostic], before: str) -> Token:
    symbol, closer, close_type = PAIRS[opener.type]
    errors.append(UnclosedBracket.at(_token_span(positions, opener), opener=symbol, closer=closer, before=before))
    at = where.start_pos
    return Token(close_type, "", at, at)


def _token_span(positions: n.Positions, token: Token) -> n.Span:
    return positions.span(token.start_pos, max(token.end_pos, token.start_pos + 1))


# --- step 3: the tree as lines of segments -------------------------------------------------------


class _Group:
    """A bracketed group: `lines` for {…}, `segments` for (…) and […]."""

    __slots__ = ("kind", "start", "end", "lines", "segments")

    def __init__(self, kind: str, start: int, end: int, lines: list[_Line] | None = None,
                 segments: list[Segment] | None = None) -> None:
        self.kind, self.start, self.end = kind, start, end
        self.lines: list[_Line] = [] if lines is None else lines
        self.segments: list[Segment] = [] if segments is None else segments


Segment = Token | _Group  # what a line is made of: the tokens of one level and the bracketed groups


class _Line:
    __slots__ = ("segments", "start", "end")

    def __init__(self, segments: list[Segment], start: int, end: int) -> None:
        self.segments, self.start, self.end = segments, start, end


def _seg_start(segment: Segment) -> int:
    return segment.start_pos if isinstance(segment, Token) else segment.start


def _seg_end(segment: Segment) -> int:
    return segment.end_pos if isinstance(segment, Token) else segment.end


def _is_blank(segment: Segment) -> bool:
    return isinstance(segment, Token) and not segment.value.strip()


class _Segments:
    """What the grammar's parser makes of each rule as it reduces it: a line's segments, a bracketed group,
    the list of lines. No tree is built, and nothing recurses however deep the brackets nest."""

    def start(self, children: list) -> list[_Line]:
        return children

    def line(self, children: list) -> _Line:
        return _Line(children, _seg_start(children[0]), _seg_end(children[-1]))

    def brace(self, children: list) -> _Group:
        return _Group("{", children[0].start_pos, children[-1].end_pos, lines=children[1:-1])

    def paren(self, children: list) -> _Group:
        return _Group("(", children[0].start_pos, children[-1].end_pos, segments=children[1:-1])

    def bracket(self, children: list) -> _Group:
        return _Group("[", children[0].start_pos, children[-1].end_pos, segments=children[1:-1])


# --- step 4: lines read as constructs ------------------------------------------------------------

_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+(.*)$", re.DOTALL)
_COMMAND = re.compile(r"^\s*(?:[^\w\s/@\"'`(\[{<#*-]{1,4}\s*)?(/[A-Za-z][\w-]*(?:\s*\|\s*/?[A-Za-z][\w-]*)*)(.*)$", re.DOTALL)
_IMPORT = re.compile(r"^\s*(?:import\s+(.+?)|@interfaces?\s+.+?\s+from\s+(.+?))\s*;?\s*$")
_REQUIREMENT = re.compile(r"^\s*(require|warn|constraint)\b\s*:?\s*(.*)$", re.DOTALL | re.IGNORECASE)
_FUNCTION_KEYWORD = re.compile(r"^\s*(fn|function)\s+([A-Za-z_$][\w$.-]*)\s*(\(.*\))?\s*(=>\s*.*?)?\s*;?\s*(:.*)?$", re.DOTALL)
_METHOD_HEADER = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\s*(\(.*\))\s*(?:=>\s*[\w\[\]<>|. ]+)?\s*$", re.DOTALL)
# The key of a property, or the target of an assignment: `a.b[0].c = …` (a member or index target).
_PROPERTY = re.compile(r"^\s*([A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*|\[[^\[\]\n]*\])*\.?|\"[^\"]+\"|[A-Za-z][\w-]*(?: [A-Za-z][\w-]*){1,4})\s*(\+=|-=|\*=|/=|=>|=|:(?![:/]))\s*(.*?)\s*[;,]?\s*$", re.DOTALL)
_BARE_NAME = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*[;,]?\s*$")
# A call touches its parenthesis: `Note (important)` and `Respond (politely)` are prose.
_CALL = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\(")
_MODIFIER = re.compile(r":([A-Za-z][\w-]*)(?:=((?:\"[^\"]*\"|[^:;])*))?")
_ARM = re.compile(r"^\s*(case\b.*?|default|\(.*?\)|[^=]+?)\s*=>\s*(.*?)\s*;?\s*$", re.DOTALL)
_BLOCK_KINDS = {"interface", "constraint", "type"}
_NAMED_BLOCKS = {"constraints": "constraints", "commands": "commands", "options": "options", "state": "state"}
_INTERPOLATION = re.compile(r"(?<!\\)\$(?:\{([^}]*)\}|([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?:\(\))?))")
_PARAM = re.compile(r"<([^<>\s]*)>|\[([^\[\]]*)\]")
# For matching in place (pattern.match(text, pos, endpos)), where `^` would not match at pos.
_HEADING_AT = re.compile(_HEADING.pattern.removeprefix("^"))
_LIST_ITEM_AT = re.compile(_LIST_ITEM.pattern.removeprefix("^"), re.DOTALL)
_SPACE = re.compile(r"\s*")
_INDENT = re.compile(r"[ \t]*")
_PIPE_START = re.compile(r"\s*\|>")
_ELSE = re.compile(r"\s*else", re.IGNORECASE)
_CONDITION_KEYWORD = re.compile(r"(?:else\s+)?if\b|else\b", re.IGNORECASE)
_LOOP_KEYWORD = re.compile(r"\s*(?:for(?:\s+each\b)?|while\b|loop\b)", re.IGNORECASE)
_FOR_HEADER = re.compile(r"\s*for\s+(?:each\s+)?(\(\s*)?(.*?)\s+(?:in|of)\s+(.*?)\s*:?\s*$", re.IGNORECASE | re.DOTALL)
_DECLARATION_WORDS = {"const", "let", "var"}
# A loop written without braces: `For each document in Documents:` heads the lines indented below it.
_FOR_LINE = re.compile(r"\s*for\s+(?:each\s+)?\(?\s*(?:const\s+|let\s+)?[A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*"
                       r"\s*\)?\s+(?:in|of)\s+(?:(.+?)\s*:|([\w$.\[\]]+))\s*$", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z_$][\w$]*")
_PIPE_TARGET = re.compile(r"\s*([A-Za-z_$][\w$]*)\s*=(?![=>])")
_PARAM_NAME = re.compile(r"(?:\.\.\.)?([A-Za-z_$][\w$]*)(\?)?\s*(?:([:=])\s*.*)?$", re.DOTALL)


_CONTINUABLE = (n.Command, n.Property, n.Prose, n.ListItem, n.Requirement)


class _Reader:
    """Reads the lines of one region of a program as AST nodes."""

    def __init__(self, positions: n.Positions, fences: dict | None = None) -> None:
        self.positions = positions
        self.text = positions.text
        self.fences: dict[int, _Region] = fences or {}  # opaque fences by start offset

    # --- helpers ---

    def span(self, start: int, end: int) -> n.Span:
        return self.positions.span(start, end)

    def source(self, start: int, end: int) -> str:
        return self.text[start:end]

    def strings(self, segments: list[Segment]) -> tuple[n.StringLit, ...]:
        """Every string in these segments, including inside (…) and […], not inside {…} bodies."""
        found: list[n.StringLit] = []
        for segment in segments:
            if isinstance(segment, Token) and segment.type in STRING_TOKENS:
                found.append(self.string(segment))
            elif isinstance(segment, _Group) and segment.kind != "{":
                found.extend(self.strings(segment.segments))
        return tuple(found)

    def string(self, token: Token) -> n.StringLit:
        quote = STRING_TOKENS[token.type]
        content_start = token.start_pos + len(quote)
        text = token.value[len(quote): len(token.value) - len(quote)]
        interpolations = tuple(
            n.Interpolation(self.span(content_start + m.start(), content_start + m.end()), m.group(1) or m.group(2))
            for m in _INTERPOLATION.finditer(text)
        )
        return n.StringLit(self.span(token.start_pos, token.end_pos), quote, text, interpolations)

    def expr(self, start: int, end: int, strings: tuple[n.StringLit, ...] = ()) -> n.Expr | None:
        """The Expr for source[start:end] without its surrounding blanks (None when nothing is left),
        holding those of `strings` (in source order) that lie inside it."""
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            return None
        if strings:  # by bisection: a long pipe has as many stages as strings
            starts = [string.span.start for string in strings]
            low, high = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
            strings = tuple(string for string in strings[low:high] if string.span.end <= end)
        return n.Expr(self.span(start, end), text[start:end], strings)

    def expr_in_parens(self, start: int, end: int, strings: tuple[n.StringLit, ...] = ()) -> n.Expr | None:
        """As expr, without one pair of parentheses around the whole: `(score > 10)` gives `score > 10`."""
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 2 and text[start] == "(" and text[end - 1] == ")":
            start, end = start + 1, end - 1
        return self.expr(start, end, strings)

    def arguments(self, start: int, end: int, strings: tuple[n.StringLit, ...] = ()) -> tuple[n.Expr, ...]:
        """One Expr per comma-separated piece of source[start:end] (commas inside brackets or strings
        do not split); empty pieces are dropped."""
        return tuple(expr for piece_start, piece_end in _split_commas(self.text, start, end)
                     if (expr := self.expr(piece_start, piece_end, strings)) is not None)

    def params(self, start: int, end: int) -> tuple[n.Param, ...]:
        """Function parameters in source[start:end] (without the parentheses): `a, b = 1, c?, ...rest,
        { d, e }`. A piece that is not a name (prose) is one required Param named by its text."""
        found: list[n.Param] = []
        for piece_start, piece_end in _split_commas(self.text, start, end):
            expr = self.expr(piece_start, piece_end)
            if expr is None:
                continue
            text, at = expr.text, expr.span.start
            if text.startswith("{"):  # destructured: each name is a parameter
                close = text.rfind("}")
                found.extend(self.params(at + 1, at + close if close > 0 else expr.span.end))
            elif match := _PARAM_NAME.match(text):
                required = not (match.group(2) or match.group(3) == "=")
                found.append(n.Param(expr.span, match.group(1), required))
            else:
                found.append(n.Param(expr.span, text, True))
        return tuple(found)

    def modifiers(self, text: str, offset: int) -> tuple[n.Modifier, ...]:
        stripped = text.lstrip()
        if not stripped.startswith(":"):
            return ()
        base = offset + len(text) - len(stripped)
        return tuple(n.Modifier(self.span(base + m.start(), base + m.end()), m.group(1),
                                m.group(2).strip() if m.group(2) is not None else None)
                     for m in _MODIFIER.finditer(stripped))

    # --- lines ---

    def items(self, lines: list[_Line], in_match: bool = False, declares: bool = False) -> tuple[n.Node, ...]:
        """Nodes for a run of lines. `declares` is set for a block body, where `name(params)`
        declares a method rather than calling one."""
        result: list[n.Node] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            index += 1
            if index < len(lines):  # a pipe broken over lines, joined once (not copied per line: linear)
                parts, ends_with_pipe = [line], self.ends_with_pipe(line)
                while index < len(lines) and self.pipe_continues(parts[-1], ends_with_pipe, lines[index]):
                    parts.append(lines[index])
                    ends_with_pipe = self.ends_with_pipe(lines[index], ends_with_pipe)
                    index += 1
                if len(parts) > 1:
                    line = _Line([s for part in parts for s in part.segments], line.start, parts[-1].end)
            if not _has_block(line) and (loop := self.loop_line(line, lines, index)):
                looped, index = loop
                result.append(looped)
                continue
            node = self.line(line, in_match, declares)
            if isinstance(node, _CONTINUABLE) and not _has_block(line):
                first_indent, merged = self.indent(line), [line]
                while index < len(lines) and self.continues(line, lines[index], first_indent):
                    merged.append(lines[index])
                    index += 1
                if len(merged) > 1:
                    joined = _Line([s for part in merged for s in part.segments], line.start, merged[-1].end)
                    node = self.line(joined, in_match, declares) or node
            if node is not None:
                result.append(node)
        return tuple(result)

    def loop_line(self, line: _Line, lines: list[_Line], index: int) -> tuple[n.Loop, int] | None:
        """`For each document in Documents:` and the lines indented deeper below it, as one Loop; the
        header without a colon heads a loop only when lines follow it, indented. Returns the loop and
        the index of the first line after its body, or None for any other line."""
        first = _skip(_SPACE, self.text, line.start, line.end)
        match = _FOR_LINE.match(self.text, first, line.end)
        if not match or match.end() != line.end:
            return None
        indent, end = self.indent(line), index
        while end < len(lines) and (self.indent(lines[end]) > indent or not self.text[lines[end].start:lines[end].end].strip()):
            end += 1
        while end > index and not self.text[lines[end - 1].start:lines[end - 1].end].strip():
            end -= 1  # trailing blank lines are not the body's
        if match.group(2) and end == index:
            return None  # `for each x in xs` alone is a sentence
        body = self.items(lines[index:end])
        variables, subject = self.loop_header("for each", first, line.end, self.strings(line.segments))
        last = lines[end - 1].end if end > index else line.end
        return n.Loop(self.span(first, max(last, line.end)), "for each", variables, subject, body), end

    def ends_with_pipe(self, line: _Line, before: bool = False) -> bool:
        """Whether the text up to the end of `line` ends with `|>`; a blank line keeps `before`."""
        text, end = self.text, line.end
        while end > line.start and text[end - 1].isspace():  # no slice: the line may hold a large block
            end -= 1
        if end == line.start:
            return before
        return end - line.start >= 2 and text[end - 2: end] == "|>"

    def pipe_continues(self, first: _Line, first_ends_with_pipe: bool, later: _Line) -> bool:
        """A pipe may break its line before or after `|>`."""
        if self.text.count("\n", first.end, later.start) > 1:
            return False
        return first_ends_with_pipe or _PIPE_START.match(self.text, later.start, later.end) is not None

    def line_start(self, offset: int) -> int:
        """The offset where the physical line holding `offset` begins."""
        starts = self.positions.line_starts
        return starts[bisect.bisect_right(starts, offset) - 1]

    def indent(self, line: _Line) -> int:
        start_of_line = self.line_start(line.start)
        return _skip(_INDENT, self.text, start_of_line, line.end) - start_of_line

    def continues(self, first: _Line, later: _Line, first_indent: int | None = None) -> bool:
        """A later line continues `first` when it is indented deeper, follows without a blank line,
        and reads as plain text (not a new command, property or block)."""
        first_indent = self.indent(first) if first_indent is None else first_indent
        if self.indent(later) <= first_indent or _has_block(later) or self.fence(later):
            return False
        if self.text.count("\n", first.end, later.start) > 1 or \
                self.text[self.line_start(later.start): later.start].strip():
            return False
        text = self.source(later.start, later.end)
        return not (_COMMAND.match(text) or _LIST_ITEM.match(text) or _HEADING.match(text)
                    or _PROPERTY.match(text) or text.strip().startswith(("//", "/*")))

    def line(self, line: _Line, in_match: bool = False, declares: bool = False) -> n.Node | None:
        first = _skip(_SPACE, self.text, line.start, line.end)
        if first == line.end:
            return None
        span = self.span(first, line.end)
        if fence := self.fence(line):  # ```js … ```, maybe after a list marker
            content = self.span(fence.content_start, fence.content_end)
            return n.Fence(span, fence.language, self.text[fence.content_start:fence.content_end], content)
        block_at = next((i for i, s in enumerate(line.segments) if isinstance(s, _Group) and s.kind == "{"), None)
        # A line with a block is matched in place, not sliced: its text holds every level below it.
        if block_at is not None and not _HEADING_AT.match(self.text, line.start, line.end) \
                and not _LIST_ITEM_AT.match(self.text, line.start, line.end):
            return self.block_line(line, block_at, span)
        text = self.source(line.start, line.end)
        stripped = text.strip()
        if all(isinstance(s, Token) and (s.type in ("LINE_COMMENT", "BLOCK_COMMENT") or not s.value.strip())
               for s in line.segments):
            return n.Comment(span, stripped)
        for reader in (self.heading, self.rule, self.command, self.list_item, self.import_, self.requirement,
                       self.function_declaration):
            node = reader(stripped, span, line)
            if node is not None:
                return node
        if in_match and (arm := _ARM.match(stripped)):
            strings = self.strings(line.segments)
            pattern = self.expr(span.start + arm.start(1), span.start + arm.end(1), strings)
            if pattern is not None:
                return n.MatchArm(span, pattern, self.expr(span.start + arm.start(2), span.start + arm.end(2), strings))
        for reader in (self.pipe, self.call, self.property, self.bare_name):
            node = reader(stripped, span, line)
            if isinstance(node, n.Call) and declares and _looks_like_parameters(node.args):
                # `Task { toggleComplete() }` declares a method; `log(a cup b)` is still a call
                params = tuple(param for arg in node.args for param in self.params(arg.span.start, arg.span.end))
                return n.Function(span, None, node.name, params, None, node.modifiers)
            if node is not None:
                return node
        return n.Prose(span, stripped, self.strings(line.segments))

    def fence(self, line: _Line) -> _Region | None:
        """The opaque fence this line holds (its FENCE token), if any."""
        for segment in line.segments:
            if isinstance(segment, Token) and segment.type == "FENCE":
                return self.fences.get(segment.start_pos)
        return None

    def heading(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if match := _HEADING.match(text):
            return n.Heading(span, len(match.group(1)), match.group(2))
        return None

    def rule(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        return n.Rule(span) if _RULE.match(text) else None

    def list_item(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if match := _LIST_ITEM.match(text):
            return n.ListItem(span, match.group(1), match.group(2), self.strings(line.segments))
        return None

    def import_(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if match := _IMPORT.match(text):
            return n.Import(span, (match.group(1) or match.group(2)).strip("'\" "))
        return None

    def requirement(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        match = _REQUIREMENT.match(text)
        if match and match.group(2) and not match.group(2).startswith(("=", "(")):
            return n.Requirement(span, match.group(1).lower(), match.group(2), ())
        return None

    def function_declaration(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if match := _FUNCTION_KEYWORD.match(text):
            modifiers = self.modifiers(match.group(5) or "", line.start + text.find(match.group(5) or "\0"))
            params = self.params(span.start + match.start(3) + 1, span.start + match.end(3) - 1) if match.group(3) else ()
            return n.Function(span, match.group(1), match.group(2), params, None, modifiers)
        return None

    def command(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        match = _COMMAND.match(text)
        if not match or "://" in text[: match.end(1) + 3]:
            return None
        offset = span.start + match.start(1)
        return _command_from_signature(self, "line", match.group(1) + match.group(2), offset, span)

    def pipe(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if "|>" not in text:
            return None
        strings = self.strings(line.segments)
        target = None
        if assignment := _PIPE_TARGET.match(text):
            target = self.expr(span.start + assignment.start(1), span.start + assignment.end(1))
        bounds, position = [], assignment.end() if assignment else 0
        while (at := text.find("|>", position)) >= 0:
            bounds.append((position, at))
            position = at + 2
        bounds.append((position, len(text)))
        stages = tuple(stage for start, end in bounds
                       if (stage := self.expr(span.start + start, span.start + end, strings)) is not None)
        return n.Pipe(span, target, stages)

    def call(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        match = _CALL.match(text)
        parens = [s for s in line.segments if isinstance(s, _Group) and s.kind == "("]
        if not match or not parens:
            return None
        group = parens[0]
        after = self.source(group.end, line.end)
        if after.strip() and not after.strip().startswith((":", ";")):
            return None
        args = self.arguments(group.start + 1, group.end - 1, self.strings(group.segments))
        return n.Call(span, match.group(1), args, self.modifiers(after, group.end))

    def property(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        match = _PROPERTY.match(text)
        if not match or (match.group(2) == ":" and not match.group(3)):
            return None
        key = match.group(1).strip('"')
        value = self.expr(span.start + match.start(3), span.start + match.end(3), self.strings(line.segments))
        return n.Property(span, key, match.group(2), value, None)

    def bare_name(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if match := _BARE_NAME.match(text):
            return n.Property(span, match.group(1), None, None, None)
        return None

    # --- lines with a { … } block ---

    def block_line(self, line: _Line, block_at: int, span: n.Span) -> n.Node:
        group = line.segments[block_at]
        assert isinstance(group, _Group)  # block_at is where the line's { … } is
        header = self.source(span.start, group.start).rstrip()  # span starts at the line's first character
        after = self.source(group.end, line.end)
        modifiers = self.modifiers(after, group.end)
        lower = header.lower()
        keyword = match.group(1) if (match := re.match(r"([a-z]+)\b", lower)) else ""
        if keyword in ("if", "else"):
            return self.conditional(line, block_at, header, span)
        strings = self.strings(line.segments[:block_at])
        if keyword == "match":
            return n.Match(span, self.expr_in_parens(span.start + 5, group.start, strings),
                           self.items(group.lines, in_match=True))
        # Each branch reads the body once: reading it for one kind and again for another doubled the
        # work at every level, 2^depth in all (20 bytes of `{` took 10 s).
        if lower.startswith("for ") or keyword in ("while", "loop"):
            kind = "for each" if lower.startswith("for") else keyword
            variables, subject = self.loop_header(kind, span.start, group.start, strings)
            return n.Loop(span, kind, variables, subject, self.items(group.lines))
        if keyword in ("require", "warn") or keyword == "constraint" and header.endswith(":"):
            return n.Requirement(span, keyword, header[len(keyword):].strip(" :"), self.items(group.lines))
        if match := _FUNCTION_KEYWORD.match(header):
            params = self.params(span.start + match.start(3) + 1, span.start + match.end(3) - 1) if match.group(3) else ()
            return n.Function(span, match.group(1), match.group(2), params, self.items(group.lines), modifiers)
        if match := _METHOD_HEADER.match(header):
            params = self.params(span.start + match.start(2) + 1, span.start + match.end(2) - 1)
            return n.Function(span, None, match.group(1), params, self.items(group.lines), modifiers)
        if assignment := re.match(r"^([A-Za-z_$][\w$.-]*|\"[^\"]+\")\s*(=|:)$", header):
            key = assignment.group(1).strip('"')
            if key.lower() == "commands":
                return n.CommandMap(span, key, self.command_map(group))
            block = n.Block(self.span(group.start, group.end), "block", None, "", self.items(group.lines), modifiers)
            return n.Property(span, key, assignment.group(2), None, block)
        kind, name = _block_kind(header)
        body = self.items(group.lines, declares=True)
        if name.lower() == "commands":  # `commands { "/add <task>": "Add a task" }`: map entries without `=`
            body = tuple(self.map_entry(item) for item in body)
        return n.Block(span, kind, self.expr(span.start, group.start, strings), name, body, modifiers)

    def map_entry(self, item: n.Node) -> n.Node:
        """In a `commands { … }` block, a `"/sig": "description"` line (read as a property: a quoted key naming
        a command, a string value) is the command it declares, as in the map form; any other item is itself."""
        if not (isinstance(item, n.Property) and item.operator == ":" and item.key.startswith(("/", "@"))
                and self.text.startswith('"', item.span.start) and item.strings):
            return item
        description = item.strings[-1].text
        return _command_from_signature(self, "map", item.key, item.span.start + 1, item.span, description)

    def loop_header(self, kind: str, start: int, end: int,
                    strings: tuple[n.StringLit, ...] = ()) -> tuple[tuple[n.Expr, ...], n.Expr | None]:
        """The variables and the subject of a loop header in source[start:end]: `for each (k, v) of m`
        gives k, v and m; `while (alive)` gives alive; a header read as neither keeps the rest."""
        header = self.text[start:end]
        if kind == "for each" and (match := _FOR_HEADER.match(header)):
            variables = tuple(n.Expr(self.span(start + word.start(), start + word.end()), word.group(), ())
                              for word in _WORD_RE.finditer(header, match.start(2), match.end(2))
                              if word.group() not in _DECLARATION_WORDS)
            subject_end = start + match.end(3)
            if match.group(1) and header[match.end(3) - 1: match.end(3)] == ")":  # `for (x in xs)`
                subject_end -= 1
            return variables, self.expr(start + match.start(3), subject_end, strings)
        keyword = _LOOP_KEYWORD.match(header)
        return (), self.expr_in_parens(start + (keyword.end() if keyword else 0), end, strings)

    def conditional(self, line: _Line, block_at: int, header: str, span: n.Span) -> n.Node:
        """`if (a) { … } else if (b) { … } else { … }`: the chain is one line (braces span lines), read
        in a loop, not by recursing once per `else` (a long chain would exhaust the stack), and each
        part once (not by copying the rest of the line per `else`: linear)."""
        segments = line.segments
        strings = self.strings(segments)  # the strings of every header (not of the bodies)
        header_start = span.start
        links: list[tuple[n.Span, str, n.Expr | None, _Group]] = []
        orelse: tuple[n.Node, ...] = ()
        while True:
            group = segments[block_at]
            assert isinstance(group, _Group)  # block_at is where this link's { … } is
            keyword = "else" if header.lower().startswith("else") else "if"
            word = _CONDITION_KEYWORD.match(header)
            condition = self.expr_in_parens(header_start + (word.end() if word else 0), group.start, strings)
            links.append((span, keyword, condition, group))
            rest = block_at + 1  # the first segment after the block that is not blank
            while rest < len(segments) and _is_blank(segments[rest]):
                rest += 1
            if rest == len(segments):
                break
            start = _seg_start(segments[rest])
            if not _ELSE.match(self.text, start, line.end):
                break  # text after the block that is not an `else` is not read (as before)
            next_block = next((i for i, segment in enumerate(segments[rest:], rest)
                               if isinstance(segment, _Group) and segment.kind == "{"), None)
            if next_block is not None:
                header = self.source(start, _seg_start(segments[next_block])).strip()
                first_word = match.group(1) if (match := re.match(r"([a-z]+)\b", header.lower())) else ""
                if first_word in ("if", "else"):  # the next link of the chain
                    header_start = _skip(_SPACE, self.text, start, line.end)
                    span = self.span(header_start, line.end)
                    block_at = next_block
                    continue
            tail = [s for s in segments[rest:] if not _is_blank(s)]
            other = self.line(_Line(tail, start, line.end))  # `else log(…)`, `elsewhere {…}`: no link
            orelse = (other,) if other is not None else ()  # (never None: the line starts with `else`)
            break
        for span, keyword, condition, group in reversed(links):
            orelse = (n.Conditional(span, keyword, condition, self.items(group.lines), orelse),)
        return orelse[0]

    def command_map(self, group: _Group) -> tuple[n.Command, ...]:
        """The entries of `commands = { "/sig": "description", … }`."""
        entries: list[n.Command] = []
        for line in group.lines:
            strings = [s for s in line.segments if isinstance(s, Token) and s.type in STRING_TOKENS]
            if not strings:
                continue
            key = strings[0]
            description = self.string(strings[1]).text if len(strings) > 1 else None
            span = self.span(key.start_pos, line.end)
            signature = key.value[1:-1]
            entries.append(_command_from_signature(self, "map", signature, key.start_pos + 1, span, description))
        return tuple(entries)


def _split_commas(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) pieces of text[start:end] between commas that stand outside (…), […], {…} and
    "…" or `…` strings. One pass."""
    pieces: list[tuple[int, int]] = []
    depth, quote, piece = 0, "", start
    for index in range(start, end):
        char = text[index]
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            pieces.append((piece, index))
            piece = index + 1
    pieces.append((piece, end))
    return pieces


_PARAMETER = re.compile(r"^\s*(?:\.\.\.)?[A-Za-z_$][\w$]*\??(?:\s*[:=]\s*\S.*)?\s*$|^\s*\{[^}]*\}\s*(?:=\s*.+)?$")


def _looks_like_parameters(args: tuple[n.Expr, ...]) -> bool:
    """`()`, `(a, b=5, c: T, { given?, should })`: names, not expressions or prose."""
    return all(_PARAMETER.match(arg.text) for arg in args)


def _has_block(line: _Line) -> bool:
    return any(isinstance(s, _Group) and s.kind == "{" for s in line.segments)


def _block_kind(header: str) -> tuple[str, str]:
    words = header.split(None, 1)
    if not words:
        return "block", ""
    first = words[0].lower()
    if first in _BLOCK_KINDS and len(words) > 1:
        return first, words[1]
    if header.lower() in _NAMED_BLOCKS:
        return _NAMED_BLOCKS[header.lower()], header
    return "block", header


_SIGNATURE_SPLIT = re.compile(r"\s+-\s+|\s+—\s+|:\s+|\s*:$")


def _command_from_signature(reader: _Reader, form: str, text: str, offset: int, span: n.Span,
                            description: str | None = None) -> n.Command:
    """Read `/name | alias [arg] <arg> - description` (line form) or a map key (map form). An alias
    list that repeats the parameters, `/summarize [title] | /sum [title]`, is one command: every
    alias's names, the first alias's parameters (another alias listing different ones is a problem)."""
    signature, line_description = text, None
    if form == "line":
        signature, line_description = _split_description(text)
    names: list[str] = []
    params: tuple[n.Param, ...] = ()
    problems: list[str] = []
    aliases = _alias_parts(signature)
    for index, (start, end) in enumerate(aliases):
        part = signature[start:end]
        part_names, rest_at = _command_names(part)
        part_params, part_problems = _command_params(reader, part, rest_at, offset + start)
        if index == 0:
            params = part_params
            problems += part_problems
        else:
            part_names = tuple(name if name.startswith(("/", "@")) else "/" + name for name in part_names)
            problems += [problem for problem in part_problems if problem not in problems]
            shape = [(param.name, param.required) for param in part_params]
            if part_params and shape != [(param.name, param.required) for param in params]:
                shown = signature[start:end].strip()
                problems.append(f"alias {shown!r} takes other parameters than {signature[:aliases[0][1]].strip()!r}")
        names += part_names
    last_start = aliases[-1][0]
    last_names, last_rest = _command_names(signature[last_start:])
    if form == "line" and line_description is None:
        tail = _PARAM.sub("", signature[last_start + last_rest:]).strip()
        if tail:  # `/next Generate the next name`: words after the name are its description
            line_description = tail
            signature = signature[: last_start + last_rest].rstrip()
    if not names or not names[0].startswith(("/", "@")):
        problems.append(f"a command must start with '/' or '@', not {signature[:1]!r}")
    description = description if form == "map" else line_description
    description = " ".join(description.split()) if description else None
    return n.Command(span, form, signature.strip(), tuple(names), params, description, tuple(problems))


_ALIAS_BAR = re.compile(r"\s*\|\s*(?=[/@][A-Za-z<])")


def _alias_parts(signature: str) -> list[tuple[int, int]]:
    """The (start, end) of each alias in `/a [x] | /b [x]`: split at a `|` outside brackets that a
    `/name` or `@name` follows (`/l | learn` is one part: _command_names reads its bare alias)."""
    parts: list[tuple[int, int]] = []
    depth, start = 0, 0
    for index, char in enumerate(signature):
        if char in "[<(":
            depth += 1
        elif char in "]>)":
            depth = max(0, depth - 1)
        elif char == "|" and depth == 0 and index > start and (bar := _ALIAS_BAR.match(signature, index)):
            if _PARAM.search(signature, start, index):  # only when the alias before it has parameters
                parts.append((start, index))
                start = bar.end()
    parts.append((start, len(signature)))
    return parts


def _split_description(text: str, track_brackets: bool = True) -> tuple[str, str | None]:
    """Split `/sig [a] - description` at the first separator outside brackets; if a bracket never
    closes (a malformed signature), split at the first separator anywhere."""
    depth = 0
    for index, char in enumerate(text):
        if track_brackets and char in "[<(":
            depth += 1
        elif track_brackets and char in "]>)":
            depth = max(0, depth - 1)
        elif depth == 0 and (match := _SIGNATURE_SPLIT.match(text, index)):
            if char in " \t—:":
                return text[:index], text[match.end():].strip() or None
    if track_brackets and depth:
        return _split_description(text, track_brackets=False)
    return text, None


def _command_names(signature: str) -> tuple[tuple[str, ...], int]:
    match = re.match(r"\s*([/@]?<?[\w-]*>?(?:\s*\|\s*[/@]?[\w-]+)*)", signature)
    raw = match.group(1) if match else ""
    names: list[str] = []
    for part in raw.split("|"):
        part = part.strip()
        if part:
            names.append(part if part.startswith(("/", "@")) else "/" + part if names else part)
    return tuple(names), match.end() if match else 0


def _command_params(reader: _Reader, signature: str, rest_at: int, offset: int) -> tuple[tuple[n.Param, ...], list[str]]:
    params: list[n.Param] = []
    problems: list[str] = []
    names = re.match(r"\s*([/@])<([^<>\s]*)>", signature)
    if names:  # `@<agent>`: the name itself is a parameter
        params.append(n.Param(reader.span(offset + names.start(2) - 1, offset + names.end()), names.group(2), True))
    rest = signature[rest_at:]
    for match in _PARAM.finditer(rest):
        name = (match.group(1) if match.group(1) is not None else match.group(2)).strip().rstrip("?")
        start = offset + rest_at + match.start()
        params.append(n.Param(reader.span(start, offset + rest_at + match.end()), name, match.group(1) is not None))
    leftover = _PARAM.sub("", rest)
    for opener, closer in (("<", ">"), ("[", "]")):
        if leftover.count(opener) != leftover.count(closer):
            problems.append(f"unclosed '{opener}' in the signature")
    seen: set[str] = set()
    for param in params:
        if param.name and param.name in seen:
            problems.append(f"parameter '{param.name}' is named twice")
        seen.add(param.name)
    return tuple(params), problems


# --- entry point ---------------------------------------------------------------------------------


def parse(text: str, path: str = "<string>", fail_fast: bool = False) -> n.Program:
    """Parse `text` into a Program whose `errors` lists every syntax error (the tree is built regardless);
    with `fail_fast`, raise SudoLangSyntaxError instead when there is any."""
    text = normalise_line_endings(text)  # a lone \r is a line ending; the length stays the same
    positions = n.Positions(text, path)
    errors: list[Diagnostic] = []
    regions, unterminated = _container(text)
    for offset in unterminated:
        errors.append(UnterminatedFence.at(positions.span(offset, offset + 3)))
    parser, lexer = grammar()
    blanked = _blank(text, regions)
    fences = {region.start: region for region in regions if region.kind == "fence"}
    tokens = _repair(lex(lexer, blanked), positions, errors, fences)
    lines = parser.parse(tokens, "start")  # the repaired tokens always parse
    reader = _Reader(positions, fences)  # blanking keeps every offset, so spans index the real source
    items = _merge_regions(reader, lines, regions, text)
    errors.sort(key=lambda d: (d.span.start, d.code))
    if fail_fast and errors:
        raise SudoLangSyntaxError(errors)
    return n.Program(positions.span(0, len(text)), path, text, items, tuple(errors))


def _merge_regions(reader: _Reader, lines: list[_Line], regions: list[_Region], text: str) -> tuple[n.Node, ...]:
    """Top-level items in source order: container regions, and the code lines between them."""
    items: list[tuple[int, n.Node]] = []
    regions = [region for region in regions if region.kind != "fence"]  # fences are FENCE tokens of lines
    starts = [region.start for region in regions]  # regions are in order and disjoint
    within: dict[int, list[_Line]] = {}
    outside: list[_Line] = []
    for line in lines:  # each line to its region, by bisection (not every region per line: linear)
        at = bisect.bisect_right(starts, line.start) - 1
        if at >= 0 and line.start < regions[at].end:
            region = regions[at]
            if region.content_start <= line.start < region.content_end:
                within.setdefault(at, []).append(line)
        elif _skip(_SPACE, text, line.start, line.end) < line.end:
            outside.append(line)
    for at, region in enumerate(regions):
        span = reader.span(region.start, region.end)
        if region.kind == "front":
            items.append((region.start, n.FrontMatter(span, text[region.start:region.end])))
        else:
            items.append((region.start, n.SudoFence(span, region.language, reader.items(within.get(at, [])))))
    items.extend((node.span.start, node) for node in reader.items(outside))
    return _mark_invocations(tuple(node for _, node in sorted(items, key=lambda pair: pair[0])))


def _mark_invocations(items: tuple[n.Node, ...]) -> tuple[n.Node, ...]:
    """A top-level `/name …` line naming a command declared inside a block (or with a description
    elsewhere) invokes it, as the initializer at the end of a program does; it declares nothing."""
    in_blocks = {name for item in items if not isinstance(item, n.Command) for node in item.walk()
                 if isinstance(node, n.Command) for name in node.names}
    described = {name for item in items if isinstance(item, n.Command) and item.description for name in item.names}

    def invokes(item: n.Command) -> bool:
        if not item.names:
            return False
        return item.names[0] in in_blocks or (item.names[0] in described and not item.description and not item.params)

    return tuple(n.CommandCall(item.span, item.names[0]) if isinstance(item, n.Command) and invokes(item) else item
                 for item in items)
