"""`sudolang lint`: the files and the exit status come from sudolang.lint_api, the output from
sudolang.reporter; the arguments are described in sudolang.cli.spec."""

from __future__ import annotations

import sys


def lint(args) -> int:
    from sudolang import lint_api, reporter

    select, ignore = lint_api.rule_codes(args.select), lint_api.rule_codes(args.ignore)
    reports = lint_api.check_paths(args.paths, select, ignore, args.notes)
    sys.stdout.write(reporter.REPORTERS[args.format](reports))
    if args.format == "text":
        sys.stdout.flush()  # the summary goes after the findings, also on a shared terminal
        print(reporter.summary(reports), file=sys.stderr)
    return lint_api.exit_code(reports, args.exit_zero)
