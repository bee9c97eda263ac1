"""Run many generated inputs through one function in a forked worker, so a hang is caught and an input
that kills the interpreter (a C-level stack overflow) is caught too; collect what went wrong.

The worker is a fork of the test process: it starts in ~2 ms, shares the imported modules, and
answers one input at a time over a pipe. The parent waits HANG_SECONDS for each answer; past that
the worker is killed, the input is recorded as a hang, and a new worker takes the next input.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

# A hang guard, not a speed assertion: the slowest input is reported, and an input that takes this
# long is a hang (the attacks this suite guards against took 9.8 s to 4 min).
HANG_SECONDS = 5.0


@dataclass
class Finding:
    kind: str  # "internal error", "hang", "crash", or a check's own name
    input: object
    detail: str

    def __str__(self) -> str:
        shown = repr(self.input)
        return f"{self.kind}: {self.detail[:600]}\n  input: {shown[:400]}{'…' if len(shown) > 400 else ''}"


@dataclass
class Figures:
    """What a run tried and found, for the closing note and the failure message."""

    name: str
    tried: int = 0
    findings: list[Finding] = field(default_factory=list)
    slowest_seconds: float = 0.0
    slowest_input: object = None
    total_seconds: float = 0.0

    def summary(self) -> str:
        from collections import Counter

        kinds = ", ".join(f"{count} {kind}" for kind, count in Counter(f.kind for f in self.findings).most_common())
        return (f"{self.name}: {self.tried} inputs in {self.total_seconds:.1f} s, {len(self.findings)} finding(s)"
                f"{' (' + kinds + ')' if kinds else ''}, "
                f"slowest {self.slowest_seconds * 1000:.0f} ms ({repr(self.slowest_input)[:80]})")


def _serve(connection, check) -> None:
    # A forked worker's coverage data is never saved (coverage is not set up for multiprocessing), so its
    # tracing would only slow the campaign several times over under `pytest --cov`.
    sys.settrace(None)
    threading.settrace(None)
    while True:
        item = connection.recv()
        started = time.perf_counter()
        try:
            problem = check(item)
        except BaseException as error:  # anything escaping the check is the bug we look for
            problem = ("internal error", "".join(traceback.format_exception(error))[-1500:])
        connection.send((time.perf_counter() - started, problem))


def run(name: str, inputs, check) -> Figures:
    """`check(input)` returns None when all is well, else (kind, detail); it runs in a forked worker."""
    context = multiprocessing.get_context("fork")
    figures = Figures(name)
    started = time.perf_counter()
    worker = connection = None
    for item in inputs:
        if worker is None:
            connection, child_end = context.Pipe()
            worker = context.Process(target=_serve, args=(child_end, check), daemon=True)
            worker.start()
            child_end.close()
        figures.tried += 1
        connection.send(item)
        try:
            answered = connection.poll(HANG_SECONDS)
            reply = connection.recv() if answered else None
        except (EOFError, ConnectionError):
            reply, answered = None, True
        if reply is None:
            kind = "hang" if not answered else "crash"
            detail = (f"no answer within {HANG_SECONDS:g} s" if kind == "hang"
                      else f"the worker died (exit code {_stop(worker)})")
            figures.findings.append(Finding(kind, item, detail))
            _stop(worker)
            worker = None
            continue
        elapsed, problem = reply
        if elapsed > figures.slowest_seconds:
            figures.slowest_seconds, figures.slowest_input = elapsed, item
        if problem is not None:
            figures.findings.append(Finding(problem[0], item, problem[1]))
    if worker is not None:
        _stop(worker)
    figures.total_seconds = time.perf_counter() - started
    return figures


def _stop(worker) -> int | None:
    if worker.is_alive():
        worker.kill()
    worker.join(5)
    return worker.exitcode


def assert_clean(figures: Figures) -> None:
    print(figures.summary())  # shown with -s, and in the failure message below
    if figures.findings:
        per_kind: dict[str, list[Finding]] = {}
        for finding in figures.findings:
            per_kind.setdefault(finding.kind, []).append(finding)
        shown = "\n".join(str(f) for found in per_kind.values() for f in found[:3])  # a few of each kind
        raise AssertionError(f"{figures.summary()}\n{shown}")
