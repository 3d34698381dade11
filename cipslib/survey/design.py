"""Survey designs, weighting and design-based estimates that agree with R's ``survey`` package.

Conventions (each matches R's ``survey``; the reference figures are tested to 1e-6):

* Design: single-stage, optionally stratified and clustered (PSUs are nested in strata). ``fpc``
  holds either the population size of the stratum (number of PSUs in the population for a cluster
  design) or the sampling fraction (values <= 1), as in ``svydesign``. Without weights the weights
  are N_h / n_h when an fpc is given, else 1.
* Standard errors: Taylor linearisation; with-replacement variance between PSUs within strata times
  ``(1 - n_h/N_h)``. After :meth:`SurveyDesign.poststratify`, :meth:`SurveyDesign.rake` or
  :meth:`SurveyDesign.calibrate` the variance accounts for the calibration (``svyrecvar``); treating
  calibrated weights as fixed would overstate the standard errors of calibrated variables and
  misstate others.
* Confidence intervals: 95% by default, Student t with ``df`` = number of PSUs minus number of
  strata (``degf``). Proportions use the logit interval of ``svyciprop(method = "logit")``; a
  proportion of exactly 0 or 1 gets the one-sided exact bound for its effective sample size.
* Domains (``by=``): estimated on the full design, as ``svyby`` does; rows outside the domain keep
  their place in the variance.
* Missing values: as ``na.rm = TRUE``; the row leaves the numerator and denominator but stays in the
  design.
* ``deff``: design variance over the variance of simple random sampling without replacement of the
  same number of respondents (``svymean(deff = TRUE)``); with equal weights of 1 and no population
  information the with-replacement variance is used instead of R's infinite value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .calibration import (
    CELL_SEP,
    WeightingRecord,
    greg_factors,
    level_codes,
    positive,
    rake_weights,
    trim_weights,
    weight_stats,
)
from .errors import DesignError
from .inference import difference_row, difference_table, logit_interval
from .regression import glm as _glm
from .variance import (
    CalibrationStep,
    GregStep,
    PostStratStep,
    RakeStep,
    calibration_residuals,
    design_variance,
)


def _fail(message: str, **kw) -> DesignError:
    return DesignError(message, **kw)


def _codes(values: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes of a column's values (NA is -1) and the levels in order."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.cat.remove_unused_categories()
        return cat.cat.codes.to_numpy(dtype=np.int64), list(cat.cat.categories)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), list(uniques)


@dataclass(frozen=True)
class _Structure:
    strata: np.ndarray
    psu: np.ndarray
    n_psu: np.ndarray
    fpc_fraction: np.ndarray
    n_strata: int

    @property
    def df(self) -> int:
        return int(self.n_psu.sum() - self.n_strata)


class SurveyDesign:
    """A survey design over a DataFrame: weights, strata, PSUs, finite population correction.

    Parameters
    ----------
    data : the respondents, one row each.
    weights : column of sampling weights (None: N_h/n_h from ``fpc``, else 1).
    strata : column of design strata (None: one stratum).
    psu : column of primary sampling units (None: each respondent is its own PSU).
    fpc : column with the stratum's population size (or PSU count) or its sampling fraction.

    Weighting methods return a new design; the original is left unchanged. ``weights`` is the
    current weights as a Series aligned with the data's index.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0], "sex": ["f", "f", "m", "m"]})
    >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
    >>> d.weights.round(1).tolist()
    [30.0, 30.0, 20.0, 20.0]
    >>> d.mean("y")[["estimate", "n"]].round(3).to_dict("records")
    [{'estimate': 0.7, 'n': 4}]
    """

    data: pd.DataFrame
    weights: pd.Series

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | None = None,
        fpc: str | None = None,
    ):
        if not isinstance(data, pd.DataFrame) or data.empty:
            raise _fail("the design needs a DataFrame with at least one row")
        for role, col in (("weights", weights), ("strata", strata), ("psu", psu), ("fpc", fpc)):
            if col is not None and col not in data.columns:
                raise _fail(f"the {role} column '{col}' is not in the data", column=col)
        n = len(data)
        if strata is not None:
            if data[strata].isna().any():
                raise _fail("some rows have no stratum", column=strata)
            s_codes, s_levels = _codes(data[strata])
        else:
            s_codes, s_levels = np.zeros(n, dtype=np.int64), ["all"]
        n_strata = len(s_levels)
        if psu is not None:
            if data[psu].isna().any():
                raise _fail("some rows have no PSU", column=psu)
            key = (
                pd.Series(s_codes).astype(str).to_numpy()
                + "\x1f"
                + data[psu].astype(str).to_numpy()
            )
            p_codes, _ = pd.factorize(key)
        else:
            p_codes = np.arange(n)
        p_codes = p_codes.astype(np.int64)
        psu_stratum = np.zeros(p_codes.max() + 1, dtype=np.int64)
        psu_stratum[p_codes] = s_codes
        n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(float)
        lonely = [s_levels[h] for h in np.flatnonzero(n_psu == 1)]
        if lonely:
            raise _fail(
                f"stratum '{lonely[0]}' has a single PSU, so its variance cannot be estimated",
                column=strata,
                value=lonely[0],
                expected="at least two PSUs per stratum (merge it with a similar stratum)",
            )
        fraction = np.zeros(n_strata)
        pop_size = None
        if fpc is not None:
            f = pd.to_numeric(data[fpc], errors="coerce")
            if f.isna().any() or (f <= 0).any():
                raise _fail("the fpc column must hold positive numbers on every row", column=fpc)
            per = pd.Series(f.to_numpy()).groupby(s_codes).agg(["min", "max"])
            if (per["max"] - per["min"] > 1e-9 * per["max"]).any():
                h = int(per.index[(per["max"] - per["min"] > 1e-9 * per["max"]).to_numpy()][0])
                raise _fail("the fpc differs within a stratum", column=fpc, value=s_levels[h])
            fvals = per["min"].reindex(range(n_strata)).to_numpy()
            if (fvals <= 1).all():
                fraction = fvals
                pop_size = n_psu / np.where(fvals > 0, fvals, 1)
            elif (fvals > 1).all():
                pop_size = fvals
                if (n_psu > pop_size + 1e-9).any():
                    h = int(np.flatnonzero(n_psu > pop_size + 1e-9)[0])
                    raise _fail(
                        "a stratum has more sampled PSUs than its population size",
                        column=fpc,
                        value=s_levels[h],
                    )
                fraction = n_psu / pop_size
            else:
                raise _fail(
                    "the fpc column mixes fractions (<= 1) and population sizes (> 1)", column=fpc
                )
        if weights is not None:
            w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
            bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
            if len(bad):
                raise _fail(
                    "weights must be positive numbers",
                    column=weights,
                    row=int(bad[0]) + 1,
                    value=data[weights].iloc[bad[0]],
                    expected="a weight above 0 on every row",
                )
        elif pop_size is not None:
            w = (pop_size / n_psu)[s_codes]
        else:
            w = np.ones(n)
        self.data = data
        self.weights = pd.Series(w, index=data.index, name="weight")
        self._structure = _Structure(s_codes, p_codes, n_psu, fraction, n_strata)
        self._steps: tuple[CalibrationStep, ...] = ()
        self._records: tuple[WeightingRecord, ...] = ()

    # -- derived designs -------------------------------------------------------------------------
    def _derive(
        self, w: np.ndarray, step: CalibrationStep | None, record: WeightingRecord
    ) -> SurveyDesign:
        new = object.__new__(SurveyDesign)
        new.data = self.data
        new.weights = pd.Series(w, index=self.data.index, name="weight")
        new._structure = self._structure
        new._steps = self._steps + ((step,) if step is not None else ())
        new._records = self._records + (record,)
        return new

    def update(self, **columns) -> SurveyDesign:
        """The same design (weights, strata, PSUs, calibration) with new or replaced columns, as
        R's ``update(design, ...)``; each column has one value per row.

        Examples
        --------
        >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 4.0]})).update(z=[2.0, 4.0, 8.0])
        >>> round(float(d.mean("z")["estimate"].iloc[0]), 4)
        4.6667
        """
        for name, values in columns.items():
            if len(values) != len(self.data):
                raise DesignError(
                    f"the new column '{name}' does not have one value per row",
                    column=name,
                    value=len(values),
                    expected=f"{len(self.data)} values",
                )
        new = self._derive(self.weights.to_numpy(), None, None)
        new._records = self._records
        values = {k: np.asarray(v) for k, v in columns.items()}
        new.data = self.data.assign(**values)
        return new

    def __repr__(self) -> str:
        s = self._structure
        steps = ", ".join(r.kind for r in self._records) or "none"
        return (
            f"<SurveyDesign: {len(self.data)} rows, "
            f"{int(s.n_psu.sum())} PSUs in {s.n_strata} strata, "
            f"df {self.df}, weighting: {steps}>"
        )

    @property
    def df(self) -> int:
        """Degrees of freedom: number of PSUs minus number of strata (R's ``degf``)."""
        return self._structure.df

    def __len__(self) -> int:
        return len(self.data)

    def _margin_codes(self, column: str, targets: Mapping) -> tuple[np.ndarray, np.ndarray, list]:
        """Codes of a margin's levels per row and the targets in code order, with clear errors."""
        if column not in self.data.columns:
            raise _fail(f"the margin variable '{column}' is not in the data", column=column)
        values = self.data[column]
        if values.isna().any():
            rows = np.flatnonzero(values.isna().to_numpy())
            raise _fail(
                f"{len(rows)} respondents have no value for the margin variable '{column}'",
                column=column,
                row=int(rows[0]) + 1,
                expected="a value on every row (impute or drop them before weighting)",
            )
        return level_codes(
            values,
            {str(k): (k, v) for k, v in targets.items()},
            column,
            lambda k: f"level '{k}' of '{column}'",
            "level",
        )

    # -- weighting -------------------------------------------------------------------------------
    def poststratify(self, columns: str | Sequence[str], counts: Mapping) -> SurveyDesign:
        """Post-stratify to known population counts of one column or of the cells of several.

        ``counts`` maps a level (one column) or a tuple of levels (several columns) to its
        population count. Variance: as R's ``postStratify`` (scores centred within post-strata).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> SurveyDesign(df).poststratify("sex", {"f": 60, "m": 40}).weights.round(2).tolist()
        [20.0, 20.0, 13.33, 13.33, 20.0, 13.33]
        """
        cols = [columns] if isinstance(columns, str) else list(columns)
        if len(cols) == 1:
            targets = {(k if not isinstance(k, tuple) else k[0]): v for k, v in counts.items()}
            codes, target, levels = self._margin_codes(cols[0], targets)
        else:
            for c in cols:
                if c not in self.data.columns:
                    raise _fail(
                        f"the post-stratification variable '{c}' is not in the data", column=c
                    )
            frame_key = self.data[cols[0]].astype(str)
            for c in cols[1:]:
                frame_key = frame_key + CELL_SEP + self.data[c].astype(str)
            targets = {}
            for k, v in counts.items():
                if not isinstance(k, tuple) or len(k) != len(cols):
                    raise _fail(
                        f"post-stratification cells are tuples of {len(cols)} levels "
                        f"({', '.join(cols)})",
                        value=k,
                    )
                targets[CELL_SEP.join(map(str, k))] = (tuple(map(str, k)), v)
            names = ", ".join(cols)
            codes, target, levels = level_codes(
                frame_key,
                targets,
                "+".join(cols),
                lambda k: f"the cell {tuple(k.split(CELL_SEP))} of ({names})",
                "cell",
            )
        w = self.weights.to_numpy()
        current = np.bincount(codes, weights=w, minlength=len(levels))
        new_w = w * (target / current)[codes]
        record = WeightingRecord(
            "poststratify", {"+".join(cols): dict(zip(levels, target, strict=True))}
        )
        return self._derive(new_w, PostStratStep(codes, w, new_w), record)

    def rake(
        self, margins: Mapping[str, Mapping], *, max_iter: int = 100, tol: float = 1e-10
    ) -> SurveyDesign:
        """Rake (iterative proportional fitting) the weights to population margins.

        ``margins`` maps a column to ``{level: population count}``; all margins must have the same
        total. Iterates until every margin is within ``tol`` (relative) of its target. The returned
        design remembers the margins so that standard errors account for the raking (as R's
        ``rake``).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}}).weights.round(2).tolist()
        [20.0, 20.0, 13.33, 13.33, 20.0, 13.33]
        """
        if not margins:
            raise _fail("rake needs at least one margin")
        prepared = []
        totals = {}
        for column, targets in margins.items():
            if not isinstance(targets, Mapping) or not targets:
                raise _fail(
                    f"the margin '{column}' must map levels to population counts", column=column
                )
            codes, target, levels = self._margin_codes(column, targets)
            prepared.append((column, codes, target, levels))
            totals[column] = target.sum()
        first = next(iter(totals))
        for column, total in totals.items():
            if abs(total - totals[first]) > 1e-6 * totals[first]:
                raise _fail(
                    f"the margins disagree: '{column}' adds up to {total:,.6g} but '{first}' to "
                    f"{totals[first]:,.6g}",
                    column=column,
                    expected="the same population total",
                )
        w, iterations = rake_weights(self.weights.to_numpy(), prepared, max_iter, tol)
        record = WeightingRecord(
            "rake", {c: dict(zip(lv, t, strict=True)) for c, _, t, lv in prepared}, iterations
        )
        step = RakeStep(tuple(codes for _, codes, _, _ in prepared), w.copy())
        return self._derive(w, step, record)

    def calibrate(
        self, totals: Mapping[str, float], population_size: float | None = None
    ) -> SurveyDesign:
        """Linear (GREG) calibration to population totals of numeric columns.

        ``totals`` maps numeric columns to their population totals; ``population_size`` adds the
        intercept (the weights then also sum to it). Variance as R's ``calibrate(calfun =
        "linear")``.

        Examples
        --------
        >>> df = pd.DataFrame({"age": [30.0, 40, 50, 35, 45, 60]})
        >>> d = SurveyDesign(df).calibrate({"age": 4500.0}, population_size=100)
        >>> round(float((d.weights * df["age"]).sum())), round(float(d.weights.sum()))
        (4500, 100)
        """
        cols = list(totals)
        mats, target = [], []
        if population_size is not None:
            mats.append(np.ones(len(self.data)))
            target.append(positive(population_size, "population_size", "total"))
        for c in cols:
            if c not in self.data.columns:
                raise _fail(f"the calibration variable '{c}' is not in the data", column=c)
            x = pd.to_numeric(self.data[c], errors="coerce")
            if x.isna().any():
                raise _fail(
                    f"the calibration variable '{c}' must be numeric with no missing values",
                    column=c,
                )
            mats.append(x.to_numpy(dtype=float))
            target.append(float(totals[c]))
        m = np.column_stack(mats)
        t = np.asarray(target)
        w0 = self.weights.to_numpy()
        g = greg_factors(m, w0, t)
        record = WeightingRecord(
            "calibrate",
            {
                "totals": dict(
                    zip(
                        (["(population)"] if population_size is not None else []) + cols,
                        t,
                        strict=True,
                    )
                )
            },
        )
        return self._derive(w0 * g, GregStep(m, w0, g), record)

    def trim(
        self, lower: float | None = None, upper: float | None = None, max_iter: int = 50
    ) -> SurveyDesign:
        """Trim weights to ``[lower, upper]`` and share the trimmed amount over the untrimmed
        weights so the total is kept (iterated, as R's ``trimWeights(strict = TRUE)``). Calibration
        memory is kept.

        Examples
        --------
        >>> df = pd.DataFrame({"sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}}).trim(upper=18)
        >>> d.weights.round(2).tolist()
        [18.0, 18.0, 15.33, 15.33, 18.0, 15.33]
        """
        w = trim_weights(self.weights.to_numpy(), lower, upper, max_iter)
        record = WeightingRecord("trim", {"bounds": {"lower": lower, "upper": upper}})
        return self._derive(w, None, record)

    # -- estimation ------------------------------------------------------------------------------
    def _numeric(self, var: str) -> np.ndarray:
        if var not in self.data.columns:
            raise _fail(f"'{var}' is not a column of the data", column=var)
        s = self.data[var]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = pd.Index(s.cat.categories)
            if not pd.api.types.is_numeric_dtype(cats):
                raise _fail(
                    f"'{var}' is categorical with non-numeric levels, so it has no mean",
                    column=var,
                    expected="a numeric column (use proportion() for categories)",
                )
            return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if pd.api.types.is_bool_dtype(s):
            return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if not pd.api.types.is_numeric_dtype(s):
            raise _fail(
                f"'{var}' is not numeric, so it has no mean or total",
                column=var,
                value=str(s.dtype),
                expected="a numeric column (use proportion() for categories)",
            )
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    def _domains(self, by: str | Sequence[str] | None) -> list[tuple[dict, np.ndarray]]:
        if by is None:
            return [({}, np.ones(len(self.data), dtype=bool))]
        cols = [by] if isinstance(by, str) else list(by)
        for c in cols:
            if c not in self.data.columns:
                raise _fail(f"the by variable '{c}' is not in the data", column=c)
        frame = self.data[cols]
        groups = frame.groupby(cols, observed=True, sort=True, dropna=True).indices
        out = []
        for key, idx in groups.items():
            key = key if isinstance(key, tuple) else (key,)
            mask = np.zeros(len(self.data), dtype=bool)
            mask[idx] = True
            out.append((dict(zip(cols, key, strict=True)), mask))
        return out

    def _variance(self, scores: np.ndarray) -> np.ndarray:
        x = calibration_residuals(scores, self._steps)
        s = self._structure
        return design_variance(x, s.strata, s.psu, s.n_psu, s.fpc_fraction)

    def _linearise(self, y: np.ndarray, domain: np.ndarray, kind: str):
        """Estimate, scores and unweighted n of a mean or total of y over a domain."""
        if kind == "mean":
            est, scores, n = self._domain_scores(y[:, None], domain)
            return float(est[0]), scores[:, 0], int(n[0])
        w = self.weights.to_numpy()
        use = domain & ~np.isnan(y) & (w > 0)
        wd = np.where(use, w, 0.0)
        yd = np.where(use, y, 0.0)
        return (wd * yd).sum(), wd * yd, int(use.sum())

    def _srs_variance(self, y: np.ndarray, domain: np.ndarray, kind: str) -> float:
        """Variance under SRS without replacement, for the design effect (svymean/svytotal
        deff=TRUE)."""
        w = self.weights.to_numpy()
        use = domain & ~np.isnan(y) & (w > 0)
        n = use.sum()
        if n < 2:
            return np.nan
        wd, yd = w[use], y[use]
        mean = (wd * yd).sum() / wd.sum()
        var = (wd * (yd - mean) ** 2).sum() / wd.sum() * n / (n - 1)
        # without replacement as svymean(deff = TRUE); when the weights do not exceed the sample
        # size (equal weights of 1, no population information) the finite population factor is
        # meaningless: use 1
        fpc = (wd.sum() - n) / wd.sum()
        v = var / n * (fpc if fpc > 0 else 1.0)
        return v * wd.sum() ** 2 if kind == "total" else v

    def _estimate(self, var: str | Sequence[str], by, kind: str, level: float) -> pd.DataFrame:
        variables = [var] if isinstance(var, str) else list(var)
        rows = []
        t = self._t(level)
        domains = self._domains(by)
        for v in variables:
            y = self._numeric(v)
            for key, mask in domains:
                est, scores, n = self._linearise(y, mask, kind)
                se = float(np.sqrt(self._variance(scores[:, None])[0, 0])) if n else np.nan
                vsrs = self._srs_variance(y, mask, kind)
                rows.append(
                    {
                        "variable": v,
                        **key,
                        "estimate": est,
                        "se": se,
                        "ci_low": est - t * se,
                        "ci_high": est + t * se,
                        "df": self.df,
                        "n": n,
                        "deff": se**2 / vsrs if vsrs and vsrs > 0 else np.nan,
                    }
                )
        return _tidy(rows, by)

    def _t(self, level: float) -> float:
        if not 0 < level < 1:
            raise _fail("the confidence level must be between 0 and 1", value=level)
        return float(stats.t.ppf(0.5 + level / 2, self.df)) if self.df > 0 else np.inf

    def mean(
        self, var: str | Sequence[str], by: str | Sequence[str] | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """Weighted mean of numeric column(s) with linearised SE, t-based CI, n and design
        effect.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
        >>> d.mean("y")[["estimate", "se", "df", "n"]].round(3).to_dict("records")
        [{'estimate': 0.6, 'se': 0.179, 'df': 5, 'n': 6}]
        >>> d.mean("y", by="sex")[["sex", "estimate", "n"]].round(3).to_dict("records")
        [{'sex': 'f', 'estimate': 0.333, 'n': 3},
         {'sex': 'm', 'estimate': 1.0, 'n': 3}]
        """
        return self._estimate(var, by, "mean", level)

    def total(
        self, var: str | Sequence[str], by: str | Sequence[str] | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """Weighted total of numeric column(s) with linearised SE, t-based CI, n and design
        effect.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
        >>> d.total("y")[["estimate", "se"]].round(2).to_dict("records")
        [{'estimate': 60.0, 'se': 17.89}]
        """
        return self._estimate(var, by, "total", level)

    def proportion(
        self, var: str, by: str | Sequence[str] | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """Share of each level of ``var`` among respondents with a valid answer (missing excluded
        from the base), with linearised SE and the logit CI of ``svyciprop(method = "logit")``.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
        >>> cols = ["level", "estimate", "ci_low", "ci_high"]
        >>> d.proportion("y")[cols].round(3).to_dict("records")
        [{'level': 0.0, 'estimate': 0.4, 'ci_low': 0.089, 'ci_high': 0.819},
         {'level': 1.0, 'estimate': 0.6, 'ci_low': 0.181, 'ci_high': 0.911}]
        """
        if var not in self.data.columns:
            raise _fail(f"'{var}' is not a column of the data", column=var)
        s = self.data[var]
        levels = (
            list(s.cat.categories)
            if isinstance(s.dtype, pd.CategoricalDtype)
            else sorted(s.dropna().unique())
        )
        valid = s.notna().to_numpy()
        t = self._t(level)
        rows = []
        for key, mask in self._domains(by):
            if not (valid & mask).any():
                continue
            for lev in levels:
                y = np.where(valid, (s == lev).to_numpy(dtype=float), np.nan)
                est, scores, n = self._linearise(y, mask, "mean")
                se = float(np.sqrt(self._variance(scores[:, None])[0, 0])) if n else np.nan
                lo, hi = logit_interval(est, se, t, n, level)
                vsrs = self._srs_variance(y, mask, "mean")
                rows.append(
                    {
                        "variable": var,
                        "level": lev,
                        **key,
                        "estimate": est,
                        "se": se,
                        "ci_low": lo,
                        "ci_high": hi,
                        "df": self.df,
                        "n": n,
                        "deff": se**2 / vsrs if vsrs and vsrs > 0 else np.nan,
                    }
                )
        return _tidy(rows, by, with_level=True)

    # -- many estimates at once -------------------------------------------------------------------
    def _domain_scores(self, values: np.ndarray, mask: np.ndarray):
        """Means of every column of ``values`` over a domain, their scores and unweighted n (rows
        with a missing value or a zero weight are out of the base)."""
        w = self.weights.to_numpy()
        use = mask[:, None] & ~np.isnan(values) & (w > 0)[:, None]
        wd = np.where(use, w[:, None], 0.0)
        y0 = np.where(use, values, 0.0)
        wsum = wd.sum(axis=0)
        safe = np.where(wsum > 0, wsum, 1.0)
        est = np.where(wsum > 0, (wd * y0).sum(axis=0) / safe, np.nan)
        scores = wd * (y0 - np.nan_to_num(est)) / safe
        return est, scores, use.sum(axis=0)

    def score_variance(self, scores: np.ndarray) -> np.ndarray:
        """Design variances of score totals (one column per estimate), the calibration undone first.

        ``scores`` are influence scores already multiplied by the final weights (see
        :mod:`cipslib.variance`); this is the building block for estimators the methods here do not
        cover.
        """
        s = self._structure
        x = calibration_residuals(np.asarray(scores, dtype=float), self._steps)
        return design_variance(x, s.strata, s.psu, s.n_psu, s.fpc_fraction, diagonal=True)

    def summarise(
        self,
        values: pd.DataFrame,
        domains: Mapping[str, np.ndarray] | None = None,
        *,
        proportion: bool = False,
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Means of many numeric columns over many domains in one pass (the fast path behind the
        findings).

        ``values`` holds numbers aligned with the design's rows (NaN = no valid answer, left out of
        the base); ``domains`` maps a label to a boolean row mask (None: everyone). With
        ``proportion`` the columns are 0/1 indicators and the CI is the logit interval of
        :meth:`proportion`. Returns one row per domain and column: variable, domain, estimate, se,
        ci_low, ci_high, df, n.
        """
        y = values.to_numpy(dtype=float, na_value=np.nan)
        if len(y) != len(self.data):
            raise _fail("the values do not have one row per respondent of the design")
        domains = domains if domains is not None else {"all": np.ones(len(y), dtype=bool)}
        t = self._t(level)
        parts = [self._domain_scores(y, np.asarray(mask, dtype=bool)) for mask in domains.values()]
        variances = self.score_variance(np.hstack([p[1] for p in parts])) if parts else np.array([])
        k = y.shape[1]
        frames = []
        for j, (label, (est, _, n)) in enumerate(zip(domains, parts, strict=True)):
            se = np.where(n > 0, np.sqrt(variances[j * k : (j + 1) * k]), np.nan)
            if proportion:
                bounds = [
                    logit_interval(e, s_, t, int(k), level)
                    for e, s_, k in zip(est, se, n, strict=True)
                ]
                lo, hi = np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])
            else:
                lo, hi = est - t * se, est + t * se
            frames.append(
                pd.DataFrame(
                    {
                        "variable": values.columns,
                        "domain": label,
                        "estimate": est,
                        "se": se,
                        "ci_low": lo,
                        "ci_high": hi,
                        "df": self.df,
                        "n": n.astype(int),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def contrast(
        self, values: pd.DataFrame, mask_a: np.ndarray, mask_b: np.ndarray, level: float = 0.95
    ) -> pd.DataFrame:
        """Differences of means (domain a minus domain b) of many columns, with the SE of the joint
        linearisation (covariance included, so overlapping or calibrated domains are handled),
        t-test on ``df`` degrees of freedom and CI. One row per column."""
        return self.contrasts(values, {"": (mask_a, mask_b)}, level).drop(columns="contrast")

    def contrasts(
        self,
        values: pd.DataFrame,
        pairs: Mapping[str, tuple[np.ndarray, np.ndarray]],
        level: float = 0.95,
    ) -> pd.DataFrame:
        """:meth:`contrast` for several pairs of domains at once (``pairs`` maps a label to (mask_a,
        mask_b)); the variances are computed in one pass. Adds a ``contrast`` column with the
        label."""
        y = values.to_numpy(dtype=float, na_value=np.nan)
        parts, scores = [], []
        for a, b in pairs.values():
            ea, sa, na = self._domain_scores(y, np.asarray(a, dtype=bool))
            eb, sb, nb = self._domain_scores(y, np.asarray(b, dtype=bool))
            parts.append((ea, eb, na, nb))
            scores.append(sa - sb)
        var = self.score_variance(np.hstack(scores)) if scores else np.array([])
        k = y.shape[1]
        frames = []
        for j, (label, (ea, eb, na, nb)) in enumerate(zip(pairs, parts, strict=True)):
            se = np.sqrt(np.maximum(var[j * k : (j + 1) * k], 0.0))
            frame = pd.DataFrame(
                {
                    "contrast": label,
                    "variable": values.columns,
                    "estimate_a": ea,
                    "estimate_b": eb,
                    "n_a": na.astype(int),
                    "n_b": nb.astype(int),
                }
            )
            frames.append(
                pd.concat(
                    [frame, difference_table(ea - eb, se, np.full(k, float(self.df)), level)],
                    axis=1,
                )
            )
        return pd.concat(frames, ignore_index=True)

    # -- comparisons -----------------------------------------------------------------------------
    def difference(
        self, var: str, by: str, a, b, *, kind: str = "mean", level: float = 0.95, value=None
    ) -> pd.Series:
        """Difference ``a - b`` between two domains of ``by`` for a mean (or, with ``value``, the
        proportion of answers equal to ``value``), with the SE of the joint linearisation (the
        covariance of the two domain estimates is included), a t-test on ``df`` degrees of freedom
        and a CI.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
        >>> row = d.difference("y", "sex", "m", "f")
        >>> [round(float(row[k]), 3) for k in ("difference", "se", "p_value")]
        [0.667, 0.298, 0.076]
        """
        if value is not None:
            s = self.data[var]
            y = np.where(s.notna().to_numpy(), (s == value).to_numpy(dtype=float), np.nan)
        else:
            y = self._numeric(var)
        if by not in self.data.columns:
            raise _fail(f"the by variable '{by}' is not in the data", column=by)
        col = self.data[by]
        masks = {}
        for lev in (a, b):
            mask = (col == lev).to_numpy()
            if not mask.any():
                raise _fail(f"nobody in the data has {by} = '{lev}'", column=by, value=lev)
            masks[lev] = mask
        ea, sa, na = self._linearise(y, masks[a], kind)
        eb, sb, nb = self._linearise(y, masks[b], kind)
        v = self._variance(np.column_stack([sa, sb]))
        var_diff = v[0, 0] + v[1, 1] - 2 * v[0, 1]
        return difference_row(
            ea - eb,
            float(np.sqrt(max(var_diff, 0.0))),
            self.df,
            level,
            {
                "variable": var,
                "by": by,
                "a": a,
                "b": b,
                "estimate_a": ea,
                "estimate_b": eb,
                "n_a": na,
                "n_b": nb,
            },
        )

    # -- models ----------------------------------------------------------------------------------
    def glm(
        self,
        formula: str,
        family: str = "gaussian",
        level: float = 0.95,
        domain: str | np.ndarray | pd.Series | None = None,
    ) -> pd.DataFrame:
        """Design-based linear or logistic regression, as R's ``svyglm``: one row per coefficient
        with estimate, se, t, df, p and CI (plus odds ratios for ``family="binomial"``). See
        :func:`cipslib.survey.regression.glm` for the conventions.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [3.1, 4.0, 5.2, 5.9, 7.1, 8.2], "x": [1.0, 2, 3, 4, 5, 6],
        ...                    "sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
        >>> d.glm("y ~ x")[["term", "estimate", "se", "df"]].round(3).to_dict("records")
        [{'term': 'Intercept', 'estimate': 2.036, 'se': 0.063, 'df': 4},
         {'term': 'x', 'estimate': 1.013, 'se': 0.016, 'df': 4}]
        """
        return _glm(self, formula, family=family, level=level, domain=domain)

    # -- reporting -------------------------------------------------------------------------------
    def weight_summary(self, by: str | None = None) -> dict | pd.DataFrame:
        """Weight diagnostics: min, max, coefficient of variation, Kish effective sample size, the
        design effect due to weighting (1 + CV^2, CV with the population formula), iterations used,
        and achieved vs target margins. With ``by``, a table of the weight statistics per level of
        that column.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "sex": list("ffmmfm")})
        >>> d = SurveyDesign(df).rake({"sex": {"f": 60, "m": 40}})
        >>> s = d.weight_summary()
        >>> s["n"], round(s["n_effective"], 2), round(s["deff_weighting"], 2), s["steps"]
        (6, 5.77, 1.04, ['rake'])
        """
        if by is not None:
            rows = [
                {by: level, **weight_stats(w.to_numpy())}
                for level, w in self.weights.groupby(self.data[by], observed=True)
            ]
            return pd.DataFrame(rows)
        rows = []
        iterations = 0
        for rec in self._records:
            iterations = max(iterations, rec.iterations)
            if rec.kind not in ("rake", "poststratify"):
                continue
            for column, targets in rec.targets.items():
                if "+" in column:
                    continue
                achieved = self.weights.groupby(self.data[column].astype(str), observed=True).sum()
                for lev, target in targets.items():
                    got = float(achieved.get(str(lev), 0.0))
                    rows.append(
                        {
                            "variable": column,
                            "level": lev,
                            "target": target,
                            "achieved": got,
                            "difference": got - target,
                            "sample_n": int((self.data[column].astype(str) == str(lev)).sum()),
                        }
                    )
        return {
            **weight_stats(self.weights.to_numpy()),
            "iterations": iterations,
            "steps": [r.kind for r in self._records],
            "margins": pd.DataFrame(
                rows, columns=["variable", "level", "target", "achieved", "difference", "sample_n"]
            ),
        }


def _tidy(rows: list[dict], by, with_level: bool = False) -> pd.DataFrame:
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    cols = (
        ["variable"]
        + (["level"] if with_level else [])
        + by_cols
        + ["estimate", "se", "ci_low", "ci_high", "df", "n", "deff"]
    )
    return pd.DataFrame(rows, columns=cols)
