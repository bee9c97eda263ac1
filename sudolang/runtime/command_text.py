"""A Claude Code command's text as its handler reads it: from standard input, checked whole, split by the command's signature.

A generated command file (sudolang/compiler/templates/command.md.j2) runs

    uv run "<project>/.claude/scripts/handlers/NAME.py" --claude /cmd --arguments-from-stdin <<'!sudolang-end-of-arguments'
    $ARGUMENTS
    !sudolang-arguments-complete
    !sudolang-end-of-arguments

Claude Code pastes what the user typed in place of $ARGUMENTS, and the quoted here-document hands it
to the handler unexpanded: quotes, `$`, backticks, `;`, `#` and line breaks are data, byte for byte.
Claude Code writes `\\!` for a `!` at the start of a word (so its own `!` syntax cannot be typed in);
that is undone here, and it is also why no line of the text can equal the two `!` lines above. The line
before the end must arrive: three backticks in the text end Claude Code's block early, and such a cut
text is refused rather than acted on.
"""

from __future__ import annotations

import io
import re
import shlex

from sudolang.errors import UsageError

COMPLETE = "!sudolang-arguments-complete"  # the line after the text (restated in command.md.j2)
LIMIT = 1024 * 1024  # bytes read at most: a command's arguments are a line or a few
PLACEHOLDER = "$ARGUMENTS"  # what Claude Code leaves when a command is run with no arguments at all
_ESCAPED_BANG = re.compile(r"(?m)(?:^|(?<=\s))\\!")  # Claude Code's `\!` for a `!` that starts a word


def read(stream) -> str:
    """The user's text from a command file's here-document on `stream`, as they typed it; a UsageError when
    nothing came, the text is not UTF-8, too long, or did not arrive whole."""
    if stream is None or stream.isatty():
        raise UsageError("--arguments-from-stdin reads the command's arguments from standard input, as a "
                         "generated command file passes them; nothing came")
    raw = stream.buffer.read(LIMIT + 1) if hasattr(stream, "buffer") else stream.read(LIMIT + 1).encode()
    if len(raw) > LIMIT:
        raise UsageError(f"the command's arguments are over {LIMIT:,} bytes; nothing was done")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"the command's arguments are not UTF-8 text ({error.reason} at byte {error.start}); "
                         "nothing was done") from None
    return unwrap(text)


def unwrap(text: str) -> str:
    """The user's text inside what the here-document gives: it ends with the COMPLETE line, or it was cut."""
    body, line, rest = text.rpartition("\n" + COMPLETE + "\n")
    if not line or rest:
        raise UsageError("the command's arguments did not arrive whole: Claude Code ends a command's shell block "
                         "at three backticks (```), so the text cannot hold them; nothing was done")
    body = _ESCAPED_BANG.sub("!", body)
    return "" if body == PLACEHOLDER else body


def words_for(commands: dict, words: list[str], text: str) -> list[str]:
    """The command line `words` (the command alone) with `text` as its arguments. When the signature's last
    parameter takes the rest (`<message>`), the words before it are read as a shell would (quotes group)
    and the rest is kept exactly as typed, apostrophes and all; otherwise all of `text` is read that way.
    `@` takes its agent as the first word (`@` `reviewer-1` is `@reviewer-1`)."""
    if len(words) != 1:
        raise UsageError("--arguments-from-stdin takes the command alone on the command line, its arguments "
                         "on standard input")
    name = words[0]
    params = next((entry[2] for entry in commands.values() if entry[0] == name), None)
    if params is None:  # /help, or a command the program lacks: match() answers for it
        return words
    arguments = split(text, params)
    if name == "@":
        return [f"@{arguments[0]}", *arguments[1:]] if arguments else ["@"]
    return [name, *arguments]


def split(text: str, params: tuple) -> list[str]:
    """`text` as the words of `params`: a required last parameter takes the rest verbatim (one word)."""
    takes_rest = bool(params) and bool(params[-1][1])
    stream = io.StringIO(text)  # what the lexer has not read yet is the rest, as typed
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # `#` is text, as in a shell word that does not start with it
    words: list[str] = []
    try:
        while not takes_rest or len(words) < len(params) - 1:
            word = lexer.get_token()
            if word is None:
                return words
            words.append(word)
    except ValueError as error:  # "No closing quotation"
        raise UsageError(f"{str(error).lower()} in {text!r}: close the quote, or write the words apart without "
                         "one") from None
    rest = stream.read().lstrip()
    return words + [rest] if rest else words
