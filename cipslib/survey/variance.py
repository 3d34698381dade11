"""Taylor-linearisation variance for single-stage stratified cluster designs, with calibration.

This is the numerical core behind :class:`cipslib.SurveyDesign`, written to give the same numbers as
R's ``survey`` package (``svyrecvar``):

* An estimator is represented by its *influence scores* ``x`` (one row per respondent, one column
  per estimate), already multiplied by the final weights, e.g. ``w_k (y_k - ybar) / sum(w)`` for a
  mean. Rows outside a domain or with a missing value have score 0 but stay in the design.
* Calibration steps (post-stratification, raking, linear calibration) are undone on the scores
  before the design variance is taken, exactly as ``svyrecvar`` does: post-stratification removes
  the weighted post-stratum mean of ``x / w``; raking iterates that removal over the margins (ten
  sweeps, unweighted means of ``x / w`` within margin levels, as in ``survey`` >= 3.6-3); linear
  calibration takes the weighted least-squares residual on the calibration variables.
* The design variance is the with-replacement between-PSU variance within strata, times the finite
  population correction ``1 - n_h / N_h`` and ``n_h / (n_h - 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class PostStratStep:
    """One post-stratification: cell code per row, weights before and after."""

    cells: np.ndarray
    old_weights: np.ndarray
    new_weights: np.ndarray


@dataclass(frozen=True)
class RakeStep:
    """Raking: level codes per row for each margin, and the raked weights."""

    margins: tuple[np.ndarray, ...]
    weights: np.ndarray
    sweeps: int = 10
    cache: dict = field(
        default_factory=dict, compare=False, repr=False
    )  # indicator matrices, cross-tabs


@dataclass(frozen=True)
class GregStep:
    """Linear (GREG) calibration: model matrix, initial weights, g-weights."""

    model: np.ndarray
    old_weights: np.ndarray
    g: np.ndarray


CalibrationStep = PostStratStep | RakeStep | GregStep


def _indicator(codes: np.ndarray, n_groups: int) -> sparse.csr_matrix:
    """Sparse group-by-row indicator matrix of integer group codes."""
    return sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(n_groups, len(codes))
    )


def _group_sums(codes: np.ndarray, x: np.ndarray, n_groups: int, indicator=None) -> np.ndarray:
    """Column sums of x by integer group code (codes 0..n_groups-1)."""
    if x.shape[1] == 1:
        return np.bincount(codes, weights=x[:, 0], minlength=n_groups)[:, None]
    return np.asarray((indicator if indicator is not None else _indicator(codes, n_groups)) @ x)


def _rake_projection(u: np.ndarray, step: RakeStep) -> np.ndarray:
    """What ``step.sweeps`` sweeps of "subtract the unweighted mean of u within each margin level"
    remove from u, as a matrix shaped like u.

    The sweeps only ever subtract margin-level constants, so the removed part is ``sum_j A_j c_j``
    (A_j the indicator matrix of margin j). The sweeps are run on the coefficients ``c_j`` using the
    level sums of u and the small cross-tabulations ``A_m' A_j``; u itself is touched twice instead
    of twice per sweep and margin. The result equals the row-level iteration of ``svyrecvar`` up to
    rounding.
    """
    margins = step.margins
    if "cross" not in step.cache:
        sizes = [int(m.max()) + 1 for m in margins]
        ind = [_indicator(m, g) for m, g in zip(margins, sizes, strict=True)]
        cross = [
            [(ind[a] @ ind[b].T).toarray() for b in range(len(margins))]
            for a in range(len(margins))
        ]
        step.cache.update(
            sizes=sizes,
            ind=ind,
            cross=cross,
            counts=[np.diag(cross[a][a]) for a in range(len(margins))],
        )
    sizes, ind, cross, counts = (step.cache[k] for k in ("sizes", "ind", "cross", "counts"))
    sums = [np.asarray(i @ u) for i in ind]
    coef = [np.zeros((g, u.shape[1])) for g in sizes]
    for _ in range(step.sweeps):
        for a in range(len(margins)):
            current = sums[a] - sum(cross[a][b] @ coef[b] for b in range(len(margins)))
            coef[a] = coef[a] + current / np.where(counts[a] == 0, 1, counts[a])[:, None]
    return sum(c[m] for c, m in zip(coef, margins, strict=True))


def calibration_residuals(x: np.ndarray, steps: tuple[CalibrationStep, ...]) -> np.ndarray:
    """Scores with the calibration steps projected out, in the order they were applied."""
    for step in steps:
        if isinstance(step, PostStratStep):
            psw = np.where((step.new_weights == 0) & (step.old_weights == 0), 1.0, step.new_weights)
            k = int(step.cells.max()) + 1
            num = _group_sums(step.cells, x * (step.old_weights / psw)[:, None], k)
            den = np.bincount(step.cells, weights=step.old_weights, minlength=k)
            means = num / np.where(den == 0, 1.0, den)[:, None]
            x = x - means[step.cells] * psw[:, None]
        elif isinstance(step, RakeStep):
            x = x - _rake_projection(x / step.weights[:, None], step) * step.weights[:, None]
        else:
            whalf = np.sqrt(step.old_weights)
            wc = step.g * whalf
            safe = np.where(wc == 0, 1.0, wc)
            a = step.model * whalf[:, None]
            b = x / safe[:, None]
            coef, *_ = np.linalg.lstsq(a, b, rcond=None)
            x = (b - a @ coef) * wc[:, None]
    return x


def design_variance(
    x: np.ndarray,
    strata: np.ndarray,
    psu: np.ndarray,
    n_psu: np.ndarray,
    fpc_fraction: np.ndarray,
    diagonal: bool = False,
) -> np.ndarray:
    """Covariance matrix of the score totals under single-stage stratified cluster sampling.

    ``strata`` and ``psu`` are integer codes per row (PSU codes unique across strata); ``n_psu[h]``
    is the number of PSUs sampled in stratum h and ``fpc_fraction[h]`` the sampling fraction n_h /
    N_h (0 when sampled with replacement / no fpc). With ``diagonal`` only the variances are
    returned (a vector).
    """
    n_p = int(psu.max()) + 1
    # each respondent its own PSU (the usual case): the PSU totals are the scores themselves
    totals = (
        x if n_p == len(psu) and np.array_equal(psu, np.arange(n_p)) else _group_sums(psu, x, n_p)
    )
    psu_stratum = np.zeros(n_p, dtype=np.int64)
    psu_stratum[psu] = strata
    n_h = len(n_psu)
    stratum_means = _group_sums(psu_stratum, totals, n_h) / n_psu[:, None]
    centred = totals - stratum_means[psu_stratum]
    scale = (1.0 - fpc_fraction) * n_psu / np.where(n_psu > 1, n_psu - 1, 1)
    scale = np.where(n_psu > 1, scale, 0.0)
    weighted = centred * np.sqrt(scale[psu_stratum])[:, None]
    if diagonal:
        return np.einsum("ij,ij->j", weighted, weighted)
    return weighted.T @ weighted
