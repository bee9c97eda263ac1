"""The results sudolang keeps in the user's cache folder (sudolang.user_cache): lint's findings per file and
every program's compiled files. A hit must skip the work, and no change to what a result depends on (the
text, even with its size and time kept; the options; the templates; the code; the version) may ever be
answered from the cache. Each run here is a whole process, as a user's is, and the edits between runs are
made by another process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang import user_cache

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["sprint_execution", "all-team_dashboard", "leadership_chat", "config_manager"]
# The same length, so a rewrite that keeps size and modification time changes only the bytes.
TWICE = "Bot {\n  /go - Go somewhere\n  /go - Go again!!\n}\n"  # SL101: /go declared twice
ONCE_ = "Bot {\n  /go - Go somewhere\n  /to - Go again!!\n}\n"  # clean
assert len(TWICE) == len(ONCE_)
# What a run loaded, printed after it: a hit loads neither the parser nor Jinja2.
LOADED = ("; print(sorted(m for m in ('sudolang.parser', 'sudolang.lint', 'jinja2') if m in sys.modules), "
          "file=sys.stderr)")


def sudolang(*args: str, cache: Path, cwd: Path | None = None, pythonpath: Path | None = None, stdin: str | None = None):
    """A whole `sudolang ARGS` process; its stderr's last line lists the heavy modules it loaded."""
    env = {**os.environ, "SUDOLANG_CACHE_DIR": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("COVERAGE_PROCESS_CONFIG", None)  # coverage would import modules of its own
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    code = "import sys; from sudolang.cli import main; code = main(sys.argv[1:])" + LOADED + "; sys.exit(code)"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, input=stdin, timeout=120)


def loaded(result) -> list[str]:
    return json.loads(result.stderr.strip().splitlines()[-1].replace("'", '"'))


def rewrite_keeping_size_and_time(path: Path, text: str) -> None:
    """Another process writes `text` over `path` and puts its modification time back, to the nanosecond."""
    info = path.stat()
    assert len(text.encode()) == info.st_size
    code = ("import os, sys; p = sys.argv[1]; open(p, 'w').write(sys.argv[2]); "
            "os.utime(p, ns=(int(sys.argv[3]), int(sys.argv[3])))")
    subprocess.run([sys.executable, "-c", code, str(path), text, str(info.st_mtime_ns)], check=True)
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


# --- lint -------------------------------------------------------------------------------------------------


def test_a_second_lint_of_the_same_text_is_answered_from_the_cache(tmp_path):
    program = tmp_path / "bot.sudo"
    program.write_text(TWICE)
    first = sudolang("lint", str(program), cache=tmp_path / "cache")
    second = sudolang("lint", str(program), cache=tmp_path / "cache")
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout and "SL101" in first.stdout
    assert first.stderr.splitlines()[:-1] == second.stderr.splitlines()[:-1] == ["1 error, 0 warnings in 1 file"]
    assert loaded(first) == ["sudolang.lint", "sudolang.parser"] and loaded(second) == []


def test_a_file_rewritten_with_its_size_and_time_kept_is_linted_again(tmp_path):
    program = tmp_path / "bot.sudo"
    program.write_text(TWICE)
    assert sudolang("lint", str(program), cache=tmp_path / "cache").returncode == 1
    rewrite_keeping_size_and_time(program, ONCE_)
    again = sudolang("lint", str(program), cache=tmp_path / "cache")
    assert (again.returncode, again.stdout) == (0, "") and loaded(again) == ["sudolang.lint", "sudolang.parser"]
    rewrite_keeping_size_and_time(program, TWICE)  # back: the entry was replaced, so this is linted too
    assert "SL101" in sudolang("lint", str(program), cache=tmp_path / "cache").stdout


def test_every_option_and_the_name_are_part_of_the_key(tmp_path):
    program = tmp_path / "bot.sudo"
    program.write_text("Bot {\n  fn f(a) { return a }\n  /go - Go\n  /go - Again\n  /stop\n}\n")
    cache = tmp_path / "cache"
    runs = {
        "plain": sudolang("lint", str(program), "--format", "json", cache=cache),
        "select": sudolang("lint", str(program), "--format", "json", "--select", "SL103", cache=cache),
        "ignore": sudolang("lint", str(program), "--format", "json", "--ignore", "SL101", cache=cache),
        "notes": sudolang("lint", str(program), "--format", "json", "--notes", cache=cache),
        "stdin": sudolang("lint", "--format", "json", "-", stdin=program.read_text(), cache=cache),
    }
    for _ in range(2):  # and the same again, now from the cache
        for name, result in runs.items():
            args = {"plain": (), "select": ("--select", "SL103"), "ignore": ("--ignore", "SL101"),
                    "notes": ("--notes",), "stdin": ()}[name]
            paths = ("-",) if name == "stdin" else (str(program),)
            again = sudolang("lint", *paths, "--format", "json", *args, cache=cache,
                             stdin=program.read_text() if name == "stdin" else None)
            assert (again.returncode, again.stdout) == (result.returncode, result.stdout), name
            assert "sudolang.parser" not in loaded(again)  # (--select and --ignore check codes with sudolang.lint)
    codes = {name: sorted({d["code"] for d in json.loads(r.stdout)}) for name, r in runs.items()}
    assert codes["plain"] == ["SL101", "SL103"] and codes["select"] == ["SL103"] and codes["ignore"] == ["SL103"]
    assert {"SL510", "SL511"} & set(codes["notes"])
    assert {d["filename"] for d in json.loads(runs["stdin"].stdout)} == {"<stdin>"}


def test_each_output_format_of_a_hit_is_what_a_fresh_lint_prints(tmp_path):
    program = tmp_path / "bot.sudo"
    program.write_text(TWICE)
    for format_ in ("text", "json", "github"):
        fresh = sudolang("lint", str(program), "--format", format_, cache=tmp_path / f"cache-{format_}")
        hit = sudolang("lint", str(program), "--format", format_, cache=tmp_path / "cache")
        hit = sudolang("lint", str(program), "--format", format_, cache=tmp_path / "cache")
        assert (hit.returncode, hit.stdout, hit.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr.replace(
            "'sudolang.lint', 'sudolang.parser'", "")), format_


def test_an_entry_that_is_not_ours_is_ignored_and_replaced(tmp_path):
    program = tmp_path / "bot.sudo"
    program.write_text(TWICE)
    cache = tmp_path / "cache"
    first = sudolang("lint", str(program), cache=cache)
    [entry] = cache.glob("lint-*.json")
    stored = json.loads(entry.read_text())
    entry.write_text(json.dumps({"key": stored["key"], "value": "not a list"}))  # garbage under the right key
    assert sudolang("lint", str(program), cache=cache).stdout == first.stdout
    entry.write_text("{ torn")
    assert sudolang("lint", str(program), cache=cache).stdout == first.stdout
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"key": stored["key"], "value": []}))  # would say "clean"
    entry.unlink()
    entry.symlink_to(outside)
    result = sudolang("lint", str(program), cache=cache)
    assert "SL101" in result.stdout and loaded(result) == ["sudolang.lint", "sudolang.parser"]  # not followed
    assert not entry.is_symlink() and json.loads(outside.read_text())["value"] == []  # replaced, not written through


def test_without_a_home_folder_nothing_is_cached_and_nothing_fails(cli, tmp_path, monkeypatch):
    def no_home(cls):
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("SUDOLANG_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(no_home))
    program = tmp_path / "bot.sudo"
    program.write_text(TWICE)
    assert [cli("lint", str(program)).code for _ in range(2)] == [1, 1]
    assert cli("compile", "config_manager", "--check", "--out", str(tmp_path / "out")).code == 1


# --- compile --check ----------------------------------------------------------------------------------------


def test_check_after_init_needs_neither_the_parser_nor_jinja2(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    cache = tmp_path / "cache"
    assert sudolang("init", "--dir", str(project), cache=cache).returncode == 0
    check = sudolang("compile", *SHIPPED, "--check", "--out", str(project / ".claude"), cache=cache)
    assert check.returncode == 0, check.stdout + check.stderr
    assert loaded(check) == []
    (project / ".claude" / "commands" / "sprint-move.md").write_text("edited by hand\n")
    stale = sudolang("compile", *SHIPPED, "--check", "--out", str(project / ".claude"), cache=cache)
    assert (stale.returncode, stale.stdout.split()[-1]) == (1, str(project / ".claude" / "commands" / "sprint-move.md"))


def test_a_program_rewritten_with_its_size_and_time_kept_is_compiled_again(tmp_path):
    program = tmp_path / "bot.sudo"
    source = "interface Bot {\n  fn greet(name) { return \"Hello, ${name}\" }\n  /hello [name] - greet\n}\n"
    program.write_text(source)
    out, cache = tmp_path / ".claude", tmp_path / "cache"
    assert sudolang("compile", str(program), "--out", str(out), cache=cache).returncode == 0
    hit = sudolang("compile", str(program), "--check", "--out", str(out), cache=cache)
    assert hit.returncode == 0 and loaded(hit) == []
    rewrite_keeping_size_and_time(program, source.replace("Hello", "Howdy"))
    check = sudolang("compile", str(program), "--check", "--out", str(out), cache=cache)
    assert check.returncode == 1 and "jinja2" in loaded(check)
    assert "scripts/handlers/bot.py" in check.stdout and "commands/bot-hello.md" not in check.stdout


def test_compiled_templates_are_kept_and_used_for_their_own_source_only(tmp_path, monkeypatch):
    import jinja2

    from sudolang import compiler
    from sudolang.compiler import compiled_templates

    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(tmp_path / "cache"))
    # as if another Jinja2 were installed: the shipped modules do not serve, the user's cache does
    monkeypatch.setattr(compiled_templates, "JINJA2_VERSION", "0.0")
    compiled: list[str] = []
    original = jinja2.Environment._compile
    monkeypatch.setattr(jinja2.Environment, "_compile", lambda self, source, name: compiled.append(name) or
                        original(self, source, name))
    names = ["output_style.md.j2", "handler.py.j2", "command.md.j2"]
    for _ in range(2):  # a new environment each time, as a new process has
        compiler._environment.cache_clear()
        for name in names:
            compiler._environment().get_template(name)
    assert len(compiled) == 3 and len(list((tmp_path / "cache").glob("template-*.cache"))) == 3
    compiler._environment.cache_clear()
    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", lambda self, environment, template: (
        "edited {{ 1 }}", template, lambda: True))  # another source under the same name: compiled afresh
    assert compiler._environment().get_template("command.md.j2").render() == "edited 1"
    assert len(compiled) == 4
    compiler._environment.cache_clear()


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package to change: its templates, its code, its version."""
    shutil.copytree(ROOT / "sudolang", tmp_path / "copy" / "sudolang", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "copy"


def test_a_change_to_a_template_the_code_or_the_version_compiles_again(tmp_path, package_copy):
    program = tmp_path / "bot.sudo"
    program.write_text("interface Bot {\n  fn hi() { return \"hi\" }\n  /hi - say hi\n}\n")
    out, cache = tmp_path / ".claude", tmp_path / "cache"

    def compile_(*args: str):
        result = sudolang("compile", str(program), "--out", str(out), *args, cache=cache, cwd=tmp_path,
                          pythonpath=package_copy)
        assert result.returncode in (0, 1), result.stderr
        return result

    compile_()
    assert compile_("--check").returncode == 0
    package = package_copy / "sudolang"
    template = package / "compiler" / "templates" / "command.md.j2"
    text = template.read_text()
    rewrite_keeping_size_and_time(template, text.replace("---\n", "--- \n", 1)[:-1])  # same size, other bytes
    assert compile_("--check").returncode == 1  # the command file now differs: found without a stale hit
    template.write_text(text)
    assert compile_("--check").returncode == 0
    codegen = package / "compiler" / "core_codegen.py"
    codegen.write_text(codegen.read_text().replace("# line {", "# source line {"))
    changed = compile_("--check")
    assert changed.returncode == 1 and "scripts/handlers/bot.py" in changed.stdout
    compile_()
    version = package / "__init__.py"
    version.write_text(version.read_text().replace('__version__ = "', '__version__ = "9'))
    assert compile_("--check").returncode == 1  # the handler names the version that compiled it


def test_the_jinja2_that_renders_is_part_of_a_compile_key(tmp_path, monkeypatch):
    from sudolang import compiler

    before = compiler.fingerprint("source")
    fake = tmp_path / "jinja2" / "__init__.py"  # found first on sys.path; read, never imported
    fake.parent.mkdir()
    fake.write_text('__version__ = "9.9.9"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    other = compiler.fingerprint("source")
    fake.write_text('__version__ = "9.9.8"\n')
    assert len({before, other, compiler.fingerprint("source")}) == 3


def test_the_code_digest_follows_modules_by_stat_and_other_files_by_bytes(tmp_path, package_copy):
    package = str(package_copy / "sudolang")
    before = user_cache.folder_digest(package)
    assert user_cache.folder_digest(package) == before
    template = package_copy / "sudolang" / "compiler" / "templates" / "handler.py.j2"
    rewrite_keeping_size_and_time(template, template.read_text().replace("#", "%", 1))
    after_template = user_cache.folder_digest(package)
    assert after_template != before
    module = package_copy / "sudolang" / "lint.py"
    info = module.stat()
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    assert user_cache.folder_digest(package) != after_template
    (package_copy / "sudolang" / "__pycache__").mkdir(exist_ok=True)
    (package_copy / "sudolang" / "__pycache__" / "lint.cpython-311.pyc").write_bytes(b"x")
    assert user_cache.folder_digest(package) == user_cache.folder_digest(package)
