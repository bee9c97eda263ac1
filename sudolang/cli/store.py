"""`sudolang store`: create or upgrade a PostgreSQL store's tables, and copy a project's state between stores
(sudolang.state.pg and sudolang.state.copy do the work; the arguments are described in sudolang.cli.spec)."""

from __future__ import annotations


def migrate(args) -> int:
    from sudolang.errors import UsageError
    from sudolang.state import pg, stores

    url = stores.check_url(args.url, "URL")
    if url == stores.FILES:
        raise UsageError("the file store has no tables to migrate: give a postgresql:// URL")
    done = pg.migrate(url, stores.redact(url))
    for line in done:
        print(line)
    print(f"{stores.redact(url)} is at schema version {pg.SCHEMA_VERSION}" + ("" if done else " (nothing to do)"))
    return 0


def copy(args) -> int:
    from sudolang.errors import UsageError
    from sudolang.cli.state import timeout
    from sudolang.state import stores
    from sudolang.state.copy import copy_state
    from sudolang.state.paths import find_state_dir

    root = find_state_dir(getattr(args, "state_dir", None))
    source = stores.open_state(root, stores.check_url(args.source, "--from"))
    target = stores.open_state(root, stores.check_url(args.target, "--to"))
    if source.store == target.store:
        raise UsageError("--from and --to name the same store: nothing to copy")
    for line in copy_state(source, target, timeout(args)):
        print(line)
    return 0
