"""`python -m sudolang` runs the command line."""

from sudolang.cli import entry

entry()
