"""Key findings: a ranked list of records, each with its keys and numbers and the catalogue key of
the sentence that states them.

No language is written here: a finding is data (``template``, ``sentences.<kind>``, and fields such
as ``factor``, ``group``, ``indicator``, ``estimate``), and :mod:`cipslib.text.sentences` writes its
sentence when a report is rendered, in the report's language, from the language catalogues
(``cipslib/text/catalogues/<language>.yaml``), rounding the numbers there, at the last step.

The ranking rule lives in :data:`CLASSES` and :func:`rank_findings` and nowhere else: every
finding belongs to one class, classes come in the table's order (bribery, the safety to report,
pressure from organised crime, officials against the private sector, ... the reliability of the
scales last), and within a class ``importance × size × certainty`` orders the findings. Two findings
that state the same figure are one (:func:`subjects`): the higher-ranked is kept. The method text of
every catalogue is filled from the same table (:func:`rule_fields`). Suppressed and low-precision
estimates never become findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..inputs.codebook import Codebook
from ..text.catalogue import load_catalogue
from ..text.numbers import NumberFormat
from .scoring import Indicator

MAX_GAPS = 3
MAX_APART = 2

ACROSS_MIN_SHARE = 0.7
"""A group's changes since the previous cycle make one finding (``across_factors``) when its
factor indices change significantly in the same direction on at least this share of the factors
compared; those factors' own changes are then not findings of their own."""


@dataclass(frozen=True)
class FindingClass:
    """A class of key findings: what the findings of the class are about.

    A finding about an indicator (its level, or its change since the previous cycle) belongs to the
    class whose ``items`` list the indicator's question (its codebook key); any other finding to the
    first class whose ``kinds`` list its kind. ``summary``: whether the class may enter the
    executive summary."""

    name: str
    kinds: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    summary: bool = True


CLASSES: tuple[FindingClass, ...] = (
    FindingClass(
        "bribery", items=("EXP_BRIBE_RESPONSE", "EXP_BRIBE_OFFER_RESPONSE", "EXP_BRIBE_HELPS")
    ),
    FindingClass("reporting", items=("EXP_SAFE_REPORTING",)),
    FindingClass("organised_crime", items=("EXP_ORGANISED_CRIME_PRESSURE",)),
    FindingClass("between_groups", kinds=("not_aligned",)),
    FindingClass("change_across_factors", kinds=("across_factors",)),
    FindingClass("change", kinds=("change",)),
    FindingClass("corruption_level", items=("EXP_CORRUPTION_LEVEL",)),
    FindingClass("composition", kinds=("composition",)),
    FindingClass("words_vs_action", kinds=("gap",)),
    FindingClass("weakest", kinds=("weakest",)),
    FindingClass("strongest", kinds=("strongest",)),
    FindingClass("experience", kinds=("indicator",)),
    FindingClass("alignment", kinds=("aligned",)),
    FindingClass("reliability", kinds=("low_reliability",), summary=False),
)
"""The ranking rule: key-finding classes in rank order. A finding of an earlier class always ranks
above one of a later class; within a class, the higher ``score`` first (ties keep the order in
which the topics of :data:`TOPICS` built them). The catalogues name each class under ``classes``
and the report's method text lists them in this order (:func:`rule_fields`)."""
CLASS_ORDER = {c.name: i for i, c in enumerate(CLASSES)}

SUMMARY_MAX = 8
"""Key findings in the executive summary, at most."""
SUMMARY_PER_CLASS = 2
"""Key findings of one class in the executive summary, at most."""
SIZE_COLUMN = {
    "change": "change",
    "not_aligned": "difference",
    "composition": "composition",
    "gap": "estimate",
}
FULL_SIZE = 20.0
"""A difference of this many points counts as full size."""
LEVEL_SIZE = 0.5
"""The size of a level (an indicator, the weakest or strongest factor)."""
P_CERTAIN = 0.001
"""A two-sided p-value from which a finding counts as certain."""
Z_CERTAIN = float(stats.norm.isf(P_CERTAIN / 2))


def _low_precision(tables: Mapping[str, pd.DataFrame]) -> set[tuple[str, str]]:
    """(measure, group) of the estimates marked low precision (see :mod:`.precision`)."""
    est = tables.get("estimates")
    if est is None or "low_precision" not in est:
        return set()
    low = est[est["low_precision"].fillna(False).astype(bool)]
    return set(zip(low["measure"], low["group"], strict=True))


@dataclass(frozen=True)
class _Context:
    """What the topic builders read: the findings tables, the cycles, codebook and indicators."""

    tables: Mapping[str, pd.DataFrame]
    cycle: int
    previous_cycle: int | None
    cb: Codebook
    inds: dict[str, Indicator]


def _experience(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """The headline experience indicators (bribery, reporting safety, organised-crime pressure),
    in the indicator file's order."""
    exp = ctx.tables["experience"]
    order = {k: i for i, k in enumerate(ctx.inds)}
    exp = exp.assign(_order=exp["indicator"].map(order)).sort_values(
        ["_order", "group"], kind="stable"
    )
    for _, r in exp[exp["headline"] & ~exp["suppressed"]].iterrows():
        yield (
            "indicator",
            {
                "measure": r["measure"] if "measure" in r else f"indicator.{r['indicator']}",
                "indicator": r["indicator"],
                "group": r["group"],
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "n": r["n"],
                "unit": "%",
            },
        )


def _gaps(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """The largest significant words-vs-action gaps (at most ``MAX_GAPS``)."""
    gaps = ctx.tables["gaps"]
    if not gaps.empty:
        sig = gaps[gaps["significant"] & ~gaps["suppressed"] & (gaps["gap"] > 0)]
        for _, r in sig.sort_values("gap", ascending=False).head(MAX_GAPS).iterrows():
            yield (
                "gap",
                {
                    "measure": f"gap.{ctx.cb.item(r['exists_item'])['key']}",
                    "group": r["group"],
                    "factor": int(r["factor"]),
                    "estimate": r["gap"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": r["n"],
                    "p_value": r["p_value"],
                    "exists": r["exists"],
                    "effective": r["effective"],
                    "unit": "points",
                },
            )


def across_factors(trends: pd.DataFrame) -> list[tuple[str, int, pd.DataFrame]]:
    """Each group whose factor indices changed significantly in the same direction on at least
    :data:`ACROSS_MIN_SHARE` of the factors compared (composition-standardised comparison,
    low-precision changes left out): ``(group, +1 or -1, those factors' trend rows)``, groups in
    the table's order.

    Examples
    --------
    >>> t = pd.DataFrame({"comparison": "standardised", "kind": "factor_index", "group": "private",
    ...                   "factor": [1, 2, 3], "change": [8.0, 9.5, 1.0],
    ...                   "significant": [True, True, False], "low_precision": False})
    >>> [(g, sign, list(rows["factor"])) for g, sign, rows in across_factors(t)]
    []
    >>> t.loc[2, ["change", "significant"]] = [7.5, True]
    >>> [(g, sign, list(rows["factor"])) for g, sign, rows in across_factors(t)]
    [('private', 1, [1, 2, 3])]
    """
    std = trends[
        (trends["comparison"] == "standardised")
        & (trends["kind"] == "factor_index")
        & trends["change"].notna()
    ]
    out = []
    for g, part in std.groupby("group", sort=False):
        sure = part[part["significant"].astype(bool) & ~part["low_precision"].astype(bool)]
        for sign in (1, -1):
            rows = sure[np.sign(sure["change"]) == sign]
            if len(rows) and len(rows) >= ACROSS_MIN_SHARE * len(part):
                out.append((str(g), sign, rows))
    return out


def _join(words: Mapping[str, str], values: list[str]) -> str:
    """``a, b and c`` in the catalogue's words."""
    if len(values) < 2:
        return "".join(values)
    return f"{', '.join(values[:-1])} {words['and']} {values[-1]}"


def _across(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """A group's significant change in one direction on most factors (:func:`across_factors`):
    one finding with the range of the changes, not one per factor."""
    if "trends" not in ctx.tables:
        return
    tr = ctx.tables["trends"]
    total = (
        tr[(tr["comparison"] == "standardised") & (tr["kind"] == "factor_index")]
        .dropna(subset=["change"])
        .groupby("group", sort=False)["factor"]
        .nunique()
    )
    for g, sign, rows in across_factors(tr):
        p = float(rows["p_value"].max())
        low, high = rows["change"].min(), rows["change"].max()
        yield (
            "across_factors",
            {
                "group": g,
                "direction": "rose" if sign > 0 else "fell",
                "count": int(len(rows)),
                "total": int(total[g]),
                "factors": [int(k) for k in rows["factor"]],
                "change_min": low,
                "change_max": high,
                "p_value": p,
                "n": rows["n"].min(),
                "n_prev": rows["n_prev"].min(),
                "max_n": rows["n"].max(),
                "max_prev_n": rows["n_prev"].max(),
                "previous_cycle": ctx.previous_cycle,
                "comparison": "standardised",
                "unit": "points",
            },
        )


def _changes(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """The significant changes on the composition-standardised comparison, largest ``|t|`` first (a
    factor whose change is part of an ``across_factors`` finding is left to it), then, per group,
    where who answered drove the raw change."""
    if "trends" in ctx.tables:
        tr = ctx.tables["trends"]
        covered = {(m, g) for g, _, rows in across_factors(tr) for m in rows["measure"]}
        std = tr[
            (tr["comparison"] == "standardised")
            & tr["significant"]
            & ~tr["low_precision"]
            & tr["kind"].isin(["factor_index", "indicator"])
            & ~pd.Series(
                [(m, g) in covered for m, g in zip(tr["measure"], tr["group"], strict=True)],
                index=tr.index,
                dtype=bool,
            )
        ]
        keep = np.array(
            [
                k != "indicator" or (ref in ctx.inds and g in ctx.inds[ref].groups)
                for k, ref, g in zip(std["kind"], std["ref"], std["group"], strict=True)
            ],
            dtype=bool,
        )
        std = std.loc[keep]
        std = std.reindex(std["t"].abs().sort_values(ascending=False).index)
        for _, r in std.iterrows():
            unit = "%" if r["kind"] == "indicator" else "index"
            yield (
                "change",
                {
                    "measure": r["measure"],
                    "group": r["group"],
                    "estimate": r["estimate"],
                    "estimate_prev": r["estimate_prev"],
                    "change": r["change"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": r["n"],
                    "n_prev": r["n_prev"],
                    "p_value": r["p_value"],
                    "cycle": ctx.cycle,
                    "previous_cycle": ctx.previous_cycle,
                    "comparison": "standardised",
                    "unit": unit,
                },
            )
        dec = ctx.tables.get("decomposition", pd.DataFrame())
        if not dec.empty and (dec["kind"] == "factor_index").any():  # indicators only: no factor
            wide = dec.pivot_table(
                index=["measure", "group", "by", "kind", "factor"],
                columns="part",
                values="estimate",
                observed=True,
            ).reset_index()
            wide = wide[
                (wide["kind"] == "factor_index")
                & (wide["total"].abs() >= 1)
                & (wide["composition"].abs() > wide["within"].abs())
            ]
            for g, part in wide.groupby("group"):
                r = part.reindex(part["composition"].abs().sort_values(ascending=False).index).iloc[
                    0
                ]
                cell = dec[
                    (dec["measure"] == r["measure"])
                    & (dec["group"] == g)
                    & (dec["part"] == "composition")
                ].iloc[0]
                raw = tr[
                    (tr["measure"] == r["measure"])
                    & (tr["group"] == g)
                    & (tr["comparison"] == "raw")
                ].iloc[0]
                yield (
                    "composition",
                    {
                        "measure": r["measure"],
                        "group": g,
                        "by": r["by"],
                        "change": r["total"],
                        "composition": r["composition"],
                        "within": r["within"],
                        "ci_low": cell["ci_low"],
                        "ci_high": cell["ci_high"],
                        "p_value": float(cell["p_value"]),
                        "n": raw["n"],
                        "n_prev": raw["n_prev"],
                        "unit": "points",
                    },
                )


def strongest_and_weakest(
    table: pd.DataFrame, column: str = "index"
) -> tuple[pd.Series, pd.Series] | None:
    """The rows with the highest and the lowest ``column`` among those that have a value (the first
    of tied rows), or None when fewer than two have one.

    Examples
    --------
    >>> t = pd.DataFrame({"factor": [1, 2, 3], "index": [61.0, None, 48.5]})
    >>> [int(r["factor"]) for r in strongest_and_weakest(t)]
    [1, 3]
    """
    part = table.dropna(subset=[column])
    if len(part) < 2:
        return None
    return part.loc[part[column].idxmax()], part.loc[part[column].idxmin()]


def _strongest_and_weakest_by_group(ctx: _Context) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Each group's strongest and weakest shown factor, groups in the factors table's order."""
    fac = ctx.tables["factors"]
    pairs = {
        g: strongest_and_weakest(part)
        for g, part in fac[~fac["suppressed"]].groupby("group", sort=False)
    }
    return {g: pair for g, pair in pairs.items() if pair is not None}


def _factors(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """The weakest and the strongest factor of each group."""
    for g, (strongest, weakest) in sorted(_strongest_and_weakest_by_group(ctx).items()):
        for kind, r in (("weakest", weakest), ("strongest", strongest)):
            yield (
                kind,
                {
                    "measure": f"factor_index.{int(r['factor'])}",
                    "group": g,
                    "factor": int(r["factor"]),
                    "estimate": r["index"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": r["n"],
                    "unit": "index",
                },
            )


def _alignment(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """For each pair of groups: how many factors they agree on, and where they differ most."""
    al = ctx.tables["alignment"]
    if al.empty or al["suppressed"].all():
        return
    for (a, b), pair in al.groupby(["group_a", "group_b"], sort=False):
        shown = pair[~pair["suppressed"]]
        aligned = shown[shown["aligned"]]
        if len(aligned):
            yield (
                "aligned",
                {
                    "group_a": a,
                    "group_b": b,
                    "count": int(len(aligned)),
                    "total": int(len(shown)),
                    "factors": [int(k) for k in aligned["factor"]],
                },
            )
        apart = shown[shown["significant"]]
        for _, r in (
            apart.reindex(apart["difference"].abs().sort_values(ascending=False).index)
            .head(MAX_APART)
            .iterrows()
        ):
            yield (
                "not_aligned",
                {
                    "measure": f"factor_index.{int(r['factor'])}",
                    "factor": int(r["factor"]),
                    "group_a": a,
                    "group_b": b,
                    "estimate_a": r["estimate_a"],
                    "estimate_b": r["estimate_b"],
                    "difference": r["difference"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "p_value": r["p_holm"],
                    "n_a": r["n_a"],
                    "n_b": r["n_b"],
                    "unit": "index",
                },
            )


def _reliability(ctx: _Context) -> Iterator[tuple[str, dict[str, Any]]]:
    """Factors whose items do not form a reliable scale."""
    rel = ctx.tables["reliability"]
    for _, r in rel[rel["low"]].iterrows():
        yield (
            "low_reliability",
            {"group": r["group"], "factor": int(r["factor"]), "alpha": r["alpha"], "n": r["n"]},
        )


TOPICS = {
    "experience": _experience,
    "gaps": _gaps,
    "across": _across,
    "changes": _changes,
    "factors": _factors,
    "alignment": _alignment,
    "reliability": _reliability,
}
"""Key-finding topics: name -> builder yielding (kind, record). Their order breaks ties of class
and score; the rank itself follows :data:`CLASSES`."""


def _indicator_of(kind: str, record: Mapping[str, Any]) -> str | None:
    """The indicator a finding is about (its level, or its change), or None."""
    if kind == "indicator":
        return str(record["indicator"])
    measure = str(record.get("measure") or "")
    if kind == "change" and measure.startswith("indicator."):
        return measure.split(".", 1)[1]
    return None


def finding_class(kind: str, record: Mapping[str, Any], inds: Mapping[str, Indicator]) -> str:
    """The class of :data:`CLASSES` a finding belongs to: a finding about an indicator goes to the
    class that lists the indicator's question, any other to the first class listing its kind.

    Examples
    --------
    >>> finding_class("not_aligned", {"measure": "factor_index.8"}, {})
    'between_groups'
    """
    ind = _indicator_of(kind, record)
    if ind is not None and ind in inds:
        item = inds[ind].item
        for c in CLASSES:
            if item in c.items:
                return c.name
    for c in CLASSES:
        if kind in c.kinds:
            return c.name
    raise ValueError(f"no key-finding class takes findings of kind '{kind}'")


def subjects(
    kind: str, record: Mapping[str, Any], inds: Mapping[str, Indicator]
) -> frozenset[tuple[Any, ...]]:
    """The figures a finding states, each ``(what, group, "level" or "change")``: ``what`` is the
    question of an indicator (indicators of one question share its answers, e.g. feeling safe and
    not feeling safe to report), else the measure id (``factor_index.K``, ``gap.KEY``). A change
    states the level it reached and the change; officials against the private sector state both
    groups' levels; a group's change across factors states each of those factors' change. Two
    findings that share a subject say the same thing.

    Examples
    --------
    >>> record = {"measure": "factor_index.8", "group_a": "official", "group_b": "private"}
    >>> sorted(subjects("not_aligned", record, {}))
    [('factor_index.8', 'official', 'level'), ('factor_index.8', 'private', 'level')]
    """
    ind = _indicator_of(kind, record)
    what = inds[ind].item if ind is not None and ind in inds else record.get("measure")
    group = record.get("group")
    if kind == "not_aligned":
        return frozenset((what, g, "level") for g in (record["group_a"], record["group_b"]))
    if kind == "across_factors":
        return frozenset((f"factor_index.{k}", group, "change") for k in record["factors"])
    if kind == "aligned":
        return frozenset({("alignment", f"{record['group_a']}|{record['group_b']}", "level")})
    if kind == "low_reliability":
        return frozenset({(f"reliability.{int(record['factor'])}", group, "level")})
    if kind == "change":
        return frozenset({(what, group, "level"), (what, group, "change")})
    if kind == "composition":
        return frozenset({(what, group, "change")})
    return frozenset({(what, group, "level")})


def _certainty(record: Mapping[str, Any]) -> float:
    """How sure a finding is, from 0 to 1: ``|z| / 3.29`` of its two-sided p-value (1 from p =
    :data:`P_CERTAIN`); 1 for a level, which reaches the list only with adequate precision. A
    change across factors takes its least certain factor's p-value."""
    p = record.get("p_value")
    if p is None or pd.isna(p):
        return 1.0
    return float(min(stats.norm.isf(max(float(p), 1e-300) / 2) / Z_CERTAIN, 1.0))


def _size(kind: str, record: Mapping[str, Any]) -> float:
    """How large a finding is, from 0 to 1: a difference over :data:`FULL_SIZE` points (capped at
    1; for a change across factors its smallest change); :data:`LEVEL_SIZE` for a level (an
    indicator, the weakest or strongest factor, an unreliable scale); the share of the factors
    compared for the alignment."""
    if kind == "across_factors":
        smallest = min(abs(record["change_min"]), abs(record["change_max"]))
        return float(min(smallest / FULL_SIZE, 1.0))
    if kind == "aligned":
        return float(record["count"] / record["total"]) if record["total"] else 0.0
    column = SIZE_COLUMN.get(kind)
    if column is None:
        return LEVEL_SIZE
    return float(min(abs(record[column]) / FULL_SIZE, 1.0))


def _importance(kind: str, record: Mapping[str, Any], inds: Mapping[str, Indicator]) -> float:
    """The weight of a finding within its class: the indicator's own ``importance``
    (indicators.yaml) for a finding about an indicator, else 1."""
    ind = _indicator_of(kind, record)
    if ind is not None and ind in inds:
        return inds[ind].importance
    return 1.0


def rank_findings(
    findings: list[dict[str, Any]], inds: Mapping[str, Indicator]
) -> list[dict[str, Any]]:
    """Class, score, rank and de-duplicate the candidates and pick the summary: the ranking rule.

    Each finding gets its ``class`` (:func:`finding_class`), ``score = importance × size ×
    certainty`` and ``score_parts`` (see :func:`_importance`, :func:`_size`, :func:`_certainty`).
    Findings are ordered by the class's place in :data:`CLASSES`, then by score (ties keep the
    candidates' order). Going down that order, a finding that states a figure an earlier one
    already states (:func:`subjects`) is dropped. ``rank`` numbers the rest from 1; ``summary``
    marks the first :data:`SUMMARY_MAX` of classes that may enter it, at most
    :data:`SUMMARY_PER_CLASS` of a class, none with a zero score. Returns the ranked list.
    """
    for f in findings:
        parts = {
            "importance": float(_importance(f["kind"], f, inds)),
            "size": _size(f["kind"], f),
            "certainty": _certainty(f),
        }
        f["class"] = finding_class(f["kind"], f, inds)
        f["score"] = parts["importance"] * parts["size"] * parts["certainty"]
        f["score_parts"] = parts
    ordered = sorted(findings, key=lambda f: (CLASS_ORDER[f["class"]], -f["score"]))
    kept: list[dict[str, Any]] = []
    stated: set[tuple[Any, ...]] = set()
    for f in ordered:
        said = subjects(f["kind"], f, inds)
        if said & stated:
            continue
        stated |= said
        kept.append(f)
    in_summary = {c.name for c in CLASSES if c.summary}
    taken: dict[str, int] = {}
    for rank, f in enumerate(kept, start=1):
        f["rank"] = rank
        pick = (
            f["class"] in in_summary
            and f["score"] > 0
            and taken.get(f["class"], 0) < SUMMARY_PER_CLASS
            and sum(taken.values()) < SUMMARY_MAX
        )
        f["summary"] = bool(pick)
        if pick:
            taken[f["class"]] = taken.get(f["class"], 0) + 1
    return kept


def rule_fields(lang: str) -> dict[str, str]:
    """The placeholders of the catalogue texts that state the ranking rule (``report.summary_lead``
    and ``report.ranking_text``), filled from :data:`CLASSES` and the constants above, so the text
    says what :func:`rank_findings` does: ``first`` (the first three classes), ``classes`` (every
    class that may enter the summary, numbered, in rank order), ``method_only`` (those that may
    not), ``max``, ``per_class``, ``full``, ``level``, ``certain`` and ``across``."""
    cat = load_catalogue(lang)
    f = NumberFormat.of(cat)
    names = cat["classes"]
    shown = [c.name for c in CLASSES if c.summary]
    return {
        "first": _join(cat["words"], [names[c.name] for c in CLASSES[:3]]),
        "classes": "; ".join(f"({i}) {names[c]}" for i, c in enumerate(shown, start=1)),
        "method_only": _join(cat["words"], [names[c.name] for c in CLASSES if not c.summary]),
        "max": f.count(SUMMARY_MAX),
        "per_class": f.count(SUMMARY_PER_CLASS),
        "full": f.number(FULL_SIZE, 0),
        "level": f.number(LEVEL_SIZE, 1),
        "certain": f.number(P_CERTAIN, 3),
        "across": f.value(100 * ACROSS_MIN_SHARE, "%"),
    }


def _story_parts(ctx: _Context, mostly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parts of the summary's closing paragraph (see :func:`story`), each its template key
    and its keys and numbers."""
    parts: list[dict[str, Any]] = []
    for g, (hi, lo) in _strongest_and_weakest_by_group(ctx).items():
        parts.append(
            {
                "template": "story.factors",
                "group": g,
                "strongest": int(hi["factor"]),
                "high": hi["index"],
                "weakest": int(lo["factor"]),
                "low": lo["index"],
            }
        )
    al = ctx.tables["alignment"]
    for (a, b), pair in al.groupby(["group_a", "group_b"], sort=False) if len(al) else []:
        shown = pair[~pair["suppressed"]]
        if not len(shown):
            continue
        apart = shown[shown["significant"]]
        pair_of = {"group_a": a, "group_b": b, "total": len(shown)}
        if len(apart):
            r = apart.loc[apart["difference"].abs().idxmax()]
            parts.append(
                {
                    "template": "story.differ",
                    **pair_of,
                    "count": len(apart),
                    "factor": int(r["factor"]),
                    "difference": r["difference"],
                }
            )
        else:
            parts.append({"template": "story.differ_none", **pair_of})
    gaps = ctx.tables["gaps"]
    if not gaps.empty and (gaps["significant"] & ~gaps["suppressed"]).any():
        r = gaps[gaps["significant"] & ~gaps["suppressed"]].sort_values("gap").iloc[-1]
        parts.append(
            {
                "template": "story.gap",
                "factor": int(r["factor"]),
                "group": r["group"],
                "gap": r["gap"],
            }
        )
    return parts + _story_of_change(ctx, mostly)


def _story_of_change(ctx: _Context, mostly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The change since the previous cycle net of composition, and where a raw change is mostly
    who answered (``mostly``: the composition findings)."""
    tr = ctx.tables.get("trends")
    if tr is None or tr.empty:
        return []
    std = tr[(tr["comparison"] == "standardised") & (tr["kind"] == "factor_index")]
    groups = [
        {
            "group": g,
            "total": len(part),
            "up": int((part["significant"] & (part["change"] > 0)).sum()),
            "down": int((part["significant"] & (part["change"] < 0)).sum()),
        }
        for g, part in std.groupby("group", sort=False)
    ]
    parts = [{"template": "story.changes", "previous_cycle": ctx.previous_cycle, "groups": groups}]
    dec = ctx.tables.get("decomposition", pd.DataFrame())
    for rec in mostly:
        wide = dec[(dec["group"] == rec["group"]) & (dec["kind"] == "factor_index")].pivot_table(
            index="measure", columns="part", values="estimate", observed=True
        )
        count = int(
            ((wide["total"].abs() >= 1) & (wide["composition"].abs() > wide["within"].abs())).sum()
        )
        parts.append(
            {
                "template": "story.composition",
                "group": rec["group"],
                "count": count,
                "measure": f"factor_index.{_factor_of(rec)}",
                "raw": rec["change"],
                "composition": rec["composition"],
                "by": rec["by"],
            }
        )
    if not mostly:
        parts.append({"template": "story.no_composition"})
    return parts


def _factor_of(record: Mapping[str, Any]) -> int:
    return int(str(record["measure"]).split(".")[1])


def story(
    tables: Mapping[str, pd.DataFrame],
    cycle: int,
    previous_cycle: int | None,
    cb: Codebook,
    inds: dict[str, Indicator],
) -> list[dict[str, Any]]:
    """The paragraph that closes the executive summary, as data: each group's strongest and
    weakest factor, how many factors each pair of groups differs on, the widest words-vs-action
    gap, the significant changes since the previous cycle with both cycles weighted to the same
    population, and where an unweighted change is mostly who answered. Built from the
    (disclosure-controlled) findings tables only; each part is its template (a key of the
    catalogue's ``story``) and its keys and numbers, which
    :func:`cipslib.text.sentences.render_story` writes in a report's language.

    Examples
    --------
    >>> from cipslib import analyse
    >>> f = analyse("params/2024.yaml", with_previous=False)
    >>> [p["template"] for p in f.story][:2]
    ['story.factors', 'story.factors']
    """
    ctx = _Context(tables, cycle, previous_cycle, cb, inds)
    mostly = [record for kind, record in _changes(ctx) if kind == "composition"]
    return _story_parts(ctx, mostly)


def key_findings(
    tables: Mapping[str, pd.DataFrame],
    cycle: int,
    previous_cycle: int | None,
    cb: Codebook,
    inds: dict[str, Indicator],
) -> list[dict[str, Any]]:
    """The key findings of a cycle from its findings tables, ranked: every topic of :data:`TOPICS`
    yields its candidates, low-precision estimates are left out, and :func:`rank_findings` classes,
    scores, ranks and de-duplicates them and marks the at most eight of the summary. Each finding
    has a rank, a class, a kind, its ``template`` (the catalogue key of its sentence,
    ``sentences.<kind>``), its keys and numbers (which
    :func:`cipslib.text.sentences.render_finding` writes as a sentence in a report's language), a
    score with its parts and whether the summary shows it."""
    ctx = _Context(tables, cycle, previous_cycle, cb, inds)
    out: list[dict[str, Any]] = []
    low = _low_precision(tables)
    for topic in TOPICS.values():
        for kind, record in topic(ctx):
            if (record.get("measure"), record.get("group")) in low:
                continue  # a low-precision estimate is never a key finding
            out.append({"kind": kind, "template": f"sentences.{kind}", **record})
    return [{"rank": f.pop("rank"), "class": f.pop("class"), **f} for f in rank_findings(out, inds)]
