"""Design-based generalised linear models, equal to R's ``svyglm`` (``survey`` package).

The coefficients are the weighted (pseudo-likelihood) estimates that ``glm`` gives with the
sampling weights as prior weights; statsmodels fits them. Their variance is the design variance of
the linearised estimating functions, taken by the design itself (calibration undone, strata, PSUs
and finite population correction), as ``svy.varcoef``: the influence of respondent i is
``w_i x_i (y_i - mu_i) A^-1`` with ``A = sum_i w_i v(mu_i) x_i x_i'`` (the unscaled covariance of
the weighted fit; ``v`` = 1 for the gaussian family, ``mu (1 - mu)`` for the binomial one).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import linalg, stats

from .errors import DesignError

FAMILIES = ("gaussian", "binomial")


def _domain_mask(data: pd.DataFrame, domain) -> np.ndarray:
    """Rows of the domain as a boolean array (missing = outside, as R's ``subset``)."""
    if domain is None:
        return np.ones(len(data), dtype=bool)
    name = domain if isinstance(domain, str) else None
    if name is not None:
        if name not in data.columns:
            raise DesignError(f"the domain column '{name}' is not in the data", column=name)
        values = data[name]
    elif isinstance(domain, pd.Series):
        values = domain.reindex(data.index) if not domain.index.equals(data.index) else domain
    else:
        values = pd.Series(list(np.asarray(domain).ravel()), dtype=object)
    if len(values) != len(data):
        raise DesignError(
            "the domain mask does not have one value per respondent of the design",
            value=len(values),
            expected=f"{len(data)} values",
        )
    known = values.dropna()
    not_bool = known[~known.map(lambda v: isinstance(v, bool | np.bool_))]
    if len(not_bool):
        raise DesignError(
            "the domain must be a boolean column or mask",
            column=name,
            value=getattr(not_bool.iloc[0], "item", lambda: not_bool.iloc[0])(),
            expected="True/False on every row (missing counts as outside the domain)",
        )
    return values.astype(object).where(values.notna(), False).to_numpy(dtype=bool)


def _parse(formula: str, columns: pd.Index):
    from formulaic import Formula

    if not isinstance(formula, str) or "~" not in formula:
        raise DesignError(
            "the model needs a formula 'outcome ~ predictors'",
            value=formula,
            expected="a string such as 'y ~ x + group'",
        )
    try:
        spec = Formula(formula)
    except Exception as exc:  # formulaic's parser errors carry the formula with markers
        raise DesignError(
            f"the formula '{formula}' cannot be parsed ({type(exc).__name__})",
            value=formula,
            expected="a formula such as 'y ~ x + group'",
        ) from exc
    if not hasattr(spec, "lhs") or not spec.lhs.required_variables:
        raise DesignError(
            f"the formula '{formula}' has no outcome", value=formula, expected="'outcome ~ ...'"
        )
    missing = sorted(v for v in spec.required_variables if v not in columns)
    if missing:
        raise DesignError(
            f"the model variable '{missing[0]}' is not a column of the data", column=missing[0]
        )
    return spec


def _singular_terms(x: np.ndarray, names: list[str]) -> list[str]:
    """Columns of x that are linear combinations of the others (pivoted QR, as R's ``glm``)."""
    _, r, piv = linalg.qr(x, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    tol = 1e-7 * (diag[0] if len(diag) else 1.0)
    rank = int((diag > tol).sum())
    return [names[j] for j in sorted(piv[rank:])]


def glm(
    design,  # a SurveyDesign (not imported here: design.py imports this module for its verb)
    formula: str,
    family: str = "gaussian",
    level: float = 0.95,
    domain: str | np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Design-based generalised linear model, the same numbers as R's ``svyglm``.

    Parameters
    ----------
    design : SurveyDesign
        The design (its current weights; any raking, post-stratification or linear calibration is
        accounted for in the variance).
    formula : str
        ``"outcome ~ predictors"`` in formulaic's (Wilkinson/R) syntax: ``+``, ``*``, ``:``,
        ``C()``, ``I()``, ``np.log()``, ``0 +`` to drop the intercept; names that are not Python
        identifiers go in backticks. String, boolean and categorical predictors are dummy-coded
        with the first (sorted, or first category) level as the reference, as R's factors.
    family : {"gaussian", "binomial"}
        ``"gaussian"``: linear regression (identity link). ``"binomial"``: logistic regression of a
        0/1 (or boolean) outcome; R's ``quasibinomial()`` (``binomial()`` gives the same
        coefficients and standard errors in ``svyglm``).
    level : float
        Confidence level of the intervals.
    domain : str, boolean array or Series, optional
        Fit within a domain: a boolean column name or a row mask (missing = outside). As
        ``svyglm(design = subset(d, cond))``: the rows outside keep a zero contribution but stay in
        the design for the variance.

    Returns
    -------
    pandas.DataFrame
        One row per coefficient: ``term`` (formulaic's names, e.g. ``stype[T.H]``), ``estimate``,
        ``se``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high``; with the binomial family also
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high`` (the exponentiated estimate and interval).
        ``attrs`` holds ``vcov`` (the design covariance matrix of the coefficients in ``term``
        order, as nested lists), ``n`` (rows used), ``df``, ``family`` and ``formula``.

    Raises
    ------
    DesignError
        Unknown column, unparseable formula, an outcome that is not numeric (gaussian) or 0/1
        (binomial), too few rows, a singular model matrix, or a fit that does not converge.

    Warns
    -----
    RuntimeWarning
        Fitted probabilities numerically 0 or 1 (separation), as R's ``glm``; the fit is still
        returned.

    Notes
    -----
    * Point estimates: statsmodels' ``WLS`` (gaussian) or ``GLM(Binomial(), var_weights=w)``
      (binomial) with the design weights as prior weights, as ``svyglm`` (which rescales them to
      mean 1; the scale does not change the estimates).
    * Standard errors: linearisation as ``svy.varcoef``, the influence scores put through the
      design's own variance (:meth:`SurveyDesign.score_variance`'s machinery), so calibration is
      undone as for means.
    * Missing values: rows missing any model variable (or where a transformation gives NaN) are
      dropped, as ``na.action = na.omit``: they contribute zero but stay in the design's strata and
      PSUs for the variance. Levels of a predictor absent from the rows used are dropped (R reports
      them as aliased ``NA`` coefficients).
    * Degrees of freedom: ``df`` is R's ``df.residual`` = ``degf`` of the rows used (PSUs with at
      least one row used minus strata with at least one row used) + 1 - number of coefficients.
      p-values are two-sided t on ``df``, as ``summary(svyglm)``; the intervals are ``estimate +/-
      t(df) * se``, as ``confint(svyglm)`` (its default ``ddf`` is ``df.residual``). With ``df <=
      0`` p-values and intervals are NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> from cipslib.survey import SurveyDesign
    >>> df = pd.DataFrame({
    ...     "y": [3.1, 4.0, 5.2, 5.9, 7.1, 8.2, 2.9, 4.4],
    ...     "x": [1.0, 2, 3, 4, 5, 6, 1, 2],
    ...     "g": list("aabbaabb"),
    ...     "high": [0, 1, 0, 1, 1, 1, 0, 0],
    ...     "w": [10.0, 12, 8, 9, 11, 10, 9, 12],
    ... })
    >>> d = SurveyDesign(df, weights="w")
    >>> glm(d, "y ~ x + g")[["term", "estimate", "se", "df"]].round(3).to_dict("records")
    [{'term': 'Intercept', 'estimate': 2.05, 'se': 0.092, 'df': 5},
     {'term': 'x', 'estimate': 1.013, 'se': 0.025, 'df': 5},
     {'term': 'g[T.b]', 'estimate': 0.039, 'se': 0.13, 'df': 5}]
    >>> fit = glm(d, "high ~ x", family="binomial")
    >>> fit[["term", "estimate", "odds_ratio", "p"]].round(3).to_dict("records")
    [{'term': 'Intercept', 'estimate': -3.843, 'odds_ratio': 0.021, 'p': 0.108},
     {'term': 'x', 'estimate': 1.46, 'odds_ratio': 4.308, 'p': 0.044}]
    """
    from formulaic import model_matrix

    if family not in FAMILIES:
        raise DesignError(
            f"unknown family '{family}'", value=family, expected="'gaussian' or 'binomial'"
        )
    if not 0 < level < 1:
        raise DesignError("the confidence level must be between 0 and 1", value=level)
    data = design.data
    spec = _parse(formula, data.columns)
    variables = sorted(spec.required_variables)
    used = _domain_mask(data, domain) & data[variables].notna().all(axis=1).to_numpy()
    sub = data.loc[used, variables].copy()
    for c in variables:
        if isinstance(sub[c].dtype, pd.CategoricalDtype):
            sub[c] = sub[c].cat.remove_unused_categories()
    outcome = str(spec.lhs).strip()
    if outcome in data.columns and not (
        pd.api.types.is_numeric_dtype(data[outcome]) or pd.api.types.is_bool_dtype(data[outcome])
    ):
        raise DesignError(
            f"the outcome '{outcome}' is not numeric",
            column=outcome,
            value=str(data[outcome].dtype),
            expected="numbers (gaussian) or 0/1 (binomial): a 0/1 column or I(x == 'level')",
        )
    if not used.any():
        raise DesignError("no row has all the model variables (within the domain)")
    try:
        mm = model_matrix(spec, sub, na_action="ignore")
    except Exception as exc:
        raise DesignError(
            f"the formula '{formula}' cannot be evaluated on the data ({exc})", value=formula
        ) from exc
    if mm.lhs.shape[1] != 1:
        raise DesignError(
            f"the outcome '{outcome}' must be one numeric column",
            value=list(mm.lhs.columns),
            expected="a numeric or 0/1 outcome",
        )
    y_all = np.asarray(mm.lhs, dtype=float)[:, 0]
    x_all = np.asarray(mm.rhs, dtype=float)
    names = [str(c) for c in mm.rhs.columns]
    if np.isinf(y_all).any() or np.isinf(x_all).any():
        raise DesignError(f"the model '{formula}' gives infinite values (e.g. log of 0)")
    finite = ~np.isnan(y_all) & ~np.isnan(x_all).any(axis=1)
    rows = np.flatnonzero(used)[finite]
    used = np.zeros(len(data), dtype=bool)
    used[rows] = True
    y, x = y_all[finite], x_all[finite]
    n, k = x.shape
    if k == 0:
        raise DesignError(f"the model '{formula}' has no coefficient to estimate")
    if family == "binomial" and not np.isin(y, (0.0, 1.0)).all():
        bad = y[~np.isin(y, (0.0, 1.0))][0]
        raise DesignError(
            f"the binomial outcome '{outcome}' must be 0/1",
            column=outcome if outcome in data.columns else None,
            value=float(bad),
            expected="0/1 or True/False (make an indicator such as I(x == 'level'))",
        )
    if n <= k:
        raise DesignError(
            f"{n} rows cannot estimate {k} coefficients", expected="more rows than coefficients"
        )
    aliased = _singular_terms(x, names)
    if aliased:
        raise DesignError(
            "the model matrix is singular: "
            + ", ".join(f"'{a}'" for a in aliased)
            + " is a linear combination of the other terms",
            value=aliased,
            expected="drop or merge redundant predictors or empty levels",
        )

    w = design.weights.to_numpy()[used]
    w = w / w.mean()
    if family == "gaussian":
        from statsmodels.regression.linear_model import WLS  # not statsmodels.api: 0.3 s to import

        fit = WLS(y, x, weights=w).fit()
        mu = x @ fit.params
        v = np.ones(n)
    else:
        from statsmodels.genmod.families import Binomial
        from statsmodels.genmod.generalized_linear_model import GLM
        from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PerfectSeparationWarning)
            fit = GLM(y, x, family=Binomial(), var_weights=w).fit(tol=1e-12, maxiter=100)
        separated = False
        for item in caught:  # statsmodels warns once per iteration: one warning of ours instead
            if issubclass(item.category, PerfectSeparationWarning):
                separated = True
            else:
                warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
        if not fit.converged:
            raise DesignError(
                f"the logistic model '{formula}' did not converge",
                expected="an outcome that the predictors do not separate perfectly",
            )
        mu = fit.predict(x)
        v = mu * (1 - mu)
        eps = 10 * np.finfo(float).eps
        if separated or (mu < eps).any() or (mu > 1 - eps).any():
            # R's glm.fit gives the same warning and still reports the fit
            warnings.warn(
                f"the logistic model '{formula}': fitted probabilities numerically 0 or 1 occurred "
                "(the predictors separate the outcome; its estimates and standard errors are "
                "unreliable)",
                RuntimeWarning,
                stacklevel=2,
            )
    beta = np.asarray(fit.params, dtype=float)
    a_inv = np.linalg.inv(x.T @ (x * (w * v)[:, None]))
    scores = np.zeros((len(data), k))
    scores[used] = (x * (w * (y - mu))[:, None]) @ a_inv
    vcov = design._variance(scores)
    se = np.sqrt(np.maximum(np.diag(vcov), 0.0))

    s = design._structure
    df = len(np.unique(s.psu[used])) - len(np.unique(s.strata[used])) + 1 - k
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, beta / np.where(se > 0, se, 1.0), np.nan)
    if df > 0:
        p = 2 * stats.t.sf(np.abs(t), df)
        q = float(stats.t.ppf(0.5 + level / 2, df))
    else:
        p = np.full(k, np.nan)
        q = np.nan
    out = pd.DataFrame(
        {
            "term": names,
            "estimate": beta,
            "se": se,
            "t": t,
            "df": df,
            "p": p,
            "ci_low": beta - q * se,
            "ci_high": beta + q * se,
        }
    )
    if family == "binomial":
        out["odds_ratio"] = np.exp(out["estimate"])
        out["or_ci_low"] = np.exp(out["ci_low"])
        out["or_ci_high"] = np.exp(out["ci_high"])
    out.attrs.update(
        vcov=vcov.tolist(),  # plain lists: pandas compares attrs when frames are concatenated
        n=int(n),
        df=int(df),
        family=family,
        formula=formula,
    )
    return out
