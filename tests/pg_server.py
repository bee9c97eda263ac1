"""A real PostgreSQL server for the tests and the benchmark: initdb into a temporary folder, started with pg_ctl
on a Unix socket in that folder (and 127.0.0.1), stopped and removed at the end.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as an unprivileged system user
($SUDOLANG_TEST_PG_USER, else `postgres`, which the server's package creates), owning the folder. Anyone may
connect (trust authentication on the socket and on 127.0.0.1 only), as role `sudolang`, a superuser.
Each test gets a schema of its own, migrated (`schema_url`), so tests never see each other's rows.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROLE = "sudolang"
DATABASE = "sudolang"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin (Debian, Ubuntu)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def missing_reason() -> str | None:
    """Why no server can be started here (None: one can)."""
    if find_bindir() is None:
        return ("PostgreSQL's initdb was not found (on PATH or under /usr/lib/postgresql/*/bin): install the server "
                "(`apt-get install postgresql`, `brew install postgresql`); .ci/run does so in CI")
    if os.geteuid() == 0:
        import pwd

        user = os.environ.get("SUDOLANG_TEST_PG_USER", "postgres")
        try:
            pwd.getpwnam(user)
        except KeyError:
            return (f"running as root, PostgreSQL needs an unprivileged user to run as, and there is no {user!r}: "
                    "create one or name one in $SUDOLANG_TEST_PG_USER")
    return None


def sudolang_command() -> list[str]:
    """`sudolang` as a process of this interpreter."""
    return [sys.executable, "-m", "sudolang"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One throw-away cluster; `url` reaches it over its Unix socket, `tcp_url` over 127.0.0.1."""

    def __init__(self, fsync: bool = False) -> None:
        self.bindir = find_bindir()
        assert self.bindir is not None, missing_reason()
        self.folder = Path(tempfile.mkdtemp(prefix="sudolang-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user: dict = {}
        if os.geteuid() == 0:  # PostgreSQL will not run as root: hand the folder to an unprivileged user
            import pwd

            entry = pwd.getpwnam(os.environ.get("SUDOLANG_TEST_PG_USER", "postgres"))
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self.user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        settings = [f"-k {self.folder}", "-c listen_addresses=127.0.0.1", f"-p {self.port}",
                    "-c max_connections=300", "-c shared_buffers=32MB"]
        if not fsync:  # the tests' cluster is thrown away: durability of its files is not what they test
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self.options = " ".join(settings)
        self._run("initdb", "-D", str(self.data), "--auth=trust", f"--username={ROLE}", "--encoding=UTF8",
                  "--no-sync", "--no-instructions")
        self.start()
        self.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        self.url = f"postgresql:///{DATABASE}?host={self.folder}&port={self.port}&user={ROLE}"
        self.tcp_url = f"postgresql://{ROLE}@127.0.0.1:{self.port}/{DATABASE}"
        self.schemas = 0

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        assert self.bindir is not None
        return subprocess.run([str(self.bindir / program), *args], cwd=self.folder, check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **self.user)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", self.options,
                  "-w", "-t", "120", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def sql(self, statement: str, database: str = DATABASE) -> None:
        """Run one statement of the test's own (never a user's text) as the superuser."""
        import psycopg

        with psycopg.connect(f"host={self.folder} port={self.port} user={ROLE} dbname={database}",
                             autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def schema_url(self) -> str:
        """A URL whose tables live in a new schema of their own, migrated: one test's private store."""
        from sudolang.state import pg

        self.schemas += 1
        name = f"t{self.schemas}"
        self.sql(f"CREATE SCHEMA {name}")
        url = f"{self.url}&options=-csearch_path%3D{name}"
        pg.migrate(url, url)
        return url

    def close(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
