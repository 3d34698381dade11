"""``cips benchmark``: packages in, ``benchmark.json`` and ``benchmark-summary.json`` out.

``benchmark.json`` holds the figures behind a benchmark report, under disclosure control:

* ``packages``: each package read (folder name, administration, cycle, iteration, version,
  respondents, the table's SHA-256, the core version);
* ``measures``: what is estimated (``factor_index.K``, ``indicator.ID``: kind, factor, groups);
* ``estimates``: per administration, cycle, instrument and measure the estimate (0-100; indicators
  in percent), SE, 95% CI, df and n (:mod:`cipslib.benchmark.estimates`);
* ``peers``, ``change``, ``improving``, ``pooled``, ``pooled_change``
  (:mod:`cipslib.benchmark.peers`);
* ``hidden``: every hidden row, its table and reason (:mod:`cipslib.benchmark.disclosure`);
* ``own``: the administration the benchmark is made for, when given (``--own``); it stays under
  its code like every other.

Administrations appear under the pseudonymous codes their packages give. The summary,
``benchmark-summary.json``, is what a national report compares itself with: per group and factor
the peer median and quartiles (each administration with its latest iteration) and the number of
administrations behind them; no administration's own figure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CipsError
from ..files import atomic_write
from .disclosure import hidden_list, protect_estimates, protect_pooled
from .estimates import Measure, estimates, measures, stratum_sums
from .peers import (
    LATEST,
    MIN_PEERS,
    changes,
    improving,
    iterations,
    peer_distribution,
    pooled_change,
    pooled_estimates,
)
from .pool import Package, open_pool
from .respondents import respondent_tables

FORMAT = 1
JSON_NAME = "benchmark.json"
SUMMARY_NAME = "benchmark-summary.json"
TABLES = (
    "estimates",
    "peers",
    "change",
    "improving",
    "pooled",
    "pooled_change",
    "drivers",
    "group_levels",
    "group_differences",
    "hidden",
)


@dataclass
class Benchmark:
    """The figures of a benchmark (see the module); tables are DataFrames."""

    packages: tuple[Package, ...]
    iterations: pd.DataFrame
    measures: list[Measure]
    core: str
    min_cell: int
    own: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    """Analyses not made, and why (a pool too large for the fixed-effects model)."""

    @property
    def respondents(self) -> int:
        return sum(p.respondents for p in self.packages)

    @property
    def administrations(self) -> list[str]:
        return sorted({p.administration for p in self.packages})

    def to_json(self) -> dict[str, Any]:
        """``benchmark.json`` as a dict."""
        it = self.iterations.set_index(["administration", "cycle"])["iteration"]
        packages = [
            {
                "folder": p.folder.name,
                "administration": p.administration,
                "cycle": p.cycle,
                "iteration": int(it[(p.administration, p.cycle)]),
                "version": p.version,
                "respondents": p.respondents,
                "sha256": p.sha256,
                "core": p.core,
            }
            for p in sorted(self.packages, key=lambda p: (p.administration, p.cycle))
        ]
        return {
            "format": FORMAT,
            "core": self.core,
            "min_cell": self.min_cell,
            "min_peers": MIN_PEERS,
            "own": self.own,
            "left_out": self.left_out,
            "administrations": self.administrations,
            "packages": packages,
            "measures": [
                {
                    "measure": m.id,
                    "kind": m.kind,
                    "ref": m.ref,
                    "factor": m.factor,
                    "instruments": list(m.instruments),
                }
                for m in self.measures
            ],
            **{name: records(self.tables[name]) for name in TABLES},
        }

    def summary(self) -> dict[str, Any]:
        """``benchmark-summary.json`` as a dict: the peer distribution of each factor per group
        (latest iterations)."""
        peers = self.tables["peers"]
        peers = peers[(peers["iteration"] == LATEST) & peers["measure"].str.startswith("factor_")]
        factor = {m.id: m.factor for m in self.measures}
        rows = [
            {
                "group": r["instrument"],
                "factor": factor[r["measure"]],
                "measure": r["measure"],
                "administrations": int(r["administrations"]),
                "q1": r["q1"],
                "median": r["median"],
                "q3": r["q3"],
                "hidden": r["hidden"],
            }
            for _, r in peers.iterrows()
        ]
        cycles = sorted({p.cycle for p in self.packages})
        return {
            "format": FORMAT,
            "core": self.core,
            "min_cell": self.min_cell,
            "administrations": len(self.administrations),
            "cycles": cycles,
            "convention": (
                "each administration counts once, with its latest iteration; published estimates "
                "only; quartiles interpolated linearly"
            ),
            "peers": records(pd.DataFrame(rows)),
        }


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready records: plain numbers, None where a value is missing.

    Examples
    --------
    >>> records(pd.DataFrame({"a": [1, None], "b": ["x", None], "c": [True, False]}))
    [{'a': 1.0, 'b': 'x', 'c': True}, {'a': None, 'b': None, 'c': False}]
    """
    columns = {}
    for name, col in table.items():
        missing = pd.isna(col).to_numpy()
        if pd.api.types.is_bool_dtype(col):
            plain = bool
        elif pd.api.types.is_integer_dtype(col):
            plain = int
        elif pd.api.types.is_float_dtype(col):
            plain = float
        else:
            plain = _plain
        values = col.to_numpy(dtype=object)
        columns[name] = [None if m else plain(v) for v, m in zip(values, missing, strict=True)]
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def summary_lines(result: Benchmark) -> list[str]:
    """What ``cips benchmark`` prints: the pool, the pooled change per group, what was hidden.

    Examples
    --------
    >>> import tempfile
    >>> from cipslib.exchange.package import Share, core_version, write_package
    >>> folders = []
    >>> for cycle, answers in ((2021, [1.0, 2.0, 3.0, 2.0]), (2023, [3.0, 4.0, 5.0, 4.0])):
    ...     rows = pd.DataFrame({"administration": "A01", "cycle": cycle, "instrument": "official",
    ...                          "stratum": "official", "weight": 1.0, "REG_CLEAR": answers})
    ...     meta = {"administration": "A01", "cycle": cycle, "min_cell": 1, "codebook": "-",
    ...             "core": core_version(), "instruments": ["official"], "respondents": 4}
    ...     folders.append(tempfile.mkdtemp())
    ...     _ = write_package(Share(rows, meta=meta), folders[-1])
    >>> for line in summary_lines(compute_benchmark(folders, min_cell=1)):
    ...     print(line)
    2 packages, 1 administrations (1 with two iterations or more), cycles 2021-2023, 8 respondents
    pooled change (administrations with two iterations), official: 1 of 1 factors up, 1 significant
    hidden: 3 few administrations
    """
    iters = result.iterations
    twice = int((iters.groupby("administration")["cycle"].size() >= 2).sum())
    cycles = sorted(iters["cycle"].unique())
    lines = [
        f"{len(result.packages)} packages, {len(result.administrations)} administrations "
        f"({twice} with two iterations or more), cycles {cycles[0]}-{cycles[-1]}, "
        f"{result.respondents} respondents"
    ]
    if result.own:
        lines.append(f"own administration: {result.own}")
    change = result.tables["pooled_change"]
    change = change[change["measure"].str.startswith("factor_index.") & change["hidden"].isna()]
    for g, rows in change.groupby("instrument", sort=False):
        up = int((rows["difference"] > 0).sum())
        sig = int(((rows["difference"] > 0) & rows["significant"]).sum())
        lines.append(
            f"pooled change (administrations with two iterations), {g}: "
            f"{up} of {len(rows)} factors up, {sig} significant"
        )
    hidden = result.tables["hidden"]
    if len(hidden):
        counts = hidden["reason"].value_counts()
        lines.append("hidden: " + ", ".join(f"{n} {why}" for why, n in counts.items()))
    return lines


def compute_benchmark(
    packages: Iterable[str | Path], own: str | None = None, min_cell: int = 10, level: float = 0.95
) -> Benchmark:
    """Every figure of the benchmark of ``packages`` (see the module); :func:`benchmark` writes
    them."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise CipsError(f"--min-cell takes a whole number of at least 1 (found {min_cell!r})")
    with open_pool(packages) as pool:
        administrations = sorted({p.administration for p in pool.packages})
        if own is not None and own not in administrations:
            found = ", ".join(administrations)
            raise CipsError(f"--own {own}: no package of that administration (found {found})")
        chosen = measures(pool)
        sums = stratum_sums(pool, chosen)
        order = {"instrument": list(pool.core.instruments), "measure": [m.id for m in chosen]}
        found = (pool.packages, pool.packages[0].core)
        by_respondent, left_out = respondent_tables(pool, min_cell, level)
    iters = iterations(found[0])
    shares = {m.id for m in chosen if m.proportion}
    pooled = protect_pooled(pooled_estimates(sums, iters, shares, level), min_cell)
    est = protect_estimates(
        estimates(sums, chosen, level),
        pooled,
        iters,
        sums.cells[["administration", "cycle", "instrument"]].drop_duplicates(),
        {m.id: m.instruments for m in chosen},
        min_cell,
    )
    est = est.merge(iters[["administration", "cycle", "iteration", "latest"]], how="left")
    est["own"] = est["administration"] == own
    change = changes(est, iters)
    tables = {
        "estimates": est,
        "peers": peer_distribution(est, iters),
        "change": change,
        "improving": improving(change),
        "pooled": pooled,
        "pooled_change": pooled_change(pooled),
    }
    tables = {name: _in_order(t, order) for name, t in tables.items()}
    tables["hidden"] = hidden_list(**tables)
    tables.update(by_respondent)
    return Benchmark(found[0], iters, chosen, found[1], min_cell, own, tables, left_out)


def _in_order(table: pd.DataFrame, order: dict[str, list[str]]) -> pd.DataFrame:
    """Rows by administration, cycle, set, iteration, then instrument and measure in the
    codebook's order."""
    keys = [c for c in ("administration", "cycle", "set") if c in table.columns]
    if "iteration" in table.columns:  # the latest first, then 1, 2, ...
        order = {"iteration": [LATEST, *map(str, range(1, 100)), *range(1, 100)], **order}
    ranks = {
        f"_{c}": table[c].map({v: i for i, v in enumerate(values)})
        for c, values in order.items()
        if c in table.columns
    }
    ranked = table.assign(**ranks)
    by = [*keys, *ranks]
    return ranked.sort_values(by, kind="stable").drop(columns=list(ranks)).reset_index(drop=True)


def benchmark(
    packages: Iterable[str | Path], out: str | Path, own: str | None = None, min_cell: int = 10
) -> Benchmark:
    """Benchmark ``packages`` and write ``benchmark.json`` and ``benchmark-summary.json`` into
    ``out`` (see the module).

    Examples
    --------
    >>> benchmark([], "out")
    Traceback (most recent call last):
    ...
    cipslib.errors.CipsDataError: 1 problem found:
      - no package to pool (expected one or more package folders)
    """
    result = compute_benchmark(list(packages), own, min_cell)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # the figures compact (the C encoder: indenting takes seconds at scale), the summary to read
    for name, content, indent in (
        (JSON_NAME, result.to_json(), None),
        (SUMMARY_NAME, result.summary(), 1),
    ):
        text = json.dumps(content, ensure_ascii=False, indent=indent, allow_nan=False) + "\n"
        atomic_write(out / name, lambda p, text=text: p.write_text(text, encoding="utf-8"))
    return result


__all__ = [
    "JSON_NAME",
    "SUMMARY_NAME",
    "Benchmark",
    "benchmark",
    "compute_benchmark",
    "records",
    "summary_lines",
]
