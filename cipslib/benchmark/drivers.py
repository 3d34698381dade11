"""Pooled key drivers across administrations: which of the ten key factors go with the overall
integrity rating, and with reported integrity breaches, in the pooled exchange packages.

The national key drivers (:mod:`cipslib.analysis.drivers`) describe one administration. Pooled,
administrations differ in level (one rates everything higher than another), and a regression on
the pooled answers would mix those differences of level with the link between a factor and the
outcome within an administration. So the model has **administration fixed effects**: a dummy per
administration and iteration (``administration × cycle``; each iteration is a sample of its own),
and the coefficients describe how the outcome moves with a factor among respondents of the same
administration and iteration.

Per instrument (officials, private sector: different questionnaires), on the respondents with the
outcome and all ten factor indices (as R's ``na.omit``):

* **overall rating**: the 0-100 score of the codebook's outcome item (``OVERALL_INTEGRITY``), as
  the national drivers take it; a linear model (gaussian) of the outcome standardised to weighted
  mean 0 and SD 1 on the ten factor indices standardised the same way (over the instrument's
  pooled respondents), plus the fixed effects: ``beta`` is the change in SDs of the outcome per SD
  of a factor, other factors and the administration held fixed;
* **reported integrity breaches** (:data:`BREACH_INDICATORS`): the shipped questionnaire asks no
  one whether they witnessed a breach or were asked for a bribe; the indicators of
  ``indicators.yaml`` closest to it, asked of both groups, are ``bribe_may_help`` (a bribe may help
  get around requirements: breaches are seen to work) and ``corruption_over_35`` (more than 35% of
  officials involved). Each is a 0/1 outcome in a **logistic** model (``family="binomial"``, the
  survey stage's ``svyglm``), factors standardised as above: ``beta`` is the change of the log-odds
  per SD of a factor, ``odds_ratio`` its exponential. An administration's own codebook with a
  question on witnessed breaches passes that indicator's id instead;
* the standard errors are design-based (:meth:`~cipslib.survey.SurveyDesign.glm`, equal to R's
  ``svyglm``): the package weights, strata = administration × cycle × the package's stratum,
  respondents as PSUs, weights as fixed (the packages do not carry the calibration);
* **relative importance**: Johnson's relative weights with their linearised standard errors
  (:func:`cipslib.analysis.drivers.relative_weights_with_errors`), computed on the outcome and
  factors centred within each administration × cycle (the variation the fixed-effects model
  uses; the centring means are taken as known); they add up to the within-administration R² of
  the linear model (for a breach indicator: of the linear probability model, which ranks the
  factors as the logistic one does for outcomes that are not rare); ``importance`` is each
  factor's share in percent.

Weights: ``"population"`` (the packages' weights: an administration counts by its staff or trade
frame, as in the pooled estimates) or ``"equal"`` (each administration's iteration and instrument
rescaled to the same total weight: each counts the same).

Input is a frame of respondent scores (:func:`respondent_scores`): the design columns
``administration``, ``cycle``, ``instrument``, ``stratum``, ``weight``, the factor indices ``f1``
… ``f10`` (0-100), the outcome ``overall`` (0-100) and the indicators by their id (0/1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..analysis.drivers import factor_rows, outcome_item, relative_weights_with_errors
from ..analysis.scoring import factor_scores, indicator_values, item_scores, load_indicators
from ..errors import CipsDataError, Problem
from ..inputs.codebook import Codebook, load_codebook
from ..survey.design import SurveyDesign
from ..survey.errors import DesignError

DESIGN = ("administration", "cycle", "instrument", "stratum", "weight")
FACTORS = tuple(f"f{k}" for k in range(1, 11))
OUTCOME = "overall"
BREACH_INDICATORS = ("bribe_may_help", "corruption_over_35")
WEIGHTINGS = ("population", "equal")
ODDS = ("odds_ratio", "or_ci_low", "or_ci_high")
COLUMNS = [
    "instrument",
    "outcome",
    "family",
    "factor",
    "beta",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "raw_weight",
    "raw_weight_se",
    "importance",
    "importance_se",
    "importance_ci_low",
    "importance_ci_high",
    "r_squared",
    "n",
    "effective_sample_size",
    "administrations",
    "fixed_effects",
    "df",
]


def respondent_scores(
    table: pd.DataFrame, codebook: Codebook | None = None, indicators=None
) -> pd.DataFrame:
    """Per respondent of a pooled exchange table (items by key): the design columns, the
    respondent variables it carries, the factor indices ``f1`` … ``f10`` and the outcome
    ``overall`` (0-100), and the indicators of ``indicators`` (the shipped ``indicators.yaml`` by
    default) by id (1/0, missing without a valid answer or outside the indicator's groups).

    Scored as the national findings score (:mod:`cipslib.analysis.scoring`): an answer's position
    in its scale's order, reverse-worded items turned; a factor score is the mean over the
    factor's items of the respondent's questionnaire that their package holds, when at least half
    of them have an answer. A package holds the items with an answer in it (a pooled table from
    packages with other items has their columns empty), as the benchmark's estimates count them.

    Examples
    --------
    >>> t = pd.DataFrame({"administration": ["A01", "A01"], "cycle": [2020, 2020],
    ...     "instrument": ["official", "private"], "stratum": ["official", "private"],
    ...     "weight": [1.0, 2.0], "LEAD_COMMITMENT": [5.0, 2.0], "LEAD_EXAMPLE": [4.0, None],
    ...     "OVERALL_INTEGRITY": [4.0, 1.0], "EXP_BRIBE_HELPS": [5.0, 2.0]})
    >>> s = respondent_scores(t)
    >>> s[["f1", "overall", "bribe_may_help"]].to_dict("list")
    {'f1': [87.5, 25.0], 'overall': [75.0, 0.0], 'bribe_may_help': [1.0, 0.0]}
    """
    cb = codebook or load_codebook()
    items = cb.items[cb.items["parent"].isna()]
    ids = {key: ids.iloc[-1] for key, ids in items.groupby("key", sort=False)["id"]}
    keys = [c for c in table.columns if c in ids]
    table = table.reset_index(drop=True)
    out = table[[c for c in table.columns if c not in ids]].copy()
    answered = table[keys].notna().groupby([table["administration"], table["cycle"]]).any()
    held = answered.apply(lambda row: tuple(k for k in keys if row[k]), axis=1)
    kinds = list(dict.fromkeys(held))
    package = pd.MultiIndex.from_frame(table[["administration", "cycle"]])
    kind = held.map(kinds.index).reindex(package).to_numpy()
    scored = [
        _scores(table.loc[kind == i, [*held_keys, "instrument"]], cb, ids, indicators)
        for i, held_keys in enumerate(kinds)
    ]
    frame = pd.concat(scored).reindex(out.index)
    return pd.concat([out, frame], axis=1)


def _scores(part: pd.DataFrame, cb: Codebook, ids: dict[str, str], indicators) -> pd.DataFrame:
    """The scores of the respondents of packages that hold the same items (``part``'s keys)."""
    data = pd.DataFrame(
        {ids[k]: part[k].to_numpy(dtype=float, na_value=np.nan) for k in part.columns if k in ids},
        index=part.index,
    )
    data["group"] = part["instrument"].to_numpy(dtype=object)
    fav, score = item_scores(data, cb)
    index = factor_scores(data, cb, fav, score)[0]
    out = pd.DataFrame(
        {f"f{k}": index[k] if k in index.columns else np.nan for k in range(1, 11)},
        index=part.index,
    )
    item = outcome_item(cb, None)
    out[OUTCOME] = np.nan
    if item is not None and item["id"] in data.columns:
        chosen = cb.items[cb.items["id"] == item["id"]]
        out[OUTCOME] = item_scores(data, cb, chosen)[1][item["id"]]
    definitions = indicators or load_indicators(cb)
    values = indicator_values(data, cb, definitions)
    for name in values.columns:
        mine = data["group"].isin(definitions[name].groups).to_numpy()
        out[name] = np.where(mine, values[name].to_numpy(), np.nan)
    return out


def pooled_drivers(
    scores: pd.DataFrame,
    outcomes: Sequence[str] = (OUTCOME, *BREACH_INDICATORS),
    *,
    weighting: str = "population",
    by_cycle: bool = True,
    min_n_effective: float = 100.0,
    level: float = 0.95,
) -> pd.DataFrame:
    """The pooled key-driver table (see the module): per instrument, outcome and factor the
    fixed-effects coefficient with its CI and p-value (and odds ratio for a 0/1 outcome), the
    relative weight and its share of the within R² (``importance``, %), n and Kish's effective n.

    ``outcomes`` are columns of ``scores``: a 0/1 column gets the logistic model, another the
    linear one. ``by_cycle`` False takes one effect per administration instead of one per
    iteration. Instruments whose complete respondents have an effective n under
    ``min_n_effective`` are left out.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> n = 400
    >>> s = pd.DataFrame({"administration": np.repeat(["A01", "A02"], n // 2), "cycle": 2021,
    ...     "instrument": "official", "stratum": "official", "weight": rng.uniform(1, 3, n)})
    >>> for k in range(1, 11):
    ...     s[f"f{k}"] = rng.normal(50, 20, n)
    >>> s["overall"] = 0.5 * s["f8"] + rng.normal(0, 10, n) + np.where(
    ...     s["administration"] == "A01", 10, 0)
    >>> t = pooled_drivers(s, ["overall"])
    >>> int(t.loc[t["beta"].idxmax(), "factor"]), len(t)
    (8, 10)
    """
    _check(scores, outcomes, weighting)
    rows = []
    for instrument, part in scores.groupby("instrument", sort=True):
        part = part.reset_index(drop=True)
        design = pooled_design(part, weighting)
        fe = _effects(part, by_cycle)
        for outcome in outcomes:
            if outcome in part.columns and part[outcome].notna().any():
                rows += _drivers(design, part, fe, str(instrument), outcome, min_n_effective, level)
    return pd.DataFrame(rows, columns=COLUMNS)


def _check(scores: pd.DataFrame, outcomes: Sequence[str], weighting: str) -> None:
    wanted = [*DESIGN, *FACTORS]
    problems = [
        Problem("respondent scores", "a column the pooled drivers need is missing", column=c)
        for c in wanted
        if c not in scores.columns
    ]
    problems += [
        Problem(
            "respondent scores",
            "the outcome is not a column of the scores",
            column=o,
            expected="'overall' or an indicator id of respondent_scores",
        )
        for o in outcomes
        if o not in scores.columns
    ]
    if weighting not in WEIGHTINGS:
        problems.append(
            Problem(
                "pooled drivers",
                "unknown weighting",
                value=weighting,
                expected=" or ".join(WEIGHTINGS),
            )
        )
    if problems:
        raise CipsDataError(problems)


def pooled_stratum(frame: pd.DataFrame) -> np.ndarray:
    """The design stratum of a pooled respondent: administration × cycle × the package's stratum
    (each package is a sample of its own, stratified as its sender stratified it)."""
    return (
        frame["administration"].astype(str).to_numpy(dtype=object)
        + "|"
        + frame["cycle"].astype(str).to_numpy(dtype=object)
        + "|"
        + frame["stratum"].astype(str).to_numpy(dtype=object)
    )


def pooled_design(frame: pd.DataFrame, weighting: str = "population") -> SurveyDesign:
    """The design of pooled respondents: the package weights (``"equal"``: rescaled so that each
    administration's iteration and instrument has the same total weight), strata
    :func:`pooled_stratum`, respondents as PSUs.

    Examples
    --------
    >>> f = pd.DataFrame({"administration": ["A01"] * 2 + ["A02"] * 2, "cycle": 2021,
    ...     "instrument": "official", "stratum": "official", "weight": [1.0, 3, 10, 30]})
    >>> pooled_design(f, "equal").weights.tolist()
    [0.25, 0.75, 0.25, 0.75]
    """
    w = frame["weight"].to_numpy(dtype=float)
    if weighting == "equal":
        cell = [frame[c].astype(str).to_numpy(dtype=object) for c in DESIGN[:3]]
        w = w / pd.Series(w).groupby(cell).transform("sum").to_numpy()
    data = frame.assign(_w=w, _stratum=pooled_stratum(frame))
    try:
        return SurveyDesign(data, weights="_w", strata="_stratum")
    except DesignError as exc:
        raise CipsDataError(
            [
                Problem(
                    "pooled packages",
                    "the pooled respondents cannot form a design: " + str(exc),
                    expected="at least two respondents per administration, cycle and stratum",
                )
            ]
        ) from exc


def _effects(part: pd.DataFrame, by_cycle: bool) -> np.ndarray:
    """The fixed-effect level of each respondent: administration (× cycle)."""
    admin = part["administration"].astype(str).to_numpy(dtype=object)
    return admin + ("|" + part["cycle"].astype(str).to_numpy(dtype=object) if by_cycle else "")


def _standardise(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Columns centred and scaled by their weighted mean and SD (population formula)."""
    mean = w @ values / w.sum()
    sd = np.sqrt(w @ (values - mean) ** 2 / w.sum())
    return (values - mean) / sd


def _within(values: np.ndarray, w: np.ndarray, fe: np.ndarray) -> np.ndarray:
    """Columns centred on their weighted mean within each fixed-effect level."""
    frame = pd.DataFrame(values * w[:, None])
    sums = frame.groupby(fe).transform("sum").to_numpy()
    totals = pd.Series(w).groupby(fe).transform("sum").to_numpy()
    return values - sums / totals[:, None]


def _drivers(design, part, fe, instrument, outcome, min_n_effective, level) -> list[dict]:
    """The rows of one instrument and outcome (empty under ``min_n_effective``)."""
    y = part[outcome].to_numpy(dtype=float)
    x = part[list(FACTORS)].to_numpy(dtype=float)
    complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    w = design.weights.to_numpy()[complete]
    n_eff = w.sum() ** 2 / (w**2).sum() if complete.any() else 0.0
    if n_eff < min_n_effective:
        return []
    fitted = _fit(design, x, y, complete, fe, level, f"{instrument}, {outcome}")
    raw, share, errors = _importance(design, x, y, complete, fe)
    p = len(FACTORS)
    half = stats.t.ppf((1 + level) / 2, design.df) * errors[p:]
    common = {
        "instrument": instrument,
        "outcome": outcome,
        "family": fitted.attrs["family"],
        "r_squared": float(raw.sum()),
        "n": int(complete.sum()),
        "effective_sample_size": n_eff,
        "administrations": int(part.loc[complete, "administration"].nunique()),
        "fixed_effects": len(np.unique(fe[complete])),
        "df": int(fitted.attrs["df"]),
    }
    fitted = fitted.set_index("term")
    rows = factor_rows(fitted, list(FACTORS), raw, share, errors, half)
    return [
        {
            **common,
            "factor": i + 1,
            **row,
            **{c: fitted[c].get(term, np.nan) if c in fitted else np.nan for c in ODDS},
        }
        for i, (term, row) in enumerate(zip(FACTORS, rows, strict=True))
    ]


def _fit(design, x, y, complete, fe, level, what: str) -> pd.DataFrame:
    """The fixed-effects model on the complete respondents: factors standardised, the outcome too
    unless it is 0/1 (then logistic)."""
    w = design.weights.to_numpy()[complete]
    binary = bool(np.isin(y[complete], (0.0, 1.0)).all())
    z = _standardise(np.column_stack([x[complete], y[complete]]), w)
    columns = {c: np.full(len(y), np.nan) for c in (*FACTORS, "_y")}
    for j, c in enumerate(FACTORS):
        columns[c][complete] = z[:, j]
    columns["_y"][complete] = y[complete] if binary else z[:, -1]
    several = len(np.unique(fe[complete])) > 1
    formula = "_y ~ " + " + ".join(FACTORS) + (" + C(_fe)" if several else "")
    try:
        return design.update(_fe=fe, **columns).glm(
            formula, family="binomial" if binary else "gaussian", level=level, domain=complete
        )
    except DesignError as exc:
        raise CipsDataError(
            [Problem("pooled drivers", f"the model of {what} cannot be fitted: {exc}")]
        ) from exc


def _importance(design, x, y, complete, fe) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Johnson's relative weights of the factors, their shares of the within R² (%) and the
    standard errors of both (in that order), on the values centred within each fixed effect."""
    w = design.weights.to_numpy()[complete]
    values = np.zeros((len(y), len(FACTORS) + 1))
    values[complete] = _within(np.column_stack([x, y])[complete], w, fe[complete])
    estimates, errors = relative_weights_with_errors(design, values, complete)
    p = len(FACTORS)
    return estimates[:p], estimates[p:], errors


__all__ = [
    "BREACH_INDICATORS",
    "FACTORS",
    "OUTCOME",
    "pooled_design",
    "pooled_drivers",
    "pooled_stratum",
    "respondent_scores",
]
