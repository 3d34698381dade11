"""Key drivers: which of the ten factors goes most with an overall integrity rating.

For each respondent group with an effective sample size of at least ``min_n_effective`` (params
``drivers``, default 100), the outcome (an ``outcome`` item of the codebook, scored 0-100) is
regressed on the ten factor indices of the same respondents:

* **standardised coefficients**: the outcome and the factor indices are standardised with the
  group's weighted means and standard deviations, and the model is fitted by the design-based
  :meth:`~cipslib.survey.SurveyDesign.glm` on the group as a domain of the national design, so the
  standard errors carry the raking (as R's ``svyglm``); respondents missing the outcome or a factor
  index are left out, as R does;
* **relative importance**: Johnson's relative weights (Johnson 2000, *Multivariate Behavioral
  Research* 35(1), 1-19) from the weighted correlation matrix: the predictors are replaced by their
  closest orthogonal counterparts, the outcome's variance explained by each counterpart is shared
  back to the predictors in proportion to their squared loadings. The weights add up to the model's
  R²; ``importance`` is each factor's share of it in percent. They approximate general dominance
  weights closely and, unlike the coefficients, are not distorted by the strong correlation of the
  factor indices.

The analysis describes association in one cycle's answers, not cause: a factor that goes with a
high overall rating is a candidate for action, not proof that acting on it raises the rating.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ProblemList
from ..inputs.codebook import Codebook
from .omissions import Omission
from .scoring import item_scores

COLUMNS = [
    "group",
    "outcome",
    "factor",
    "beta",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "raw_weight",
    "raw_weight_se",
    "importance",
    "importance_se",
    "importance_ci_low",
    "importance_ci_high",
    "r_squared",
    "n",
    "effective_sample_size",
]


def relative_weights(corr_x: np.ndarray, corr_xy: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights of the predictors: they add up to R².

    ``corr_x`` is the predictors' correlation matrix, ``corr_xy`` their correlations with the
    outcome.

    Examples
    --------
    Uncorrelated predictors: each weight is the squared correlation with the outcome.

    >>> relative_weights(np.eye(2), np.array([0.5, 0.3])).round(4).tolist()
    [0.25, 0.09]
    >>> rx = np.array([[1.0, 0.6], [0.6, 1.0]])
    >>> w = relative_weights(rx, np.array([0.5, 0.4]))
    >>> round(float(w.sum()), 6) == round(float(np.array([0.5, 0.4]) @ np.linalg.solve(rx,
    ...     np.array([0.5, 0.4]))), 6)
    True
    """
    values, vectors = np.linalg.eigh(corr_x)
    values = np.clip(values, 0.0, None)
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T  # R^(1/2): loadings on the orthogonal Z
    beta_z = np.linalg.lstsq(root, corr_xy, rcond=None)[0]  # outcome regressed on Z
    return (root**2) @ (beta_z**2)


def _weights_and_shares(cov: np.ndarray) -> np.ndarray:
    """Relative weights and their shares of R² (%) from the covariance matrix of the predictors
    and the outcome (last)."""
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    raw = relative_weights(corr[:-1, :-1], corr[:-1, -1])
    return np.concatenate([raw, 100 * raw / raw.sum()])


def relative_weights_with_errors(
    design, values: np.ndarray, domain: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The relative weights and their shares of R² (%), in the order of
    :func:`_weights_and_shares`, with their design-based standard errors by linearisation (the
    delta method).

    ``values`` holds the predictors and the outcome (last column) of the design's rows; ``domain``
    the respondents the weights describe (no missing value among them). The weighted covariance
    matrix is a smooth function of domain means: each of its distinct entries has the linearised
    score ``w_i [(z_ij - m_j)(z_ik - m_k) - S_jk] / W`` in the domain (0 outside), the weights are a
    smooth function of the entries (Jacobian by central differences), and the design's own
    variance (:meth:`~cipslib.survey.SurveyDesign.score_variance`, raking undone) gives the
    variance of the combined scores. The same as R's ``svyvar`` covariance with the delta method.
    """
    w = np.where(domain, design.weights.to_numpy(), 0.0)
    z = np.where(domain[:, None], values, 0.0)
    centred = z - w @ z / w.sum()
    cov = (centred * w[:, None]).T @ centred / w.sum()
    rows, cols = np.triu_indices(len(cov))
    scores = w[:, None] * (centred[:, rows] * centred[:, cols] - cov[rows, cols]) / w.sum()
    jacobian = np.empty((2 * (len(cov) - 1), len(rows)))
    for m, (j, k) in enumerate(zip(rows, cols, strict=True)):
        step = 1e-6 * np.sqrt(cov[j, j] * cov[k, k])
        bump = np.zeros_like(cov)
        bump[j, k] = bump[k, j] = step
        up, down = _weights_and_shares(cov + bump), _weights_and_shares(cov - bump)
        jacobian[:, m] = (up - down) / (2 * step)
    return _weights_and_shares(cov), np.sqrt(design.score_variance(scores @ jacobian.T))


def outcome_item(
    codebook: Codebook, outcome: str | None, cycle: int | None = None
) -> pd.Series | None:
    """The codebook row of the driver outcome: the item whose key or id is ``outcome``, or the
    first ``outcome`` item (and the other versions of its key) when it is None; None when the
    codebook has none. With a ``cycle``, the version the cycle asked when one did (an item's
    ``cycles:``), else the first.

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> cb = load_codebook()
    >>> item = outcome_item(cb, None, 2024)
    >>> item["key"], outcome_asked(item, 2024), outcome_asked(item, 2025)
    ('OVERALL_INTEGRITY', False, True)
    """
    items = codebook.items
    if outcome is None:
        first = items[items["construct"] == "outcome"]
        if first.empty:
            return None
        outcome = first.iloc[0]["key"]
    rows = items[(items["key"] == outcome) | (items["id"] == outcome)]
    if rows.empty:
        problems = ProblemList()
        problems.add(
            "params",
            "drivers 'outcome' is not an item of the codebook",
            value=outcome,
            expected="an item key or id, e.g. "
            + ", ".join(items.loc[items["construct"] == "outcome", "key"].head(3)),
        )
        problems.raise_if_errors()
    asked = rows[[outcome_asked(r, cycle) for _, r in rows.iterrows()]]
    return (asked if len(asked) else rows).iloc[0]


def outcome_asked(item: pd.Series, cycle: int | None) -> bool:
    """Whether the questionnaire of ``cycle`` asked the item (True for every cycle without
    ``cycles:``, and when the cycle is not known)."""
    return cycle is None or item["cycles"] is None or int(cycle) in item["cycles"]


def outcome_omission(codebook: Codebook, outcome: str | None, cycle: int | None) -> Omission | None:
    """Why a cycle has no key drivers for want of its outcome: the codebook has no outcome item
    (``no_outcome``), or the cycle's questionnaire did not ask it (``outcome_not_asked``, naming
    the question in each language of the codebook); None when the cycle asked it.

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> o = outcome_omission(load_codebook(), None, 2024)
    >>> o.reason, o.details["cycle"], o.details["question"]["en"]
    ('outcome_not_asked', 2024, 'Overall, the Customs Service is an organisation of integrity')
    >>> outcome_omission(load_codebook(), None, 2025) is None
    True
    """
    item = outcome_item(codebook, outcome, cycle)
    if item is None:
        return Omission("drivers", "no_outcome", whole=True)
    if outcome_asked(item, cycle):
        return None
    question = {lang: str(item[f"text_{lang}"]).rstrip(".") for lang in codebook.languages}
    details = {"item": item["key"], "question": question, "cycle": int(cycle)}
    return Omission("drivers", "outcome_not_asked", whole=True, details=details)


def _weighted_standardise(frame: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    """Columns centred and scaled by their weighted mean and SD."""
    x = frame.to_numpy(dtype=float)
    mean = w @ x / w.sum()
    sd = np.sqrt(w @ (x - mean) ** 2 / w.sum())
    return pd.DataFrame((x - mean) / sd, index=frame.index, columns=frame.columns)


def key_drivers(
    design,
    data: pd.DataFrame,
    codebook: Codebook,
    factor_values: pd.DataFrame,
    masks: Mapping[str, np.ndarray],
    outcome: str | None = None,
    min_n_effective: float = 100.0,
    level: float = 0.95,
    cycle: int | None = None,
) -> pd.DataFrame:
    """The key-driver table: per group and factor the standardised coefficient with its CI and
    p-value, the relative weight and its share of R² (``importance``, %), the model's R², n and
    Kish's effective n (see the module docstring).

    ``factor_values`` holds each respondent's factor indices (columns ``factor_index.K``);
    ``masks`` the respondents of each group. Groups under ``min_n_effective`` are left out. The
    outcome is the version ``cycle`` asked; the table is empty when the data lack it (a cycle whose
    questionnaire did not ask it, see :func:`outcome_omission`).

    Examples
    --------
    >>> from cipslib import prepare_cycle
    >>> from cipslib.analysis.measures import build_measures
    >>> from cipslib.analysis.scoring import load_indicators
    >>> prepared = prepare_cycle("params/2025.yaml")
    >>> m = build_measures(prepared.data, prepared.codebook, load_indicators(prepared.codebook))
    >>> groups = prepared.data["group"].astype(str).to_numpy()
    >>> t = key_drivers(prepared.design, prepared.data, prepared.codebook, m.values,
    ...                 {"official": groups == "official"})
    >>> len(t), round(float(t["importance"].sum()), 6)
    (10, 100.0)
    """
    item = outcome_item(codebook, outcome, cycle)
    if item is None or item["id"] not in data.columns:
        return pd.DataFrame(columns=COLUMNS)
    y = item_scores(data, codebook, codebook.items[codebook.items["id"] == item["id"]])[1]
    columns = sorted(
        (c for c in factor_values.columns if c.startswith("factor_index.")),
        key=lambda c: int(c.split(".")[1]),
    )
    frame = pd.concat([factor_values[columns], y[item["id"]].rename("outcome")], axis=1)
    weights = design.weights.to_numpy()
    rows = []
    for group, mask in masks.items():
        rows += _group_drivers(design, frame, weights, group, mask, item, min_n_effective, level)
    return pd.DataFrame(rows, columns=COLUMNS)


def _group_drivers(design, frame, weights, group, mask, item, min_n_effective, level) -> list:
    complete = mask & frame.notna().all(axis=1).to_numpy()
    w = weights[complete]
    n_eff = w.sum() ** 2 / (w**2).sum() if complete.any() else 0.0
    if n_eff < min_n_effective:
        return []
    z = _weighted_standardise(frame[complete], w)
    names = {c: f"f{c.split('.')[1]}" for c in frame.columns if c != "outcome"}
    full = z.reindex(frame.index).rename(columns=names)
    fitted = design.update(**{c: full[c].to_numpy() for c in full.columns}).glm(
        "outcome ~ " + " + ".join(names.values()), domain=complete, level=level
    )
    fitted = fitted.set_index("term")
    p = len(names)
    estimates, errors = relative_weights_with_errors(design, frame.to_numpy(dtype=float), complete)
    raw, share = estimates[:p], estimates[p:]
    r2 = float(raw.sum())
    half = stats.t.ppf((1 + level) / 2, design.df) * errors[p:]
    rows = factor_rows(fitted, list(names.values()), raw, share, errors, half)
    return [
        {
            "group": group,
            "outcome": item["key"],
            "factor": int(column.split(".")[1]),
            **row,
            "r_squared": r2,
            "n": int(complete.sum()),
            "effective_sample_size": n_eff,
        }
        for column, row in zip(names, rows, strict=True)
    ]


def factor_rows(fitted: pd.DataFrame, terms: list[str], raw, share, errors, half) -> list[dict]:
    """Per term of a fitted driver model (``fitted`` indexed by term): its coefficient with SE,
    CI and p-value, and its relative weight (``raw``, with its SE in ``errors[:p]``) and share
    (``share`` %, SE in ``errors[p:]``, CI half-width ``half``, kept within 0-100).

    Examples
    --------
    >>> f = pd.DataFrame({"estimate": [0.5], "se": [0.1], "ci_low": [0.3], "ci_high": [0.7],
    ...                   "p": [0.001]}, index=["f1"])
    >>> row = factor_rows(f, ["f1"], [0.2], [100.0], [0.01, 2.0], [4.0])[0]
    >>> row["beta"], row["importance_ci_high"]
    (np.float64(0.5), 100.0)
    """
    p = len(terms)
    return [
        {
            "beta": fitted.loc[term, "estimate"],
            "se": fitted.loc[term, "se"],
            "ci_low": fitted.loc[term, "ci_low"],
            "ci_high": fitted.loc[term, "ci_high"],
            "p_value": fitted.loc[term, "p"],
            "raw_weight": raw[i],
            "raw_weight_se": errors[i],
            "importance": share[i],
            "importance_se": errors[p + i],
            "importance_ci_low": max(share[i] - half[i], 0.0),
            "importance_ci_high": min(share[i] + half[i], 100.0),
        }
        for i, term in enumerate(terms)
    ]
