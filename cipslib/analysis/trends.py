"""Change between two cycles: raw, weighted, composition-standardised, and its decomposition.

Three changes are reported for every indicator present in both cycles (items matched by the
codebook's cross-cycle key), each with a CI and a t-test for independent samples
(Welch-Satterthwaite df):

* **raw**: unweighted respondents of each cycle, as a naive reading of the two reports would compare
  them;
* **weighted**: each cycle raked to its own population figures;
* **standardised**: both cycles raked to the *same* population figures (the current cycle's), so the
  change is not driven by a change in who answered as far as the raking variables capture it.

The **decomposition** splits the raw change of a group into a *composition* part (who answered) and
a *within* part (change inside each cell of a grouping variable, e.g. managers and non-managers), by
Kitagawa's symmetric formula:

    raw change = sum_c (s2c - s1c) (m1c + m2c) / 2   [composition]
               + sum_c (m2c - m1c) (s1c + s2c) / 2   [within]

with s the unweighted cell shares and m the cell means of respondents with a valid value. Both parts
get linearised standard errors (cell shares and means are ratio estimators; the cycles are
independent). A cell present in only one cycle contributes to the composition part only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..survey.design import SurveyDesign
from ..survey.inference import difference_table, welch_df


def compare_estimates(
    current: pd.DataFrame, previous: pd.DataFrame, on: list[str], level: float = 0.95
) -> pd.DataFrame:
    """Change from ``previous`` to ``current`` of estimate tables with the same keys ``on``.

    Both tables have ``estimate``, ``se``, ``df`` and ``n`` per row. Rows present in one table only
    are left out. Returns the keys, both estimates and n, the change, its SE, CI, t, df and p-value.
    """
    merged = current.merge(previous, on=on, suffixes=("", "_prev"))
    merged = merged[
        np.isfinite(merged["estimate"].astype(float))
        & np.isfinite(merged["estimate_prev"].astype(float))
    ]
    se = np.sqrt(merged["se"].astype(float) ** 2 + merged["se_prev"].astype(float) ** 2).to_numpy()
    df = welch_df(
        merged["se"].to_numpy(float),
        merged["df"].to_numpy(float),
        merged["se_prev"].to_numpy(float),
        merged["df_prev"].to_numpy(float),
    )
    diff = (merged["estimate"].astype(float) - merged["estimate_prev"].astype(float)).to_numpy()
    test = difference_table(diff, se, df, level).rename(columns={"difference": "change"})
    out = merged[[*on, "estimate", "estimate_prev", "n", "n_prev"]].reset_index(drop=True)
    out[["n", "n_prev"]] = out[["n", "n_prev"]].astype(int)
    return pd.concat([out, test], axis=1)


def _cell_parts(
    design: SurveyDesign, y: np.ndarray, domain: np.ndarray, cells: np.ndarray, levels: list
):
    """Shares and means per cell (levels x measures) of the columns of y over a domain, with their
    influence scores (rows x levels x measures, times the weights). Both are domain means, so both
    come from the design's own mean estimator: a cell's share is the mean of "in the cell" among
    valid values."""
    n, k = y.shape
    shares = np.full((len(levels), k), np.nan)
    means = np.full((len(levels), k), np.nan)
    s_scores = np.zeros((n, len(levels), k))
    m_scores = np.zeros((n, len(levels), k))
    for c, lev in enumerate(levels):
        in_cell = cells == lev
        member = np.where(np.isnan(y), np.nan, in_cell[:, None].astype(float))
        shares[c], s_scores[:, c, :], _ = design._domain_scores(member, domain)
        means[c], m_scores[:, c, :], _ = design._domain_scores(y, domain & in_cell)
    return shares, means, s_scores, m_scores


def decompose_change(
    previous: SurveyDesign,
    current: SurveyDesign,
    y_prev: np.ndarray,
    y_cur: np.ndarray,
    domain_prev: np.ndarray,
    domain_cur: np.ndarray,
    cells_prev: np.ndarray,
    cells_cur: np.ndarray,
    level: float = 0.95,
) -> pd.DataFrame:
    """Kitagawa decomposition of the change in the mean of y over a domain between two cycles.

    ``previous`` and ``current`` are the designs whose weights define the change (unweighted designs
    for the raw change); ``cells_*`` hold each respondent's cell (e.g. role). ``y_*`` is one column
    of values, or a matrix with one column per measure. Returns, per measure (``column``: its
    position), three rows, ``total``, ``composition`` and ``within``, with estimate, SE, CI, t, df
    and p-value; composition + within = total.
    """
    y_prev = np.asarray(y_prev, dtype=float).reshape(len(y_prev), -1)
    y_cur = np.asarray(y_cur, dtype=float).reshape(len(y_cur), -1)
    levels = sorted(
        set(pd.unique(cells_prev[domain_prev])) | set(pd.unique(cells_cur[domain_cur])), key=str
    )
    s1, m1, s1_sc, m1_sc = _cell_parts(previous, y_prev, domain_prev, cells_prev, levels)
    s2, m2, s2_sc, m2_sc = _cell_parts(current, y_cur, domain_cur, cells_cur, levels)
    # a cell missing in one cycle: no within change there (its mean is taken from the other cycle)
    m1 = np.where(np.isnan(m1), m2, m1)
    m2 = np.where(np.isnan(m2), m1, m2)
    m1, m2 = np.nan_to_num(m1), np.nan_to_num(m2)
    a, b = (s1 + s2) / 2, (m1 + m2) / 2
    dm, ds = m2 - m1, s2 - s1

    def combine(scores, coef):  # sum over cells of scores x coefficient, per measure
        return np.einsum("ncm,cm->nm", scores, coef)

    comp = (
        (ds * b).sum(axis=0),
        combine(s2_sc, b) + combine(m2_sc, ds / 2),
        -combine(s1_sc, b) + combine(m1_sc, ds / 2),
    )
    within = (
        (dm * a).sum(axis=0),
        combine(m2_sc, a) + combine(s2_sc, dm / 2),
        -combine(m1_sc, a) + combine(s1_sc, dm / 2),
    )
    total = tuple(x + z for x, z in zip(comp, within, strict=True))
    parts = {"total": total, "composition": comp, "within": within}
    k = y_cur.shape[1]
    v_cur = current.score_variance(np.hstack([parts[p][1] for p in parts]))
    v_prev = previous.score_variance(np.hstack([parts[p][2] for p in parts]))
    frames = []
    for j, name in enumerate(parts):
        se_c, se_p = np.sqrt(v_cur[j * k : (j + 1) * k]), np.sqrt(v_prev[j * k : (j + 1) * k])
        df = welch_df(se_c, np.full(k, float(current.df)), se_p, np.full(k, float(previous.df)))
        t = difference_table(parts[name][0], np.sqrt(se_c**2 + se_p**2), df, level)
        t.insert(0, "part", name)
        t.insert(0, "column", np.arange(k))
        frames.append(t.rename(columns={"difference": "estimate"}))
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["column"], kind="stable")
        .reset_index(drop=True)
    )
