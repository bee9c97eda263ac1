"""Which of a program's functions run locally, and what they touch: the checks of SudoLang Core.

`check(functions, constants)` reads every Core function (sudolang.core_nodes) once and says, for each,
whether it runs locally and, when it does not, which line made it a model function: a line that is not
Core (the parser's NotCore), a call of a function that is neither the program's nor the standard
library's (`explain(topic)`), a wrong number of arguments, a modifier the function does not take, a name
that is never given a value, or a call of a program function that is itself a model function. It also
says which documents a function writes (`project`, `session`), following its calls, so a command that
only reads takes no lock.
"""

from __future__ import annotations

from sudolang import core_library as library
from sudolang import core_nodes as c
from sudolang.nodes import Node, Span
from sudolang.spans import Frozen, record


@record
class FunctionCheck(Frozen):
    name: str
    local: bool
    reason: str  # "" when local
    span: Span | None  # where the reason is
    writes: frozenset  # of "project", "session"
    calls: frozenset  # program functions it calls
    effects: bool = False  # it emits, records, warns, runs a program or makes an id: its result is not just its reads

    @property
    def pure(self) -> bool:
        """Only reads: called twice on the same state with the same arguments it gives the same value, so
        one screen may compute it once (sudolang.runtime.corelib.remembered)."""
        return self.local and not self.writes and not self.effects


def check(functions: dict, constants: dict) -> dict[str, FunctionCheck]:
    """functions: name -> core_nodes.Function | core_nodes.NotCore; constants: name -> expression node."""
    direct = {name: _direct(function, functions, constants) for name, function in functions.items()}
    # Follow calls to a fixed point: a function is local when everything it calls is; it writes what they write.
    result = dict(direct)
    changed = True
    while changed:
        changed = False
        for name, found in result.items():
            local, reason, span, writes = found.local, found.reason, found.span, set(found.writes)
            effects = found.effects
            for callee in sorted(found.calls):
                other = result[callee]
                writes |= other.writes
                effects = effects or other.effects
                if local and not other.local:
                    local, reason, span = False, f"it calls {callee}(), which runs in the model: {other.reason}", other.span
            if local != found.local or writes != set(found.writes) or effects != found.effects:
                result[name] = FunctionCheck(name, local, reason, span, frozenset(writes), found.calls, effects)
                changed = True
    return result


def _direct(function, functions: dict, constants: dict) -> FunctionCheck:
    if isinstance(function, c.NotCore):
        reason = (f"line {function.span.line} is prose" if function.reason == "prose"
                  else f"line {function.span.line}: {function.reason}")
        return FunctionCheck(function.name, False, reason, function.span, frozenset(), frozenset())
    walker = _Walker(functions, constants, function)
    walker.statements(function.body)
    if walker.problem is not None:
        span, reason = walker.problem
        reason = f"line {span.line}: {reason}"
        return FunctionCheck(function.name, False, reason, span, frozenset(walker.writes), frozenset(walker.calls),
                             walker.effects)
    return FunctionCheck(function.name, True, "", None, frozenset(walker.writes), frozenset(walker.calls),
                         walker.effects)


def assigned_names(body: tuple) -> frozenset[str]:
    """The local names a function body gives a value to (assignments and loop variables). Remembered by the
    body's identity (the entry keeps the body alive, so its id stays its own): the check and the compiler
    ask for each function's three times, and each answer walks the whole body (~12 ms of a compile)."""
    remembered = _ASSIGNED.get(id(body))
    if remembered is not None and remembered[0] is body:
        return remembered[1]
    found: set[str] = set()
    for node in (node for statement in body for node in statement.walk()):
        if isinstance(node, c.Assign) and isinstance(node.target, c.Name):
            found.add(node.target.name)
        elif isinstance(node, c.ForEach):
            found.update(node.names)
    if len(_ASSIGNED) >= 4096:  # a long-lived process (the test suite) compiles many programs
        _ASSIGNED.clear()
    names = _ASSIGNED[id(body)] = (body, frozenset(found))
    return names[1]


_ASSIGNED: dict[int, tuple[tuple, frozenset[str]]] = {}


def place_root(target: Node) -> Node:
    """The Name a member/index chain starts from (`project` in `project.tasks[id].column`)."""
    while isinstance(target, (c.Member, c.Index)):
        target = target.subject
    return target


class _Walker:
    def __init__(self, functions: dict, constants: dict, function: c.Function) -> None:
        self.functions, self.constants = functions, constants
        self.locals = {p.name for p in function.params} | assigned_names(function.body)
        self.problem: tuple[Span, str] | None = None
        self.writes: set[str] = set()
        self.calls: set[str] = set()
        self.effects = False
        self.scopes: list[set[str]] = []  # arrow parameters in scope

    def fail(self, node: Node, reason: str) -> None:
        if self.problem is None:
            self.problem = (node.span, reason)

    def known(self, name: str) -> bool:
        return (name in self.locals or name in self.constants or name in library.STATE_ROOTS
                or name in self.functions or any(name in scope for scope in self.scopes))

    def statements(self, body: tuple) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: Node) -> None:
        if isinstance(node, c.Assign):
            self.target(node.target, writes=True)
            self.expression(node.value)
        elif isinstance(node, c.ExpressionStatement):
            self.expression(node.expression)
        elif isinstance(node, c.If):
            self.expression(node.condition)
            self.statements(node.body)
            self.statements(node.orelse)
        elif isinstance(node, c.ForEach):
            self.expression(node.iterable)
            self.statements(node.body)
        elif isinstance(node, c.While):
            self.expression(node.condition)
            self.statements(node.body)
        elif isinstance(node, (c.Return, c.Throw)):
            if node.value is not None:
                self.expression(node.value)
        elif isinstance(node, c.Require):
            self.effects = self.effects or node.kind == "warn"
            self.expression(node.condition)
            if node.message is not None:
                self.expression(node.message)
        elif isinstance(node, c.Delete):
            self.target(node.target, writes=True)

    def target(self, target: Node, writes: bool) -> None:
        """An assignment's, delete's or place function's target: a local, or a path of project/session."""
        root = place_root(target)
        if not isinstance(root, c.Name):
            self.fail(target, "only a name or a member of one can be written")
            return
        if root.name in library.STATE_ROOTS:
            if root is target:
                self.fail(target, f"a program changes members of {root.name}, not the whole document")
            elif writes:
                self.writes.add(root.name)
        elif root.name in self.functions and root.name not in self.locals:
            self.fail(target, f"{root.name} is a function of the program; it cannot be assigned")
        # the index expressions along the path are read
        node = target
        while isinstance(node, (c.Member, c.Index)):
            if isinstance(node, c.Index):
                self.expression(node.index)
            node = node.subject
        if root is not target and not self.known(root.name):
            self.fail(root, f"{root.name} has no value here")

    def expression(self, node: Node) -> None:
        if isinstance(node, c.Name):
            if not self.known(node.name):
                self.fail(node, f"{node.name} has no value here (not a parameter, a local, a constant or a function)")
        elif isinstance(node, c.Call):
            self.call(node)
        elif isinstance(node, c.Arrow):
            self.scopes.append(set(node.params))
            self.expression(node.body)
            self.scopes.pop()
        elif isinstance(node, c.Match):
            self.expression(node.subject)
            for arm in node.arms:
                for pattern in arm.patterns:
                    self.expression(pattern)
                if isinstance(arm.body, tuple):
                    self.statements(arm.body)
                else:
                    self.expression(arm.body)
        elif isinstance(node, c.Template):
            for part in node.parts:
                if not isinstance(part, str):
                    self.expression(part)
        elif isinstance(node, c.Shell):
            self.effects = True
            for word in node.words:
                for part in word:
                    if not isinstance(part, str):
                        self.expression(part)
        elif isinstance(node, c.Literal):
            pass
        else:
            for child in node.children():
                if isinstance(child, c.Entry):
                    self.expression(child.value)
                elif isinstance(child, (c.Spread,)):
                    self.expression(child.value)
                else:
                    self.expression(child)

    def call(self, node: c.Call) -> None:
        function = node.function
        dynamic = not isinstance(function, c.Name) or function.name in self.locals \
            or any(function.name in scope for scope in self.scopes)
        if not dynamic and function.name not in self.functions and library.signature(function.name) is None:
            # Said first: the model call is the reason, whatever its (often prose) arguments and modifiers hold.
            self.fail(node, f"{function.name}() is neither a function of this program nor of the standard library: "
                            "a call for the model")
            return
        for index, arg in enumerate(node.args):
            if index == 0 and self._place_call(node):
                self.target(arg, writes=True)
            else:
                self.expression(arg)
        for modifier in node.modifiers:
            if modifier.value is not None:
                self.expression(modifier.value)
        if dynamic:
            if node.modifiers:
                self.fail(node, "modifiers are options of the standard library's functions")
            if not isinstance(function, c.Name):
                self.expression(function)
            return
        name = function.name
        if name in self.functions:
            self.calls.add(name)
            target = self.functions[name]
            if isinstance(target, c.Function) and len(node.args) > len(target.params):
                self.fail(node, f"{name}() takes {len(target.params)} argument(s), given {len(node.args)}")
            if node.modifiers:
                self.fail(node, f"{name}() is a function of the program; modifiers are options of the standard library's")
            return
        fewest, most, modifiers = library.signature(name)  # type: ignore[misc]
        if not fewest <= len(node.args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            self.fail(node, f"{name}() takes {wanted} argument(s), given {len(node.args)}")
        for modifier in node.modifiers:
            if modifier.name not in modifiers:
                self.fail(modifier, f"{name}() takes no :{modifier.name} modifier"
                                    + (f" (it takes: {', '.join(sorted(modifiers))})" if modifiers else ""))
        if name in library.WRITES:
            self.writes.add(library.WRITES[name])
        if name in library.EFFECTS:
            self.effects = True

    def _place_call(self, node: c.Call) -> bool:
        return isinstance(node.function, c.Name) and node.function.name in library.PLACE \
            and node.function.name not in self.functions and node.function.name not in self.locals
