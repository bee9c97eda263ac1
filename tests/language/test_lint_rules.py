"""Each lint rule on a program it must flag and one it must pass, compared as (code, line, column)."""

from __future__ import annotations

from harness import check, found, source_of

from sudolang import cells
from sudolang import lint as rules
from sudolang.diagnostics import ERROR, WARNING
from sudolang.parser import parse


def test_every_rule_has_a_stable_code_a_severity_a_template_and_a_docstring():
    expected = {"SL101": ERROR, "SL102": ERROR, "SL103": WARNING, "SL104": ERROR, "SL201": WARNING, "SL202": WARNING,
                "SL301": WARNING, "SL302": ERROR, "SL401": WARNING, "SL402": WARNING}
    assert {rule.code: rule.severity for rule in rules.RULES} == expected
    for rule in rules.RULES:
        assert rule.template and len(type(rule).__doc__.split()) > 15, rule.code


def test_syntax_errors_come_first_then_the_rules_in_source_order():
    check("""
        Bot {
          /go - Go
          /stop
          /go - Go again
        }
        oops(
        """, ("SL001", 6, 5), ("SL103", 3, 3), ("SL101", 4, 3), ("SL301", 6, 1))


def test_select_and_ignore_take_codes_and_prefixes():
    source = 'Bot {\n  /go - Go\n  /go - Go again\n  /bad <x - Bad\n}\n'
    assert found(source) == [("SL101", 3, 3), ("SL102", 4, 3)]
    assert found(source, select=["SL102"]) == [("SL102", 4, 3)]
    assert rules.selected("SL101", ["SL1"], ["SL101"]) is False
    assert rules.selected("SL102", ["SL1"], ["SL101"]) is True
    assert rules.selected("SL201", ["SL1"], None) is False


# --- SL101 duplicate command -------------------------------------------------------------------------


def test_sl101_duplicate_command_across_the_map_lines_and_aliases():
    check("""
        interface Bot {
          commands = {
            "/help": "Show help",
            "/go": "Go",
            "/go": "Go twice"
          }
          /help - Show help again
          /l | list - List things
          /list - List again
        }
        """, ("SL101", 5, 5), ("SL101", 7, 3), ("SL101", 9, 3))


def test_sl101_passes_distinct_commands_and_a_bare_invocation():
    check("""
        interface Bot {
          commands = {
            "/help": "Show help"
          }
          /l | list - List things
          /go [where] - Go
        }

        /help
        """)


# --- SL102 malformed command signature ---------------------------------------------------------------


def test_sl102_one_diagnostic_per_signature_problem():
    check("""
        Bot {
          commands = {
            "go": "Go without a slash"
          }
          /bad <x - Unclosed angle
          /twice [a] [a] - Named twice
          /both <x> [x] <y - Twice and unclosed
        }
        """, ("SL102", 3, 5), ("SL102", 5, 3), ("SL102", 6, 3), ("SL102", 7, 3), ("SL102", 7, 3))


def test_sl102_passes_well_formed_signatures():
    check("""
        Bot {
          commands = {
            "/team <name>": "Show a team",
            "@<agent>": "Talk to an agent"
          }
          /learn <topic> [depth] - Learn a topic
        }
        """)


# --- SL103 command with no description ---------------------------------------------------------------


def test_sl103_flags_an_undescribed_command_where_the_others_are_described():
    check("""
        Bot {
          /go - Go somewhere
          /stop
          /wait [seconds]
        }
        """, ("SL103", 3, 3), ("SL103", 4, 3))
    check("""
        Bot {
          commands = {
            "/go"
          }
        }
        """, ("SL103", 3, 5))


def test_sl103_passes_a_terse_program_and_a_top_level_invocation():
    check("""
        Bot {
          /go
          /stop
        }
        """)
    check("""
        /go - Go somewhere
        /stop - Stop

        ## Initializer
        /welcome
        """)


# --- SL201 unbound layout placeholder ----------------------------------------------------------------


def test_sl201_flags_each_unbound_placeholder_at_its_exact_position():
    check('''
        Dash {
          user = {}
          layout = """
          Hello {user.name}, you have {count} tasks
            {missing}   {other.thing}
          """
          headerView = """ {title} """
          note = """ {not_a_layout} """
        }
        ''', ("SL201", 4, 31), ("SL201", 5, 5), ("SL201", 5, 17), ("SL201", 7, 20))


def test_sl201_passes_placeholders_the_program_binds():
    check('''
        Dash {
          State {
            team_status
          }
          bindings {
            task_summary <- state.tasks
          }
          render(theme, { width }) {
            for each task in tasks {
              log(task)
            }
          }
          /show <agent> - Show an agent
          total = tasks |> count
          layout = """
          {team_status} {task_summary} {theme} {width} {task.title} {agent} {total} {render}
          """
        }
        ''')


def test_sl201_is_case_sensitive_and_silent_in_a_program_with_an_import():
    check('''
        Dash {
          Count = 1
          layout = """{count}"""
        }
        ''', ("SL201", 3, 15))
    check('''
        import 'widgets.sudo'
        Dash {
          layout = """{count}"""
        }
        ''')


# --- SL202 ragged box --------------------------------------------------------------------------------


def test_sl202_flags_rows_whose_display_width_differs_from_the_top_row():
    check('''
        Dash {
          layout = """
          ┌────────┐
          │ 🚀 go   │
          │ go     │
          └─────────┘

            ╭──╮
            │ab│
            ╰───╯
          """
        }
        ''', ("SL202", 4, 3), ("SL202", 6, 3), ("SL202", 10, 5))


def test_sl202_counts_wide_as_two_and_combining_and_zero_width_as_zero():
    check('''
        Dash {
          layout = """
          ┌────────┐
          │ 🚀 go  │
          │ e\u0301 go   │
          │ a\u200bb     │
          │ 漢字   │
          └────────┘
          Footer text, not part of the box
          """
        }
        ''')
    assert cells.width("🚀e\u0301\u200b漢a") == 2 + 1 + 0 + 0 + 2 + 1


# --- SL301 unknown method ----------------------------------------------------------------------------


def test_sl301_flags_calls_to_names_never_defined():
    check("""
        Dash {
          refresh() {
            updateDisplay(state)
          }
          match (input) {
            case "/help" => showHelp()
            default => log(input)
          }
          total = computeTotal(tasks)
        }
        """, ("SL301", 3, 5), ("SL301", 6, 21), ("SL301", 9, 11))


def test_sl301_passes_defined_declared_builtin_and_dotted_calls():
    check("""
        fn greet(name) {
          log("hi $name")
        }
        Task {
          toggleComplete()
        }
        Render {
          x = 1
        }
        score = 3
        Dash {
          refresh() {
            greet(user)
            TOGGLECOMPLETE()
            render()
            score(1)
            state.get(path)
            explain(task):length=short
          }
          type id = string(cuid2)
        }
        welcome()
        """)


def test_sl301_is_silent_in_a_program_with_an_import():
    check("""
        import 'helpers.sudo'
        refresh() {
          helperFromTheImport()
        }
        """)


# --- SL302 invalid JSONPath in a state call ----------------------------------------------------------


def test_sl302_flags_paths_that_do_not_compile_at_the_path():
    check("""
        Sync {
          fetch() {
            a = `sudolang state get $SID '$.tasks['`
            b = `uv run state_manager.py set {SESSION_ID} a.. "done"`
            c = "sudolang state merge --timeout 3 $SID $.x[?( '{}'"
          }
        }
        """, ("SL302", 3, 35), ("SL302", 4, 51), ("SL302", 5, 48))


def test_sl302_passes_valid_paths_and_placeholders():
    check("""
        Sync {
          fetch() {
            a = `sudolang state get $SID '$.tasks[?(@.status == "todo")]'`
            b = `uv run state_manager.py get {SESSION_ID} $`
            c = `sudolang state get $SID {PATH}`
            d = `sudolang state delete $SID $PATH`
            e = `sudolang state get --raw $SID "$VAR"`
            f = `sudolang state set $SID tasks.{id}.status done`
            g = `sudolang state set $SID $.tasks.$TASK.status done`
            h = `sudolang state get $SID <path>`
            i = `sudolang state get $SID | jq .tasks`
            j = `sudolang state get $SID tasks > tasks[0.json`
            Use sudolang state get on the session to read it.
          }
        }
        """)


def test_sl302_reads_fenced_shell_blocks_too():
    check("""
        # Sync

        ```sh
        sudolang state get "$SID" 'tasks[0'
        ```
        """, ("SL302", 4, 28))


# --- SL401 class-based keyword -----------------------------------------------------------------------


def test_sl401_flags_class_keywords_used_as_code():
    check("""
        class Foo extends Bar {
          x = 1
        }
        interface Dog inherits Animal {
          bark() {
            super()
            s = new Session(1)
            super.bark()
          }
        }
        """, ("SL401", 1, 1), ("SL401", 1, 11), ("SL401", 4, 15), ("SL401", 6, 5), ("SL401", 7, 9), ("SL401", 8, 5))


def test_sl401_passes_prose_strings_and_look_alikes():
    check("""
        Avoid class and extends; never call new Thing() or super() in your answers.
        Bot {
          Classroom {
            x = "a new Foo() in a string"
            newSession = 1
            extendsCount = 2
          }
        }
        """)


# --- SL402 deprecated operator -----------------------------------------------------------------------


def test_sl402_flags_cap_and_cup_as_set_operators_in_code():
    check("""
        Sets {
          both = admins cap members
          log(admins cup members)
          if (xs cup ys) {
            log(xs)
          }
          everyone = admins |> a cap b |> log
        }
        """, ("SL402", 2, 17), ("SL402", 3, 14), ("SL402", 4, 10), ("SL402", 7, 26))


def test_sl402_passes_prose_comments_strings_and_english():
    check("""
        // the cap and cup operators are deprecated: write admins cap members as intersection
        Wear a cap and drink from the cup with a friend.
        Sets {
          both = admins intersection members
          label = "admins cap members"
          gift = a cup of tea
        }
        """)
