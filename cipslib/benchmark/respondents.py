"""The benchmark's analyses that need the respondents' rows rather than the pool's sums: pooled
key drivers with administration fixed effects (:mod:`.drivers`) and differences by a respondent
variable the packages carry (:mod:`.groups`).

The pool's rows are read from DuckDB with the columns these analyses use. The fixed-effects model
has a dummy per administration and iteration, so its design matrix grows with both the rows and
the packages: above :data:`FIXED_EFFECTS_ROWS` respondents the two analyses are left out, and the
benchmark says so (``left_out``) instead of running out of memory.
"""

from __future__ import annotations

import contextlib

import pandas as pd

from .drivers import BREACH_INDICATORS, OUTCOME, pooled_drivers, respondent_scores
from .groups import group_differences
from .pool import Pool

FIXED_EFFECTS_ROWS = 100_000
"""The largest pool (respondents) the pooled key drivers and group differences are computed on."""
DESIGN = ("administration", "cycle", "instrument", "stratum", "weight")


def _one_thread():
    """BLAS on one thread: the regressions' small matrices are slower on several (they contend)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with the project's dependencies
        return contextlib.nullcontext()
    return threadpool_limits(1)


def respondent_tables(
    pool: Pool, min_cell: int, level: float = 0.95
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """``drivers``, ``group_levels`` and ``group_differences`` of the pool, and what was left out
    and why.

    Examples
    --------
    >>> from cipslib.benchmark.pool import open_pool
    >>> with open_pool(folders) as pool:                       # doctest: +SKIP
    ...     tables, left_out = respondent_tables(pool, 10)
    """
    rows = sum(p.respondents for p in pool.packages)
    empty = {"drivers": pd.DataFrame(), "group_levels": pd.DataFrame()}
    empty["group_differences"] = pd.DataFrame()
    if rows > FIXED_EFFECTS_ROWS:
        why = f"{rows} respondents, more than the fixed-effects model takes ({FIXED_EFFECTS_ROWS})"
        return empty, [f"pooled key drivers and group differences: {why}"]
    table = pool.con.sql("select * from pool").df()
    scores = respondent_scores(table, pool.core)
    variables = [c for c in table.columns if c not in DESIGN and c not in pool.items]
    outcomes = [o for o in (OUTCOME, *BREACH_INDICATORS) if o in scores and scores[o].notna().any()]
    with _one_thread():
        drivers = pooled_drivers(scores, outcomes) if outcomes else pd.DataFrame()
        found = [group_differences(scores, v, min_cell=min_cell, level=level) for v in variables]
    if not found:
        return {**empty, "drivers": drivers}, []
    return {
        "drivers": drivers,
        "group_levels": pd.concat([g.levels for g in found], ignore_index=True),
        "group_differences": pd.concat([g.differences for g in found], ignore_index=True),
    }, []
