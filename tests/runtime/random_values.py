"""Random run-time values for the property tests of sudolang.runtime.values and .stdlib: every kind Core has
(null, booleans, numbers at the edges of JSON, texts that look like numbers, dates and placeholders, arrays,
objects and functions), nested a few levels deep."""

from __future__ import annotations

import random

from sudolang.errors import RunError
from sudolang.runtime import values as v


def _raises_run_error(x=None):
    raise RunError("thrown")


CALLBACKS = [lambda x=None: x, lambda x=None: v.add(x, 1), lambda: 1, _raises_run_error, lambda x=None: [x],
             lambda x=None: v.member(x, "a"), lambda x=None: v.truthy(x)]
WHOLE = [0, 1, -1, 2, 3, 7, 10**308, -(10**308), 2**53, 2**63, 10**20, 401, -401, 1024, -2000, 5000, 10**7, -(10**7)]
DECIMAL = [0.0, -0.0, 0.5, -2.5, 1e308, -1e308, 1e-308, 5e-324, 3.0, 2.0**60, 1 / 3, 1e16, 2.675]
TEXTS = ["", "a", "abc", "T-12", " 4 ", "-2.5", "1e3", "{a}", "é😀", "\x00", "2024-03-05", ",", "2024-03-05T10:00:00Z",
         "1" * 500, "-", "a" * 1000, "9999-12-31", "0001-01-01", "{}"]


def random_value(rng: random.Random, depth: int = 0):
    pick = rng.randrange(14 if depth < 3 else 10)
    if pick == 0:
        return None
    if pick == 1:
        return rng.random() < 0.5
    if pick == 2:
        return rng.choice(WHOLE)
    if pick == 3:
        return rng.choice(DECIMAL)
    if pick == 4:
        return rng.randint(-50, 50)
    if pick in (5, 6, 7):
        return rng.choice(TEXTS)
    if pick == 8:
        return rng.choice(CALLBACKS)
    if pick == 9:
        return rng.uniform(-1e6, 1e6)
    if pick in (10, 11):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {rng.choice(["a", "b", "c", "", "é"]): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
