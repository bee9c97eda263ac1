"""Seeded generators of hostile inputs: SudoLang source, JSONPath text, JSON values and command lines.

Each generator draws from fragments that have broken parsers before (unbalanced brackets, unterminated
strings and comments, carriage returns, deep nesting, long runs, invalid UTF-8 smuggled into text as
surrogate escapes the way Python hands it to us in sys.argv) and mixes them with valid pieces, so
inputs get past the first check and reach the later stages.
"""

from __future__ import annotations

import random

SOURCE_FRAGMENTS = [
    "{", "}", "(", ")", "[", "]", '"', '"""', "'", "`", "```", "```js\n", "~~~", "/*", "*/", "//", "\n", "\r",
    "\r\n", "\t", "  ", " ", "\\", "$", "${", "$(", "=>", "|>", "...", ":", ";", ",", "=", "#", "##", "* ",
    "- ", "1. ", "---\n", "\x00", "\u200d", "\u00e9", "e\u0301", "\u4e2d", "\U0001f600", "\ufeff",
    "interface Bot {\n", "commands {\n", '"/x <a>": "do x"\n', '"/y [b] | /z [b]": "alias"\n',
    'name = "bot"\n', 'prefix = "b"\n', 'name = "../../x"\n', 'prefix = "a; rm -rf ~ #"\n',
    'layout = """\n╔══╗\n║{a}║\n╚══╝\n"""\n', "constraints {\n", "bindings {\n  a => view x\n}\n",
    "fn(x) {\n", "if (a) {\n", "} else {\n", "match (x) {\n  case 1 => 2\n", "for each t in T {\n",
    "return x\n", "Bot {\n", "b {\n", "x = `ls $(pwd)`\n", "/help", "@agent", "<name>", "[opt]",
    "function f(a, b) {\n", "explain(topic):length=short\n", "state.tasks[0].done = true\n",
]


def sudolang_source(rng: random.Random, max_pieces: int = 80) -> str:
    shape = rng.random()
    if shape < 0.1:  # one character repeated: the exponential cases were of this kind
        return rng.choice("{([\"`/\r") * rng.randint(1, 3000)
    if shape < 0.2:  # a prefix that opens, then many nested openers
        return rng.choice(SOURCE_FRAGMENTS[40:]) + rng.choice(["b {\n", "(", "[", "{"]) * rng.randint(10, 2000)
    if shape < 0.25:  # random bytes decoded as Latin-1: every code point below 256
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))).decode("latin-1")
    return "".join(rng.choice(SOURCE_FRAGMENTS) for _ in range(rng.randint(0, max_pieces)))


PATH_FRAGMENTS = [
    "$", ".", "..", "*", "[", "]", "[0]", "[-1]", "[99999999999999999999]", "['a']", '["b"]', "[*]", "[?(@.a==1)]",
    "[?(@.status=='todo')]", "[?(@.x>1 && @.y<2)]", "[0:2]", "[::-1]", "[1,2]", "(", ")", "@", "?", "'", '"',
    "\\", "a", "tasks", "revision", "session", "lifecycle", "a-b", "é", "\udcff", " ", "\n", "|", "&&", "==",
    "length()", "$..*", "$.*", "`",
    # RFC 9535 pieces: functions, escapes, selector lists, and the regexes that hang a backtracking engine
    "[?match(@.a, '(a+)+$')]", "[?search(@, '(a|aa)*c')]", "[?length(@) > 1]", "[?count(@.*) == 2]",
    "[?value(@..a) == 1]", "[?@.a && !@.b || (@.c)]", '["\\u263a"]', "['\\uD83D\\uDE00']", "['\\uD800']",
    "[0,0,0,0,0,0,0,0]", "[1,'a',1:3,*]", "..*", "[?@.a == $.b]", "[?@.a<-1]", "[-0]", "[9007199254740992]",
    "[?match(@, '" + "(" * 40 + "a" + ")" * 40 + "')]", "[?search(@, '" + "a*" * 200 + "b')]",
]


def jsonpath_text(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.08:
        return "$" + rng.choice([".a", "[0]", "..a", "[*]", "["]) * rng.randint(100, 60000)
    return "".join(rng.choice(PATH_FRAGMENTS) for _ in range(rng.randint(0, 14)))


def json_text(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.1:
        opener = rng.choice(["[", '{"a":'])
        depth = rng.choice([10, 65, 1000, 60000])
        closer = "]" if opener == "[" else "}"
        return opener * depth + "1" + closer * depth
    if shape < 0.2:
        return rng.choice(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000, "[NaN]", '{"a": 1e400}',
                           '"\\ud800"', '{"\\udfff": 1}', "01", "1.", ".5", "+1", "tru", "nul", '"a', "{", "[1,]"])
    pieces = ["1", "-2.5", "0", "true", "false", "null", '"x"', '"é\\n"', "[]", "{}", "[1, 2]", '{"a": {"b": [1]}}',
              '{"status": "done"}', "done", "in progress", "", " ", "\udcff", "'single'"]
    return rng.choice(pieces)
