"""The integrity findings of a cycle: every table the report shows, computed once, design-based.

:func:`compute_findings` turns a weighted cycle (and optionally the previous one) into a
:class:`Findings` object holding tidy tables and the ranked key findings; :meth:`Findings.to_json`
writes them as the ``findings.json`` documented in ``docs/findings.md``, the single source of the
report's text, tables and charts.

Conventions (repeated in the report's method section):

* Every estimate is weighted (each group raked to its population figures) and comes with its
  linearised SE, a 95% CI (t on the design's df; logit interval for shares of 0/1 answers) and the
  unweighted number of respondents with a valid answer, ``n``. Don't know and refusal leave the
  base; their weighted rates are given beside each item.
* Officials and private sector answer different questionnaires, so they are estimated separately
  (the design is stratified by group) and compared factor by factor.
* A difference is significant when its two-sided p-value is below ``significance`` (0.05); subgroup
  tests of one subgroup variable within a group form a family corrected with Holm's method. Two
  groups are *aligned* on a factor when their difference is not significant and smaller than
  ``aligned_difference`` index points.
* Hedges' g (pingouin) is computed on the unweighted factor scores of the two groups; it describes
  the size of a difference relative to the spread of individual scores, and is not a design-based
  estimate.
* Cronbach's alpha (pingouin, listwise, 95% CI) per factor and questionnaire on the 0-100 item
  scores; factors below ``alpha_min`` (0.6) are flagged.
* Disclosure control (:mod:`cipslib.analysis.disclosure`): estimates resting on fewer than
  ``min_cell`` respondents are hidden (value and n), with secondary suppression among the subgroups
  of a group; count tables (quality, sample) declare the sums they publish and hide further cells
  until no hidden one follows from them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from ..inputs.codebook import Codebook
from ..inputs.params import DRIVER_DEFAULTS, THRESHOLD_DEFAULTS, CycleParams
from ..survey.inference import holm
from .disclosure import (
    Sum,
    column_sums,
    protect_counts,
    row_sums,
    suppress_estimates,
)
from .drivers import key_drivers, outcome_omission
from .keyfindings import key_findings, story
from .measures import PERCENT_KINDS, PROPORTION_KINDS, Measures, build_measures, to_percent
from .omissions import Omission
from .precision import PRECISION_COLUMNS, add_precision, kish_effective_n
from .prepare import PreparedCycle, PreparedInputs, reweight
from .response import response_table
from .scoring import Indicator, answer_codes, load_indicators
from .trends import compare_estimates, decompose_change

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Options:
    """Analysis settings (from the params file's ``min_cell``, ``thresholds`` and ``analysis``).

    Examples
    --------
    >>> Options().min_cell
    10
    """

    min_cell: int = 10
    level: float = 0.95
    aligned_difference: float = THRESHOLD_DEFAULTS["aligned_difference"]
    alpha_min: float = THRESHOLD_DEFAULTS["alpha_min"]
    significance: float = THRESHOLD_DEFAULTS["significance"]
    min_n_effective: float = THRESHOLD_DEFAULTS["min_n_effective"]
    max_half_width: float = THRESHOLD_DEFAULTS["max_half_width"]
    subgroups: dict[str, list[str]] | None = None
    """The subgroup variables per group; None, or a group left out: the codebook's (see
    :meth:`with_codebook`)."""
    decompose_by: dict[str, str] | None = None
    """The trend decomposition's variable per group; None, or a group left out: the codebook's."""
    drivers: dict[str, Any] = field(default_factory=lambda: dict(DRIVER_DEFAULTS))

    @classmethod
    def from_params(cls, params: CycleParams | None, codebook: Codebook | None = None) -> Options:
        """The params' settings; a group they do not compare by variables of their own is
        compared as its codebook says (given ``codebook``; else when the findings are computed).

        Examples
        --------
        >>> from cipslib import load_codebook, load_params
        >>> Options.from_params(load_params("params/2025.yaml"), load_codebook()).decompose_by
        {'official': 'role', 'private': 'respondent_type'}
        """
        if params is None:
            options = cls()
        else:
            th = params.thresholds
            options = cls(
                min_cell=params.min_cell,
                aligned_difference=th["aligned_difference"],
                alpha_min=th["alpha_min"],
                significance=th["significance"],
                min_n_effective=th["min_n_effective"],
                max_half_width=th["max_half_width"],
                subgroups=dict(params.analysis["subgroups"]),
                decompose_by=dict(params.analysis["decompose_by"]),
                drivers=dict(params.drivers),
            )
        return options.with_codebook(codebook) if codebook is not None else options

    def with_codebook(self, codebook: Codebook) -> Options:
        """These options with every group's subgroup and decomposition variables: those given,
        else the codebook's (:meth:`~cipslib.inputs.codebook.Codebook.subgroups_of`,
        :meth:`~cipslib.inputs.codebook.Codebook.decompose_by_of`).

        Examples
        --------
        >>> from cipslib import load_codebook
        >>> Options(subgroups={"official": ["role"]}).with_codebook(load_codebook()).subgroups
        {'official': ['role'], 'private': ['respondent_type', 'business_type', 'region']}
        """
        names = codebook.group_names
        subgroups = {g: list(codebook.subgroups_of(g)) for g in names}
        decompose = {g: codebook.decompose_by_of(g) for g in names}
        return dataclasses.replace(
            self,
            subgroups=subgroups | dict(self.subgroups or {}),
            decompose_by={g: v for g, v in decompose.items() if v} | dict(self.decompose_by or {}),
        )


@dataclass
class Findings:
    """All results of one cycle. Tables are already disclosure-controlled (hidden cells are
    missing).

    The findings hold keys and numbers, never words of a language: tables name an item by its id
    and cross-cycle ``key``, a factor by its number, an indicator by its id, an answer by its
    ``code``, a group, variable or level by its key. A key finding is its ``rank``, ``class``,
    ``kind``, ``template`` (the catalogue key of its sentence, ``sentences.<kind>``), its fields
    as keys and raw numbers (``{"factor": 8, "group": "official", "estimate": 46.71, ...}``) and
    its ``score``, ``score_parts`` and ``summary``; the ``story`` (the summary's closing
    paragraph) is a list of parts, each a ``template`` (``story.<part>``) and its keys and
    numbers. A report looks the words up when it is rendered, in its language:
    :func:`cipslib.text.sentences.render_finding`, :func:`cipslib.text.sentences.render_story`
    and :mod:`cipslib.report.localise` for the tables. ``findings.json`` (:meth:`to_json`) is
    therefore the same whatever language a report is written in.

    Examples
    --------
    >>> from cipslib import analyse
    >>> f = analyse("params/2024.yaml")
    >>> f.cycle, f.previous_cycle
    (2024, None)
    >>> f["factors"].columns[:3].tolist()
    ['factor', 'group', 'index']
    >>> {k: f.key_findings[0][k] for k in ("kind", "template", "indicator", "group")}
    {'kind': 'indicator', 'template': 'sentences.indicator', 'indicator': 'bribe_refuse_or_ignore', 'group': 'private'}
    """  # noqa: E501

    cycle: int
    previous_cycle: int | None
    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    key_findings: list[dict[str, Any]] = field(default_factory=list)
    story: list[dict[str, Any]] = field(default_factory=list)
    history: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)
    """Every measure of each earlier cycle of the chain on its own weighted design (for KPI
    series); not written to findings.json, where each cycle has its own file."""
    inputs: PreparedInputs | None = field(default=None, repr=False)
    """What :func:`cipslib.analysis.pipeline.analyse` computed the findings from (the params,
    definitions and prepared cycles); not written to findings.json."""
    units: Any = field(default=None, repr=False)
    """The unit reports' figures (:class:`cipslib.analysis.units.UnitFigures`, a module that reads
    this one) when the findings were computed with units (their national
    subgroup cells already hidden to match); not written to findings.json."""

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def measure(self, measure: str, group: str) -> pd.Series | None:
        """The estimate row of a measure id (e.g. ``indicator.safe_reporting``) for a group, or
        None."""
        t = self.tables["estimates"]
        rows = t[(t["measure"] == measure) & (t["group"] == group)]
        return rows.iloc[0] if len(rows) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "cycle": self.cycle,
            "previous_cycle": self.previous_cycle,
            "software": software_versions(),
            "meta": _clean(self.meta),
            "key_findings": _clean(self.key_findings),
            "story": _clean(self.story),
            "tables": {name: json_records(t) for name, t in self.tables.items()},
        }

    def to_json(self, path: str | Path) -> Path:
        """Write ``findings.json`` (UTF-8, stable key order, missing values as null)."""
        path = Path(path)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
        return path


def software_versions() -> dict[str, str]:
    """The versions of cipslib, Python and the numerical libraries that computed the findings.

    Examples
    --------
    >>> sorted(software_versions())
    ['cipslib', 'numpy', 'pandas', 'python', 'scipy', 'statsmodels']
    """
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("cipslib", "numpy", "pandas", "scipy", "statsmodels"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # cipslib run from a source tree that was never installed
            out[name] = "unknown"
    return dict(sorted(out.items()))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Path):
        return value.name
    return value


def json_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready records: plain numbers, None where a value is missing."""
    return [
        _clean(r) for r in table.astype(object).where(table.notna(), None).to_dict(orient="records")
    ]


# --------------------------------------------------------------------------------------------------
_ESTIMATE_COLUMNS = {
    "variable": object,
    "domain": object,
    **dict.fromkeys(["estimate", "se", "ci_low", "ci_high", "df"], float),
    "n": int,
}


class _Cycle:
    """A prepared cycle with its measures and group masks."""

    def __init__(self, prepared: PreparedCycle, indicators: dict[str, Indicator]):
        self.prepared = prepared
        self.indicators = indicators
        self.measures: Measures = build_measures(prepared.data, prepared.codebook, indicators)
        groups = prepared.data["group"].astype(object).to_numpy()
        names = prepared.codebook.group_names
        self.masks = {g: groups == g for g in names if (groups == g).any()}

    def estimates(
        self, design, columns: list[str] | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """Estimates of the measures per group on a design (all measures computed once per
        design)."""
        key = (id(design), level)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = (
                design,
                self._estimates(design, list(self.measures.values.columns), level),
            )
        out = cache[key][1]
        return (
            out[out["measure"].isin(columns)].reset_index(drop=True)
            if columns is not None
            else out.copy()
        )

    def _estimates(self, design, cols: list[str], level: float) -> pd.DataFrame:
        info = self.measures.info.set_index("measure")
        prop = [c for c in cols if info.loc[c, "kind"] in PROPORTION_KINDS]
        other = [c for c in cols if c not in prop]
        parts = []
        for subset, is_prop in ((prop, True), (other, False)):
            if subset:
                parts.append(
                    design.summarise(
                        self.measures.values[subset], self.masks, proportion=is_prop, level=level
                    )
                )
        if not parts:  # no measure at all (no factor item, no indicator answered)
            parts = [pd.DataFrame({c: pd.Series(dtype=t) for c, t in _ESTIMATE_COLUMNS.items()})]
        out = pd.concat(parts, ignore_index=True).rename(
            columns={"variable": "measure", "domain": "group"}
        )
        out = out[out["n"] > 0].reset_index(drop=True)
        return out.merge(self.measures.info, on="measure", how="left")


def _percentify(
    table: pd.DataFrame, columns=("estimate", "se", "ci_low", "ci_high")
) -> pd.DataFrame:
    table = table.copy()
    to_percent(table, table["kind"], columns)
    return table


def _significant(p: pd.Series, alpha: float) -> pd.Series:
    return (p < alpha).fillna(False).astype(bool)


def compute_findings(
    current: PreparedCycle,
    previous: PreparedCycle | None = None,
    options: Options | None = None,
    indicators: dict[str, Indicator] | None = None,
    earlier: Sequence[PreparedCycle] = (),
    omitted: Sequence[Omission] = (),
) -> Findings:
    """Every table of the integrity findings for ``current`` (with trends when ``previous`` is
    given, and the ``series`` of factor indices when ``earlier`` cycles, newest first, continue
    the chain before ``previous``). ``meta["omitted"]`` lists what is left out and why: the
    ``omitted`` definitions (see :func:`cipslib.analysis.prepare.load_definitions`), then the
    sections the data cannot give (see :func:`_omissions`).

    Examples
    --------
    >>> from cipslib import prepare_cycle
    >>> f = compute_findings(prepare_cycle("params/2024.yaml"))
    >>> sorted(f.tables)[:3]
    ['alignment', 'distributions', 'drivers']
    """
    opt = (options or Options.from_params(current.params)).with_codebook(current.codebook)
    cb = current.codebook
    inds = indicators if indicators is not None else load_indicators(cb)
    cur = _Cycle(current, inds)
    lv = opt.level
    est = _own_estimates(cur, opt)
    tables: dict[str, pd.DataFrame] = {"estimates": est}
    tables["items"] = _items_table(cur, est, cb, lv, opt)
    tables["distributions"] = _distributions(cur, cb, opt)
    tables["selections"] = _selections(est, cb)
    tables["factors"] = _factors_table(est)
    tables["reliability"], tables["item_rest"] = _reliability(cur, opt)
    tables["alignment"] = _alignment(cur, est, opt)
    tables["gaps"] = _gaps(cur, est, cb, opt)
    tables["experience"] = _experience(est, inds)
    tables["subgroups"], tables["subgroup_tests"] = _subgroups(cur, cb, opt)
    tables["sample"], tables["weighting"] = _sample(current, opt)
    tables["quality"] = _quality(current, opt)
    tables["response"] = response_table(
        current, opt.min_cell, sample=tables["sample"], quality=tables["quality"]
    )
    tables["drivers"] = key_drivers(
        current.design,
        current.data,
        cb,
        cur.measures.values,
        cur.masks,
        outcome=opt.drivers["outcome"],
        min_n_effective=opt.drivers["min_n_effective"],
        level=lv,
        cycle=current.cycle,
    )
    meta = _meta(current, previous, opt, cb)
    read = tables["quality"].set_index("screen").get("hidden_all", pd.Series(dtype=object))
    if read.get("respondents") is not None:  # with the retained it would give the excluded away
        meta["respondents_read"] = None
    history: dict[int, pd.DataFrame] = {}
    if previous is not None:
        prev = _Cycle(previous, inds)
        compared_cur, compared_prev, dropped = _comparable(cur, prev)
        tables["trends"], tables["decomposition"], same = _trends(compared_cur, compared_prev, opt)
        meta["trend_same_population"] = same
        meta["trend_items_left_out"] = dropped
        chain = [prev, *(_Cycle(c, inds) for c in earlier)]
        history = {c.prepared.cycle: _own_estimates(c, opt) for c in chain}
        if len(chain) >= 2:
            tables["series"] = _series(cur, chain, opt)
    meta["security_indicators"] = meta_security(inds)
    meta["omitted"] = [o.to_dict() for o in [*omitted, *_omissions(tables, cur, cb, opt, omitted)]]
    fnd = Findings(current.cycle, previous.cycle if previous is not None else None, meta, tables)
    fnd.history = history
    fnd.key_findings = key_findings(tables, fnd.cycle, fnd.previous_cycle, cb, inds)
    fnd.story = story(tables, fnd.cycle, fnd.previous_cycle, cb, inds)
    if not any(k.get("summary") for k in fnd.key_findings):
        meta["omitted"].insert(0, Omission("summary", "no_key_findings", whole=True).to_dict())
    return fnd


def meta_security(indicators: dict[str, Indicator]) -> list[str]:
    """The indicators of the staff-security section (``section: security`` in the indicator
    file), in its order."""
    return [name for name, ind in indicators.items() if ind.section == "security"]


def _omissions(
    tables: dict[str, pd.DataFrame],
    cur: _Cycle,
    cb: Codebook,
    opt: Options,
    omitted: Sequence[Omission],
) -> list[Omission]:
    """The sections, or parts of them, that this cycle's codebook and data cannot give: no factor
    index (no perception or mechanism item answered), a single respondent group (no comparison of
    officials and the private sector), no driver analysis, no experience or staff-security
    indicator, a subgroup variable with fewer than two levels among a group's respondents."""
    out: list[Omission] = []
    factors = not tables["factors"].empty
    if not factors:
        out += [Omission(s, "no_factor_items", whole=True) for s in ("factors", "factor_detail")]
    elif len(cur.masks) == 1:
        out.append(Omission("factors", "single_group", details={"group": next(iter(cur.masks))}))
    if tables["drivers"].empty and not any(o.section == "drivers" and o.whole for o in omitted):
        no_outcome = outcome_omission(cb, opt.drivers["outcome"], cur.prepared.cycle)
        if no_outcome is not None:
            out.append(no_outcome)
        elif not factors:
            out.append(Omission("drivers", "no_factor_items", whole=True))
        else:
            n = f"{opt.drivers['min_n_effective']:g}"
            out.append(Omission("drivers", "drivers_too_few", whole=True, details={"min_n": n}))
    shown = set(tables["experience"]["indicator"]) if not tables["experience"].empty else set()
    if not shown:
        out.append(Omission("experience", "no_indicators", whole=True))
    security = meta_security(cur.indicators)
    if not security:
        out.append(Omission("security", "no_security_section", whole=True))
    elif not shown & set(security):
        out.append(Omission("security", "no_security", whole=True, details={"names": security}))
    left_out = {o.name for o in omitted if o.reason == "subgroup_variable"}
    sub = tables["subgroups"]
    built = set(zip(sub["group"], sub["variable"], strict=True)) if not sub.empty else set()
    for g in cur.masks:
        for var in opt.subgroups.get(g, []):
            if var not in left_out and (g, var) not in built and factors:
                label = dict(cb.variables[var].labels) if var in cb.variables else var
                details = {"group": g, "label": label}
                out.append(Omission("subgroups", "subgroup_levels", var, details=details))
    if not built:
        reason = "no_subgroups" if factors else "no_factor_items"
        out.append(Omission("subgroups", reason, whole=True))
    return out


def _meta(
    current: PreparedCycle, previous: PreparedCycle | None, opt: Options, cb: Codebook
) -> dict:
    p = current.params
    return {
        "title": p.title if p else f"CIPS {current.cycle}",
        "data_file": current.source,
        "codebook": cb.raw.get("title", "") if hasattr(cb, "raw") else "",
        "fieldwork": {k: str(v) for k, v in (p.fieldwork if p else {}).items()},
        "min_cell": opt.min_cell,
        "confidence_level": opt.level,
        "aligned_difference": opt.aligned_difference,
        "alpha_min": opt.alpha_min,
        "min_n_effective": opt.min_n_effective,
        "max_half_width": opt.max_half_width,
        "significance": opt.significance,
        "subgroups": opt.subgroups,
        "decompose_by": opt.decompose_by,
        "populations": {
            g: {
                "title": pop.source,
                "titles": dict(pop.sources),
                "total": pop.total,
                "illustrative": pop.illustrative,
                "reference_date": str(pop.reference_date or ""),
            }
            for g, pop in current.populations.items()
        },
        "respondents_read": int(current.load.rows_read),
        "respondents_analysed": int(len(current.data)),
    }


def _items_table(
    cur: _Cycle, est: pd.DataFrame, cb: Codebook, level: float, opt: Options
) -> pd.DataFrame:
    items = cb.items.set_index("id")
    fav = est[est["kind"] == "item_fav"]
    score = est[est["kind"] == "item_score"][
        ["item", "group", "estimate", "ci_low", "ci_high"]
    ].rename(columns={"estimate": "score", "ci_low": "score_ci_low", "ci_high": "score_ci_high"})
    out = (
        fav[
            [
                "item",
                "ref",
                "factor",
                "group",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "n",
                *PRECISION_COLUMNS,
                "suppressed",
            ]
        ]
        .merge(score, on=["item", "group"], how="left")
        .rename(columns={"ref": "key", "estimate": "favourable"})
    )
    # don't know and refusal: weighted rates among the group's respondents who were asked the item
    reasons = cur.prepared.reasons
    w = cur.prepared.design.weights.to_numpy()
    rates = []
    for iid in out["item"].unique():
        why = reasons[iid].astype(object).to_numpy()
        asked_all = why != "not_asked"
        for g in out.loc[out["item"] == iid, "group"]:
            asked = cur.masks[g] & asked_all
            wa = w[asked].sum()
            r = why[asked]
            rates.append(
                {
                    "item": iid,
                    "group": g,
                    "dont_know_rate": 100 * w[asked][r == "dont_know"].sum() / wa if wa else np.nan,
                    "refusal_rate": 100 * w[asked][r == "refusal"].sum() / wa if wa else np.nan,
                    "n_asked": int(asked.sum()),
                }
            )
    rates = pd.DataFrame(
        rates, columns=["item", "group", "dont_know_rate", "refusal_rate", "n_asked"]
    )
    out = out.merge(rates, on=["item", "group"], how="left")
    out["construct"] = [items.loc[i, "construct"] for i in out["item"]]
    out["reverse"] = [bool(items.loc[i, "reverse"]) for i in out["item"]]
    hidden = out["n_asked"] < opt.min_cell
    out.loc[hidden, ["dont_know_rate", "refusal_rate", "n_asked"]] = np.nan
    return out.sort_values(["group", "factor", "item"], kind="stable").reset_index(drop=True)


def _selections(est: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """The options of the multiple-choice questions: per group the weighted % of those who
    answered the question that selected the option, with its CI, options in the scale's order."""
    columns = ["question", "key", "option", "group", "estimate", "ci_low", "ci_high", "n"]
    out = est[est["kind"] == "option"].copy()
    if out.empty:
        return pd.DataFrame(columns=[*columns, "suppressed"])
    of = cb.items.set_index("id")
    out["question"] = [of.loc[i, "parent"] for i in out["item"]]
    out["key"] = [cb.multiples[q].key for q in out["question"]]
    out["option"] = [int(of.loc[i, "option"]) for i in out["item"]]
    order = {iid: pos for pos, iid in enumerate(cb.items["id"])}
    out = out.assign(_order=out["item"].map(order)).sort_values(["group", "_order"], kind="stable")
    keep = [*columns, *PRECISION_COLUMNS, "suppressed"]
    return out[[c for c in keep if c in out]].reset_index(drop=True)


def _distributions(cur: _Cycle, cb: Codebook, opt: Options) -> pd.DataFrame:
    """Weighted share of every answer code of every item among the group's valid answers (for the
    charts)."""
    w = cur.prepared.design.weights.to_numpy()
    rows = []
    for _, item in cb.items.iterrows():
        iid = item["id"]
        if iid not in cur.prepared.data.columns:
            continue
        scale = cb.scale_of(iid)
        codes = answer_codes(cur.prepared.data[iid])
        for g, mask in cur.masks.items():
            if g not in item["instruments"]:
                continue
            valid = mask & ~np.isnan(codes)
            n = int(valid.sum())
            if n == 0:
                continue
            wsum = w[valid].sum()
            for code in scale.labels:
                share = 100 * w[valid & (codes == code)].sum() / wsum
                rows.append(
                    {
                        "item": iid,
                        "key": item["key"],
                        "group": g,
                        "code": int(code),
                        "neutral": code == scale.neutral,
                        "favourable": code in item["favourable"],
                        "share": share,
                        "n": n,
                    }
                )
    out = pd.DataFrame(rows)
    return suppress_estimates(out, opt.min_cell, value_columns=["share"])


def _factors_table(est: pd.DataFrame) -> pd.DataFrame:
    idx = est[est["kind"] == "factor_index"]
    fav = est[est["kind"] == "factor_fav"][
        ["factor", "group", "estimate", "ci_low", "ci_high", "n"]
    ].rename(
        columns={
            "estimate": "favourable",
            "ci_low": "favourable_ci_low",
            "ci_high": "favourable_ci_high",
            "n": "favourable_n",
        }
    )
    out = (
        idx[
            ["factor", "group", "estimate", "se", "ci_low", "ci_high", "n", *PRECISION_COLUMNS]
            + ["suppressed"]
        ]
        .rename(columns={"estimate": "index"})
        .merge(fav, on=["factor", "group"], how="left")
    )
    return out.sort_values(["group", "factor"]).reset_index(drop=True)


def _reliability(cur: _Cycle, opt: Options) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = cur.measures.info[cur.measures.info["kind"] == "item_score"]
    rows, item_rows = [], []
    for g, mask in cur.masks.items():
        for k, group_items in info.groupby("factor"):
            cols = [
                c for c in group_items["measure"] if cur.measures.values.loc[mask, c].notna().any()
            ]
            if len(cols) < 2:
                continue
            frame = cur.measures.values.loc[mask, cols].dropna()
            n = len(frame)
            if n < max(opt.min_cell, 3) or (frame.var() == 0).any():
                rows.append(
                    {
                        "group": g,
                        "factor": int(k),
                        "items": len(cols),
                        "n": n if n >= opt.min_cell else np.nan,
                        "alpha": np.nan,
                        "alpha_ci_low": np.nan,
                        "alpha_ci_high": np.nan,
                        "low": False,
                    }
                )
                continue
            alpha, ci = pg.cronbach_alpha(data=frame, nan_policy="listwise", ci=opt.level)
            rows.append(
                {
                    "group": g,
                    "factor": int(k),
                    "items": len(cols),
                    "n": n,
                    "alpha": float(alpha),
                    "alpha_ci_low": float(ci[0]),
                    "alpha_ci_high": float(ci[1]),
                    "low": bool(alpha < opt.alpha_min),
                }
            )
            total = frame.sum(axis=1)
            for c in cols:
                rest = total - frame[c]
                r = (
                    float(np.corrcoef(frame[c], rest)[0, 1])
                    if frame[c].std() > 0 and rest.std() > 0
                    else np.nan
                )
                item_rows.append(
                    {
                        "group": g,
                        "factor": int(k),
                        "item": group_items.set_index("measure").loc[c, "item"],
                        "key": c.split(".", 1)[1],
                        "item_rest_r": r,
                        "n": n,
                    }
                )
    rel = pd.DataFrame(
        rows,
        columns=["group", "factor", "items", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "low"],
    )
    return rel, pd.DataFrame(
        item_rows, columns=["group", "factor", "item", "key", "item_rest_r", "n"]
    )


_ALIGNMENT_VALUES = [
    "estimate_a",
    "estimate_b",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "hedges_g",
    "n_a",
    "n_b",
]


def _alignment(cur: _Cycle, est: pd.DataFrame, opt: Options) -> pd.DataFrame:
    """Every pair of groups on every factor index (group a minus group b, in the codebook's order
    of the groups): the difference with its CI and p-value, Holm-adjusted over the pairs of a
    factor (one pair: the p-value itself); significant when the adjusted p is below the
    threshold, aligned when not significant and under ``aligned_difference`` points apart."""
    cols = cur.measures.columns("factor_index")
    groups = list(cur.masks)
    pairs = {
        f"{a}|{b}": (cur.masks[a], cur.masks[b])
        for i, a in enumerate(groups)
        for b in groups[i + 1 :]
    }
    columns = ["factor", "group_a", "group_b", *_ALIGNMENT_VALUES, "significant", "aligned"]
    if not pairs or not cols:
        return pd.DataFrame(columns=[*columns, "suppressed"])
    c = cur.prepared.design.contrasts(cur.measures.values[cols], pairs, level=opt.level)
    values = cur.measures.values
    rows = []
    for _, r in c.iterrows():
        a, b = r["contrast"].split("|")
        x = values.loc[cur.masks[a], r["variable"]].dropna()
        y = values.loc[cur.masks[b], r["variable"]].dropna()
        g = (
            float(pg.compute_effsize(x, y, eftype="hedges"))
            if len(x) > 1 and len(y) > 1
            else np.nan
        )
        rows.append(
            {
                "factor": int(r["variable"].split(".")[1]),
                "group_a": a,
                "group_b": b,
                "estimate_a": r["estimate_a"],
                "estimate_b": r["estimate_b"],
                "difference": r["difference"],
                "se": r["se"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "p_value": r["p_value"],
                "hedges_g": g,
                "n_a": r["n_a"],
                "n_b": r["n_b"],
                "suppressed": min(len(x), len(y)) < opt.min_cell,
            }
        )
    out = pd.DataFrame(rows)
    out["p_holm"] = np.nan
    for _, part in out[out["p_value"].notna()].groupby("factor"):
        out.loc[part.index, "p_holm"] = holm(part["p_value"].to_numpy())
    out["significant"] = _significant(out["p_holm"], opt.significance)
    out["aligned"] = ~out["significant"] & (out["difference"].abs() < opt.aligned_difference)
    out = out[[*columns, "suppressed"]].sort_values(["factor"], kind="stable")
    out.loc[out["suppressed"], _ALIGNMENT_VALUES] = np.nan
    return out.reset_index(drop=True)


def _gaps(cur: _Cycle, est: pd.DataFrame, cb: Codebook, opt: Options) -> pd.DataFrame:
    items = cb.items.set_index("id")
    rows = []
    gap_info = cur.measures.info[cur.measures.info["kind"] == "gap"]
    fav = cur.measures.info[cur.measures.info["kind"] == "item_fav"].set_index("item")
    for _, gi in gap_info.iterrows():
        exists_id = gi["item"]
        twin = items.loc[exists_id, "twin"]
        both = cur.measures.values[gi["measure"]].notna()
        common = pd.DataFrame(
            {
                "exists": cur.measures.values[fav.loc[exists_id, "measure"]].where(both),
                "effective": cur.measures.values[fav.loc[twin, "measure"]].where(both),
            }
        )
        parts = cur.prepared.design.summarise(common, cur.masks, proportion=True, level=opt.level)
        for g in cur.masks:
            row = est[(est["measure"] == gi["measure"]) & (est["group"] == g)]
            if row.empty:
                continue
            r = row.iloc[0]
            pe = parts[(parts["domain"] == g)].set_index("variable")
            rows.append(
                {
                    "factor": int(gi["factor"]),
                    "group": g,
                    "exists_item": exists_id,
                    "effective_item": twin,
                    "exists": 100 * pe.loc["exists", "estimate"],
                    "effective": 100 * pe.loc["effective", "estimate"],
                    "gap": r["estimate"],
                    "se": r["se"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": r["n"],
                    "suppressed": r["suppressed"],
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    # paired t-test on the respondent-level difference (its CI already on the design df)
    out["t"] = out["gap"] / out["se"]
    out["p_value"] = 2 * stats.t.sf(out["t"].abs(), cur.prepared.design.df)
    out["significant"] = _significant(out["p_value"], opt.significance)
    out.loc[out["suppressed"], ["exists", "effective", "t", "p_value"]] = np.nan
    return out.sort_values(["group", "gap"], ascending=[True, False]).reset_index(drop=True)


def _experience(est: pd.DataFrame, inds: dict[str, Indicator]) -> pd.DataFrame:
    t = est[est["kind"] == "indicator"].copy()
    if t.empty:
        return pd.DataFrame(
            columns=[
                "group",
                "indicator",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "df",
                "n",
                "unit",
                "suppressed",
                "item_key",
                "codes",
                "headline",
            ]
        )
    t["indicator"] = t["ref"]
    t = t.loc[
        np.array(
            [
                ind in inds and g in inds[ind].groups
                for ind, g in zip(t["indicator"], t["group"], strict=True)
            ],
            dtype=bool,
        )
    ]
    t["item_key"] = [inds[i].item for i in t["indicator"]]
    t["codes"] = [list(inds[i].codes) for i in t["indicator"]]
    t["headline"] = [inds[i].headline for i in t["indicator"]]
    order = {k: i for i, k in enumerate(inds)}
    t["order"] = t["indicator"].map(order)
    t = t.sort_values(["group", "order"]).drop(
        columns=["order", "kind", "ref", "factor", "item", "measure"]
    )
    return t.reset_index(drop=True)


def _subgroups(cur: _Cycle, cb: Codebook, opt: Options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Factor results per subgroup level, and each level against the rest of its group (two levels:
    against each other). Holm correction within each (group, subgroup variable) family."""
    data = cur.prepared.data
    values = cur.measures.values[cur.measures.columns("factor_index", "factor_fav")]
    index_values = cur.measures.values[cur.measures.columns("factor_index")]
    domains, pairs, versus = {}, {}, {}
    for g, mask in cur.masks.items():
        for var in opt.subgroups.get(g, []):
            if var not in data.columns:
                continue
            col = data[var].astype(object).to_numpy()
            present = {lev for lev in pd.unique(col[mask]) if pd.notna(lev)}
            order = list(cb.variables[var].levels) if var in cb.variables else sorted(present)
            levels = [lev for lev in order if lev in present]
            if len(levels) < 2:
                continue
            for lev in levels:
                domains[(g, var, lev)] = mask & (col == lev)
            for a, b in (
                [(levels[0], levels[1])] if len(levels) == 2 else [(lev, None) for lev in levels]
            ):
                rest = mask & (col != a) & pd.notna(col)
                pairs[(g, var, a)] = (
                    domains[(g, var, a)],
                    domains[(g, var, b)] if b is not None else rest,
                )
                versus[(g, var, a)] = b if b is not None else "rest"
    # the subgroups are compared on the factor indices: none without an index answered (a
    # questionnaire without ordinal factor items)
    if not domains or not index_values.notna().any().any():
        return pd.DataFrame(), pd.DataFrame()
    labels = list(domains)
    t = cur.prepared.design.summarise(
        values, {i: domains[k] for i, k in enumerate(labels)}, level=opt.level
    )
    t = t.rename(columns={"variable": "measure"})
    key = [labels[i] for i in t.pop("domain")]
    t.insert(0, "group", [k[0] for k in key])
    t.insert(1, "variable", [k[1] for k in key])
    t.insert(2, "level", [k[2] for k in key])
    t = t.merge(cur.measures.info[["measure", "kind", "factor"]], on="measure", how="left")
    to_percent(t, t["kind"])
    sub = suppress_estimates(
        t,
        opt.min_cell,
        family=["group", "variable", "measure"],
        value_columns=["estimate", "se", "ci_low", "ci_high"],
    )
    n_eff = kish_effective_n(values, domains, cur.prepared.design.weights.to_numpy())
    cell = pd.DataFrame(n_eff.pop("group").tolist(), columns=["group", "variable", "level"])
    sub = add_precision(
        sub,
        pd.concat([cell, n_eff], axis=1),
        opt.min_n_effective,
        opt.max_half_width,
        on=("group", "variable", "level", "measure"),
    )
    hidden = set(
        zip(
            sub.loc[sub["suppressed"], "group"],
            sub.loc[sub["suppressed"], "variable"],
            sub.loc[sub["suppressed"], "measure"],
            sub.loc[sub["suppressed"], "level"],
            strict=True,
        )
    )
    plabels = list(pairs)
    c = cur.prepared.design.contrasts(
        index_values, {i: pairs[k] for i, k in enumerate(plabels)}, level=opt.level
    )
    key = [plabels[i] for i in c.pop("contrast")]
    c = c.rename(columns={"variable": "measure"})
    c.insert(0, "group", [k[0] for k in key])
    c.insert(1, "variable", [k[1] for k in key])
    c.insert(2, "level", [k[2] for k in key])
    c.insert(3, "versus", [versus[k] for k in key])
    c["hidden"] = [
        (g, v, m, a) in hidden or (b != "rest" and (g, v, m, b) in hidden)
        for g, v, m, a, b in zip(
            c["group"], c["variable"], c["measure"], c["level"], c["versus"], strict=True
        )
    ]
    c["hidden"] |= (c["n_a"] < opt.min_cell) | (c["n_b"] < opt.min_cell)
    c["p_holm"] = np.nan
    for _, idx in c.groupby(["group", "variable"], sort=False).groups.items():
        ok = [i for i in idx if np.isfinite(c.at[i, "p_value"])]
        if ok:
            c.loc[ok, "p_holm"] = holm(c.loc[ok, "p_value"].to_numpy())
    c["significant"] = _significant(c["p_holm"], opt.significance)
    c["factor"] = c["measure"].str.split(".").str[1].astype(int)
    return sub, c[~c["hidden"]].drop(columns=["hidden", "t"]).reset_index(drop=True)


def _sample(current: PreparedCycle, opt: Options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sample against population per margin variable (counts suppressed), and weighting per
    group."""
    data = current.data
    w = current.design.weights
    rows = []
    for g, pop in current.populations.items():
        members = (data["group"].astype(object) == g).to_numpy()
        if not members.any():
            continue
        for var, counts in pop.margins.items():
            col = data.loc[members, var].astype(object)
            sample = col.value_counts().reindex(list(counts)).fillna(0).astype(int)
            weighted = w[members].groupby(col.to_numpy()).sum().reindex(list(counts)).fillna(0)
            # the levels add up to the group's respondents with a level, a total the shown
            # percentages give away (n / share), so it counts as published
            frame = pd.DataFrame({"n": sample.to_numpy()}, index=range(len(sample)))
            prot = protect_counts(
                frame, opt.min_cell, sums=[Sum(tuple((i, "n") for i in frame.index))]
            )
            why = prot.reasons["n"].to_numpy()
            hidden = prot.hidden["n"].to_numpy()
            for i, lev in enumerate(counts):
                rows.append(
                    {
                        "group": g,
                        "variable": var,
                        "level": lev,
                        "sample_n": np.nan if hidden[i] else sample[lev],
                        "sample_pct": np.nan if hidden[i] else 100 * sample[lev] / sample.sum(),
                        "weighted_pct": 100 * weighted[lev] / weighted.sum(),
                        "population_n": counts[lev],
                        "population_pct": 100 * counts[lev] / pop.total,
                        "suppressed": bool(hidden[i]),
                        "hidden": why[i],
                    }
                )
    weighting = []
    t = float(current.design._t(opt.level))
    for g in current.codebook.group_names:
        members = (data["group"].astype(object) == g).to_numpy()
        if not members.any():
            continue
        ws = w[members].to_numpy()
        cv = ws.std() / ws.mean()
        n = int(members.sum())
        deff = 1 + cv**2
        pop = current.populations.get(g)
        big_n = pop.total if pop is not None else np.nan
        fpc = 1 - n / big_n if pop is not None and big_n > n else 1.0
        if n < opt.min_cell:
            weighting.append({"group": g, "n": np.nan, "population": big_n, "suppressed": True})
            continue
        weighting.append(
            {
                "group": g,
                "n": n,
                "population": big_n,
                "suppressed": False,
                "weight_min": ws.min(),
                "weight_max": ws.max(),
                "weight_cv": cv,
                "effective_sample_size": ws.sum() ** 2 / (ws**2).sum(),
                "deff_weighting": deff,
                "margin_of_error": 100 * t * math.sqrt(deff * 0.25 / n * fpc),
                "margin_of_error_unweighted": 100 * t * math.sqrt(0.25 / n * fpc),
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(weighting)


def _quality(current: PreparedCycle, opt: Options) -> pd.DataFrame:
    """Respondents flagged by each quality screen per group, under disclosure control with the
    table's sums declared: each row's groups add up to ``all``; in each column the respondents are
    the excluded plus the retained, and the excluded the respondents flagged by an excluding
    screen (declared as the screens' sum: exact when no respondent is flagged by two of them, a
    bound otherwise, see :mod:`cipslib.analysis.disclosure`). The retained are printed elsewhere
    (title page, weighting table, ``meta``), so they are never hidden to protect another cell.
    ``hidden_<column>`` says why a cell is hidden ("small" or "complementary")."""
    s = current.quality.summary.copy()
    s.columns = [str(c) for c in s.columns]
    columns = [c for c in s.columns if c != "excludes"]
    groups = [c for c in columns if c != "all"]
    counts = s[columns].astype(float)
    screens = [r for r in s.index if bool(s.loc[r, "excludes"]) and r != "excluded"]
    sums = row_sums(counts, groups, "all") if groups and "all" in columns else []
    sums += column_sums(counts, screens, "excluded")
    sums += column_sums(counts, ["excluded", "retained"], "respondents")
    prot = protect_counts(
        counts, opt.min_cell, sums=sums, published=[("retained", c) for c in columns]
    )
    out = s.reset_index()
    for c in columns:
        out[c] = counts[c].mask(prot.hidden[c]).to_numpy()
    out["suppressed"] = prot.hidden.any(axis=1).to_numpy()
    for c in columns:
        out[f"hidden_{c}"] = pd.Series(prot.reasons[c].to_numpy(), dtype=object)
    return out


def _own_estimates(cycle: _Cycle, opt: Options) -> pd.DataFrame:
    """Every measure of a cycle on its own weighted design: in percent, suppressed under
    ``min_cell``, with the precision columns."""
    design = cycle.prepared.design
    est = _percentify(cycle.estimates(design, level=opt.level))
    est = suppress_estimates(
        est, opt.min_cell, value_columns=["estimate", "se", "ci_low", "ci_high"]
    )
    n_eff = kish_effective_n(cycle.measures.values, cycle.masks, design.weights.to_numpy())
    return add_precision(est, n_eff, opt.min_n_effective, opt.max_half_width)


def _series(cur: _Cycle, chain: list[_Cycle], opt: Options) -> pd.DataFrame:
    """Each factor index in every cycle of the chain (current first, then older), unweighted
    (``raw``) and weighted to the current cycle's population figures (``standardised``)."""
    populations = cur.prepared.populations
    frames = []
    for cycle in [cur, *chain]:
        columns = [c for c in cycle.measures.values.columns if c.startswith("factor_index.")]
        standard = (
            cycle.prepared.design
            if cycle is cur or _same_populations(cycle.prepared.populations, populations)
            else reweight(cycle.prepared, populations)
        )
        for comparison, design in (("raw", cycle.prepared.raw), ("standardised", standard)):
            t = cycle.estimates(design, columns, opt.level)
            t.insert(2, "cycle", cycle.prepared.cycle)
            t.insert(3, "comparison", comparison)
            frames.append(t)
    out = _percentify(pd.concat(frames, ignore_index=True))
    out = suppress_estimates(
        out, opt.min_cell, value_columns=["estimate", "se", "ci_low", "ci_high"]
    )
    keep = ["measure", "group", "cycle", "comparison", "factor", "estimate", "se"]
    keep += ["ci_low", "ci_high", "n", "suppressed"]
    return out[keep].sort_values(["group", "factor", "comparison", "cycle"], ignore_index=True)


def _same_populations(a: dict, b: dict) -> bool:
    """Whether two cycles were weighted to the same population figures."""
    return all(
        g in a and a[g].margins == pop.margins and a[g].total == pop.total for g, pop in b.items()
    )


def _with_effective_n(
    table: pd.DataFrame, cur: _Cycle, prev: _Cycle, common: list[str], d_cur, d_prev
) -> pd.DataFrame:
    """A change table with Kish's effective n of both cycles under the compared designs
    (``effective_sample_size`` and ``effective_sample_size_prev``)."""
    for cycle, design, suffix in ((cur, d_cur, ""), (prev, d_prev, "_prev")):
        n_eff = kish_effective_n(
            cycle.measures.values[common], cycle.masks, design.weights.to_numpy()
        ).rename(columns={"effective_sample_size": f"effective_sample_size{suffix}"})
        table = table.merge(n_eff, on=["measure", "group"], how="left")
    return table


def _compared_keys(cycle: _Cycle) -> dict[str, tuple[str, int | None]]:
    """The questions a cycle's data hold that its trends compare: the factor items and the overall
    rating (the driver outcome, no factor): id -> (cross-cycle key, factor or None)."""
    items = cycle.prepared.codebook.items
    wanted = items["factor"].notna() | (items["construct"] == "outcome")
    items = items[wanted & items["id"].isin(cycle.prepared.data.columns)]
    return {r.id: (r.key, None if pd.isna(r.factor) else int(r.factor)) for r in items.itertuples()}


def _comparable(cur: _Cycle, prev: _Cycle) -> tuple[_Cycle, _Cycle, list[dict[str, Any]]]:
    """The two cycles as their trends compare them: a factor's index over the items (by their
    cross-cycle key) asked in both cycles only, so that a change is not a change of questions.
    Returns the cycles (rebuilt without the factor items only one cycle asked, when there are any)
    and the questions only one cycle asked (the overall rating too): key, factor (None for the
    overall rating) and the cycle that asked them, by factor, the overall rating last."""
    keys = {c.prepared.cycle: _compared_keys(c) for c in (cur, prev)}
    shared = set.intersection(*({key for key, _ in k.values()} for k in keys.values()))
    dropped, out = [], []
    for c in (cur, prev):
        alone = {i: kf for i, kf in keys[c.prepared.cycle].items() if kf[0] not in shared}
        dropped += [
            {"key": key, "item": i, "factor": factor, "cycle": c.prepared.cycle}
            for i, (key, factor) in alone.items()
        ]
        factor_items = [i for i, (_, factor) in alone.items() if factor is not None]
        if factor_items:
            data = c.prepared.data.drop(columns=factor_items)
            c = _Cycle(dataclasses.replace(c.prepared, data=data), c.indicators)
        out.append(c)
    last = 1 + max((d["factor"] or 0 for d in dropped), default=0)
    return out[0], out[1], sorted(dropped, key=lambda d: (d["factor"] or last, d["key"]))


def _trends(cur: _Cycle, prev: _Cycle, opt: Options) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    common = [
        c
        for c in cur.measures.values.columns
        if c in prev.measures.values.columns and not c.startswith("item_score")
    ]
    same = _same_populations(prev.prepared.populations, cur.prepared.populations)
    std_design = prev.prepared.design if same else reweight(prev.prepared, cur.prepared.populations)
    designs = {
        "raw": (cur.prepared.raw, prev.prepared.raw),
        "weighted": (cur.prepared.design, prev.prepared.design),
        "standardised": (cur.prepared.design, std_design),
    }
    frames = []
    for kind, (d_cur, d_prev) in designs.items():
        a = cur.estimates(d_cur, common, opt.level)
        b = prev.estimates(d_prev, common, opt.level)
        b_small = b["n"] < opt.min_cell
        a_small = a["n"] < opt.min_cell
        a, b = a[~a_small], b[~b_small]
        t = compare_estimates(a, b, ["measure", "group"], opt.level)
        t.insert(2, "comparison", kind)
        frames.append(_with_effective_n(t, cur, prev, common, d_cur, d_prev))
    trends = pd.concat(frames, ignore_index=True).merge(cur.measures.info, on="measure", how="left")
    to_percent(
        trends, trends["kind"], ("estimate", "estimate_prev", "change", "se", "ci_low", "ci_high")
    )
    trends["half_width"] = (trends["ci_high"] - trends["ci_low"]) / 2
    trends["low_precision"] = (
        (trends[["effective_sample_size", "effective_sample_size_prev"]].min(axis=1))
        < opt.min_n_effective
    ) | (trends["half_width"] > opt.max_half_width)
    trends["significant"] = _significant(trends["p_value"], opt.significance)
    # decomposition of the raw change of each factor index and indicator by the group's cell
    # variable
    rows = []
    for g in cur.prepared.codebook.group_names:
        var = opt.decompose_by.get(g)
        if (
            g not in cur.masks
            or g not in prev.masks
            or not var
            or var not in cur.prepared.data.columns
            or var not in prev.prepared.data.columns
        ):
            continue
        cells_cur = cur.prepared.data[var].astype(object).fillna("(none)").to_numpy()
        cells_prev = prev.prepared.data[var].astype(object).fillna("(none)").to_numpy()
        measures = []
        for m in [c for c in common if c.startswith(("factor_index.", "indicator."))]:
            if (
                cur.masks[g] & cur.measures.values[m].notna().to_numpy()
            ).sum() >= opt.min_cell and (
                prev.masks[g] & prev.measures.values[m].notna().to_numpy()
            ).sum() >= opt.min_cell:
                measures.append(m)
        if not measures:
            continue
        d = decompose_change(
            prev.prepared.raw,
            cur.prepared.raw,
            prev.measures.values[measures].to_numpy(),
            cur.measures.values[measures].to_numpy(),
            prev.masks[g],
            cur.masks[g],
            cells_prev,
            cells_cur,
            opt.level,
        )
        d.insert(0, "measure", [measures[i] for i in d.pop("column")])
        d.insert(1, "group", g)
        d.insert(2, "by", var)
        rows.append(d)
    dec = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if not dec.empty:
        dec = dec.merge(cur.measures.info[["measure", "kind", "factor"]], on="measure", how="left")
        to_percent(dec, dec["kind"])
        dec["significant"] = _significant(dec["p_value"], opt.significance)
    return trends, dec, same


__all__ = ["Findings", "Options", "PERCENT_KINDS", "compute_findings"]
