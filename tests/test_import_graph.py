"""The import graph of sudolang/, read with the standard library's ast: the stages import one way, and no
module imports itself round a cycle.

Data flows source -> AST -> checks (language) -> compiler -> runtime -> state, and the command line sits
on top. In imports that means:

- root: shared utilities (errors, safe_files, user_cache, json_input, cells, jsonpath with its parser, evaluator and
  I-Regexp engine, the shipped programs, the package's __init__) that any module may import; they import only
  each other;
- language (parser with its LALR runtime and generated tables, nodes, diagnostics, names, program, lint, reporter, lint_api):
  root only;
- compiler: root and language, never the runtime or the state it will be run against;
- state: root only: a storage layer that knows nothing of programs;
- runtime: root and the state it acts on, not the compiler (`sudolang run` hands it the compiled text) nor
  the language front end (a hook never loads the parser);
- cli: anything; and nothing imports cli (no stage runs a command module).

Every import counts, also one inside a function (a lazy import still ties the modules together). Run with
`-s` to see the graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sudolang"

ROOT = {"sudolang", "sudolang.errors", "sudolang.safe_files", "sudolang.json_input", "sudolang.json_text", "sudolang.cells",
        "sudolang.jsonpath", "sudolang.jsonpath_parse", "sudolang.jsonpath_eval", "sudolang.iregexp",
        "sudolang.programs", "sudolang.wording", "sudolang.user_cache"}
LANGUAGE = {"sudolang.parser", "sudolang.nodes", "sudolang.diagnostics", "sudolang.names", "sudolang.program",
            "sudolang.lint", "sudolang.reporter", "sudolang.lint_api", "sudolang.core", "sudolang.core_nodes",
            "sudolang.core_check", "sudolang.core_library", "sudolang.lalr", "sudolang.parse_tables",
            "sudolang.spans"}
STAGES = ("root", "language", "compiler", "state", "runtime", "cli")
ALLOWED = {
    "root": {"root"},
    "language": {"root", "language"},
    "compiler": {"root", "language", "compiler"},
    "state": {"root", "state"},
    "runtime": {"root", "state", "runtime"},
    "cli": set(STAGES),
}

# Known exceptions as (module, imported module) pairs. An entry that no longer occurs fails the test, so
# one added while a move is under way cannot linger unnoticed.
ALLOW_LIST: set[tuple[str, str]] = set()  # none: every stage imports only what its place allows


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def stage(module: str) -> str:
    if module in ROOT:
        return "root"
    if module in LANGUAGE:
        return "language"
    if module == "sudolang.__main__":
        return "cli"
    part = module.split(".")[1]
    if part in ("compiler", "runtime", "state", "cli"):
        return part
    raise AssertionError(f"{module} belongs to no stage: add it to ROOT or LANGUAGE in this test")


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The sudolang modules `module` imports: `from pkg import name` counts as pkg.name when that is a module,
    else as pkg; `import a.b.c` as the longest known prefix."""

    def known_prefix(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(known_prefix(alias.name) for alias in node.names if alias.name.split(".")[0] == "sudolang")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base.split(".")[0] != "sudolang":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else known_prefix(base))
    found.discard(None)
    found.discard(module)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {module: imports(module, path, known) for module, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_stages_import_one_way():
    edges = graph()
    between: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, targets in sorted(edges.items()):
        for target in sorted(targets):
            if stage(module) != stage(target):
                between[stage(module), stage(target)].append(f"{module} -> {target}")
    print("\nstage imports (from -> to: how many module imports):")
    for (source, target), lines in sorted(between.items(), key=lambda item: (STAGES.index(item[0][0]),
                                                                              STAGES.index(item[0][1]))):
        print(f"  {source:8} -> {target:8} {len(lines):3}")
    print("modules:")
    for module, targets in sorted(edges.items()):
        print(f"  {module} [{stage(module)}] -> {', '.join(sorted(targets)) or '-'}")
    wrong = [f"{module} ({stage(module)}) -> {target} ({stage(target)})"
             for module, targets in sorted(edges.items()) for target in sorted(targets)
             if stage(target) not in ALLOWED[stage(module)] and (module, target) not in ALLOW_LIST]
    assert not wrong, "imports against the stage order:\n" + "\n".join(wrong)
    stale = sorted(pair for pair in ALLOW_LIST if pair[1] not in edges.get(pair[0], ()))
    assert not stale, f"allow-listed imports that no longer occur (remove them from ALLOW_LIST): {stale}"
    print("allow-listed:", sorted(ALLOW_LIST))


def test_nothing_imports_the_command_line():
    edges = graph()
    users = sorted(f"{module} -> {target}" for module, targets in edges.items() for target in targets
                   if stage(target) == "cli" and stage(module) != "cli")
    assert not users, users


def test_there_are_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(component) for component in found)


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
