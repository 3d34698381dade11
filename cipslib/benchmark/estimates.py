"""Design-based estimates of a pool of packages, computed in DuckDB.

The measures are those of the national findings (:mod:`cipslib.analysis.measures`), for the core
items a pool holds, scored as :mod:`cipslib.analysis.scoring` scores them with the shipped codebook:

* ``factor_index.K``: a respondent's factor score is the mean 0-100 score of their items in factor
  K (an answer's position in its scale's order, reverse-worded items turned), over the factor's
  items of their own instrument that their package holds, when at least half of those have an
  answer; the index is its weighted mean;
* ``indicator.ID``: 1 when the answer to the indicator's item is one of its codes, 0 for another
  answer (the shipped indicator definitions, for the groups each names), reported in percent.

Each package is a design of its own: strata the package's ``stratum``, each respondent its own
PSU, the package's weights taken as fixed, no finite population correction. An estimate per
administration, cycle and instrument is the domain mean of that design, with the linearised
standard error, t on the design's degrees of freedom (respondents minus strata) and, for shares,
the logit interval of the national report (:func:`cipslib.survey.inference.logit_interval`):
exactly what :class:`cipslib.survey.SurveyDesign` gives on the package's rows.

The SQL scores each row (a ``CASE`` per item and measure, generated from the codebook) and sums per
stratum and domain ``n``, ``Σw``, ``Σwy``, ``Σw²``, ``Σw²y``, ``Σw²y²``; the variance follows from
them (:func:`domain_estimates`): with ``m = Σwy / Σw`` over the domain, stratum ``h`` of ``N_h``
respondents (all of them, in the domain or not) adds ``N_h / (N_h - 1) (Q_h - T_h² / N_h)``, where
``T_h = (Σ_h wy - m Σ_h w) / Σw`` and ``Q_h = (Σ_h w²y² - 2m Σ_h w²y + m² Σ_h w²) / (Σw)²``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..analysis.scoring import Indicator, load_indicators
from ..inputs.codebook import CONSTRUCTS_WITH_FACTOR, Codebook
from ..survey.inference import logit_interval
from .pool import VIEW, Pool, sql_name, sql_string

SUMS = ("n", "w", "wy", "ww", "wwy", "wwyy")
"""The per-stratum sums of a measure: valid answers, Σw, Σwy, Σw², Σw²y, Σw²y²."""


@dataclass(frozen=True)
class Measure:
    """What a benchmark estimates: ``id`` as the findings name it (``factor_index.3``,
    ``indicator.safe_reporting``)."""

    id: str
    kind: str
    ref: str
    factor: int | None
    instruments: tuple[str, ...]

    @property
    def proportion(self) -> bool:
        return self.kind == "indicator"


@dataclass(frozen=True)
class Sums:
    """The aggregates a pool's estimates come from: ``cells`` per administration, cycle, stratum,
    instrument and measure (:data:`SUMS`); ``strata`` the respondents of each stratum."""

    cells: pd.DataFrame
    strata: pd.DataFrame


def measures(pool: Pool, indicators: dict[str, Indicator] | None = None) -> list[Measure]:
    """The factor indices and indicators a pool's items allow, in the findings' order (an
    example: :func:`estimates`)."""
    core = pool.core
    out = []
    items = _factor_items(core, pool.items)
    for k in sorted(items["factor"].unique()):
        asked = sorted({g for inst in items.loc[items["factor"] == k, "instruments"] for g in inst})
        out.append(
            Measure(f"factor_index.{int(k)}", "factor_index", str(int(k)), int(k), tuple(asked))
        )
    indicators = load_indicators(core) if indicators is None else indicators
    for ind in indicators.values():
        if ind.item in pool.items:
            out.append(Measure(f"indicator.{ind.id}", "indicator", ind.id, None, ind.groups))
    return out


def _factor_items(core: Codebook, held: tuple[str, ...]) -> pd.DataFrame:
    """The factor items (perceptions and mechanisms) among the keys ``held``, one row per key."""
    items = core.items
    items = items[
        items["construct"].isin(CONSTRUCTS_WITH_FACTOR)
        & items["parent"].isna()
        & items["key"].isin(held)
        & items["factor"].notna()
    ]
    return items.drop_duplicates("key", keep="last").reset_index(drop=True)


# -- SQL -------------------------------------------------------------------------------------------
def _double(x: float) -> str:
    """A DOUBLE literal that reads back as exactly ``x`` (a plain literal would be a DECIMAL)."""
    return f"CAST({sql_string(repr(float(x)))} AS DOUBLE)"


def _asked(row: pd.Series, instruments: tuple[str, ...]) -> str | None:
    """The condition that the respondent's questionnaire has the item (None: every one has)."""
    if set(instruments) <= set(row["instruments"]):
        return None
    return " OR ".join(f"instrument = {sql_string(g)}" for g in row["instruments"]) or "false"


def _score_sql(core: Codebook, row: pd.Series) -> str | None:
    """The 0-100 score of an item's answer, as ``scoring.item_scores`` computes it: ``100 * i /
    (k - 1)`` for the i-th of k answers in the scale's order, ``100 - `` that when reverse-worded
    (the same operations in the same order, so the same doubles); None when the scale is not
    ordinal. Codes rising by one along the scale are scored by arithmetic, others by CASE."""
    scale = core.scales[row["scale"]]
    if scale.type != "ordinal":
        return None
    col, codes, last = sql_name(row["key"]), list(scale.codes), len(scale.codes) - 1
    if codes == list(range(codes[0], codes[0] + len(codes))):
        points = f"100 * ({col} - {codes[0]}) / {last}"
        return f"100 - {points}" if row["reverse"] else points
    score = {c: (100.0 - p if row["reverse"] else p) for c, p in scale.points.items()}
    whens = " ".join(f"WHEN {c} THEN {_double(p)}" for c, p in score.items())
    return f"CASE {col} {whens} END"


def _factor_sql(core: Codebook, items: pd.DataFrame, factor: int) -> str:
    """A respondent's factor score: the mean score of the factor's items of their own
    questionnaire, when at least half of those their package holds (``held:K``, per instrument)
    have an answer. One expression: DuckDB computes its repeated parts once."""
    answered, scored, total = [], [], []
    for _, row in items[items["factor"] == factor].iterrows():
        col, asked = sql_name(row["key"]), _asked(row, tuple(core.instruments))
        given = f"{col} IS NOT NULL" + (f" AND ({asked})" if asked else "")
        answered.append(f"({given})::INTEGER")
        score = _score_sql(core, row)
        if score is None:
            continue
        scored.append(f"({given})::INTEGER")
        total.append(
            f"coalesce(CASE WHEN {asked} THEN {score} END, 0)" if asked else f"coalesce({score}, 0)"
        )
    if not total:
        return "CAST(NULL AS DOUBLE)"
    ans, sc, tot = (f"({' + '.join(t)})" for t in (answered, scored, total))
    held = sql_name(f"held:{factor}")
    return f"CASE WHEN {ans} * 2 >= {held} AND {ans} > 0 AND {sc} > 0 THEN {tot} / {sc} END"


def _indicator_sql(ind: Indicator, instruments: tuple[str, ...]) -> str:
    """1 when the answer is one of the indicator's codes, 0 for another answer, NULL when there
    is none (``x IN (...)`` is NULL for a NULL x) or the respondent's group is not reported."""
    value = f"({sql_name(ind.item)} IN ({', '.join(str(int(c)) for c in ind.codes)}))::DOUBLE"
    if set(instruments) <= set(ind.groups):
        return value
    return (
        f"CASE WHEN instrument IN ({', '.join(sql_string(g) for g in ind.groups)}) THEN {value} END"
    )


def _held(pool: Pool, items: pd.DataFrame) -> pd.DataFrame:
    """Per package and instrument: how many of each factor's items of that questionnaire the
    package's table holds (``held:K``)."""
    factors = sorted(items["factor"].unique())
    asked = {
        (g, k): set(
            items.loc[
                (items["factor"] == k) & items["instruments"].map(lambda s, g=g: g in s), "key"
            ]
        )
        for g in pool.core.instruments
        for k in factors
    }
    rows = []
    for p in pool.packages:
        mine = set(p.items)
        for g in pool.core.instruments:
            row = {"administration": p.administration, "cycle": p.cycle, "instrument": g}
            row.update({f"held:{int(k)}": len(asked[g, k] & mine) for k in factors})
            rows.append(row)
    return pd.DataFrame(rows)


def sums_sql(pool: Pool, chosen: list[Measure], indicators: dict[str, Indicator]) -> str:
    """The query of the per-stratum sums (see the module) of ``chosen`` over the pool's view,
    joined with the table ``held`` (:func:`stratum_sums` makes it): each row's measures, then
    their sums per stratum and instrument."""
    core = pool.core
    items = _factor_items(core, pool.items)
    values = []
    for i, m in enumerate(chosen):
        if m.kind == "factor_index":
            values.append(f"{_factor_sql(core, items, int(m.factor))} AS m{i}")
        else:
            values.append(f"{_indicator_sql(indicators[m.ref], tuple(core.instruments))} AS m{i}")
    aggregates = []
    for i in range(len(chosen)):
        y, w = f"m{i}", "weight"
        aggregates += [
            f"count({y}) AS n{i}",
            f"sum(CASE WHEN {y} IS NOT NULL THEN {w} END) AS w{i}",
            f"sum({w} * {y}) AS wy{i}",
            f"sum(CASE WHEN {y} IS NOT NULL THEN {w} * {w} END) AS ww{i}",
            f"sum({w} * {w} * {y}) AS wwy{i}",
            f"sum({w} * {w} * {y} * {y}) AS wwyy{i}",
        ]
    keys = "administration, cycle, stratum, instrument"
    listed = "".join(", " + v for v in values)
    return f"""
        WITH measured AS (
            SELECT {keys}, weight{listed}
            FROM {VIEW} JOIN held USING (administration, cycle, instrument)
        )
        SELECT {keys}, count(*) AS rows{"".join(", " + a for a in aggregates)}
        FROM measured GROUP BY ALL
    """


def stratum_sums(
    pool: Pool, chosen: list[Measure] | None = None, indicators: dict[str, Indicator] | None = None
) -> Sums:
    """The per-stratum sums of every measure, in one pass over the pool (an example:
    :func:`estimates`)."""
    indicators = load_indicators(pool.core) if indicators is None else indicators
    chosen = measures(pool, indicators) if chosen is None else chosen
    pool.con.register("held_frame", _held(pool, _factor_items(pool.core, pool.items)))
    try:
        pool.con.execute("CREATE OR REPLACE TEMP TABLE held AS SELECT * FROM held_frame")
        wide = pool.con.sql(sums_sql(pool, chosen, indicators)).df()
    finally:
        pool.con.unregister("held_frame")
    keys = ["administration", "cycle", "stratum", "instrument"]
    wide["cycle"] = wide["cycle"].astype(int)
    # DuckDB's GROUP BY returns its groups in no fixed order (threads): fix it, so that what
    # follows (the complementary cells disclosure control picks among equals) is the same each run
    wide = wide.sort_values(keys, kind="stable").reset_index(drop=True)
    strata = wide.groupby(keys[:3], as_index=False)["rows"].sum()
    parts = []
    for i, m in enumerate(chosen):
        part = wide[keys].copy()
        part["measure"] = m.id
        for s in SUMS:
            part[s] = wide[f"{s}{i}"].to_numpy(dtype=float, na_value=0.0)
        parts.append(part)
    cells = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*keys, "measure", *SUMS])
    )
    return Sums(cells, strata)


# -- from sums to estimates ------------------------------------------------------------------------
def domain_estimates(
    cells: pd.DataFrame,
    strata: pd.DataFrame,
    design: list[str],
    stratum: list[str],
    proportions: set[str] = frozenset(),
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted mean, linearised SE, CI, df and n per design, instrument and measure.

    ``cells`` holds the sums (:data:`SUMS`) per design, stratum, instrument and measure;
    ``strata`` the respondents (``rows``) of each stratum; ``design`` names the columns of one
    design and ``stratum`` (with ``design``) those of one stratum. ``proportions`` are measures
    of 0/1 values: their CI is the logit interval.

    Examples
    --------
    >>> cells = pd.DataFrame({"d": ["a", "a"], "h": [1, 2], "instrument": "x", "measure": "y",
    ...                       "n": [2, 2], "w": [2.0, 2.0], "wy": [1.0, 2.0], "ww": [2.0, 2.0],
    ...                       "wwy": [1.0, 2.0], "wwyy": [1.0, 2.0]})
    >>> strata = pd.DataFrame({"d": ["a", "a"], "h": [1, 2], "rows": [2, 2]})
    >>> r = domain_estimates(cells, strata, ["d"], ["h"]).iloc[0]
    >>> float(r["estimate"]), round(float(r["se"]), 4), int(r["df"]), int(r["n"])
    (0.75, 0.25, 2, 4)
    """
    group = [*design, "instrument", "measure"]
    t = cells.merge(strata, on=[*design, *stratum], how="left", validate="many_to_one")
    tot = t.groupby(group, sort=False)[["w", "wy", "n"]].transform("sum")
    big_w = tot["w"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        m = tot["wy"].to_numpy() / big_w
        tt = (t["wy"].to_numpy() - m * t["w"].to_numpy()) / big_w
        q = (t["wwyy"].to_numpy() - 2 * m * t["wwy"].to_numpy() + m * m * t["ww"].to_numpy()) / (
            big_w * big_w
        )
        rows = t["rows"].to_numpy(dtype=float)
        part = np.where(rows > 1, rows / (rows - 1) * (q - tt * tt / rows), 0.0)
    t = t.assign(estimate=m, part=np.where(np.isfinite(part), part, 0.0))
    out = t.groupby(group, sort=False).agg(
        estimate=("estimate", "first"), var=("part", "sum"), n=("n", "sum")
    )
    out = out.reset_index()
    out = out[out["n"] > 0].reset_index(drop=True)
    out["se"] = np.sqrt(np.maximum(out.pop("var").to_numpy(), 0.0))
    dfs = strata.groupby(design).agg(rows=("rows", "sum"), strata=("rows", "size"))
    dfs = (dfs["rows"] - dfs["strata"]).rename("df").reset_index()
    out = out.merge(dfs, on=design, how="left")
    out["n"] = out["n"].astype(int)
    out["df"] = out["df"].astype(int)
    return _intervals(out, proportions, level)


def _intervals(out: pd.DataFrame, proportions: set[str], level: float) -> pd.DataFrame:
    df = out["df"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        tq = np.where(df > 0, stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, 1)), np.inf)
    est, se = out["estimate"].to_numpy(), out["se"].to_numpy()
    lo, hi = est - tq * se, est + tq * se
    share = out["measure"].isin(proportions).to_numpy()
    n = out["n"].to_numpy()
    for i in np.flatnonzero(share):
        lo[i], hi[i] = logit_interval(float(est[i]), float(se[i]), float(tq[i]), int(n[i]), level)
    out["ci_low"], out["ci_high"] = lo, hi
    return out[[c for c in out.columns if c not in ("n", "df")] + ["df", "n"]]


def estimates(sums: Sums, chosen: list[Measure], level: float = 0.95) -> pd.DataFrame:
    """Per administration, cycle, instrument and measure: the estimate (0-100; indicators in
    percent), its SE, CI, df and n (see the module).

    Examples
    --------
    A package of three officials who answered one item of the first factor (codes 1, 5 and 4 of
    the five-point scale: scores 0, 100 and 75), weighted 1, 2 and 1:

    >>> import tempfile
    >>> from cipslib.benchmark.pool import open_pool
    >>> from cipslib.exchange.package import Share, core_version, write_package
    >>> rows = pd.DataFrame({"administration": "A01", "cycle": 2024, "instrument": "official",
    ...                      "stratum": "official", "weight": [1.0, 2.0, 1.0],
    ...                      "LEAD_COMMITMENT": [1.0, 5.0, 4.0]})
    >>> meta = {"administration": "A01", "cycle": 2024, "min_cell": 10, "codebook": "-",
    ...         "core": core_version(), "instruments": ["official"], "respondents": 3}
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_package(Share(rows, meta=meta), folder)
    >>> with open_pool([folder]) as pool:
    ...     chosen = measures(pool)
    ...     sums = stratum_sums(pool, chosen)
    >>> [m.id for m in chosen]
    ['factor_index.1']
    >>> e = estimates(sums, chosen).iloc[0]
    >>> float(e["estimate"]), int(e["n"]), int(e["df"])
    (68.75, 3, 2)
    """
    shares = {m.id for m in chosen if m.proportion}
    out = domain_estimates(
        sums.cells, sums.strata, ["administration", "cycle"], ["stratum"], shares, level
    )
    return in_percent(out, shares)


def in_percent(table: pd.DataFrame, shares: set[str]) -> pd.DataFrame:
    """Shares (0-1) of the ``shares`` measures turned into percent.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["indicator.x", "factor_index.1"], "estimate": [0.25, 60.0],
    ...                   "se": 0.01, "ci_low": 0.0, "ci_high": 1.0})
    >>> in_percent(t, {"indicator.x"})["estimate"].tolist()
    [25.0, 60.0]
    """
    table = table.copy()
    rows = table["measure"].isin(shares)
    for c in ("estimate", "se", "ci_low", "ci_high"):
        table.loc[rows, c] = table.loc[rows, c] * 100.0
    return table


__all__ = [
    "SUMS",
    "Measure",
    "Sums",
    "domain_estimates",
    "estimates",
    "in_percent",
    "measures",
    "stratum_sums",
    "sums_sql",
]
