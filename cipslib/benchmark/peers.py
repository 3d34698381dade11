"""Administrations against their peers, change between iterations, and the pooled estimates.

Conventions:

* **Iterations.** An administration's packages in cycle order are its iterations 1, 2, ...; its
  latest is the one of its latest cycle.
* **Peer distribution** (:func:`peer_distribution`): per instrument and measure, the median and
  quartiles (linear interpolation between order statistics, numpy's default) of the
  administrations' published estimates, each administration counting once: with its latest
  iteration (``iteration`` "latest"), and per iteration number ("1", "2", ...). Estimates hidden by
  disclosure control are not in it, so the distribution can be recomputed from what is published.
  With fewer than ``min_peers`` administrations the quartiles would be the estimates themselves:
  the row is hidden (reason "few administrations").
* **Change** (:func:`changes`): for an administration with two iterations or more, its latest
  minus the one before, per instrument and measure; the samples are independent, so the SE is
  ``sqrt(se_a² + se_b²)`` and the t-test uses Welch-Satterthwaite degrees of freedom
  (:func:`cipslib.survey.inference.welch_df`), significant below ``alpha`` (5%).
* **Improving** (:func:`improving`): per instrument and factor, among administrations with a
  published change, how many went up (point estimate) and how many went up significantly.
* **Pooled** (:func:`pooled_estimates`): the administrations with two iterations or more as one
  design per set, "earlier" (the iteration before their latest) and "later" (their latest): each
  administration's strata are strata of the pooled design (administration x stratum, the stratum
  being the instrument today), its weights as they are, so the pooled figure describes the
  combined staff and private sector of those administrations; the pooled change is later minus
  earlier, independent samples.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..survey.inference import difference_table, welch_df
from .estimates import Sums, domain_estimates, in_percent  # noqa: F401 (Sums: doctests)
from .pool import Package

EARLIER, LATER = "earlier", "later"
LATEST = "latest"
MIN_PEERS = 3
"""Fewest administrations behind a peer distribution (with fewer its quartiles are estimates)."""
ALPHA = 0.05


def iterations(packages: Iterable[Package]) -> pd.DataFrame:
    """Per package: the administration, cycle, its iteration number, the administration's count
    of iterations, whether it is the latest, and its set in the pooled estimates (earlier, later
    or none).

    Examples
    --------
    >>> from pathlib import Path
    >>> ps = [Package(Path("."), a, c, "2", "", "", 10, ()) for a, c in
    ...       [("A", 2021), ("A", 2023), ("B", 2023)]]
    >>> iterations(ps)[["administration", "iteration", "latest", "set"]].values.tolist()
    [['A', 1, False, 'earlier'], ['A', 2, True, 'later'], ['B', 1, True, None]]
    """
    t = pd.DataFrame(
        [(p.administration, p.cycle) for p in packages], columns=["administration", "cycle"]
    )
    t = t.sort_values(["administration", "cycle"], kind="stable").reset_index(drop=True)
    t["iteration"] = t.groupby("administration").cumcount() + 1
    t["iterations"] = t.groupby("administration")["cycle"].transform("size")
    t["latest"] = t["iteration"] == t["iterations"]
    many = t["iterations"] >= 2
    t["set"] = np.where(
        many & t["latest"],
        LATER,
        np.where(many & (t["iteration"] == t["iterations"] - 1), EARLIER, None),
    )
    t["set"] = t["set"].astype(object).where(t["set"].notna(), None)
    return t


def peer_distribution(
    estimates: pd.DataFrame, iters: pd.DataFrame, min_peers: int = MIN_PEERS
) -> pd.DataFrame:
    """Median and quartiles of the administrations' published estimates (see the module).

    Examples
    --------
    >>> est = pd.DataFrame({"administration": ["A", "A", "B", "C"],
    ...                     "cycle": [2021, 2023, 2023, 2023], "instrument": "official",
    ...                     "measure": "factor_index.1", "estimate": [50.0, 56.0, 60.0, 40.0],
    ...                     "se": [2.0, 2.0, 1.0, 1.5], "df": [300, 300, 200, 250], "hidden": None})
    >>> iters = pd.DataFrame({"administration": ["A", "A", "B", "C"],
    ...                       "cycle": [2021, 2023, 2023, 2023], "iteration": [1, 2, 1, 1],
    ...                       "latest": [False, True, True, True],
    ...                       "set": ["earlier", "later", None, None]})
    >>> p = peer_distribution(est, iters)
    >>> p[["iteration", "administrations", "q1", "median", "q3"]].values.tolist()
    [['latest', 3, 48.0, 56.0, 58.0], ['1', 3, 45.0, 50.0, 55.0], ['2', 1, nan, nan, nan]]
    """
    t = estimates[estimates["estimate"].notna()].drop(
        columns=["iteration", "latest"], errors="ignore"
    )
    t = t.merge(
        iters[["administration", "cycle", "iteration", "latest"]], on=["administration", "cycle"]
    )
    parts = [t[t["latest"]].assign(iteration=LATEST)]
    parts += [
        t[t["iteration"] == k].assign(iteration=str(k)) for k in sorted(t["iteration"].unique())
    ]
    rows = []
    for part in parts:
        for (it, inst, measure), g in part.groupby(
            ["iteration", "instrument", "measure"], sort=False
        ):
            v = g["estimate"].to_numpy(dtype=float)
            q1, median, q3 = np.percentile(v, [25, 50, 75])
            few = len(v) < min_peers
            rows.append(
                {
                    "iteration": it,
                    "instrument": inst,
                    "measure": measure,
                    "administrations": len(v),
                    "q1": np.nan if few else q1,
                    "median": np.nan if few else median,
                    "q3": np.nan if few else q3,
                    "hidden": "few administrations" if few else None,
                }
            )
    columns = ["iteration", "instrument", "measure", "administrations", "q1", "median", "q3"]
    return pd.DataFrame(rows, columns=[*columns, "hidden"])


def _difference(later: pd.DataFrame, earlier: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Later minus earlier of aligned rows (``estimate``, ``se``, ``df``), independent samples."""
    diff = later["estimate"].to_numpy(dtype=float) - earlier["estimate"].to_numpy(dtype=float)
    se = np.hypot(later["se"].to_numpy(dtype=float), earlier["se"].to_numpy(dtype=float))
    df = welch_df(
        later["se"].to_numpy(dtype=float),
        later["df"].to_numpy(dtype=float),
        earlier["se"].to_numpy(dtype=float),
        earlier["df"].to_numpy(dtype=float),
    )
    out = difference_table(diff, se, df)
    out["significant"] = (out["p_value"] < alpha).fillna(False).astype(bool)
    return out


def changes(estimates: pd.DataFrame, iters: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Per administration with two iterations or more, instrument and measure: its latest
    iteration minus the one before (see the module); hidden when either estimate is.

    Examples
    --------
    >>> est = pd.DataFrame({"administration": ["A", "A", "B", "C"],
    ...                     "cycle": [2021, 2023, 2023, 2023], "instrument": "official",
    ...                     "measure": "factor_index.1", "estimate": [50.0, 56.0, 60.0, 40.0],
    ...                     "se": [2.0, 2.0, 1.0, 1.5], "df": [300, 300, 200, 250], "hidden": None})
    >>> iters = pd.DataFrame({"administration": ["A", "A", "B", "C"],
    ...                       "cycle": [2021, 2023, 2023, 2023], "iteration": [1, 2, 1, 1],
    ...                       "latest": [False, True, True, True],
    ...                       "set": ["earlier", "later", None, None]})
    >>> c = changes(est, iters).iloc[0]
    >>> float(c["difference"]), round(float(c["se"]), 3), bool(c["significant"])
    (6.0, 2.828, True)
    """
    keys = ["administration", "instrument", "measure"]
    sets = iters[iters["set"].notna()][["administration", "cycle", "set"]]
    t = estimates.merge(sets, on=["administration", "cycle"])
    cols = [*keys, "cycle", "estimate", "se", "df", "hidden"]
    both = t[t["set"] == LATER][cols].merge(
        t[t["set"] == EARLIER][cols], on=keys, suffixes=("_later", "_earlier")
    )
    later = both[["estimate_later", "se_later", "df_later"]].set_axis(
        ["estimate", "se", "df"], axis=1
    )
    earlier = both[["estimate_earlier", "se_earlier", "df_earlier"]].set_axis(
        ["estimate", "se", "df"], axis=1
    )
    test = _difference(later, earlier, alpha)
    out = pd.concat(
        [
            both[[*keys, "cycle_earlier", "cycle_later", "estimate_earlier", "estimate_later"]],
            test.drop(columns="t"),
        ],
        axis=1,
    )
    hidden = both["hidden_later"].where(both["hidden_later"].notna(), both["hidden_earlier"])
    out["hidden"] = hidden.astype(object).where(hidden.notna(), None)
    shown = out["hidden"].isna()
    for c in ["estimate_earlier", "estimate_later", *test.columns.drop("t")]:
        if c != "significant":
            out[c] = out[c].where(shown)
    out["significant"] = out["significant"] & shown
    return out


def improving(change: pd.DataFrame) -> pd.DataFrame:
    """Per instrument and factor: administrations with a published change, how many went up,
    how many significantly, and the shares.

    Examples
    --------
    >>> change = pd.DataFrame({"administration": ["A", "B"], "instrument": "official",
    ...                        "measure": "factor_index.1", "difference": [2.0, -1.0],
    ...                        "significant": [True, False], "hidden": None})
    >>> r = improving(change).iloc[0]
    >>> int(r["administrations"]), int(r["improving"]), float(r["share_improving"])
    (2, 1, 0.5)
    """
    t = change[change["measure"].str.startswith("factor_index.") & change["hidden"].isna()]
    t = t.assign(up=t["difference"] > 0, up_significant=(t["difference"] > 0) & t["significant"])
    out = (
        t.groupby(["instrument", "measure"], sort=False)
        .agg(
            administrations=("administration", "size"),
            improving=("up", "sum"),
            improving_significantly=("up_significant", "sum"),
        )
        .reset_index()
    )
    counts = ["administrations", "improving", "improving_significantly"]
    out[counts] = out[counts].astype(int)
    out["share_improving"] = out["improving"] / out["administrations"]
    out["share_improving_significantly"] = out["improving_significantly"] / out["administrations"]
    return out


def pooled_estimates(
    sums: Sums, iters: pd.DataFrame, shares: set[str], level: float = 0.95
) -> pd.DataFrame:
    """The pooled estimates of the administrations with two iterations or more, per set
    (earlier, later), instrument and measure (see the module).

    Examples
    --------
    >>> cells = pd.DataFrame({"administration": ["A", "B"], "cycle": 2023, "stratum": "official",
    ...                       "instrument": "official", "measure": "factor_index.1",
    ...                       "n": [2, 2], "w": [2.0, 2.0], "wy": [100.0, 200.0],
    ...                       "ww": [2.0, 2.0], "wwy": [100.0, 200.0], "wwyy": [10000.0, 20000.0]})
    >>> strata = cells[["administration", "cycle", "stratum"]].assign(rows=2)
    >>> iters = pd.DataFrame({"administration": ["A", "B"], "cycle": 2023, "set": "later"})
    >>> r = pooled_estimates(Sums(cells, strata), iters, set()).iloc[0]
    >>> r["set"], int(r["administrations"]), float(r["estimate"]), int(r["n"]), int(r["df"])
    ('later', 2, 75.0, 4, 2)
    """
    sets = iters[iters["set"].notna()][["administration", "cycle", "set"]]
    cells = sums.cells.merge(sets, on=["administration", "cycle"])
    strata = sums.strata.merge(sets, on=["administration", "cycle"])
    if cells.empty:
        columns = ["set", "instrument", "measure", "administrations", "estimate", "se"]
        return pd.DataFrame(columns=[*columns, "ci_low", "ci_high", "df", "n"])
    out = domain_estimates(
        cells, strata, ["set"], ["administration", "cycle", "stratum"], shares, level
    )
    counts = (
        cells[cells["n"] > 0]
        .groupby(["set", "instrument", "measure"])["administration"]
        .nunique()
        .rename("administrations")
    )
    out = out.merge(counts.reset_index(), on=["set", "instrument", "measure"], how="left")
    order = ["set", "instrument", "measure", "administrations"]
    out = out[[*order, *[c for c in out.columns if c not in order]]]
    return in_percent(out, shares)


def pooled_change(pooled: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Pooled later minus pooled earlier, per instrument and measure; hidden when either is.

    Examples
    --------
    >>> pooled = pd.DataFrame({"set": ["earlier", "later"], "instrument": "official",
    ...                        "measure": "factor_index.1", "estimate": [50.0, 53.0],
    ...                        "se": [1.0, 1.0], "df": [900, 900], "hidden": None})
    >>> c = pooled_change(pooled).iloc[0]
    >>> float(c["difference"]), bool(c["significant"])
    (3.0, True)
    """
    keys = ["instrument", "measure"]
    cols = [*keys, "estimate", "se", "df", "hidden"]
    both = pooled[pooled["set"] == LATER][cols].merge(
        pooled[pooled["set"] == EARLIER][cols], on=keys, suffixes=("_later", "_earlier")
    )
    later = both[["estimate_later", "se_later", "df_later"]].set_axis(
        ["estimate", "se", "df"], axis=1
    )
    earlier = both[["estimate_earlier", "se_earlier", "df_earlier"]].set_axis(
        ["estimate", "se", "df"], axis=1
    )
    test = _difference(later, earlier, alpha).drop(columns="t")
    out = pd.concat([both[[*keys, "estimate_earlier", "estimate_later"]], test], axis=1)
    hidden = both["hidden_later"].where(both["hidden_later"].notna(), both["hidden_earlier"])
    out["hidden"] = hidden.astype(object).where(hidden.notna(), None)
    return out


__all__ = [
    "ALPHA",
    "EARLIER",
    "LATER",
    "LATEST",
    "MIN_PEERS",
    "changes",
    "improving",
    "iterations",
    "peer_distribution",
    "pooled_change",
    "pooled_estimates",
]
