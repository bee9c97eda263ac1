"""`sudolang hook`: the command's entry. The hook's work is sudolang.runtime.hook.run; its arguments are
described in sudolang.cli.spec and read by the fast path, leniently: whatever the command line, the hook
runs and exits 0, reporting what was wrong with it (`problems`) on stderr and in its log."""

from __future__ import annotations


def hook(args) -> int:
    from sudolang.runtime.hook import run

    return run(args)
