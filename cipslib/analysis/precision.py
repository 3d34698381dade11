"""Precision of every estimate, and the rule that marks an estimate as too imprecise to lean on.

Following the presentation standards of statistical agencies (the US National Center for Health
Statistics' standards for proportions are the model), each estimate carries

* ``effective_sample_size``: Kish's effective sample size of the respondents behind it (those in its
  group with a valid answer), ``(sum w)^2 / sum w^2``: unequal weights count against it;
* ``half_width``: half the width of its 95% confidence interval, in the estimate's own unit
  (percentage points for shares, points for 0-100 indices), which carries the design's variance;
* ``low_precision``: True when ``effective_sample_size`` is under ``min_n_effective`` (default 30)
  or ``half_width`` is over ``max_half_width`` (default 10 points).

Low-precision estimates are marked in every table of the report and never become key findings.
Suppressed estimates (fewer than ``min_cell`` respondents) are hidden anyway: their precision is not
shown either, so it cannot hint at the size of a hidden group.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

PRECISION_COLUMNS = ("effective_sample_size", "half_width", "low_precision")


def kish_effective_n(
    values: pd.DataFrame, masks: Mapping[str, np.ndarray], weights: np.ndarray
) -> pd.DataFrame:
    """Kish's effective sample size per measure (column of ``values``) and group (``masks``),
    over the respondents with a valid value.

    Examples
    --------
    >>> values = pd.DataFrame({"m": [1.0, 0.0, np.nan, 1.0]})
    >>> kish_effective_n(values, {"all": np.array([True] * 4)}, np.array([1.0, 1.0, 5.0, 2.0]))
    ... # doctest: +NORMALIZE_WHITESPACE
      measure group  effective_sample_size
    0       m   all               2.666667
    """
    valid = values.notna().to_numpy(dtype=float)
    frames = []
    for group, mask in masks.items():
        w = np.where(mask, weights, 0.0)[:, None] * valid
        total, squares = w.sum(axis=0), (w**2).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(squares > 0, total**2 / squares, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "measure": values.columns,
                    "group": pd.Series([group] * len(values.columns), dtype=object),
                    "effective_sample_size": n_eff,
                }
            )
        )
    if not frames:  # no group
        columns = {"measure": object, "group": object, "effective_sample_size": float}
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return pd.concat(frames, ignore_index=True)


def add_precision(
    table: pd.DataFrame,
    n_effective: pd.DataFrame,
    min_n_effective: float = 30,
    max_half_width: float = 10.0,
    on: tuple[str, ...] = ("measure", "group"),
) -> pd.DataFrame:
    """``table`` (with ``measure``, ``group``, ``ci_low``, ``ci_high`` and ``suppressed``) with the
    precision columns, the effective sample size taken from :func:`kish_effective_n`'s table
    (joined on the columns ``on``).

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["a", "b"], "group": "g", "ci_low": [45.0, 30.0],
    ...                   "ci_high": [55.0, 70.0], "suppressed": False})
    >>> n = pd.DataFrame({"measure": ["a", "b"], "group": "g",
    ...                   "effective_sample_size": [250.0, 20.0]})
    >>> add_precision(t, n)[["half_width", "low_precision"]].to_dict("records")
    [{'half_width': 5.0, 'low_precision': False}, {'half_width': 20.0, 'low_precision': True}]
    """
    out = table.merge(n_effective, on=list(on), how="left")
    hidden = out["suppressed"].fillna(False).astype(bool).to_numpy()
    n_eff = np.where(hidden, np.nan, out["effective_sample_size"].to_numpy(dtype=float))
    half = (out["ci_high"].astype(float) - out["ci_low"].astype(float)).to_numpy() / 2
    shown = np.isfinite(n_eff) & np.isfinite(half)
    out["effective_sample_size"] = n_eff
    out["half_width"] = np.where(hidden, np.nan, half)
    out["low_precision"] = shown & ((n_eff < min_n_effective) | (half > max_half_width))
    return out
