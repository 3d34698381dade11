"""Disclosure control of a benchmark, by the national report's rule
(:mod:`cipslib.analysis.disclosure`): no estimate resting on fewer than ``min_cell`` respondents
is published, and no hidden one can be worked out from what is.

The cells are the administrations' estimates (their ``n`` the counts); the published sums, per
measure, are

* each pooled estimate's ``n`` (:func:`cipslib.benchmark.peers.pooled_estimates`): the sum of the
  cells of the administrations in its set, for its instrument;
* each package's respondents (given in the packages' list, and by the degrees of freedom of its
  estimates): a bound on the sum of its cells over the instruments, declared as an exact sum, as
  the national rule does with bounds; for a measure of only some of the package's instruments
  (an indicator of one group) the bound leaves out the other instruments' respondents, which are
  not published, and is no sum.

:func:`cipslib.analysis.disclosure.protect` then hides the small cells ("small") and, while a
hidden cell follows from the published sums, further cells ("complementary"). A small cell that
the published sums give away whatever is hidden (a package of one instrument with fewer than
``min_cell`` respondents) is hidden and marked ``exposed``. A pooled estimate on fewer than
``min_cell`` respondents is hidden ("small") and is then no published sum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.disclosure import SMALL, protect

VALUES = ("estimate", "se", "ci_low", "ci_high", "df", "n")


def protect_pooled(pooled: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Pooled estimates on fewer than ``min_cell`` respondents hidden (reason "small").

    Examples
    --------
    >>> t = pd.DataFrame({"estimate": [50.0, 60.0], "n": [9, 900]})
    >>> protect_pooled(t, 10)["hidden"].tolist()
    ['small', None]
    """
    out = pooled.copy()
    small = (out["n"] > 0) & (out["n"] < min_cell)
    out["hidden"] = pd.Series(np.where(small, SMALL, None), index=out.index, dtype=object)
    return _blank(out)


def protect_estimates(
    estimates: pd.DataFrame,
    pooled: pd.DataFrame,
    iters: pd.DataFrame,
    instruments: pd.DataFrame,
    measures: dict[str, tuple[str, ...]],
    min_cell: int,
) -> pd.DataFrame:
    """The administrations' estimates with ``hidden`` (None, "small", "complementary") and
    ``exposed``, the hidden ones' values blank (see the module). ``pooled`` has been through
    :func:`protect_pooled`; ``instruments`` lists each package's instruments (administration,
    cycle, instrument) and ``measures`` the instruments of each measure.

    Examples
    --------
    >>> est = pd.DataFrame({"administration": ["A", "B", "C"], "cycle": 2023,
    ...                     "instrument": "private", "measure": "indicator.x",
    ...                     "estimate": [20.0, 30.0, 40.0], "n": [5, 40, 60]})
    >>> iters = est[["administration", "cycle"]].assign(set="later")
    >>> pooled = pd.DataFrame({"set": ["later"], "instrument": "private",
    ...                        "measure": "indicator.x", "n": [105], "hidden": None})
    >>> held = pd.concat([est[["administration", "cycle"]].assign(instrument=g)
    ...                   for g in ("official", "private")])
    >>> out = protect_estimates(est, pooled, iters, held, {"indicator.x": ("private",)}, 10)
    >>> out["hidden"].tolist(), out["estimate"].tolist()
    (['small', 'complementary', None], [nan, nan, 40.0])
    """
    t = estimates.merge(iters[["administration", "cycle", "set"]], on=["administration", "cycle"])
    held = instruments.groupby(["administration", "cycle"])["instrument"].agg(frozenset).to_dict()
    reason = np.full(len(t), None, dtype=object)
    exposed = np.zeros(len(t), dtype=bool)
    shown = pooled[pooled["hidden"].isna()]
    published = set(zip(shown["measure"], shown["set"], shown["instrument"], strict=True))
    for measure, rows in t.groupby("measure", sort=False):
        pos = rows.index.to_numpy()
        of_measure = set(measures.get(measure, ()))
        packages = rows.groupby(["administration", "cycle"], sort=False).indices
        sums = [
            (list(at), None)
            for key, at in packages.items()
            if held.get(key, frozenset()) <= of_measure
        ]
        pools = rows.groupby(["set", "instrument"], sort=False).indices
        sums += [(list(at), None) for (s, g), at in pools.items() if (measure, s, g) in published]
        decision = protect(rows["n"].to_numpy(dtype=float), sums, min_cell)
        reason[pos] = decision.reason
        exposed[pos] = decision.exposed
    out = t.drop(columns="set")
    out["hidden"] = pd.Series(reason, index=out.index, dtype=object)
    out["exposed"] = exposed
    return _blank(out)


def _blank(table: pd.DataFrame) -> pd.DataFrame:
    """The values of hidden rows blanked (n and df stay whole numbers where shown)."""
    hidden = table["hidden"].notna().to_numpy()
    for c in VALUES:
        if c in table.columns:
            values = table[c].astype(float).where(~hidden)
            whole = c in ("n", "df") and (values.dropna() % 1 == 0).all()
            table[c] = values.round().astype("Int64") if whole else values
    return table


def hidden_list(**tables: pd.DataFrame) -> pd.DataFrame:
    """What was hidden and why, from every table's ``hidden`` column: the table, the row's keys
    and the reason.

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["A", "B"], "measure": "m", "hidden": ["small", None]})
    >>> hidden_list(estimates=t)[["table", "administration", "reason"]].values.tolist()
    [['estimates', 'A', 'small']]
    """
    keys = ["administration", "cycle", "set", "iteration", "instrument", "measure"]
    parts = []
    for name, t in tables.items():
        if "hidden" not in t.columns:
            continue
        rows = t[t["hidden"].notna()]
        part = rows[[c for c in keys if c in rows.columns]].copy()
        part.insert(0, "table", name)
        part["reason"] = rows["hidden"]
        if "exposed" in rows.columns:
            part["exposed"] = rows["exposed"]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out.reindex(columns=["table", *keys, "reason", "exposed"])


__all__ = ["VALUES", "hidden_list", "protect_estimates", "protect_pooled"]
