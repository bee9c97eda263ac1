"""sudolang/ type-checks with mypy, configured in pyproject.toml ([tool.mypy]).

Most modules use `from __future__ import annotations`, so an annotation is never evaluated at run time and one
that names something undefined (`Any` not imported, a `Location` alias never written) fails no other test.
mypy reports it ("Name 'X' is not defined"), and checks the rest of what the annotations say. Names needed only
by annotations are imported under `if TYPE_CHECKING:` (a module-level `TYPE_CHECKING = False` where importing
`typing` would cost start-up), which mypy reads as true.

mypy keeps its cache in .mypy_cache/ (ignored by git): a run after the first takes about a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_sudolang_type_checks():
    env = dict(os.environ)
    env.pop("COVERAGE_PROCESS_CONFIG", None)  # under `pytest --cov` coverage would trace mypy itself (twice as slow)
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"mypy found problems:\n{result.stdout}{result.stderr}"
