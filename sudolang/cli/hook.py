"""`sudolang hook`: the command's entry. The hook's work is sudolang.runtime.hook.run; its arguments are
described in sudolang.cli.spec and read by the fast path, leniently: whatever the command line, the hook
runs and exits 0, reporting what was wrong with it (`problems`) on stderr and in its log."""

from __future__ import annotations

import os


def hook(args) -> int:
    if getattr(args, "list_triggers", False) and getattr(args, "json", False) and not getattr(args, "problems", None):
        return list_triggers_json(args)
    from sudolang.runtime.hook import run

    return run(args, compiled)


def list_triggers_json(args) -> int:
    """`hook --list-triggers --json`: the rules in force, their file and whether it is the state directory's
    override, as one JSON object; exit 0 as every hook run does (a closed pipe included)."""
    import json

    from sudolang.runtime import triggers
    from sudolang.state.paths import find_state_dir

    root = find_state_dir(getattr(args, "state_dir", None))
    ruleset = triggers.load_rules(root)
    origin = "override" if ruleset.source == os.path.join(root, triggers.OVERRIDE_NAME) else "packaged"
    listing = {"source": ruleset.source, "origin": origin, "warning": ruleset.warning,
               "rules": [rule.as_dict() for rule in ruleset.rules]}
    try:
        print(json.dumps(listing, indent=2, ensure_ascii=False))
    except BrokenPipeError:
        from sudolang import safe_files

        safe_files.silence_stdout()
    return 0


def compiled(program: str, function: str) -> tuple[str, object]:
    """(the program's path, the Python function) of a shipped program's function, compiled (or read from
    the compiler's cache, sudolang.compiler.cache): the hook's board events run the sprint program's own
    functions, and the runtime may not import the compiler. Called only for those events: most hook
    events load none of this."""
    from sudolang.compiler.cache import handler_code, handler_source
    from sudolang.runtime import loader

    path, text = handler_source(program)
    module = loader.handler_module(path, text, handler_code(path, text))
    # sudolang.compiler.core_codegen.python_function's name (its module loads lark: ~150 ms)
    return module.PATH, getattr(module, f"f_{function}")
