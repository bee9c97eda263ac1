"""SudoLang Core to Python: the functions of a program, as the readable module text its handler holds.

`generate(core)` writes one Python function per local SudoLang function (`fn move(task, column)` becomes
`f_move(run, v_task, v_column)`), its program constants (`C_columns`), and nothing else. Every statement's
first line ends in `# line N`, the program line it came from, which is how sudolang.runtime.corelib names
the line of a run-time error. Operators and the standard library go through sudolang.runtime.values and
sudolang.runtime.stdlib, which give Core its one meaning (docs/language.md §8); the state goes through
the command's `run` (corelib.Run), which records each write for the transaction.

Names are prefixed by kind (v_ locals, f_ functions, C_ constants, _std_ library), so no SudoLang name can be
a Python keyword or shadow a builtin; texts are written with repr(), so no string of the program can become
code.
"""

from __future__ import annotations

from sudolang import core_library as library
from sudolang import core_nodes as c
from sudolang.core_check import assigned_names, place_root

COMPARISONS = {"<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal"}
ARITHMETIC = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "^": "power"}
BOOLEAN_NODES = ("==", "!=", "<", "<=", ">", ">=", "in")
# Library calls whose arrow, written in place, becomes the body of a list comprehension (_Function.comprehension).
COMPREHENDED = frozenset({"map", "filter", "sum", "sort", "group"})
# Library functions whose value is always a text: a template inserts it as it is, and `==` with it is Python's.
TEXT_RESULTS = frozenset({"text", "join", "trim", "upper", "lower", "replace", "pad", "padStart", "repeat", "plural",
                          "fill", "kind", "now", "today", "date", "addDays", "uuid"})
# Library functions that take about the same time whatever values they are given (texts aside). A pure function
# with no loop, no call of a program function and no other library call does less work than remembering its
# result per arguments would (task_line, points, limit_text): it is not remembered.
CONSTANT_TIME = frozenset({"now", "today", "date", "addDays", "daysBetween", "secondsBetween", "idNumber", "len",
                           "round", "get", "has", "number", "trim", "upper", "lower", "startsWith", "endsWith",
                           "replace", "pad", "padStart", "repeat", "plural", "kind", "first", "last"})
# Library functions whose value is always a whole number (an int): `==`, `<` between two of them (or one and a
# number literal) are Python's own.
INT_RESULTS = frozenset({"len", "count", "idNumber"})
MAX_INLINE_WIDTH = 1_000_000  # sudolang.runtime.stdlib.MAX_MADE: a wider literal pad goes through the library
RUN_CALLS = {"actor": "run.actor", "sessionId": "run.session_id", "projectId": "run.project_id", "sessions": "run.sessions",
             "emit": "run.emit", "record": "run.record", "result": "_rt.result", "notFound": "_rt.not_found",
             "usage": "_rt.usage"}


class Generated(str):
    """Python source written by this module: the only unfiltered text a template may embed."""


def python_function(name: str) -> Generated:
    """The Python name of a program function (the checker has held it to SudoLang's identifier pattern)."""
    import re

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a function name: {name!r}")
    return Generated(f"f_{name}")


def generate(path: str, source: str, functions: dict, constants: dict, pure: frozenset = frozenset()) -> Generated:
    """functions: name -> core_nodes.Function (the local ones); constants: name -> literal expression;
    `source` is the program's text the nodes' spans index; `pure`, the functions that only read (their
    results are remembered while one screen is drawn, sudolang.runtime.corelib.remembered)."""
    writer = _Module(path, source, functions, constants, pure)
    return Generated(writer.module())


class _Module:
    def __init__(self, path: str, source: str, functions: dict, constants: dict, pure: frozenset) -> None:
        self.path, self.source, self.functions, self.constants = path, source, functions, constants
        self.pure = pure
        self.library_used: set[str] = set()

    def module(self) -> str:
        bodies = [self.function(function) for function in self.functions.values()]
        constants = [f"C_{name} = {_Function(self, None).expression(value)}  # line {value.span.line}"
                     for name, value in self.constants.items()]
        head = []
        if self.library_used:
            head += ["if _std is not None:  # the standard library functions the program calls"]
            head += [f"    _std_{name} = _std.FUNCTIONS[{name!r}]" for name in sorted(self.library_used)]
        if constants:
            head += ["", "# The program's constants", *constants]
        return "\n".join(head + [""] + ["\n\n" + body for body in bodies]).strip("\n") + "\n"

    def function(self, function: c.Function) -> str:
        text = _Function(self, function).source()
        if function.name in self.pure and self.worth_remembering(function):
            # it only reads: one screen computes it once per arguments
            text += f"\n\n\nf_{function.name} = _rt.remembered(f_{function.name}) if _rt else f_{function.name}"
        return text

    def worth_remembering(self, function: c.Function) -> bool:
        """Whether the function may do more work than looking its result up: it loops, runs a program, walks
        a range or an array (`..`, `in`), or calls a program function, a local arrow or a library function
        outside CONSTANT_TIME; and none of its parameters is read as an object (`task.points`, `get(task,
        "points")`): such a function works on one item and is called once per item, with an object, which
        remembered() never looks up (its wrapper then only costs: a 10,000-task burndown's points, 1.5 ms)."""
        params = {p.name for p in function.params}
        local = params | assigned_names(function.body)
        roots = [*function.body, *(p.default for p in function.params if p.default is not None)]
        works = False
        for node in (node for root in roots for node in root.walk()):  # one walk: a member read anywhere decides
            if self.reads_a_member_of(node, params):
                return False
            works = works or self.does_work(node, local)
        return works

    def does_work(self, node, local: set[str]) -> bool:
        """Whether `node` loops, runs a program, walks a range or an array, or calls a program function, a local
        arrow or a library function outside CONSTANT_TIME."""
        if isinstance(node, (c.ForEach, c.While, c.Shell)):
            return True
        if isinstance(node, c.Binary) and node.op in ("..", "in"):
            return True
        if isinstance(node, c.Call):
            name = node.function.name if isinstance(node.function, c.Name) else None
            return name not in CONSTANT_TIME or name in self.functions or name in local
        return False

    def reads_a_member_of(self, node, params: set[str]) -> bool:
        """Whether `node` reads a member of one of `params`: `p.name`, or get/has(p, …)."""
        if isinstance(node, c.Member):
            return isinstance(node.subject, c.Name) and node.subject.name in params
        return (isinstance(node, c.Call) and isinstance(node.function, c.Name) and node.function.name in ("get", "has")
                and node.function.name not in self.functions and bool(node.args)
                and isinstance(node.args[0], c.Name) and node.args[0].name in params)


class _Function:
    """One function's Python text."""

    def __init__(self, module: _Module, function: c.Function | None) -> None:
        self.module, self.function = module, function
        body = function.body if function is not None else ()
        params = {p.name for p in function.params} if function is not None else set()
        self.locals = params | assigned_names(body)
        self.mutated = _mutated_names(body)
        self.lines: list[str] = []
        self.temps = 0

    # --- statements -----------------------------------------------------------------------------------

    def source(self) -> str:
        function = self.function
        assert function is not None
        # Every parameter defaults to null: a call with fewer arguments passes null for the rest (§8.4)
        params = ", ".join(["run"] + [f"v_{p.name}=None" for p in function.params])
        self.lines = [f"# {self.module.path}:{function.span.line}", f"def f_{function.name}({params}):",
                      f"    run.step()  # line {function.span.line}"]
        for p in function.params:
            if p.default is not None:
                self.emit(1, f"if v_{p.name} is None:", p)
                self.emit(2, f"v_{p.name} = {self.expression(p.default)}", p)
            if p.name in self.mutated:
                self.emit(1, f"v_{p.name} = _rt.own(v_{p.name})", p)
        self.block(function.body, 1)
        return "\n".join(self.lines)

    def emit(self, depth: int, code: str, node) -> None:
        self.lines.append(f"{'    ' * depth}{code}  # line {node.span.line}")

    def block(self, body: tuple, depth: int) -> None:
        before = len(self.lines)
        for statement in body:
            self.statement(statement, depth)
        if len(self.lines) == before:
            self.lines.append(f"{'    ' * depth}pass")

    def statement(self, node, depth: int) -> None:
        if isinstance(node, c.Assign):
            self.assign(node, depth)
        elif isinstance(node, c.ExpressionStatement):
            if isinstance(node.expression, c.Match):
                self.match_statement(node.expression, depth)
            else:
                self.emit(depth, self.expression(node.expression), node)
        elif isinstance(node, c.If):
            self.if_statement(node, depth, "if")
        elif isinstance(node, c.ForEach):
            if len(node.names) == 1:
                self.emit(depth, f"for v_{node.names[0]} in _v.iterate({self.expression(node.iterable)}):", node)
            else:
                targets = ", ".join(f"v_{name}" for name in node.names[:2])
                self.emit(depth, f"for {targets} in _v.iterate_pairs({self.expression(node.iterable)}):", node)
            self.emit(depth + 1, "run.step()", node)
            for name in node.names:
                if name in self.mutated:
                    self.emit(depth + 1, f"v_{name} = _rt.own(v_{name})", node)
            self.block(node.body, depth + 1)
        elif isinstance(node, c.While):
            self.emit(depth, f"while {self.condition(node.condition)}:", node)
            self.emit(depth + 1, "run.step()", node)
            self.block(node.body, depth + 1)
        elif isinstance(node, c.Break):
            self.emit(depth, "break", node)
        elif isinstance(node, c.Continue):
            self.emit(depth, "continue", node)
        elif isinstance(node, c.Return):
            self.emit(depth, "return" + (f" {self.expression(node.value)}" if node.value is not None else " None"), node)
        elif isinstance(node, c.Throw):
            self.emit(depth, f"raise _rt.thrown({self.expression(node.value)})", node)
        elif isinstance(node, c.Require):
            self.requirement(node, depth)
        elif isinstance(node, c.Delete):
            self.delete(node, depth)
        else:  # pragma: no cover - the checker lets no other node through
            raise TypeError(f"not a Core statement: {type(node).__name__}")

    def if_statement(self, node: c.If, depth: int, keyword: str) -> None:
        self.emit(depth, f"{keyword} {self.condition(node.condition)}:", node)
        self.block(node.body, depth + 1)
        if len(node.orelse) == 1 and isinstance(node.orelse[0], c.If):
            self.if_statement(node.orelse[0], depth, "elif")
        elif node.orelse:
            self.lines.append(f"{'    ' * depth}else:")
            self.block(node.orelse, depth + 1)

    def requirement(self, node: c.Require, depth: int) -> None:
        if node.message is not None:
            message = self.expression(node.message)
        else:
            span = node.condition.span
            message = repr(f"requirement failed: {' '.join(self.module.source[span.start:span.end].split())}")
        self.emit(depth, f"if {self.negated(node.condition)}:", node)
        if node.kind == "require":
            self.emit(depth + 1, f"raise _rt.thrown({message})", node)
        else:
            self.emit(depth + 1, f"run.warn({message})", node)

    def match_statement(self, node: c.Match, depth: int) -> None:
        self.temps += 1
        subject = f"_m{self.temps}"
        self.emit(depth, f"{subject} = {self.expression(node.subject)}", node)
        keyword = "if"
        default = None
        for arm in node.arms:
            if not arm.patterns:
                default = arm
                continue
            test = " or ".join(f"_v.equal({subject}, {self.expression(p)})" for p in arm.patterns)
            self.emit(depth, f"{keyword} {test}:", arm)
            self.arm_body(arm, depth + 1)
            keyword = "elif"
        if default is not None:
            if keyword == "if":
                self.arm_body(default, depth)
            else:
                self.lines.append(f"{'    ' * depth}else:")
                self.arm_body(default, depth + 1)

    def arm_body(self, arm: c.Arm, depth: int) -> None:
        if isinstance(arm.body, tuple):
            self.block(arm.body, depth)
        else:
            self.emit(depth, self.expression(arm.body), arm)

    def assign(self, node: c.Assign, depth: int) -> None:
        target, value = node.target, self.expression(node.value)
        root = place_root(target)
        if isinstance(root, c.Name) and root.name in library.STATE_ROOTS:
            self.emit(depth, self.state_write(node.op, root.name, self.keys(target), target, value), node)
        elif isinstance(target, c.Name):
            name = f"v_{target.name}"
            if node.op != "=":
                value = f"_v.{ARITHMETIC[node.op[0]]}({name}, {value})"
            elif not isinstance(node.value, c.Literal) and (target.name in self.mutated or self.shared(node.value)):
                value = f"_rt.own({value})"
            self.emit(depth, f"{name} = {value}", node)
        else:
            subject = self.owned_container(target.subject)
            key = repr(target.name) if isinstance(target, c.Member) else self.expression(target.index)
            setter = "_v.set_member" if isinstance(target, c.Member) else "_v.set_index"
            if node.op != "=":
                value = f"_v.{ARITHMETIC[node.op[0]]}({self.expression(target)}, {value})"
            self.emit(depth, f"{setter}({subject}, {key}, {value})", node)

    def shared(self, value) -> bool:
        """Whether binding `value` to a name could share a container another local changes in place: a bare
        name of such a local (`b = a` where a's members are set later)."""
        return isinstance(value, c.Name) and value.name in self.mutated and value.name in self.locals

    def owned_container(self, subject) -> str:
        """The container a local change writes into, made this local's own first: a local's value is its
        own (a shallow copy when it was bound), and each container on the path below it is copied when
        changed (`a.b[i].c = x` copies a.b and a.b[i], then sets c), so what other names hold stays as it was."""
        keys = []
        node = subject
        while isinstance(node, (c.Member, c.Index)):
            keys.append(repr(node.name) if isinstance(node, c.Member) else self.expression(node.index))
            node = node.subject
        if not keys:
            return self.expression(subject)
        path = "(" + ", ".join(reversed(keys)) + ("," if len(keys) == 1 else "") + ")"
        return f"_rt.own_path({self.expression(node)}, {path})"

    def state_write(self, op: str, root: str, keys: str, target, value: str) -> str:
        if op == "=":
            return f"run.set({root!r}, {keys}, {value})"
        if op == "+=":
            return f"run.add({root!r}, {keys}, {value})"
        if op == "-=":
            return f"run.add({root!r}, {keys}, _v.neg({value}))"
        return f"run.set({root!r}, {keys}, _v.{ARITHMETIC[op[0]]}({self.expression(target)}, {value}))"

    def delete(self, node: c.Delete, depth: int) -> None:
        target = node.target
        root = place_root(target)
        if isinstance(root, c.Name) and root.name in library.STATE_ROOTS:
            self.emit(depth, f"run.delete({root.name!r}, {self.keys(target)})", node)
        else:
            key = repr(target.name) if isinstance(target, c.Member) else self.expression(target.index)
            self.emit(depth, f"_rt.delete_local({self.owned_container(target.subject)}, {key})", node)

    def keys(self, target) -> str:
        """The keys of a state place, root first: `project.tasks[id].column` gives ('tasks', v_id, 'column')."""
        keys = []
        while isinstance(target, (c.Member, c.Index)):
            keys.append(repr(target.name) if isinstance(target, c.Member) else self.expression(target.index))
            target = target.subject
        return "(" + ", ".join(reversed(keys)) + ("," if len(keys) == 1 else "") + ")"

    # --- expressions ------------------------------------------------------------------------------

    def condition(self, node) -> str:
        """An expression read as true or false."""
        if isinstance(node, c.Binary) and node.op in BOOLEAN_NODES:
            return self.expression(node)
        if isinstance(node, c.Binary) and node.op in ("&&", "||"):
            joiner = " and " if node.op == "&&" else " or "
            return f"({self.condition(node.left)}{joiner}{self.condition(node.right)})"
        if isinstance(node, c.Unary) and node.op == "!":
            return f"(not {self.condition(node.operand)})"
        # Core's truth is Python's for every run-time value (values.truthy is bool), and every expression
        # below is an atom, a call or parenthesized: it reads as a condition as it is.
        return self.expression(node)

    def negated(self, node) -> str:
        """`not condition`, without a double negation: `require a != b` fails when `a == b`."""
        if isinstance(node, c.Binary) and node.op == "!=":
            return self.equality(node.left, node.right, "==")
        if isinstance(node, c.Unary) and node.op == "!":
            return self.condition(node.operand)
        return f"not {self.condition(node)}"

    def expression(self, node) -> str:
        method = getattr(self, "x_" + type(node).__name__)
        return method(node)

    def x_Literal(self, node: c.Literal) -> str:
        return repr(node.value)

    def x_Template(self, node: c.Template) -> str:
        parts = [repr(part) if isinstance(part, str) else self.expression(part) if self.is_text(part)
                 else f"str({self.expression(part)})" if self.is_int(part)
                 else self.text_of(self.expression(part)) for part in node.parts]
        if not parts:
            return "''"
        if len(parts) == 1:
            return parts[0]
        # Joined as `+` would join them (every part is a text), to at most MAX_LENGTH characters:
        # `s = "${s}${s}"` in a loop stops there, as `s = s + s` does, instead of taking the machine's memory.
        # Past three parts, one join makes one text where a chain of `+` makes one per part (a board's task
        # line of nine: 0.17 -> 0.09 µs); up to three, `+` is as fast or faster.
        joined = "(" + " + ".join(parts) + ")" if len(parts) <= 3 else "''.join((" + ", ".join(parts) + "))"
        test, value = self.bound(joined)
        return f"({value} if len({test}) <= _v.MAX_LENGTH else _v.text_too_long())"

    def x_Shell(self, node: c.Shell) -> str:
        words = ["[" + ", ".join(repr(p) if isinstance(p, str) else self.expression(p) for p in word) + "]"
                 for word in node.words]
        return f"run.shell([{', '.join(words)}])"

    def x_Name(self, node: c.Name) -> str:
        name = node.name
        if name in self.locals or name in self.scopes():
            return f"v_{name}"
        if name in library.STATE_ROOTS:
            return f"run.{name}()"
        if name in self.module.constants:
            return f"C_{name}"
        if name in self.module.functions:
            count = len(self.module.functions[name].params)
            return f"(lambda *a: f_{name}(run, *a[:{count}]))"
        raise TypeError(f"unknown name {name}")  # pragma: no cover - the checker found it first

    def scopes(self) -> set[str]:
        return getattr(self, "_arrow_names", set())

    def x_Array(self, node: c.Array) -> str:
        items = [f"*_rt.spread_array({self.expression(i.value)})" if isinstance(i, c.Spread) else self.expression(i)
                 for i in node.items]
        return "[" + ", ".join(items) + "]"

    def x_Object(self, node: c.Object) -> str:
        entries = [f"**_rt.spread_object({self.expression(e.value)})" if isinstance(e, c.Spread)
                   else f"{e.key!r}: {self.expression(e.value)}" for e in node.entries]
        return "{" + ", ".join(entries) + "}"

    def x_Member(self, node: c.Member) -> str:
        test, subject = self.bound(self.expression(node.subject))
        name = repr(node.name)
        return f"({subject}[{name}] if type({test}) is dict and {name} in {subject} else _v.member({subject}, {name}))"

    def x_Index(self, node: c.Index) -> str:
        return f"_v.index({self.expression(node.subject)}, {self.expression(node.index)})"

    def x_Unary(self, node: c.Unary) -> str:
        if node.op == "!":
            return f"(not {self.condition(node.operand)})"
        return f"_v.neg({self.expression(node.operand)})"

    def x_Binary(self, node: c.Binary) -> str:
        left, right = self.expression(node.left), self.expression(node.right)
        op = node.op
        if op == "+" and (self.is_text(node.left) or self.is_text(node.right)):
            return self.text_sum(left, right, _is_text_literal(node.left), _is_text_literal(node.right))
        if op in ARITHMETIC:
            return f"_v.{ARITHMETIC[op]}({left}, {right})"
        if op in COMPARISONS:
            if self.is_int(node.left) and self.is_int(node.right):
                return f"({left} {op} {right})"
            # Two values of one plain kind (whole numbers, floats, texts) compare as Python compares them,
            # as values.less and the others do first; any other pair goes to the library. Both sides are
            # evaluated, left first, in the chained test `type(a) is type(b) in PLAIN_ORDER`.
            (left_test, left), (right_test, right) = self.bound(left), self.bound(right)
            return (f"({left} {op} {right} if type({left_test}) is type({right_test}) in _v.PLAIN_ORDER "
                    f"else _v.{COMPARISONS[op]}({left}, {right}))")
        if op in ("==", "!="):
            return self.equality(node.left, node.right, op)
        if op == "in":
            return f"_v.contains({right}, {left})"
        if op == "..":
            return f"_v.span_range({left}, {right})"
        if op == "&&":
            return f"({right} if (_t := {left}) else _t)"
        if op == "||":
            return f"(_t if (_t := {left}) else {right})"
        raise TypeError(f"unknown operator {op}")  # pragma: no cover

    def text_sum(self, left: str, right: str, left_written: bool = False, right_written: bool = False) -> str:
        """`left + right` where one side is always a text: two texts joined by Python, checked against
        MAX_LENGTH as values.add checks them; any other pair (or a text too long) goes to values.add, which
        gives its value or its error. Both sides are evaluated once, left first: a side written out as a
        text (`"  " + line`) needs no test, and two others are tested in `type(a) is type(b) is str`, which
        evaluates both before it decides."""
        (left_test, left) = (left, left) if left_written else self.bound(left)
        (right_test, right) = (right, right) if right_written else self.bound(right)
        self.temps += 1
        joined = f"_i{self.temps}"
        if left_written and right_written:
            test = "True"
        elif left_written or right_written:
            test = f"type({right_test if left_written else left_test}) is str"
        else:
            test = f"type({left_test}) is type({right_test}) is str"
        return (f"({joined} if {test} and len({joined} := {left} + {right}) <= _v.MAX_LENGTH "
                f"else _v.add({left}, {right}))")

    def equality(self, left_node, right_node, op: str) -> str:
        """`a == b` or `a != b`. Against `null` or a text it is Python's own (`is None`, `==`): values.equal
        is true for a text only when both are the same text, and no other run-time value equals a str in
        Python (a number may equal a boolean in Python, never in Core, so numbers keep values.equal)."""
        left, right = self.expression(left_node), self.expression(right_node)
        for this, other, code in ((left_node, right_node, right), (right_node, left_node, left)):
            if isinstance(this, c.Literal) and this.value is None and not isinstance(other, c.Literal):
                return f"({code} {'is' if op == '==' else 'is not'} None)"
        if self.is_text(left_node) or self.is_text(right_node) or (self.is_int(left_node) and self.is_int(right_node)):
            return f"({left} {op} {right})"
        # Two values of one kind that is not an array or an object: values.equal is Python's `==` for them
        # (the chained test evaluates both sides, left first); any other pair goes to the library.
        (left_test, left), (right_test, right) = self.bound(left), self.bound(right)
        library = f"_v.equal({left}, {right})" if op == "==" else f"not _v.equal({left}, {right})"
        return f"({left} {op} {right} if type({left_test}) is type({right_test}) not in _v.CONTAINERS else {library})"

    def is_text(self, node) -> bool:
        """Whether `node` always gives a text: a string, or a call of a library function that returns one
        (not a program function or a local arrow of that name)."""
        if isinstance(node, c.Template):
            return True
        return isinstance(node, c.Call) and self.library_call(node) in TEXT_RESULTS

    def is_int(self, node) -> bool:
        """Whether `node` always gives a whole number: an integer literal or a library call in INT_RESULTS."""
        if isinstance(node, c.Literal):
            return type(node.value) is int
        return isinstance(node, c.Call) and self.library_call(node) in INT_RESULTS

    def library_call(self, node: c.Call) -> str | None:
        """The library function `node` calls (not a program function or a local of that name), else None."""
        if isinstance(node.function, c.Name):
            name = node.function.name
            if name not in self.locals and name not in self.scopes() and name not in self.module.functions:
                return name
        return None

    # --- library calls written out in place ---------------------------------------------------------
    # For the usual kind of value (an object, a text, an array) the call's work is done where it stands;
    # any other kind goes to the library function, which gives the same answer or raises its own error.
    # A 10,000-task board makes ~30 such calls a task, and each Python call costs more than its test.

    def bound(self, code: str) -> tuple[str, str]:
        """(the code that evaluates `code` once and names it, the name), for an expression that tests a
        value's type before using it: a local or a constant as it is, anything else into a fresh temporary."""
        if code.isidentifier():
            return code, code
        self.temps += 1
        name = f"_i{self.temps}"
        return f"({name} := {code})", name

    def text_of(self, code: str) -> str:
        test, value = self.bound(code)
        return f"({value} if type({test}) is str else _v.text({value}))"

    def inlined(self, name: str, node: c.Call, arguments: list[str]) -> str | None:
        """The library call `name(arguments)` written out for its usual kind of value, or None."""
        args = node.args
        if node.modifiers:
            return None
        if name == "get" and len(args) in (2, 3) and _is_text_literal(args[1]) and all(map(_is_simple, args[2:])):
            test, subject = self.bound(arguments[0])
            rest = ", ".join(arguments[1:])
            return f"({subject}.get({rest}) if type({test}) is dict else _std_get({subject}, {rest}))"
        if name in ("pad", "padStart") and len(args) == 2 and _is_whole_literal(args[1], MAX_INLINE_WIDTH):
            method = "ljust" if name == "pad" else "rjust"
            if self.is_text(args[0]):
                return f"{arguments[0]}.{method}({arguments[1]})"
            test, subject = self.bound(arguments[0])
            return f"({subject}.{method}({arguments[1]}) if type({test}) is str else _std_{name}({subject}, {arguments[1]}))"
        if name == "plural" and len(args) == 2 and _is_text_literal(args[1]):  # a count's words: a board's every task
            test, subject = self.bound(arguments[0])
            one, many = repr(" " + "".join(args[1].parts)), repr(" " + "".join(args[1].parts) + "s")
            return (f"((str({subject}) + {one} if {subject} == 1 or {subject} == -1 else str({subject}) + {many}) "
                    f"if type({test}) is int else _std_plural({subject}, {arguments[1]}))")
        if name == "len" and len(args) == 1:
            test, subject = self.bound(arguments[0])
            return f"(len({subject}) if type({test}) is list else _std_len({subject}))"
        if name == "last" and len(args) == 1:
            test, subject = self.bound(arguments[0])
            return f"(({subject}[-1] if {subject} else None) if type({test}) is list else _std_last({subject}))"
        if name == "slice" and len(args) == 3 and all(_is_whole_literal(a, None) for a in args[1:]):
            test, subject = self.bound(arguments[0])
            span = f"{arguments[1]}:{arguments[2]}"
            return f"({subject}[{span}] if type({test}) is str else _std_slice({subject}, {arguments[1]}, {arguments[2]}))"
        return None

    def x_Arrow(self, node: c.Arrow) -> str:
        outer = self.scopes()
        self._arrow_names = outer | set(node.params)
        try:
            # Missing arguments are null and extra ones are dropped, as for a program function: the library
            # calls arrows directly, in loops, without checking how many arguments each takes.
            params = ", ".join([f"v_{p}=None" for p in node.params] + ["*_"])
            return f"(lambda {params}: {self.expression(node.body)})"
        finally:
            self._arrow_names = outer

    def comprehension(self, name: str, items: str, arrow: c.Arrow) -> str:
        """`map`, `filter`, `sum`, `sort` or `group` of an array with an arrow of one parameter, the arrow's body
        written into a list comprehension instead of called once per item (a 10,000-task board makes 70,000
        such calls); sort and group are then given the keys (stdlib.sorted_by, grouped_by).
        The array is checked, with the library's error, and passed in: a comprehension's iterable may not
        hold the walrus temporaries an inlined call makes."""
        param = arrow.params[0]
        outer = self.scopes()
        self._arrow_names = outer | {param}
        try:
            body = self.expression(arrow.body)
        finally:
            self._arrow_names = outer
        if name == "sum":
            self.module.library_used.add("sum")  # the comprehension's list goes to the library's sum
        loop = f"for v_{param} in _xs"
        made = {"map": f"[{body} {loop}]", "filter": f"[v_{param} {loop} if {body}]",
                "sum": f"_std_sum([{body} {loop}])", "sort": f"_std.sorted_by(_xs, [{body} {loop}])",
                "group": f"_std.grouped_by(_xs, [{body} {loop}])"}[name]
        return f"(lambda _xs: {made})(_v.array_for({name!r}, {items}))"

    def x_IfExpression(self, node: c.IfExpression) -> str:
        return f"({self.expression(node.then)} if {self.condition(node.condition)} else {self.expression(node.orelse)})"

    def x_Match(self, node: c.Match) -> str:
        result = "None"
        for arm in reversed(node.arms):
            body = self.expression(arm.body) if not isinstance(arm.body, tuple) else "None"
            if not arm.patterns:
                result = body
            else:
                test = " or ".join(self.matches(p) for p in arm.patterns)
                result = f"({body} if {test} else {result})"
        return f"(lambda _m: {result})({self.expression(node.subject)})"

    def matches(self, pattern) -> str:
        """A match arm's test of the subject `_m` against one pattern (a literal), as `==` compares them."""
        if isinstance(pattern, c.Literal) and pattern.value is None:
            return "_m is None"
        if self.is_text(pattern):
            return f"_m == {self.expression(pattern)}"
        return f"_v.equal(_m, {self.expression(pattern)})"

    def x_Call(self, node: c.Call) -> str:
        function = node.function
        if not isinstance(function, c.Name) or function.name in self.locals or function.name in self.scopes():
            args = ", ".join([self.expression(function)] + [self.expression(a) for a in node.args])
            return f"_v.call({args})"
        name = function.name
        if name in self.module.functions:
            return f"f_{name}({', '.join(['run'] + [self.expression(a) for a in node.args])})"
        if name in library.PLACE:
            return self.place_call(node, name)
        if name in COMPREHENDED and len(node.args) == 2 and isinstance(node.args[1], c.Arrow) \
                and len(node.args[1].params) == 1 and not node.modifiers:
            return self.comprehension(name, self.expression(node.args[0]), node.args[1])
        arguments = [self.expression(a) for a in node.args]
        arguments += [f"{m.name}={self.expression(m.value) if m.value is not None else 'True'}" for m in node.modifiers]
        if name in RUN_CALLS:
            return f"{RUN_CALLS[name]}({', '.join(arguments)})"
        self.module.library_used.add(name)
        return self.inlined(name, node, arguments) or f"_std_{name}({', '.join(arguments)})"

    def place_call(self, node: c.Call, name: str) -> str:
        target, value = node.args[0], self.expression(node.args[1])
        limit = next((self.expression(m.value) for m in node.modifiers if m.name == "limit" and m.value is not None),
                     "None")
        root = place_root(target)
        if isinstance(root, c.Name) and root.name in library.STATE_ROOTS:
            keys = self.keys(target)
            if name == "append":
                return f"run.append({root.name!r}, {keys}, {value}, {limit})"
            return f"run.merge({root.name!r}, {keys}, {value})"
        if name == "append":
            return f"_rt.append_local({self.owned_container(target)}, {value}, {limit})"
        return f"_rt.merge_local({self.owned_container(target)}, {value})"


def _is_text_literal(node) -> bool:
    """A string without inserted expressions."""
    return isinstance(node, c.Template) and all(isinstance(part, str) for part in node.parts)


def _is_whole_literal(node, most: int | None) -> bool:
    """A literal whole number from 0 (to `most`)."""
    return (isinstance(node, c.Literal) and type(node.value) is int and 0 <= node.value
            and (most is None or node.value <= most))


def _is_simple(node) -> bool:
    """A literal, a plain string, or an empty array or object: evaluated in either order, it gives the same."""
    return isinstance(node, c.Literal) or _is_text_literal(node) or (isinstance(node, (c.Array, c.Object)) and not (
        node.items if isinstance(node, c.Array) else node.entries))


def _mutated_names(body: tuple) -> set[str]:
    """Locals whose value is changed in place (`t.column = x`, `append(xs, y)`, `delete o.k`): they get their
    own copy when bound, so Core's objects and arrays behave as values."""
    found: set[str] = set()
    for node in (node for statement in body for node in statement.walk()):
        target = None
        if isinstance(node, c.Assign) and not isinstance(node.target, c.Name):
            target = node.target
        elif isinstance(node, c.Delete):
            target = node.target
        elif isinstance(node, c.Call) and isinstance(node.function, c.Name) and node.function.name in library.PLACE \
                and node.args:
            target = node.args[0]
        if target is not None:
            root = place_root(target)
            if isinstance(root, c.Name) and root.name not in library.STATE_ROOTS:
                found.add(root.name)
    return found
