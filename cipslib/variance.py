"""Taylor-linearisation variance for single-stage stratified cluster designs, with calibration.

This is the numerical core behind :class:`cipslib.SurveyDesign`, written to give the same numbers as R's
``survey`` package (``svyrecvar``):

* An estimator is represented by its *influence scores* ``x`` (one row per respondent, one column per
  estimate), already multiplied by the final weights, e.g. ``w_k (y_k - ybar) / sum(w)`` for a mean.
  Rows outside a domain or with a missing value have score 0 but stay in the design.
* Calibration steps (post-stratification, raking, linear calibration) are undone on the scores before the
  design variance is taken, exactly as ``svyrecvar`` does: post-stratification removes the weighted
  post-stratum mean of ``x / w``; raking iterates that removal over the margins (ten sweeps, unweighted
  means of ``x / w`` within margin levels, as in ``survey`` >= 3.6-3); linear calibration takes the
  weighted least-squares residual on the calibration variables.
* The design variance is the with-replacement between-PSU variance within strata, times the finite
  population correction ``1 - n_h / N_h`` and ``n_h / (n_h - 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


@dataclass(frozen=True)
class GregStep:
    """Linear (GREG) calibration: model matrix, initial weights, g-weights."""

    model: np.ndarray
    old_weights: np.ndarray
    g: np.ndarray


CalibrationStep = PostStratStep | RakeStep | GregStep


def _group_sums(codes: np.ndarray, x: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of x by integer group code (codes 0..n_groups-1)."""
    out = np.empty((n_groups, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=x[:, j], minlength=n_groups)
    return out


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
            # x <- x - w * ave(x / w, margin), swept ten times; done on u = x / w (weights are positive)
            psw = step.weights
            counts = [np.bincount(m, minlength=int(m.max()) + 1) for m in step.margins]
            u = x / psw[:, None]
            for _ in range(step.sweeps):
                for m, cnt in zip(step.margins, counts, strict=True):
                    u -= (_group_sums(m, u, len(cnt)) / np.where(cnt == 0, 1, cnt)[:, None])[m]
            x = u * psw[:, None]
        else:
            whalf = np.sqrt(step.old_weights)
            wc = step.g * whalf
            safe = np.where(wc == 0, 1.0, wc)
            a = step.model * whalf[:, None]
            b = x / safe[:, None]
            coef, *_ = np.linalg.lstsq(a, b, rcond=None)
            x = (b - a @ coef) * wc[:, None]
    return x


def design_variance(x: np.ndarray, strata: np.ndarray, psu: np.ndarray, n_psu: np.ndarray,
                    fpc_fraction: np.ndarray) -> np.ndarray:
    """Covariance matrix of the score totals under single-stage stratified cluster sampling.

    ``strata`` and ``psu`` are integer codes per row (PSU codes unique across strata); ``n_psu[h]`` is the
    number of PSUs sampled in stratum h and ``fpc_fraction[h]`` the sampling fraction n_h / N_h (0 when
    sampled with replacement / no fpc).
    """
    n_p = int(psu.max()) + 1
    totals = _group_sums(psu, x, n_p)
    psu_stratum = np.zeros(n_p, dtype=np.int64)
    psu_stratum[psu] = strata
    n_h = len(n_psu)
    stratum_means = _group_sums(psu_stratum, totals, n_h) / n_psu[:, None]
    centred = totals - stratum_means[psu_stratum]
    scale = (1.0 - fpc_fraction) * n_psu / np.where(n_psu > 1, n_psu - 1, 1)
    scale = np.where(n_psu > 1, scale, 0.0)
    weighted = centred * np.sqrt(scale[psu_stratum])[:, None]
    return weighted.T @ weighted
