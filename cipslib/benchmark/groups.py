"""Differences by a respondent variable in the pooled packages (gender in the demo): do women and
men see the ten key factors differently?

Only the packages that carry the variable take part (an administration that did not let it travel
is left out, not counted as unknown); within them a respondent without a level (not asked,
refused) stays in the design but in no level. Per instrument and factor:

* **by level**: the pooled factor index of each level, a design-based domain mean over the
  participating administrations (:meth:`~cipslib.survey.SurveyDesign.summarise`), with its
  linearised SE, 95% CI and n;
* **difference** between two levels (``a - b``, every pair in the levels' order: ``female - male``
  for gender): the difference of the pooled means with the SE of their joint linearisation
  (:meth:`~cipslib.survey.SurveyDesign.contrasts`), a t-test on the design's degrees of freedom and
  its p-value, **Holm**-adjusted over the ten factors of the instrument and pair
  (:func:`cipslib.survey.inference.holm`).

The design is **stratified by administration**: strata = administration × cycle × the package's
stratum (:func:`~cipslib.benchmark.drivers.pooled_design`), so the variance is that of the
independent national samples pooled. The pooled difference mixes the gap within administrations
with where the levels are more common (women may be more numerous in administrations rated lower);
the table therefore also gives the gap **within administrations** (``within_*``): the coefficient
of the level in a design-based linear model of the factor index with administration × cycle fixed
effects (:meth:`~cipslib.survey.SurveyDesign.glm`), Holm-adjusted the same way.

Disclosure: a level with fewer than ``min_cell`` respondents with a factor index (pooled) is hidden
(its estimate and the differences it enters are missing, ``hidden`` says why). Only pooled figures
are given, never a level within one administration, so no hidden cell follows from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem
from ..survey.inference import holm
from .drivers import DESIGN, FACTORS, pooled_design

MIN_CELL = 10
LEVEL_COLUMNS = [
    "instrument",
    "variable",
    "level",
    "factor",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "n",
    "hidden",
]
DIFFERENCE_COLUMNS = [
    "instrument",
    "variable",
    "a",
    "b",
    "factor",
    "estimate_a",
    "estimate_b",
    "n_a",
    "n_b",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_value",
    "p_holm",
    "within_difference",
    "within_se",
    "within_p_value",
    "within_p_holm",
    "administrations",
    "hidden",
]


@dataclass
class GroupDifferences:
    """The pooled factor indices by level (``levels``) and the differences between levels
    (``differences``) of one respondent variable."""

    levels: pd.DataFrame
    differences: pd.DataFrame


def group_differences(
    scores: pd.DataFrame,
    variable: str = "gender",
    levels: list[str] | None = None,
    *,
    min_cell: int = MIN_CELL,
    weighting: str = "population",
    level: float = 0.95,
) -> GroupDifferences:
    """Pooled factor indices by level of ``variable`` and the differences between levels, per
    instrument (see the module). ``scores`` are respondent scores
    (:func:`~cipslib.benchmark.drivers.respondent_scores`); ``levels`` orders the levels (all
    found, sorted, by default).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> n = 200
    >>> s = pd.DataFrame({"administration": np.repeat(["A01", "A02"], n // 2), "cycle": 2021,
    ...     "instrument": "official", "stratum": "official", "weight": rng.uniform(1, 2, n),
    ...     "gender": np.tile(["female", "male"], n // 2)})
    >>> for k in range(1, 11):
    ...     s[f"f{k}"] = rng.normal(60, 15, n) - 8 * (s["gender"] == "female") * (k == 8)
    >>> d = group_differences(s).differences
    >>> d.loc[d["factor"] == 8, ["a", "b"]].values.tolist(), bool(d.loc[7, "p_holm"] < 0.05)
    ([['female', 'male']], True)
    """
    _check(scores, variable)
    carriers = _carriers(scores, variable)
    found = sorted(scores.loc[carriers, variable].dropna().astype(str).unique())
    order = [lv for lv in (levels or found) if lv in found]
    by_level, diffs = [], []
    for instrument, part in scores[carriers].groupby("instrument", sort=True):
        part = part.reset_index(drop=True)
        if part[variable].notna().sum() == 0:
            continue
        design = pooled_design(part, weighting)
        values = part[list(FACTORS)].astype(float)
        masks = {lv: (part[variable].astype(object) == lv).to_numpy() for lv in order}
        head = {"instrument": str(instrument), "variable": variable}
        by_level.append(_levels(design, values, masks, head, min_cell, level))
        for pair in combinations(order, 2):
            diffs.append(_differences(design, part, values, masks, pair, head, min_cell, level))
    return GroupDifferences(_frame(by_level, LEVEL_COLUMNS), _frame(diffs, DIFFERENCE_COLUMNS))


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _check(scores: pd.DataFrame, variable: str) -> None:
    missing = [c for c in (*DESIGN, *FACTORS, variable) if c not in scores.columns]
    if missing:
        raise CipsDataError(
            [
                Problem(
                    "respondent scores",
                    "a column the group differences need is missing"
                    + (" (no package carries the variable)" if c == variable else ""),
                    column=c,
                )
                for c in missing
            ]
        )


def _carriers(scores: pd.DataFrame, variable: str) -> np.ndarray:
    """Rows of the packages (administration × cycle) that carry the variable."""
    key = [scores["administration"].astype(str), scores["cycle"].astype(str)]
    has = scores[variable].notna().groupby(key).transform("any")
    return has.to_numpy(dtype=bool)


def _levels(design, values, masks, head, min_cell, level) -> pd.DataFrame:
    table = design.summarise(values, masks, level=level)
    table = table.rename(columns={"domain": "level"})
    table["factor"] = table["variable"].str[1:].astype(int)
    hidden = table["n"] < min_cell
    table.loc[hidden, ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    table["hidden"] = np.where(hidden, f"fewer than {min_cell} respondents", None)
    return table.drop(columns="variable").assign(**head)


def _differences(design, part, values, masks, pair, head, min_cell, level) -> pd.DataFrame:
    """The differences ``a - b`` of one pair of levels, per factor, pooled and within."""
    a, b = pair
    table = design.contrast(values, masks[a], masks[b], level=level)
    table.insert(0, "b", b)
    table.insert(0, "a", a)
    table["factor"] = table["variable"].str[1:].astype(int)
    table = table.merge(_within(design, part, masks[a], masks[b], min_cell, level), on="factor")
    hidden = ((table["n_a"] < min_cell) | (table["n_b"] < min_cell)).to_numpy()
    shown = ["estimate_a", "estimate_b", "difference", "se", "ci_low", "ci_high", "t", "p_value"]
    table.loc[hidden, [*shown, "within_difference", "within_se", "within_p_value"]] = np.nan
    table["hidden"] = np.where(hidden, f"a level has fewer than {min_cell} respondents", None)
    table["p_holm"] = holm(table["p_value"].to_numpy(dtype=float))
    table["within_p_holm"] = holm(table["within_p_value"].to_numpy(dtype=float))
    return table.drop(columns="variable").assign(**head)


def _within(design, part, in_a, in_b, min_cell, level) -> pd.DataFrame:
    """The gap a - b within administrations (administration × cycle fixed effects) per factor:
    the coefficient of ``a`` in a linear model of the factor index among respondents of a or b
    (not fitted when a level has fewer than ``min_cell`` respondents: it would be hidden)."""
    effects = (
        part["administration"].astype(str).to_numpy(dtype=object)
        + "|"
        + part["cycle"].astype(str).to_numpy(dtype=object)
    )
    both = in_a | in_b
    rows = []
    d = design.update(_a=in_a.astype(float), _fe=effects)
    several = len(np.unique(effects[both])) > 1
    for k, column in enumerate(FACTORS, start=1):
        row = {"factor": k, "within_difference": np.nan, "within_se": np.nan}
        row["within_p_value"] = np.nan
        used = both & part[column].notna().to_numpy()
        row["administrations"] = int(part.loc[used, "administration"].nunique())
        if min((used & in_a).sum(), (used & in_b).sum()) >= max(min_cell, 2):
            formula = f"{column} ~ _a" + (" + C(_fe)" if several else "")
            fit = d.glm(formula, level=level, domain=both).set_index("term").loc["_a"]
            row.update(
                within_difference=fit["estimate"], within_se=fit["se"], within_p_value=fit["p"]
            )
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["GroupDifferences", "MIN_CELL", "group_differences"]
