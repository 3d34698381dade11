"""Calibration arithmetic on weight arrays: raking (iterative proportional fitting), linear (GREG)
calibration factors, trimming, and the population targets they work to. :class:`SurveyDesign`'s
verbs (``rake``, ``poststratify``, ``calibrate``, ``trim``) check their inputs and call these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DesignError

CELL_SEP = "\x1f"  # joins the levels of a post-stratification cell into one key


def _fail(message: str, **kw) -> DesignError:
    return DesignError(message, **kw)


@dataclass(frozen=True)
class WeightingRecord:
    """What a weighting step did: kind, targets by variable, iterations used."""

    kind: str
    targets: dict[str, dict]
    iterations: int = 0


def rake_weights(
    weights: np.ndarray, margins: Sequence[tuple], max_iter: int = 100, tol: float = 1e-10
) -> tuple[np.ndarray, int]:
    """Iterative proportional fitting of ``weights`` to the margins, each ``(column, codes, target,
    levels)``: codes per row and the population count per code. Returns the raked weights and the
    number of sweeps; raises when a margin is still more than ``tol`` (relative) off after
    ``max_iter`` sweeps.

    Examples
    --------
    >>> w, sweeps = rake_weights(np.ones(4), [("sex", np.array([0, 0, 1, 1]), np.array([6.0, 4.0]),
    ...                                        ["f", "m"])])
    >>> w.tolist(), sweeps
    ([3.0, 3.0, 2.0, 2.0], 1)
    """
    w = weights.astype(float).copy()
    iterations = 0
    worst = (0.0, "", None)
    for _ in range(max_iter):
        iterations += 1
        for _, codes, target, _ in margins:
            current = np.bincount(codes, weights=w, minlength=len(target))
            w *= (target / current)[codes]
        worst = (0.0, "", None)
        for column, codes, target, levels in margins:
            rel = np.abs(np.bincount(codes, weights=w, minlength=len(target)) / target - 1)
            i = int(np.argmax(rel))
            if rel[i] > worst[0]:
                worst = (float(rel[i]), column, levels[i])
        if worst[0] <= tol:
            break
    else:
        raise _fail(
            f"raking did not converge in {max_iter} iterations: margin '{worst[1]}', level "
            f"'{worst[2]}' is still {worst[0]:.2%} off its target",
            column=worst[1],
            value=worst[2],
            expected="margins that the sample can reach (check for empty "
            "combinations, or raise max_iter)",
        )
    return w, iterations


def greg_factors(m: np.ndarray, w0: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """The g-factors of linear (GREG) calibration: ``w0 * g`` reproduces ``totals`` of the columns
    of ``m``; raises when a factor is not positive.

    Examples
    --------
    >>> greg_factors(np.ones((4, 1)), np.ones(4), np.array([8.0])).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    lam = np.linalg.solve((m * w0[:, None]).T @ m, totals - m.T @ w0)
    g = 1 + m @ lam
    if (g <= 0).any():
        raise _fail(
            "linear calibration gives negative weights; the totals are far from the sample",
            expected="totals the sample can reach, or raking",
        )
    return g


def trim_weights(
    weights: np.ndarray, lower: float | None, upper: float | None, max_iter: int = 50
) -> np.ndarray:
    """Weights clipped to ``[lower, upper]`` with the trimmed amount shared over the untrimmed
    weights so the total is kept (iterated, as R's ``trimWeights(strict = TRUE)``).

    Examples
    --------
    >>> trim_weights(np.array([1.0, 1.0, 4.0]), None, 3.0).round(2).tolist()
    [1.5, 1.5, 3.0]
    """
    w = weights.astype(float).copy()
    total = w.sum()
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo > hi or hi <= 0 or lo * len(w) > total or hi * len(w) < total:
        raise _fail(
            "the trimming bounds cannot keep the weight total",
            value=(lower, upper),
            expected=f"bounds around the mean weight {total / len(w):.4g}",
        )
    for _ in range(max_iter):
        clipped = np.clip(w, lo, hi)
        free = (clipped > lo) & (clipped < hi)
        excess = total - clipped.sum()
        if abs(excess) <= 1e-12 * total or not free.any():
            w = clipped
            break
        clipped[free] *= 1 + excess / clipped[free].sum()
        w = clipped
    return w


def weight_stats(w: np.ndarray) -> dict:
    """n, sum, min, max, CV, Kish effective sample size and design effect due to weighting of
    weights."""
    w = w[w > 0]
    cv = float(w.std() / w.mean())
    return {
        "n": int(len(w)),
        "sum": float(w.sum()),
        "min": float(w.min()),
        "max": float(w.max()),
        "cv": cv,
        "n_effective": float(w.sum() ** 2 / (w**2).sum()),
        "deff_weighting": float(1 + cv**2),
    }


def positive(value, column: str, level) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise _fail(
            f"the population count of '{column}' = '{level}' is not a number",
            column=column,
            value=value,
        ) from None
    if not np.isfinite(v) or v <= 0:
        raise _fail(
            f"the population count of '{column}' = '{level}' must be positive",
            column=column,
            value=value,
            expected="a count above 0",
        )
    return v


def level_codes(values: pd.Series, targets: Mapping[str, tuple], name: str, describe, noun: str):
    """Codes per row of the levels (or cells) of ``values`` and their population counts in code
    order.

    ``targets`` maps the text form of each level to (level as reported, population count);
    ``describe`` names a level in messages. A level in the data without a count, a count for a level
    nobody is in, and a count that is not positive are errors.
    """
    keys = list(targets)
    lookup = {k: i for i, k in enumerate(keys)}
    raw_codes, uniques = pd.factorize(values)
    unique_keys = [str(k) for k in uniques]
    unique_codes = np.array([lookup.get(k, -1) for k in unique_keys], dtype=np.int64)
    codes = unique_codes[raw_codes]
    if (unique_codes < 0).any():
        missing = sorted(k for k, c in zip(unique_keys, unique_codes, strict=True) if c < 0)[0]
        shown = missing if noun == "level" else tuple(missing.split(CELL_SEP))
        raise _fail(
            f"{describe(missing)} is in the data but has no population count",
            column=name,
            value=shown,
            expected="a count for every "
            + noun
            + (": " + ", ".join(keys) if noun == "level" else ""),
        )
    counts = np.bincount(codes, minlength=len(keys))
    empty = [k for k, c in zip(keys, counts, strict=True) if c == 0]
    if empty:
        raise _fail(
            f"{describe(empty[0])} has a population count but nobody in the data",
            column=name,
            value=targets[empty[0]][0],
            expected="merge it with a neighbouring level"
            if noun == "level"
            else "collapse it with a neighbouring cell",
        )
    target = np.array(
        [positive(targets[k][1], name, k.replace(CELL_SEP, "/")) for k in keys], dtype=float
    )
    return codes, target, [targets[k][0] for k in keys]
