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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lark import Lark, Token, Transformer

from sudolang import nodes as n
from sudolang.diagnostics import (
    Diagnostic,
    StrayCloser,
    SudoLangSyntaxError,
    UnclosedBracket,
    UnterminatedComment,
    UnterminatedFence,
    UnterminatedString,
    UnterminatedTripleString,
)

PAIRS = {"LBRACE": ("{", "}", "RBRACE"), "LPAR": ("(", ")", "RPAR"), "LSQB": ("[", "]", "RSQB")}
CLOSERS = {close_type: (opener, closer, open_type) for open_type, (opener, closer, close_type) in PAIRS.items()}
STRING_TOKENS = {"STRING": '"', "BACKTICK_STRING": "`", "TRIPLE_STRING": '"""'}
SUDO_FENCE_LANGUAGES = {"sudo", "sudolang"}


# --- the grammar ---------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def grammar(strict: bool = False) -> Lark:
    """The LALR parser for grammar.lark, built once; `strict` makes grammar conflicts fail loudly (tests)."""
    # cache: when interegular is installed, Lark spends ~170 ms checking terminal collisions on every
    # build; the cached grammar (in the temp folder, keyed by grammar and options) skips that.
    parser = Lark.open("grammar.lark", rel_to=__file__, parser="lalr", lexer="basic", propagate_positions=True,
                       maybe_placeholders=False, strict=strict, cache=not strict)
    # Lark.lex() rebuilds its lexer on every call unless `lexer` is set (lark 1.3, lark.py:626);
    # the rebuild re-checks terminal collisions and cost 10 ms per file. Reuse the parser's own.
    parser.lexer = parser.parser.lexer
    return parser


def _parse_tokens(parser: Lark, tokens: list[Token]):
    """Feed the repaired tokens (not the text) to the LALR parser, through Lark's public interactive API."""
    interactive = parser.parse_interactive("")
    for token in tokens:
        interactive.feed_token(token)
    return interactive.feed_eof(tokens[-1] if tokens else None)


# --- step 1: the markdown container ----------------------------------------------------------------

_FENCE = re.compile(r"^([ \t]*)(```+|~~~+)[ \t]*([\w+-]*)[^\n]*$", re.MULTILINE)
_HIDES_FENCES = re.compile(r'(?<![:\w.\/*])/\*[\s\S]*?\*/|"""[\s\S]*?"""')
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:.*\n)*?---[ \t]*(?:\n|\Z)")


@dataclass
class _Region:
    kind: str  # "front", "fence" (opaque), "sudo" (a fence whose content is parsed)
    start: int
    end: int
    language: str = ""
    content_start: int = 0
    content_end: int = 0


def _container(text: str) -> tuple[list[_Region], list[int]]:
    """Front matter and fences; returns the regions and the offsets of unterminated fences."""
    regions: list[_Region] = []
    unterminated: list[int] = []
    position = 0
    if match := _FRONT_MATTER.match(text):
        regions.append(_Region("front", 0, match.end()))
        position = match.end()
    hidden = [m.span() for m in _HIDES_FENCES.finditer(text)]
    while opening := _FENCE.search(text, position):
        if any(start < opening.start() < end for start, end in hidden):  # a fence quoted in a comment
            position = opening.end()
            continue
        marker, language = opening.group(2), opening.group(3)
        closing = re.compile(rf"^[ \t]*{re.escape(marker[0]) * len(marker)}[ \t]*$", re.MULTILINE)
        content_start = min(opening.end() + 1, len(text))
        close = closing.search(text, content_start) if opening.end() < len(text) else None
        if close is None:
            unterminated.append(opening.start() + len(opening.group(1)))
            end = content_end = len(text)
        else:
            end, content_end = close.end(), close.start()
        kind = "sudo" if language.lower() in SUDO_FENCE_LANGUAGES and close is not None else "fence"
        regions.append(_Region(kind, opening.start(), end, language, content_start, content_end))
        position = end
    return regions, unterminated


def _blank(text: str, regions: list[_Region]) -> str:
    """The text with every opaque character turned into a space (newlines kept), so offsets stay put."""
    chars = list(text)
    for region in regions:
        spans = [(region.start, region.end)]
        if region.kind == "sudo":
            spans = [(region.start, region.content_start), (region.content_end, region.end)]
        for start, end in spans:
            for i in range(start, end):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


# --- step 2: tokens, repaired --------------------------------------------------------------------

# Tokens the grammar accepts only so that parsing can go on; each is a syntax error.
_TOKEN_ERRORS = {
    "STRAY_QUOTE": UnterminatedString, "STRAY_BACKTICK": UnterminatedString,
    "UNCLOSED_TRIPLE": UnterminatedTripleString, "UNCLOSED_BLOCK_COMMENT": UnterminatedComment,
}


def _repair(tokens: list[Token], positions: n.Positions, errors: list[Diagnostic]) -> list[Token]:
    """Report unbalanced brackets and unterminated strings; return tokens that always parse."""
    out: list[Token] = []
    stack: list[Token] = []
    for token in tokens:
        if token.type in _TOKEN_ERRORS:
            quote = {"STRAY_QUOTE": '"', "STRAY_BACKTICK": "`"}.get(token.type, "")
            errors.append(_TOKEN_ERRORS[token.type].at(_token_span(positions, token), quote=quote))
        if token.type in PAIRS:
            stack.append(token)
        elif token.type in CLOSERS:
            opener, closer, open_type = CLOSERS[token.type]
            # A ')' or ']' inside an open '{' is stray: braces span lines by design, parens rarely do.
            stray = stack and stack[-1].type == "LBRACE" and open_type != "LBRACE"
            if stray or not any(t.type == open_type for t in stack):
                inside = f" (inside '{stack[-1].value}' opened at {stack[-1].line}:{stack[-1].column})" if stack else ""
                errors.append(StrayCloser.at(_token_span(positions, token), closer=closer, opener=opener, inside=inside))
                out.append(Token.new_borrow_pos("TEXT", token.value, token))
                continue
            while stack[-1].type != open_type:  # brackets left open inside this one
                out.append(_close(stack.pop(), token, positions, errors, f"before the '{closer}' at {token.line}:{token.column}"))
            stack.pop()
        out.append(token)
    end = Token("TEXT", "", start_pos=len(positions.text), line=len(positions.line_starts), column=1,
                end_pos=len(positions.text))
    while stack:
        out.append(_close(stack.pop(), end, positions, errors, "before the end of the file"))
    return out


def _close(opener: Token, where: Token, positions: n.Positions, errors: list[Diagnostic], before: str) -> Token:
    symbol, closer, close_type = PAIRS[opener.type]
    errors.append(UnclosedBracket.at(_token_span(positions, opener), opener=symbol, closer=closer, before=before))
    at = where.start_pos
    return Token(close_type, "", start_pos=at, end_pos=at, line=where.line, column=where.column,
                 end_line=where.line, end_column=where.column)


def _token_span(positions: n.Positions, token: Token) -> n.Span:
    return positions.span(token.start_pos, max(token.end_pos, token.start_pos + 1))


# --- step 3: the tree as lines of segments -------------------------------------------------------


@dataclass
class _Group:
    """A bracketed group: `lines` for {…}, `segments` for (…) and […]."""

    kind: str
    start: int
    end: int
    lines: list["_Line"] = field(default_factory=list)
    segments: list[object] = field(default_factory=list)


@dataclass
class _Line:
    segments: list[object]
    start: int
    end: int


def _seg_start(segment: object) -> int:
    return segment.start_pos if isinstance(segment, Token) else segment.start


def _seg_end(segment: object) -> int:
    return segment.end_pos if isinstance(segment, Token) else segment.end


class _ToSegments(Transformer):
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
_PROPERTY = re.compile(r"^\s*([A-Za-z_$][\w$.-]*|\"[^\"]+\"|[A-Za-z][\w-]*(?: [A-Za-z][\w-]*){1,4})\s*(\+=|-=|\*=|/=|=>|=|:(?![:/]))\s*(.*?)\s*[;,]?\s*$", re.DOTALL)
_BARE_NAME = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*[;,]?\s*$")
_CALL = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\s*\(")
_MODIFIER = re.compile(r":([A-Za-z][\w-]*)(?:=((?:\"[^\"]*\"|[^:;])*))?")
_ARM = re.compile(r"^\s*(case\b.*?|default|\(.*?\)|[^=]+?)\s*=>\s*(.*?)\s*;?\s*$", re.DOTALL)
_BLOCK_KINDS = {"interface", "constraint", "type"}
_NAMED_BLOCKS = {"constraints": "constraints", "commands": "commands", "options": "options", "state": "state"}
_INTERPOLATION = re.compile(r"(?<!\\)\$(?:\{([^}]*)\}|([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?:\(\))?))")
_PARAM = re.compile(r"<([^<>\s]*)>|\[([^\[\]]*)\]")


_CONTINUABLE = (n.Command, n.Property, n.Prose, n.ListItem, n.Requirement)


class _Reader:
    """Reads the lines of one region of a program as AST nodes."""

    def __init__(self, positions: n.Positions) -> None:
        self.positions = positions
        self.text = positions.text

    # --- helpers ---

    def span(self, start: int, end: int) -> n.Span:
        return self.positions.span(start, end)

    def source(self, start: int, end: int) -> str:
        return self.text[start:end]

    def strings(self, segments: list[object]) -> tuple[n.StringLit, ...]:
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
            while index < len(lines) and self.pipe_continues(line, lines[index]):
                line = _Line(line.segments + lines[index].segments, line.start, lines[index].end)
                index += 1
            node = self.line(line, in_match, declares)
            if isinstance(node, _CONTINUABLE) and not _has_block(line):
                merged = line
                while index < len(lines) and self.continues(line, lines[index]):
                    merged = _Line(merged.segments + lines[index].segments, merged.start, lines[index].end)
                    index += 1
                if merged is not line:
                    node = self.line(merged, in_match, declares) or node
            if node is not None:
                result.append(node)
        return tuple(result)

    def pipe_continues(self, first: _Line, later: _Line) -> bool:
        """A pipe may break its line before or after `|>`."""
        if self.text[first.end: later.start].count("\n") > 1:
            return False
        return self.source(first.start, first.end).rstrip().endswith("|>") or \
            self.source(later.start, later.end).lstrip().startswith("|>")

    def indent(self, line: _Line) -> int:
        start_of_line = self.text.rfind("\n", 0, line.start) + 1
        raw = self.text[start_of_line: line.end]
        return len(raw) - len(raw.lstrip(" \t"))

    def continues(self, first: _Line, later: _Line) -> bool:
        """A later line continues `first` when it is indented deeper, follows without a blank line,
        and reads as plain text (not a new command, property or block)."""
        if self.indent(later) <= self.indent(first) or _has_block(later):
            return False
        gap = self.text[first.end: later.start]
        if gap.count("\n") > 1 or self.text[self.text.rfind("\n", 0, later.start) + 1: later.start].strip():
            return False
        text = self.source(later.start, later.end)
        return not (_COMMAND.match(text) or _LIST_ITEM.match(text) or _HEADING.match(text)
                    or _PROPERTY.match(text) or text.strip().startswith(("//", "/*")))

    def line(self, line: _Line, in_match: bool = False, declares: bool = False) -> n.Node | None:
        text = self.source(line.start, line.end)
        if not text.strip():
            return None
        span = self.span(line.start + len(text) - len(text.lstrip()), line.end)
        stripped = text.strip()
        block_at = next((i for i, s in enumerate(line.segments) if isinstance(s, _Group) and s.kind == "{"), None)
        if block_at is not None and not _HEADING.match(text) and not _LIST_ITEM.match(text):
            return self.block_line(line, block_at, span)
        if all(isinstance(s, Token) and (s.type in ("LINE_COMMENT", "BLOCK_COMMENT") or not s.value.strip())
               for s in line.segments):
            return n.Comment(span, stripped)
        for reader in (self.heading, self.rule, self.command, self.list_item, self.import_, self.requirement,
                       self.function_declaration):
            node = reader(stripped, span, line)
            if node is not None:
                return node
        if in_match and (arm := _ARM.match(stripped)):
            return n.MatchArm(span, arm.group(1).strip(), arm.group(2).strip())
        for reader in (self.pipe, self.call, self.property, self.bare_name):
            node = reader(stripped, span, line)
            if isinstance(node, n.Call) and declares and _looks_like_parameters(node.args):
                # `Task { toggleComplete() }` declares a method; `log(a cup b)` is still a call
                return n.Function(span, None, node.name, f"({node.args})", None, node.modifiers)
            if node is not None:
                return node
        return n.Prose(span, stripped, self.strings(line.segments))

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
            return n.Function(span, match.group(1), match.group(2), match.group(3) or "", None, modifiers)
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
        return n.Pipe(span, tuple(stage.strip() for stage in text.split("|>")))

    def call(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        match = _CALL.match(text)
        parens = [s for s in line.segments if isinstance(s, _Group) and s.kind == "("]
        if not match or not parens:
            return None
        group = parens[0]
        after = self.source(group.end, line.end)
        if after.strip() and not after.strip().startswith((":", ";")):
            return None
        args = self.source(group.start + 1, group.end - 1)
        return n.Call(span, match.group(1), args, self.modifiers(after, group.end), self.strings(line.segments))

    def property(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        match = _PROPERTY.match(text)
        if not match or (match.group(2) == ":" and not match.group(3)):
            return None
        key = match.group(1).strip('"')
        return n.Property(span, key, match.group(2), match.group(3), self.strings(line.segments), None)

    def bare_name(self, text: str, span: n.Span, line: _Line) -> n.Node | None:
        if match := _BARE_NAME.match(text):
            return n.Property(span, match.group(1), None, "", (), None)
        return None

    # --- lines with a { … } block ---

    def block_line(self, line: _Line, block_at: int, span: n.Span) -> n.Node:
        group: _Group = line.segments[block_at]
        header = self.source(line.start, group.start).strip()
        after = self.source(group.end, line.end)
        modifiers = self.modifiers(after, group.end)
        lower = header.lower()
        keyword = match.group(1) if (match := re.match(r"([a-z]+)\b", lower)) else ""
        if keyword in ("if", "else"):
            return self.conditional(line, block_at, header, span)
        if keyword == "match":
            return n.Match(span, _strip_parens(header[5:]), self.items(group.lines, in_match=True))
        body = self.items(group.lines)
        if lower.startswith("for ") or keyword in ("while", "loop"):
            kind = "for each" if lower.startswith("for") else keyword
            return n.Loop(span, kind, header, body)
        if keyword in ("require", "warn") or keyword == "constraint" and header.endswith(":"):
            return n.Requirement(span, keyword, header[len(keyword):].strip(" :"), body)
        if match := _FUNCTION_KEYWORD.match(header):
            return n.Function(span, match.group(1), match.group(2), match.group(3) or "", body, modifiers)
        if match := _METHOD_HEADER.match(header):
            return n.Function(span, None, match.group(1), match.group(2), body, modifiers)
        if assignment := re.match(r"^([A-Za-z_$][\w$.-]*|\"[^\"]+\")\s*(=|:)$", header):
            key = assignment.group(1).strip('"')
            if key.lower() == "commands":
                return n.CommandMap(span, key, self.command_map(group))
            block = n.Block(self.span(group.start, group.end), "block", "", "", body, modifiers)
            return n.Property(span, key, assignment.group(2), self.source(group.start, group.end), (), block)
        kind, name = _block_kind(header)
        return n.Block(span, kind, header, name, self.items(group.lines, declares=True), modifiers)

    def conditional(self, line: _Line, block_at: int, header: str, span: n.Span) -> n.Node:
        group: _Group = line.segments[block_at]
        keyword = "else" if header.lower().startswith("else") else "if"
        condition = _strip_parens(re.sub(r"^(else\s+)?if\b|^else\b", "", header, flags=re.IGNORECASE).strip())
        rest = [s for s in line.segments[block_at + 1:] if not (isinstance(s, Token) and not s.value.strip())]
        orelse: tuple[n.Node, ...] = ()
        if rest:
            start = _seg_start(rest[0])
            tail = _Line(rest, start, line.end)
            else_text = self.source(start, line.end).lstrip()
            if else_text.lower().startswith("else"):
                orelse = (self.line(tail),)
        return n.Conditional(span, keyword, condition, self.items(group.lines), orelse)

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


_PARAMETER = re.compile(r"^\s*(?:\.\.\.)?[A-Za-z_$][\w$]*\??(?:\s*[:=]\s*\S.*)?\s*$|^\s*\{[^}]*\}\s*(?:=\s*.+)?$")


def _looks_like_parameters(args: str) -> bool:
    """`()`, `(a, b=5, c: T, { given?, should })`: names, not expressions or prose."""
    return not args.strip() or all(_PARAMETER.match(part) for part in args.split(","))


def _has_block(line: _Line) -> bool:
    return any(isinstance(s, _Group) and s.kind == "{" for s in line.segments)


def _strip_parens(text: str) -> str:
    text = text.strip()
    return text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text


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
    """Read `/name | alias [arg] <arg> - description` (line form) or a map key (map form)."""
    signature, line_description = text, None
    if form == "line":
        signature, line_description = _split_description(text)
    names, rest_at = _command_names(signature)
    params, problems = _command_params(reader, signature, rest_at, offset)
    if form == "line" and line_description is None:
        tail = _PARAM.sub("", signature[rest_at:]).strip()
        if tail:  # `/next Generate the next name`: words after the name are its description
            line_description = tail
            signature = signature[: rest_at].rstrip()
    if not names or not names[0].startswith(("/", "@")):
        problems.append(f"a command must start with '/' or '@', not {signature[:1]!r}")
    description = description if form == "map" else line_description
    description = " ".join(description.split()) if description else None
    return n.Command(span, form, signature.strip(), names, params, description, tuple(problems))


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
    names = []
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


def parse(text: str, path: str = "<string>", fail_fast: bool = False, strict: bool = False) -> n.Program:
    """Parse `text` into a Program whose `errors` lists every syntax error (the tree is built regardless);
    with `fail_fast`, raise SudoLangSyntaxError instead when there is any."""
    positions = n.Positions(text, path)
    errors: list[Diagnostic] = []
    regions, unterminated = _container(text)
    for offset in unterminated:
        errors.append(UnterminatedFence.at(positions.span(offset, offset + 3)))
    parser = grammar(strict)
    blanked = _blank(text, regions)
    tokens = _repair(list(parser.lex(blanked)), positions, errors)
    lines = _ToSegments().transform(_parse_tokens(parser, tokens))
    reader = _Reader(positions)  # blanking keeps every offset, so spans index the real source
    items = _merge_regions(reader, lines, regions, text)
    errors.sort(key=lambda d: (d.span.start, d.code))
    if fail_fast and errors:
        raise SudoLangSyntaxError(errors)
    return n.Program(positions.span(0, len(text)), path, text, items, tuple(errors))


def _merge_regions(reader: _Reader, lines: list[_Line], regions: list[_Region], text: str) -> tuple[n.Node, ...]:
    """Top-level items in source order: container regions, and the code lines between them."""
    items: list[tuple[int, n.Node]] = []
    for region in regions:
        span = reader.span(region.start, region.end)
        if region.kind == "front":
            items.append((region.start, n.FrontMatter(span, text[region.start:region.end])))
        elif region.kind == "fence":
            items.append((region.start, n.Fence(span, region.language, text[region.content_start:region.content_end])))
        else:
            inside = [line for line in lines if region.content_start <= line.start < region.content_end]
            items.append((region.start, n.SudoFence(span, region.language, reader.items(inside))))
    outside = [line for line in lines if not any(r.start <= line.start < r.end for r in regions)]
    outside = [line for line in outside if text[line.start:line.end].strip()]
    items.extend((node.span.start, node) for node in reader.items(outside))
    return _mark_invocations(tuple(node for _, node in sorted(items, key=lambda pair: pair[0])))


def _mark_invocations(items: tuple[n.Node, ...]) -> tuple[n.Node, ...]:
    """A top-level `/name …` line naming a command declared inside a block (or with a description
    elsewhere) invokes it, as the initializer at the end of a program does; it declares nothing."""
    in_blocks = {name for item in items if not isinstance(item, n.Command) for node in item.walk()
                 if isinstance(node, n.Command) for name in node.names}
    described = {name for item in items if isinstance(item, n.Command) and item.description for name in item.names}

    def invokes(item: n.Node) -> bool:
        if not isinstance(item, n.Command) or not item.names:
            return False
        return item.names[0] in in_blocks or (item.names[0] in described and not item.description and not item.params)

    return tuple(n.CommandCall(item.span, item.names[0]) if invokes(item) else item for item in items)
