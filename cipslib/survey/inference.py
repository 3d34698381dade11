"""Inference on design-based estimates: logit intervals for proportions, t-tests of differences,
Welch-Satterthwaite degrees of freedom for independent samples, and Holm's multiplicity
adjustment."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats


def logit_interval(
    p: float, se: float, t: float, n: int, level: float = 0.95
) -> tuple[float, float]:
    """CI of a proportion on the logit scale (``svyciprop(method = "logit")``).

    At p = 0 or 1 the logit interval does not exist; the exact one-sided bound for ``n`` respondents
    (``1 - (alpha/2)^(1/n)``) is given instead.

    Examples
    --------
    >>> [round(x, 3) for x in logit_interval(0.2, 0.02, 1.96, 400)]
    [0.164, 0.242]
    """
    if not np.isfinite(p) or n == 0:
        return np.nan, np.nan
    alpha = 1 - level
    if p <= 0 or p >= 1 or se == 0:
        bound = 1 - (alpha / 2) ** (1 / n)
        return (0.0, bound) if p <= 0 else ((1 - bound, 1.0) if p >= 1 else (p, p))
    lg = np.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return float(1 / (1 + np.exp(-(lg - half)))), float(1 / (1 + np.exp(-(lg + half))))


def difference_table(
    diff: np.ndarray, se: np.ndarray, df: np.ndarray, level: float = 0.95
) -> pd.DataFrame:
    """Difference, SE, CI, t, df and two-sided p-value per row (Student's t on ``df``; no test where
    ``df`` is not positive or the SE is zero).

    Examples
    --------
    >>> difference_table([2.0], [1.0], [30]).round(3).iloc[0].tolist()
    [2.0, 1.0, -0.042, 4.042, 2.0, 30.0, 0.055]
    """
    diff, se, df = (np.asarray(v, dtype=float) for v in (diff, se, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        tq = np.where(df > 0, stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, 1)), np.inf)
        stat = np.where(se > 0, diff / np.where(se > 0, se, 1), np.nan)
        p = np.where(
            np.isfinite(stat) & (df > 0),
            2 * stats.t.sf(np.abs(stat), np.where(df > 0, df, 1)),
            np.nan,
        )
    return pd.DataFrame(
        {
            "difference": diff,
            "se": se,
            "ci_low": diff - tq * se,
            "ci_high": diff + tq * se,
            "t": stat,
            "df": df,
            "p_value": p,
        }
    )


def welch_df(se_a: np.ndarray, df_a: np.ndarray, se_b: np.ndarray, df_b: np.ndarray) -> np.ndarray:
    """Welch-Satterthwaite degrees of freedom of a difference of two independent estimates.

    Examples
    --------
    >>> welch_df([2.0], [400], [1.5], [900]).round(1).tolist()
    [856.2]
    """
    va, vb = np.asarray(se_a, float) ** 2, np.asarray(se_b, float) ** 2
    denom = np.where(va > 0, va**2 / df_a, 0.0) + np.where(vb > 0, vb**2 / df_b, 0.0)
    return np.where(
        denom > 0, (va + vb) ** 2 / np.where(denom > 0, denom, 1), np.minimum(df_a, df_b)
    )


def compare_independent(
    a: pd.Series | Mapping, b: pd.Series | Mapping, level: float = 0.95
) -> pd.Series:
    """Difference ``a - b`` of two estimates from independent samples (e.g. two cycles).

    ``a`` and ``b`` are rows of an estimate table (``estimate``, ``se``, ``df``). SE = sqrt(se_a^2 +
    se_b^2); the t-test uses Welch-Satterthwaite degrees of freedom from the two designs' df.

    Examples
    --------
    >>> row = compare_independent({"estimate": 60.0, "se": 2.0, "df": 400},
    ...                           {"estimate": 55.0, "se": 1.5, "df": 900})
    >>> float(row["difference"]), float(row["se"]), bool(row["p_value"] < 0.05)
    (5.0, 2.5, True)
    """
    se = float(np.hypot(float(a["se"]), float(b["se"])))
    df = float(welch_df([float(a["se"])], [float(a["df"])], [float(b["se"])], [float(b["df"])])[0])
    return difference_row(
        float(a["estimate"]) - float(b["estimate"]),
        se,
        df,
        level,
        {
            "estimate_a": float(a["estimate"]),
            "estimate_b": float(b["estimate"]),
            "n_a": int(a.get("n", 0)),
            "n_b": int(b.get("n", 0)),
        },
    )


def difference_row(
    diff: float, se: float, df: float, level: float = 0.95, extra: Mapping | None = None
) -> pd.Series:
    """One row of :func:`difference_table` as a Series, after the ``extra`` fields that describe
    it.

    Examples
    --------
    >>> difference_row(2.0, 1.0, 30, extra={"variable": "y"})[["variable", "difference"]].tolist()
    ['y', 2.0]
    """
    row = difference_table([diff], [se], [df], level).iloc[0]
    return pd.Series({**(extra or {}), **{k: float(v) for k, v in row.items()}})


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (step-down): the k-th smallest of m p-values times m - k + 1, kept
    non-decreasing in that order and at most 1; missing p-values stay missing and do not count.
    The same values as statsmodels' ``multipletests(method="holm")`` (a test checks it), computed
    here because statsmodels collects the garbage on every call (0.1 s each in a report's
    process, which adjusts dozens of families).

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    if not len(known):
        return out
    order = known[np.argsort(p[known], kind="stable")]
    adjusted = np.maximum.accumulate(p[order] * np.arange(len(order), 0, -1))
    out[order] = np.minimum(adjusted, 1.0)
    return out
