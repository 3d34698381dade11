"""Figures of one unit of the administration (e.g. a region) for its own report, and the anonymity
rules that decide which units get one.

Statistics
----------
* A unit's figures are **domain estimates of the national design**: the weights are raked once,
  nationally (:func:`cipslib.analysis.prepare.prepare_cycle`), and a unit is a domain of that
  design, as R's ``svyby(~y, ~unit, design, svymean)``; respondents outside the unit keep their
  place in the variance, which is linearised with the calibration undone. Nothing is re-weighted
  per unit. Per group (officials, private sector) a unit report has the factor indices, the %
  favourable per factor and the group's experience indicators, each with SE, 95% CI (t on the
  design's df; logit interval for indicators), ``n`` (respondents with a valid answer), Kish's
  effective n and the low-precision flag of :mod:`cipslib.analysis.precision`.
* **Unit minus the rest of the administration**: the rest is every other respondent of the group
  (those without a unit included, so that the rest is exactly "national minus the unit" and shows
  nothing the national figures and the unit's do not; the national ``subgroup_tests`` leave them
  out, which only matters when some respondents have no unit). The SE comes from the joint
  linearisation of both domains (:meth:`SurveyDesign.contrasts`), the t-test uses the design's df,
  and the p-values of one unit's report (both groups, every measure tested) form one Holm family.
* **Change against the unit's previous cycle**: the unit's estimates of both cycles, each on its
  own national design, compared as independent samples with Welch's df
  (:func:`cipslib.analysis.trends.compare_estimates`); only cells shown in both cycles (the
  previous cycle's unit cells under the same rules, including what its national report hid).

Anonymity
---------
Per group (officials and private sector are separate populations), with ``n`` the group's
respondents in a unit:

1. A unit with ``0 < n < min_cell`` is **withheld** ("under min_cell"). A unit with ``n = 0`` is
   *empty* in that group: there is nothing to show or hide. A unit report shows only the groups in
   which the unit is published: a unit with enough officials but too few private-sector
   respondents gets a report on its officials only; a unit published in no group gets no report.
2. **Differencing**: the national report shows the group's totals, so "national minus the
   published units" is a figure of the *remainder*, the withheld units plus the respondents with no
   unit. The remainder is safe when it is empty, or when it holds at least ``min_cell`` respondents
   and not exactly one withheld unit. Until it is safe, the smallest published unit (the first in
   the counts' order on a tie) is withheld too ("would reveal <units> by subtraction").
3. **Pool**: a safe remainder with at least one withheld unit is derivable anyway, so, with
   ``pool=True`` and when some unit of the group is published, it is reported as one "other units"
   report (:data:`OTHER_UNITS`: the withheld units and the respondents with no unit of that group).
4. **Per measure**: within a group and a measure, the cells shown side by side are the published
   units and the pool (or, without a pool, the withheld units and the no-unit respondents as cells
   that are never shown). :func:`cipslib.analysis.disclosure.suppress_estimates` hides cells with
   ``0 < n < min_cell`` valid answers and a second cell wherever one alone would be hidden, the
   national total being shown. Cells the national ``subgroups`` table of the cycle hides (its own
   primary and secondary suppression, recomputed here with the cycle's params) are hidden too.
5. **National table**: what unit reports withhold must not be shown by the national ``subgroups``
   table either. Its own secondary suppression does not guarantee it (a unit withheld to protect
   another can have ``n >= min_cell`` and be shown there, and the partner it picks per measure
   may differ), so :func:`national_cells_to_hide` lists the cells it must hide too and
   :func:`hide_national_cells` hides them (and drops their level-versus-rest tests). Applying it is
   required before unit reports are published; then every cell hidden in any publication is hidden
   in all of them, and rules 1-4 hold for that common set.
6. **Subgroups inside a unit** (e.g. role): per group, subgroup variable and measure, the units'
   cells form a grid (units x levels) whose row totals (the unit's own figures) and column totals
   (the national subgroup figures) are shown, so
   :func:`cipslib.analysis.disclosure.suppress_counts` applies primary and secondary suppression on
   both; rows never shown (withheld units, no-unit respondents) and units whose own figure for the
   measure is hidden count as hidden cells.

Hidden pairs follow the project's rule (:mod:`cipslib.analysis.disclosure`: at least two hidden
cells in a line); the unit plan asks more, a remainder of at least ``min_cell`` respondents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem
from ..survey.design import SurveyDesign
from ..survey.inference import holm
from .disclosure import COMPLEMENTARY, suppress_counts, suppress_estimates
from .findings import Options
from .measures import PROPORTION_KINDS, build_measures, to_percent
from .precision import add_precision, kish_effective_n
from .prepare import PreparedCycle
from .response import response_rate
from .scoring import Indicator, load_indicators
from .trends import compare_estimates

OTHER_UNITS = "other_units"
"""The pooled report of a group's withheld units (and its respondents without a unit)."""
NO_UNIT = "(no unit)"
"""The counts' row of respondents without a unit."""
UNDER_MIN_CELL = "under min_cell"
UNIT_KINDS = ("factor_index", "factor_fav", "indicator")
SUBGROUP_KINDS = ("factor_index", "factor_fav")  # the measures of the national subgroups table
VALUES = ["estimate", "se", "ci_low", "ci_high"]
_PLAN_COLUMNS = ["group", "unit", "n", "status", "reason", "pooled"]
_KEY = ["unit", "group", "measure", "kind", "ref", "factor"]


# -- the plan --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitPlan:
    """Which units get a report in each group, which are withheld and why, and the pools.

    ``table`` has one row per group and unit: ``group``, ``unit``, ``n`` (respondents), ``status``
    (``published``, ``withheld``, ``empty``: none of the group's respondents, ``unassigned``: the
    :data:`NO_UNIT` row), ``reason`` (of a withheld unit) and ``pooled`` (in the group's "other
    units" report). It holds the sizes of withheld units: it is for the analyst, not for
    publication.

    Examples
    --------
    >>> plan = plan_units({"official": {"a": 40, "b": 25, "c": 6, "d": 18}}, min_cell=10)
    >>> plan.published, plan.pooled
    ({'official': ('a', 'b')}, {'official': ('c', 'd')})
    >>> plan.reports
    {'a': ('official',), 'b': ('official',), 'other_units': ('official',)}
    """

    min_cell: int
    table: pd.DataFrame = field(repr=False)

    def _units(self, status: str) -> dict[str, tuple[str, ...]]:
        t = self.table[self.table["status"] == status]
        return {g: tuple(part["unit"]) for g, part in t.groupby("group", sort=False)}

    @property
    def published(self) -> dict[str, tuple[str, ...]]:
        """Group -> its published units, in the counts' order."""
        return self._units("published")

    @property
    def withheld(self) -> pd.DataFrame:
        """The withheld units: group, unit, n, reason, pooled."""
        t = self.table[self.table["status"] == "withheld"]
        return t.drop(columns="status").reset_index(drop=True)

    @property
    def pooled(self) -> dict[str, tuple[str, ...]]:
        """Group -> the withheld units of its "other units" report (groups with a pool only)."""
        t = self.table[self.table["pooled"] & (self.table["status"] == "withheld")]
        return {g: tuple(part["unit"]) for g, part in t.groupby("group", sort=False)}

    @property
    def reports(self) -> dict[str, tuple[str, ...]]:
        """Unit -> the groups its report shows; :data:`OTHER_UNITS` last when a group pools."""
        out: dict[str, list[str]] = {}
        for g, units in self.published.items():
            for u in units:
                out.setdefault(u, []).append(g)
        for g in self.pooled:
            out.setdefault(OTHER_UNITS, []).append(g)
        order = list(dict.fromkeys(self.table["unit"])) + [OTHER_UNITS]
        return {u: tuple(out[u]) for u in sorted(out, key=order.index)}

    def assign(self, units: Sequence, groups: Sequence) -> np.ndarray:
        """Each respondent's report cell: its unit if published in its group, :data:`OTHER_UNITS`
        if pooled, else None (``units``: None or NaN for no unit)."""
        units, groups = _labels(units), np.asarray(groups, dtype=object)
        cells = np.full(len(units), None, dtype=object)
        for g, published in self.published.items():
            for u in published:
                cells[(groups == g) & (units == u)] = u
        for g, members in self.pooled.items():
            inside = np.isin(units.astype(str), list(map(str, members))) | pd.isna(units)
            cells[(groups == g) & inside] = OTHER_UNITS
        return cells


def plan_units(
    counts: pd.DataFrame | Mapping[str, Mapping[str, int]], min_cell: int = 10, *, pool: bool = True
) -> UnitPlan:
    """The anonymity plan of unit reports from respondent counts (rules 1-3 of the module).

    ``counts`` is a table with one row per unit and one column per group (as
    :func:`unit_counts`), or a mapping group -> {unit: n}; a :data:`NO_UNIT` row holds respondents
    without a unit. Ties between equally small units are broken by the counts' order.

    Examples
    --------
    >>> plan = plan_units({"official": {"a": 40, "b": 25, "c": 6, "d": 18},
    ...                    "private": {"a": 30, "b": 12, "c": 0, "d": 3}}, min_cell=10)
    >>> plan.withheld[["group", "unit", "reason"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'group': 'official', 'unit': 'c', 'reason': 'under min_cell'},
     {'group': 'official', 'unit': 'd', 'reason': 'would reveal c by subtraction'},
     {'group': 'private', 'unit': 'b', 'reason': 'would reveal d by subtraction'},
     {'group': 'private', 'unit': 'd', 'reason': 'under min_cell'}]
    >>> plan.reports["c"] if "c" in plan.reports else "no report for c"
    'no report for c'
    """
    if not isinstance(min_cell, (int, np.integer)) or isinstance(min_cell, bool) or min_cell < 1:
        raise CipsDataError(
            [Problem("units", "min_cell must be a whole number of at least 1", value=min_cell)]
        )
    frame = pd.DataFrame(counts).fillna(0)
    if (frame.to_numpy(dtype=float) < 0).any():
        raise CipsDataError([Problem("units", "respondent counts must be at least 0")])
    rows = [row for g in frame.columns for row in _plan_group(str(g), frame[g], min_cell, pool)]
    return UnitPlan(int(min_cell), pd.DataFrame(rows, columns=_PLAN_COLUMNS))


def _safe(n: pd.Series, withheld: Mapping, unassigned: int, min_cell: int) -> bool:
    """Whether national minus the published units reveals no withheld unit and no small group."""
    rest = sum(int(n[u]) for u in withheld) + unassigned
    return rest == 0 or (len(withheld) != 1 and rest >= min_cell)


def _withhold(n: pd.Series, unassigned: int, min_cell: int) -> dict[str, str]:
    """Withheld units of one group and why: the small ones, then the smallest published ones until
    the remainder is safe (or nothing is left to publish)."""
    reasons = {u: UNDER_MIN_CELL for u in n.index if 0 < n[u] < min_cell}
    protected = ", ".join(map(str, [*reasons, *([NO_UNIT] if 0 < unassigned < min_cell else [])]))
    while not _safe(n, reasons, unassigned, min_cell):
        left = [u for u in n.index if n[u] > 0 and u not in reasons]
        if not left:
            break
        reasons[min(left, key=lambda u: n[u])] = f"would reveal {protected} by subtraction"
    return reasons


def _plan_group(group: str, counts: pd.Series, min_cell: int, pool: bool) -> list[dict]:
    unassigned = int(counts.get(NO_UNIT, 0))
    n = counts.drop(NO_UNIT, errors="ignore").astype(int)
    reasons = _withhold(n, unassigned, min_cell)
    published = [u for u in n.index if n[u] > 0 and u not in reasons]
    rest = sum(int(n[u]) for u in reasons) + unassigned
    pooled = pool and bool(published) and len(reasons) >= 2 and rest >= min_cell
    status = {
        u: "empty" if n[u] == 0 else "withheld" if u in reasons else "published" for u in n.index
    }
    rows = [
        [group, u, int(n[u]), status[u], reasons.get(u, ""), pooled and u in reasons]
        for u in n.index
    ]
    if unassigned:
        rows.append([group, NO_UNIT, unassigned, "unassigned", "", pooled])
    return [dict(zip(_PLAN_COLUMNS, row, strict=True)) for row in rows]


def unit_counts(data: pd.DataFrame, by: str, levels: Sequence[str] | None = None) -> pd.DataFrame:
    """Respondents per unit (rows, in ``levels`` order, then :data:`NO_UNIT` if any) and group
    (columns).

    Examples
    --------
    >>> d = pd.DataFrame({"group": ["official"] * 3 + ["private"] * 2,
    ...                   "region": ["west", "east", None, "west", "west"]})
    >>> unit_counts(d, "region", ["west", "east"])  # doctest: +NORMALIZE_WHITESPACE
               official  private
    west              1        2
    east              1        0
    (no unit)         1        0
    """
    _require(data, by)
    units = pd.Series(_labels(data[by]), index=data.index).fillna(NO_UNIT)
    groups = data["group"].astype(object)
    order = _order(data[by], levels)
    table = pd.crosstab(units, groups).reindex(columns=_group_order(groups), fill_value=0)
    rows = order + ([NO_UNIT] if (units == NO_UNIT).any() else [])
    return table.reindex(rows, fill_value=0).rename_axis(index=None, columns=None).astype(int)


def _require(data: pd.DataFrame, by: str) -> None:
    for col in ("group", by):
        if col not in data.columns:
            raise CipsDataError([Problem("units", f"the data have no '{col}' column", column=col)])


def _group_order(groups: pd.Series) -> list[str]:
    """The groups present, in the order of the ``group`` variable's levels (the codebook's)."""
    present = set(groups.dropna().astype(object))
    listed = list(groups.cat.categories) if isinstance(groups.dtype, pd.CategoricalDtype) else []
    return [g for g in listed if g in present] + sorted(present - set(listed), key=str)


# -- estimates -------------------------------------------------------------------------------------
def _labels(units: Sequence) -> np.ndarray:
    """Unit labels as an object array, None for no unit."""
    s = pd.Series(units).astype(object)
    return np.where(s.isna().to_numpy(), None, s.to_numpy())


def _order(units: Sequence, levels: Sequence[str] | None = None) -> list:
    """The units in ``levels`` order (categories order for a categorical, else sorted), then any
    other unit present."""
    s = pd.Series(units)
    present = list(pd.unique(s.dropna().astype(object)))
    if levels is None and isinstance(s.dtype, pd.CategoricalDtype):
        levels = list(s.cat.categories)
    base = [u for u in levels if u in present] if levels is not None else []
    return base + sorted((u for u in present if u not in base), key=str)


def _domains(units, groups, levels):
    labels = _labels(units)
    groups = (
        {"all": np.ones(len(labels), dtype=bool)}
        if groups is None
        else {g: np.asarray(m, dtype=bool) for g, m in groups.items()}
    )
    keys, masks, order = [], [], _order(units, levels)
    for g, mask in groups.items():
        for u in order:
            inside = mask & (labels == u)
            if inside.any():
                keys.append((g, u))
                masks.append(inside)
    return labels, groups, keys, masks


def _expand(table: pd.DataFrame, column: str, keys: list[tuple], names: Sequence[str]):
    """Replace an integer label column by one column per part of the keys it points to."""
    key = [keys[i] for i in table.pop(column)]
    for j, name in enumerate(names):
        table.insert(j, name, [k[j] for k in key])
    return table


def _summarise(design: SurveyDesign, values: pd.DataFrame, masks: list, proportion, level):
    prop = set(proportion)
    domains = dict(enumerate(masks))
    parts = [
        design.summarise(values[cols], domains, proportion=is_prop, level=level)
        for cols, is_prop in (
            ([c for c in values.columns if c in prop], True),
            ([c for c in values.columns if c not in prop], False),
        )
        if cols and domains
    ]
    if not parts:
        return pd.DataFrame(columns=["measure", "domain", *VALUES, "df", "n"])
    out = pd.concat(parts, ignore_index=True).rename(columns={"variable": "measure"})
    out["_p"] = out["measure"].map({c: i for i, c in enumerate(values.columns)})
    out = out.sort_values(["domain", "_p"], kind="stable").drop(columns="_p")
    return out.reset_index(drop=True)


def unit_estimates(
    design: SurveyDesign,
    values: pd.DataFrame,
    units: Sequence,
    groups: Mapping[str, np.ndarray] | None = None,
    *,
    levels: Sequence[str] | None = None,
    proportion: Sequence[str] = (),
    level: float = 0.95,
) -> pd.DataFrame:
    """Domain estimates of every column of ``values`` in every unit of every group, on the
    (national) design, as ``svyby(~y, ~unit, design, svymean, na.rm = TRUE)``.

    ``units`` holds each respondent's unit (None or NaN: none), ``groups`` maps a group to its row
    mask (None: one group, ``all``); columns named in ``proportion`` are 0/1 indicators (logit
    CI). Returns group, unit, measure, estimate, se, ci_low, ci_high, df, n (units with respondents
    in the group only).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "unit": list("aabbbc")})
    >>> d = SurveyDesign(df).rake({"unit": {"a": 30, "b": 50, "c": 20}})
    >>> unit_estimates(d, df[["y"]], df["unit"])[["unit", "estimate", "n"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
      unit  estimate  n
    0    a     0.500  2
    1    b     0.667  3
    2    c     1.000  1
    """
    _, _, keys, masks = _domains(units, groups, levels)
    out = _summarise(design, values, masks, proportion, level)
    return _expand(out, "domain", keys, ("group", "unit"))


def unit_differences(
    design: SurveyDesign,
    values: pd.DataFrame,
    units: Sequence,
    groups: Mapping[str, np.ndarray] | None = None,
    *,
    levels: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each unit minus the rest of its group (every other respondent of the group, those without a
    unit included), SE by the joint linearisation of both domains, t-test on the design's df.

    Returns group, unit, measure, estimate_unit, estimate_rest, n_unit, n_rest, difference, se,
    ci_low, ci_high, t, df, p_value.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 1], "unit": list("aabbbc")})
    >>> d = SurveyDesign(df).rake({"unit": {"a": 30, "b": 50, "c": 20}})
    >>> t = unit_differences(d, df[["y"]], df["unit"])
    >>> t[["unit", "estimate_unit", "estimate_rest", "difference", "n_rest"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
      unit  estimate_unit  estimate_rest  difference  n_rest
    0    a          0.500          0.762      -0.262       4
    1    b          0.667          0.700      -0.033       3
    2    c          1.000          0.604       0.396       5
    """
    _, groups, keys, masks = _domains(units, groups, levels)
    pairs = {i: (m, groups[k[0]] & ~m) for i, (k, m) in enumerate(zip(keys, masks, strict=True))}
    if not pairs:
        return pd.DataFrame(columns=["group", "unit", "measure", "difference", "se", "p_value"])
    out = design.contrasts(values, pairs, level).rename(
        columns={
            "variable": "measure",
            "estimate_a": "estimate_unit",
            "estimate_b": "estimate_rest",
            "n_a": "n_unit",
            "n_b": "n_rest",
        }
    )
    return _expand(out, "contrast", keys, ("group", "unit"))


# -- a cycle's unit figures ------------------------------------------------------------------------
@dataclass
class UnitFigures:
    """The figures of every unit report of a cycle (tables disclosure-controlled: hidden cells keep
    their labels, their values and n are missing and ``suppressed`` is True).

    * ``estimates``: unit, group, measure, kind, ref, factor, estimate, se, ci_low, ci_high, df, n,
      suppressed, effective_sample_size, half_width, low_precision (factor indices 0-100, %
      favourable and indicators in %); rows of every cell a report shows;
    * ``differences`` (unit minus rest): unit, group, measure, kind, ref, factor, estimate_unit,
      estimate_rest, n_unit, n_rest, difference, se, ci_low, ci_high, t, df, p_value, p_holm,
      significant (cells shown only; no test when the rest has 1 to ``min_cell - 1`` answers);
    * ``changes``: unit, group, measure, kind, ref, factor, estimate, estimate_prev, n, n_prev,
      change, se, ci_low, ci_high, t, df, p_value, low_precision, significant (cells shown in
      both cycles; empty without a previous cycle; none for :data:`OTHER_UNITS`, whose members
      may change);
    * ``subgroups``: unit, group, variable, level, measure, kind, factor, estimate, se, ci_low,
      ci_high, df, n, suppressed, effective_sample_size, half_width, low_precision;
    * ``response``: unit, group, respondents, population, rate (%), per report and group shown
      (:func:`cipslib.analysis.response.unit_response`).

    Examples
    --------
    >>> from cipslib.analysis.prepare import prepare_cycle
    >>> fig = compute_units(prepare_cycle("params/2024.yaml"))
    >>> fig.units[:3], sorted(fig.report("west"))  # doctest: +NORMALIZE_WHITESPACE
    (['central_office', 'west', 'north'],
     ['changes', 'differences', 'estimates', 'response', 'subgroups'])
    """

    by: str
    cycle: int
    previous_cycle: int | None
    plan: UnitPlan = field(repr=False)
    estimates: pd.DataFrame = field(repr=False)
    differences: pd.DataFrame = field(repr=False)
    changes: pd.DataFrame = field(repr=False)
    subgroups: pd.DataFrame = field(repr=False)
    response: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def units(self) -> list[str]:
        """The units with a report (:data:`OTHER_UNITS` last, if any)."""
        return list(self.plan.reports)

    def report(self, unit: str) -> dict[str, pd.DataFrame]:
        """The tables of one unit's report."""
        names = ("estimates", "differences", "changes", "subgroups", "response")
        return {n: _rows(getattr(self, n), unit) for n in names}


def _rows(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    if table.empty or "unit" not in table.columns:
        return table.copy()
    return table[table["unit"] == unit].reset_index(drop=True)


def unit_subgroups(figures: UnitFigures, unit: str) -> pd.DataFrame:
    """A unit's subgroup tables (e.g. by role within the unit), with primary and secondary
    suppression across units and levels (rule 6 of the module: ``disclosure.suppress_counts`` on
    the units x levels grid of each group, variable and measure).

    Examples
    --------
    >>> from cipslib.analysis.prepare import prepare_cycle
    >>> fig = compute_units(prepare_cycle("params/2024.yaml"))
    >>> sorted(unit_subgroups(fig, "west")["variable"].unique())
    ['business_type', 'role', 'tenure']
    """
    return _rows(figures.subgroups, unit)


def compute_units(
    current: PreparedCycle,
    by: str = "region",
    previous: PreparedCycle | None = None,
    *,
    options: Options | None = None,
    indicators: Mapping[str, Indicator] | None = None,
    pool: bool = True,
) -> UnitFigures:
    """The figures of every unit report of ``current`` for the units of the respondent variable
    ``by``, with changes against ``previous`` when given (see the module for the rules).

    Examples
    --------
    >>> from cipslib.analysis.prepare import prepare_cycle
    >>> fig = compute_units(prepare_cycle("params/2024.yaml"))
    >>> fig.plan.reports["central_office"]
    ('official',)
    >>> fig.estimates.columns[:8].tolist()
    ['unit', 'group', 'measure', 'kind', 'ref', 'factor', 'estimate', 'se']
    """
    opt = (options or Options.from_params(current.params)).with_codebook(current.codebook)
    inds = dict(indicators or load_indicators(current.codebook))
    cur = _UnitCycle(current, by, opt, inds, pool)
    est = cur.estimates()
    changes = pd.DataFrame()
    if previous is not None and by in previous.data.columns:
        changes = _changes(cur, _UnitCycle(previous, by, opt, inds, False), est)
    return UnitFigures(
        by,
        current.cycle,
        previous.cycle if previous is not None else None,
        cur.plan,
        est,
        cur.differences(est),
        changes,
        cur.subgroups(est),
        unit_response(current, by, cur.plan, cur.cells),
    )


class _UnitCycle:
    """One cycle's measures, groups, units, plan and report cells."""

    def __init__(self, prepared: PreparedCycle, by: str, opt: Options, inds: dict, pool: bool):
        _require(prepared.data, by)
        data, cb = prepared.data, prepared.codebook
        m = build_measures(data, cb, inds)
        cols = m.columns(*UNIT_KINDS)
        self.prepared, self.by, self.opt, self.inds = prepared, by, opt, inds
        self.national = (
            Options.from_params(prepared.params, prepared.codebook) if prepared.params else opt
        )
        self.values = m.values[cols]
        self.info = m.info[m.info["measure"].isin(cols)][["measure", "kind", "ref", "factor"]]
        self.proportion = [c for c in cols if c.split(".")[0] in PROPORTION_KINDS]
        groups = data["group"].astype(object).to_numpy()
        self.masks = {g: groups == g for g in _group_order(data["group"])}
        # the national subgroups table's level order (its secondary suppression breaks ties by it)
        levels = (
            list(cb.variables[by].levels)
            if by in cb.variables
            else sorted(pd.unique(data[by].dropna().astype(object)))
        )
        self.order = _order(data[by], levels)
        self.units = _labels(data[by])
        self.plan = plan_units(unit_counts(data, by, self.order), opt.min_cell, pool=pool)
        self.cells = self.plan.assign(self.units, groups)
        self.cell_order = [*self.order, OTHER_UNITS]

    @property
    def weights(self) -> np.ndarray:
        return self.prepared.design.weights.to_numpy()

    def _allowed(self, table: pd.DataFrame) -> np.ndarray:
        """Rows whose measure is reported for their group (an indicator for its groups only)."""
        groups = {f"indicator.{k}": set(ind.groups) for k, ind in self.inds.items()}
        return np.array(
            [g in groups.get(m, {g}) for m, g in _keys(table, ["measure", "group"])], dtype=bool
        )

    # -- unit estimates
    def estimates(self) -> pd.DataFrame:
        design, lv = self.prepared.design, self.opt.level
        t = unit_estimates(
            design,
            self.values,
            self.cells,
            self.masks,
            levels=self.cell_order,
            proportion=self.proportion,
            level=lv,
        )
        t = t.merge(self.info, on="measure", how="left")
        to_percent(t, t["kind"])
        t = _hide(t, self.hidden_cells(), ["group", "unit", "measure"])
        t = t[(t["n"].fillna(1) > 0) & self._allowed(t)].reset_index(drop=True)
        keys = list(dict.fromkeys(_keys(t, ["group", "unit"])))
        masks = [self.masks[g] & (self.cells == u) for g, u in keys]
        t = _precise(t, self.values, keys, masks, ("group", "unit"), self.opt, self.weights)
        return _first(t, _KEY)

    def _line_rows(self, g: str) -> list[tuple[str, np.ndarray, bool]]:
        """The cells of group g shown side by side: (label, mask, shown) for the published units,
        then the pool or the never-shown remainder cells."""
        mask, plan = self.masks[g], self.plan
        rows = [(u, mask & (self.units == u), True) for u in plan.published.get(g, ())]
        if g in plan.pooled:
            return rows + [(OTHER_UNITS, mask & (self.cells == OTHER_UNITS), True)]
        hidden = plan.withheld.loc[plan.withheld["group"] == g, "unit"].tolist()
        rows += [(u, mask & (self.units == u), False) for u in hidden]
        return rows + [(NO_UNIT, mask & pd.isna(self.units), False)]

    def hidden_cells(self) -> set[tuple[str, str, str]]:
        """(group, cell, measure) hidden among the shown cells (rule 4)."""
        national = self.national_hidden()
        frames = []
        for g in self.masks:
            rows = self._line_rows(g)
            n = _valid_counts(self.values, [m for _, m, _ in rows])
            for i, (label, _, shown) in enumerate(rows):
                forced = [not shown or (g, label, c) in national for c in self.values.columns]
                frames.append(_line(g, label, self.values.columns, n[i], forced))
        lines = pd.concat(frames, ignore_index=True)
        lines["n_line"] = np.where(lines["forced"], np.minimum(lines["n"], 1), lines["n"])
        sup = suppress_estimates(
            lines,
            self.opt.min_cell,
            family=["group", "measure"],
            n_column="n_line",
            value_columns=[],
        )
        hidden = sup[sup["suppressed"]]
        return set(zip(hidden["group"], hidden["unit"], hidden["measure"], strict=True))

    def national_hidden(self) -> set[tuple[str, str, str]]:
        """(group, unit, measure) that the cycle's national subgroups table hides for ``by`` (its
        primary and secondary suppression, as findings computes it)."""
        cols = [c for c in self.values.columns if c.split(".")[0] in SUBGROUP_KINDS]
        frames = []
        for g, mask in self.masks.items():
            if self.by not in self.national.subgroups.get(g, []):
                continue
            levels = [u for u in self.order if (mask & (self.units == u)).any()]
            if len(levels) < 2:
                continue
            n = _valid_counts(self.values[cols], [mask & (self.units == u) for u in levels])
            frames += [_line(g, u, cols, n[i], [False] * len(cols)) for i, u in enumerate(levels)]
        if not frames:
            return set()
        sup = suppress_estimates(
            pd.concat(frames, ignore_index=True),
            self.national.min_cell,
            family=["group", "measure"],
            value_columns=[],
        )
        hidden = sup[sup["suppressed"]]
        return set(zip(hidden["group"], hidden["unit"], hidden["measure"], strict=True))

    # -- unit minus rest
    def differences(self, est: pd.DataFrame) -> pd.DataFrame:
        d = unit_differences(
            self.prepared.design,
            self.values,
            self.cells,
            self.masks,
            levels=self.cell_order,
            level=self.opt.level,
        )
        d = d.merge(self.info, on="measure", how="left")
        to_percent(d, d["kind"], ("estimate_unit", "estimate_rest", "difference", *VALUES[1:]))
        shown = est.loc[~est["suppressed"], ["group", "unit", "measure"]]
        d = d.merge(shown, on=["group", "unit", "measure"], how="inner")
        rest_small = (d["n_rest"] > 0) & (d["n_rest"] < self.opt.min_cell)
        d = d[~rest_small].reset_index(drop=True)
        d["p_holm"] = _holm_within(d, "unit")
        d["significant"] = (d["p_holm"] < self.opt.significance).fillna(False).astype(bool)
        return _first(d, _KEY)

    # -- subgroups within units
    def subgroups(self, est: pd.DataFrame) -> pd.DataFrame:
        hidden = set(_keys(est, ["group", "unit", "measure", "suppressed"]))
        frames = [
            self._subgroup_table(g, var, hidden)
            for g in self.masks
            for var in self.opt.subgroups.get(g, [])
            if var != self.by and var in self.prepared.data.columns
        ]
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _subgroup_table(self, g: str, var: str, est_cells: set) -> pd.DataFrame:
        col = _labels(self.prepared.data[var])
        cb = self.prepared.codebook
        levels = _order(
            col[self.masks[g]], cb.variables[var].levels if var in cb.variables else None
        )
        if len(levels) < 2:
            return pd.DataFrame()
        cols = [c for c in self.values.columns if c.split(".")[0] in SUBGROUP_KINDS]
        rows = self._line_rows(g)
        hidden = self._grid_hidden(g, rows, col, levels, cols, est_cells)
        keys = [(r, lev) for r, _, shown in rows if shown for lev in levels]
        masks = [m & (col == lev) for _, m, shown in rows if shown for lev in levels]
        use = [i for i, m in enumerate(masks) if m.any()]
        keys, masks = [keys[i] for i in use], [masks[i] for i in use]
        t = _summarise(self.prepared.design, self.values[cols], masks, (), self.opt.level)
        t = _expand(t, "domain", keys, ("unit", "level"))
        t.insert(1, "group", g)
        t.insert(2, "variable", var)
        t = t.merge(self.info[["measure", "kind", "factor"]], on="measure", how="left")
        to_percent(t, t["kind"])
        t = _hide(t, hidden, ["unit", "level", "measure"])
        t = t[t["n"].fillna(1) > 0].reset_index(drop=True)
        keys = list(dict.fromkeys(_keys(t, ["unit", "level"])))
        masks = [self.masks[g] & (self.cells == u) & (col == lev) for u, lev in keys]
        names = ("unit", "level")
        t = _precise(t, self.values[cols], keys, masks, names, self.opt, self.weights)
        return _first(t, ["unit", "group", "variable", "level", "measure", "kind", "factor"])

    def _grid_hidden(self, g, rows, col, levels, cols, est_cells) -> set[tuple[str, str, str]]:
        """(unit, level, measure) hidden in the units x levels grids of one group and variable
        (rule 6)."""
        masks = [m & (col == lev) for _, m, _ in rows for lev in levels]
        n = _valid_counts(self.values[cols], masks).reshape(len(rows), len(levels), len(cols))
        out = set()
        for j, c in enumerate(cols):
            forced = [not shown or (g, r, c, True) in est_cells for r, _, shown in rows]
            grid = n[:, :, j].copy()
            forced = np.array(forced, dtype=bool)
            grid[forced] = np.minimum(grid[forced], 1)
            cells = suppress_counts(pd.DataFrame(grid), self.opt.min_cell).cells.to_numpy()
            out |= {(rows[i][0], levels[k], c) for i, k in np.argwhere(cells)}
        return out


def _valid_counts(values: pd.DataFrame, masks: Sequence[np.ndarray]) -> np.ndarray:
    """Respondents with a valid value of each column (columns) in each mask (rows)."""
    if not len(masks):
        return np.zeros((0, values.shape[1]))
    inside = np.column_stack(masks).astype(float)
    return inside.T @ values.notna().to_numpy(dtype=float)


def _keys(table: pd.DataFrame, columns: Sequence[str]) -> list[tuple]:
    """The rows of some columns as tuples."""
    return list(table[list(columns)].itertuples(index=False, name=None))


def _line(group: str, unit: str, measures, n: np.ndarray, forced) -> pd.DataFrame:
    return pd.DataFrame(
        {"group": group, "unit": unit, "measure": list(measures), "n": n, "forced": forced}
    )


def _hide(table: pd.DataFrame, hidden: set, key: list[str]) -> pd.DataFrame:
    """Mark the rows whose key is in ``hidden`` as suppressed, with their values and n removed."""
    out = table.copy()
    mask = np.array([k in hidden for k in _keys(out, key)], dtype=bool)
    for c in [*VALUES, "n"]:
        out[c] = out[c].astype(float).mask(mask)
    out["suppressed"] = mask
    return out


def _precise(table, values, keys, masks, names, opt: Options, weights) -> pd.DataFrame:
    """The table with Kish's effective n, the CI half-width and the low-precision flag."""
    if not keys:  # nothing shown (e.g. no measure with an answer)
        return table.assign(effective_sample_size=np.nan, half_width=np.nan, low_precision=False)
    n_eff = _expand(kish_effective_n(values, dict(enumerate(masks)), weights), "group", keys, names)
    on = (*names, "measure")
    return add_precision(table, n_eff, opt.min_n_effective, opt.max_half_width, on=on)


def _holm_within(table: pd.DataFrame, family: str) -> np.ndarray:
    out = np.full(len(table), np.nan)
    p = table["p_value"].to_numpy(dtype=float)
    for idx in table.groupby(family, sort=False).indices.values():
        ok = idx[np.isfinite(p[idx])]
        if len(ok):
            out[ok] = holm(p[ok])
    return out


def _first(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return table[[*columns, *(c for c in table.columns if c not in columns)]]


def _changes(cur: _UnitCycle, prev: _UnitCycle, est: pd.DataFrame) -> pd.DataFrame:
    """Each shown unit cell against the same unit's shown cell of the previous cycle."""
    old = prev.estimates()
    if est.empty or old.empty:
        return pd.DataFrame()
    keep = ["group", "unit", "measure", *VALUES, "df", "n", "low_precision"]
    a, b = (t.loc[~t["suppressed"] & (t["unit"] != OTHER_UNITS), keep] for t in (est, old))
    on = ["group", "unit", "measure"]
    t = compare_estimates(a.drop(columns="low_precision"), b.drop(columns="low_precision"), on)
    flags = a[[*on, "low_precision"]].merge(b[[*on, "low_precision"]], on=on, suffixes=("", "_p"))
    t = t.merge(flags, on=on, how="left").merge(cur.info, on="measure", how="left")
    half = (t["ci_high"] - t["ci_low"]) / 2
    t["low_precision"] = (
        t["low_precision"] | t.pop("low_precision_p") | (half > cur.opt.max_half_width)
    )
    t["significant"] = (t["p_value"] < cur.opt.significance).fillna(False).astype(bool)
    return _first(t, _KEY)


# -- the national table ----------------------------------------------------------------------------
def national_cells_to_hide(figures: UnitFigures, subgroups: pd.DataFrame) -> pd.DataFrame:
    """The cells of the national ``subgroups`` table (``Findings["subgroups"]``) for the units'
    variable that it shows but the unit reports withhold or hide (rule 5 of the module).

    Returns group, variable, level, measure and the reason (``unit withheld`` or ``hidden in the
    unit reports``).

    Examples
    --------
    >>> from cipslib.analysis.findings import compute_findings
    >>> from cipslib.analysis.prepare import prepare_cycle
    >>> pc = prepare_cycle("params/2024.yaml")
    >>> national_cells_to_hide(compute_units(pc), compute_findings(pc)["subgroups"]).empty
    True
    """
    cols = ["group", "variable", "level", "measure", "reason"]
    if subgroups.empty:
        return pd.DataFrame(columns=cols)
    t = subgroups[(subgroups["variable"] == figures.by) & ~subgroups["suppressed"].astype(bool)]
    withheld = set(_keys(figures.plan.withheld, ["group", "unit"]))
    e = figures.estimates
    hidden = set(_keys(e[e["suppressed"]], ["group", "unit", "measure"]))
    reason = [
        "unit withheld"
        if (g, lev) in withheld
        else "hidden in the unit reports"
        if (g, lev, m) in hidden
        else ""
        for g, lev, m in _keys(t, ["group", "level", "measure"])
    ]
    out = t[["group", "variable", "level", "measure"]].assign(reason=reason)
    return out[out["reason"] != ""].reset_index(drop=True)


def hide_national_cells(
    subgroups: pd.DataFrame, subgroup_tests: pd.DataFrame, cells: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The national ``subgroups`` and ``subgroup_tests`` tables with ``cells`` (from
    :func:`national_cells_to_hide`) hidden: values, n and precision removed, ``suppressed`` True,
    and their tests against the rest (or the other level) dropped.

    Examples
    --------
    >>> s = pd.DataFrame({"group": "official", "variable": "region", "level": ["a", "b"],
    ...                   "measure": "factor_index.1", "estimate": [60.0, 55.0], "n": [40, 12],
    ...                   "suppressed": False})
    >>> tests = s[["group", "variable", "level", "measure"]].assign(versus="rest")
    >>> cells = s.loc[[1], ["group", "variable", "level", "measure"]]
    >>> s2, t2 = hide_national_cells(s, tests, cells)
    >>> s2["estimate"].tolist(), s2["suppressed"].tolist(), t2["level"].tolist()
    ([60.0, nan], [False, True], ['a'])
    """
    key = ["group", "variable", "level", "measure"]
    if subgroups.empty:  # no subgroup table (e.g. no factor index)
        return subgroups.copy(), subgroup_tests.copy()
    drop = set(_keys(cells, key))
    out = subgroups.copy()
    mask = np.array([k in drop for k in _keys(out, key)], dtype=bool)
    numbers = [*VALUES, "n", "effective_sample_size", "half_width"]
    for c in [c for c in numbers if c in out.columns]:
        out[c] = out[c].astype(float).mask(mask)
    if "hidden" in out.columns:  # not small there (or already hidden): hidden to protect a unit
        out["hidden"] = (
            out["hidden"]
            .astype(object)
            .where(out["suppressed"].astype(bool) | ~mask, COMPLEMENTARY)
        )
    out["suppressed"] = out["suppressed"].astype(bool) | mask
    if "low_precision" in out.columns:
        out.loc[mask, "low_precision"] = False
    if subgroup_tests.empty:
        return out, subgroup_tests.copy()
    t = subgroup_tests
    gone = [
        (g, v, a, m) in drop or (b != "rest" and (g, v, b, m) in drop)
        for g, v, a, b, m in _keys(t, ["group", "variable", "level", "versus", "measure"])
    ]
    return out, t[~np.array(gone, dtype=bool)].reset_index(drop=True)


# -- response rates --------------------------------------------------------------------------------
UNIT_RESPONSE_COLUMNS = ["unit", "group", "respondents", "population", "rate"]
"""The columns of a cycle's unit response table (:attr:`UnitFigures.response`)."""


def unit_response(
    current: PreparedCycle, by: str, plan: UnitPlan, cells: np.ndarray | None = None
) -> pd.DataFrame:
    """The response rate of every unit report of a cycle, per group it shows: ``unit``,
    ``group``, ``respondents`` (the unit's respondents in the group, as its report counts them),
    ``population`` (the unit's count in the group's population margin of ``by``; missing when the
    group's population figures have no such margin) and ``rate`` (%, as
    :func:`cipslib.analysis.response.response_rate`).

    The pooled "other units" report gets the withheld units' population when all its respondents
    belong to one of them (none without a unit); otherwise its rate is missing. Withheld units get
    no row: their size stays hidden. ``cells`` are the respondents' report cells
    (:meth:`UnitPlan.assign`), computed when not given.

    Examples
    --------
    >>> from cipslib.analysis.prepare import prepare_cycle
    >>> pc = prepare_cycle("params/2025.yaml")
    >>> plan = plan_units(unit_counts(pc.data, "region"), 10)
    >>> t = unit_response(pc, "region", plan)
    >>> t[t["unit"] == "west"].round(1).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'unit': 'west', 'group': 'official', 'respondents': 1068.0, 'population': 2611.0,
      'rate': 40.9},
     {'unit': 'west', 'group': 'private', 'respondents': 307.0, 'population': nan,
      'rate': nan}]
    """
    data = current.data
    groups = data["group"].astype(object).to_numpy()
    if cells is None:
        cells = plan.assign(data[by], groups)
    units = pd.Series(_labels(data[by]))
    rows = []
    for unit, shown in plan.reports.items():
        for g in shown:
            inside = (cells == unit) & (groups == g)
            n = int(inside.sum())
            margin = _population_margin(current.populations, g, by)
            if margin is None:
                population = np.nan
            elif unit == OTHER_UNITS:
                t = plan.table
                pooled = t[(t["group"] == g) & t["pooled"].astype(bool)]
                no_unit = units[inside].isna().any() or (pooled["unit"] == NO_UNIT).any()
                members = [u for u in pooled["unit"] if u != NO_UNIT]
                population = np.nan if no_unit else sum(margin.get(u, np.nan) for u in members)
            else:
                population = margin.get(str(unit), np.nan)
            rows.append(
                {
                    "unit": unit,
                    "group": g,
                    "respondents": float(n),
                    "population": float(population),
                    "rate": response_rate(n, population),
                }
            )
    return pd.DataFrame(rows, columns=UNIT_RESPONSE_COLUMNS)


def _population_margin(populations: Mapping, group: str, by: str) -> dict[str, float] | None:
    """The population counts of ``by`` in a group's population figures (None without them)."""
    pop = populations.get(group)
    if pop is None or by not in pop.margins:
        return None
    return {str(k): float(v) for k, v in pop.margins[by].items()}


__all__ = [
    "NO_UNIT",
    "OTHER_UNITS",
    "UnitFigures",
    "UnitPlan",
    "compute_units",
    "hide_national_cells",
    "national_cells_to_hide",
    "plan_units",
    "unit_counts",
    "unit_differences",
    "unit_estimates",
    "unit_response",
    "unit_subgroups",
]
