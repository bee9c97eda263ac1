"""`python -m sudolang` runs the command line."""

from sudolang.cli import main

raise SystemExit(main())
