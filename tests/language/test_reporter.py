"""The reporters, pinned to the exact text they print (the diagnostics are built by hand, so rule
wording can change without touching these)."""

from __future__ import annotations

import json

from sudolang import reporter
from sudolang.diagnostics import ERROR, WARNING, Diagnostic
from sudolang.nodes import Span
from sudolang.reporter import FileReport

SOURCE = "Bot {\n\tgo 漢字 = `x`\n  layout = \"\"\"\n  a\n  \"\"\"\n}\n"


def reports() -> list[FileReport]:
    string = Diagnostic("SL302", ERROR, "invalid JSONPath 'x' in a state command", Span("bot.sudo", 2, 10, 2, 13, 15, 18))
    layout = Diagnostic("SL201", WARNING, "a span over three lines", Span("bot.sudo", 3, 12, 5, 6, 30, 43))
    unreadable = Diagnostic("SL009", ERROR, "cannot read file: No such file or directory",
                            Span("gone, really: yes.sudo", 1, 1, 1, 1, 0, 0))
    return [FileReport("bot.sudo", SOURCE, [string, layout]), FileReport("gone, really: yes.sudo", None, [unreadable])]


def test_the_test_spans_match_the_source():
    assert SOURCE[15:18] == "`x`" and SOURCE[30:33] == SOURCE[40:43] == '"""'


def test_text_shows_the_line_and_a_caret_aligned_past_tabs_and_wide_characters():
    assert reporter.text(reports()) == (
        "bot.sudo:2:10: SL302 invalid JSONPath 'x' in a state command\n"
        " 2 | \tgo 漢字 = `x`\n"
        "   | \t          ^~~\n"
        "bot.sudo:3:12: SL201 a span over three lines\n"
        ' 3 |   layout = """\n'
        "   |            ^~~\n"
        "gone, really: yes.sudo:1:1: SL009 cannot read file: No such file or directory\n"
    )


def test_text_marks_a_point_span_with_one_caret_and_survives_crlf():
    point = Diagnostic("SL001", ERROR, "unclosed", Span("c.sudo", 1, 4, 1, 4, 3, 3))
    assert reporter.text([FileReport("c.sudo", "ab(\r\n", [point])]) == "c.sudo:1:4: SL001 unclosed\n 1 | ab(\n   |    ^\n"


def test_summary_counts_errors_warnings_and_files_checked():
    assert reporter.summary(reports()) == "2 errors, 1 warning in 2 files"
    assert reporter.summary([FileReport("a.sudo", "", [])]) == "0 errors, 0 warnings in 1 file"


def test_json_is_a_pretty_printed_list_with_locations():
    out = reporter.json_(reports())
    assert out == """\
[
  {
    "code": "SL302",
    "message": "invalid JSONPath 'x' in a state command",
    "severity": "error",
    "filename": "bot.sudo",
    "location": {
      "row": 2,
      "column": 10
    },
    "end_location": {
      "row": 2,
      "column": 13
    }
  },
  {
    "code": "SL201",
    "message": "a span over three lines",
    "severity": "warning",
    "filename": "bot.sudo",
    "location": {
      "row": 3,
      "column": 12
    },
    "end_location": {
      "row": 5,
      "column": 6
    }
  },
  {
    "code": "SL009",
    "message": "cannot read file: No such file or directory",
    "severity": "error",
    "filename": "gone, really: yes.sudo",
    "location": {
      "row": 1,
      "column": 1
    },
    "end_location": {
      "row": 1,
      "column": 1
    }
  }
]
"""
    assert json.loads(reporter.json_([])) == []


def test_github_writes_one_escaped_workflow_command_per_diagnostic():
    odd = Diagnostic("SL301", WARNING, "100% sure\nsecond line", Span("a.sudo", 1, 1, 1, 2, 0, 1))
    assert reporter.github(reports() + [FileReport("a.sudo", "x", [odd])]) == (
        "::error file=bot.sudo,line=2,col=10,endLine=2,endColumn=13,title=SL302::invalid JSONPath 'x' in a state command\n"
        "::warning file=bot.sudo,line=3,col=12,endLine=5,endColumn=6,title=SL201::a span over three lines\n"
        "::error file=gone%2C really%3A yes.sudo,line=1,col=1,endLine=1,endColumn=1,title=SL009"
        "::cannot read file: No such file or directory\n"
        "::warning file=a.sudo,line=1,col=1,endLine=1,endColumn=2,title=SL301::100%25 sure%0Asecond line\n"
    )
