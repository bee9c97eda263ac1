"""What the compiler needs from a program's AST: the model of sudolang.program (kept here under its old names).

`build_model(ast)` is a thin call of `sudolang.program.build(ast, require=True)`: the model, or a
CompileError holding the diagnostics (each with its code and line:column) that refuse the program.
"""

from __future__ import annotations

from sudolang import nodes as n
from sudolang.program import (  # noqa: F401  (re-exported: the compiler's names for the model's parts)
    COMMAND_NAME,
    COMMAND_RULE,
    Binding,
    CommandSpec,
    FunctionSpec,
    Line,
    Param,
    ProgramModel,
    build,
)


def build_model(program: n.Program) -> ProgramModel:
    """The model of a program to compile, or CompileError with every reason it cannot compile."""
    from sudolang.compiler import CompileError

    model, diagnostics = build(program, require=True)
    if model is None:
        raise CompileError(program.path, [d for d in diagnostics if d.is_error], program.source)
    return model
