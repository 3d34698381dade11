"""Key findings: a ranked list of records, each with its numbers and a sentence built from them
only.

Sentences come from the language catalogues (``cipslib/text/catalogues/<language>.yaml``); adding a
language is adding a file. Numbers are rounded only here, at the last step, following the template's
``numbers`` settings.

Ranking (rank 1 first): the headline experience indicators (bribery, reporting safety,
organised-crime pressure), the largest significant words-vs-action gaps, the largest significant
changes since the previous cycle on the composition-standardised comparison (and, where who answered
drove the raw change, the decomposition), the weakest and strongest factor of each group, the
alignment of officials and the private sector, and factors whose items do not form a reliable scale.
Within a kind, larger effects come first. Suppressed and low-precision estimates never become
findings.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..inputs.codebook import Codebook
from ..text.numbers import format_ci
from ..text.sentences import SentenceWriter
from .scoring import Indicator

MAX_GAPS = 3
MAX_CHANGES = 4
MAX_APART = 2

SUMMARY_MAX = 8
"""Key findings in the executive summary, at most."""
PER_KIND_MAX = {"indicator": 3}
PER_KIND_MAX_DEFAULT = 2
IMPORTANCE = {
    "change": 2.5,
    "not_aligned": 2.5,
    "composition": 2.0,
    "gap": 1.5,
    "weakest": 1.5,
    "strongest": 1.0,
    "aligned": 0.5,
    "low_reliability": 0.0,
}
"""What a kind of finding matters to integrity (indicators carry their own ``importance``): real
change net of composition and the officials-vs-private gaps first; a scale's reliability belongs to
the method, not the summary."""
SIZE_COLUMN = {
    "change": "change",
    "not_aligned": "difference",
    "composition": "composition",
    "gap": "estimate",
    "aligned": "count",
}
FULL_SIZE = 20.0
"""A difference of this many points counts as full size."""
LEVEL_SIZE = 0.5
Z_CERTAIN = float(stats.norm.isf(0.0005))


def _low_precision(tables: Mapping[str, pd.DataFrame]) -> set[tuple[str, str]]:
    """(measure, group) of the estimates marked low precision (see :mod:`.precision`)."""
    est = tables.get("estimates")
    if est is None or "low_precision" not in est:
        return set()
    low = est[est["low_precision"].fillna(False).astype(bool)]
    return set(zip(low["measure"], low["group"], strict=True))


@dataclass(frozen=True)
class _Context:
    """What the topic builders read: the findings tables and the words to write them with."""

    tables: Mapping[str, pd.DataFrame]
    cycle: int
    previous_cycle: int | None
    cb: Codebook
    inds: dict[str, Indicator]
    writer: SentenceWriter


def _experience(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
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
            lambda lang, f, t, r=r: {
                "value": f.value(r["estimate"], "%"),
                "ci": format_ci(f, r["ci_low"], r["ci_high"], "%"),
                "n": f.count(r["n"]),
                "group": t["groups"][r["group"]],
                "text": ctx.inds[r["indicator"]].text[lang],
            },
        )


def _gaps(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
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
                lambda lang, f, t, r=r: {
                    "factor": ctx.cb.factor_name(int(r["factor"]), lang),
                    "group": t["groups"][r["group"]],
                    "exists": f.value(r["exists"], "%"),
                    "effective": f.value(r["effective"], "%"),
                    "gap": f.value(r["gap"], "points"),
                    "ci": format_ci(f, r["ci_low"], r["ci_high"], "points"),
                    "n": f.count(r["n"]),
                },
            )


def _changes(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """The largest significant changes on the composition-standardised comparison (at most
    ``MAX_CHANGES``), then, per group, where who answered drove the raw change."""
    if "trends" in ctx.tables:
        tr = ctx.tables["trends"]
        std = tr[
            (tr["comparison"] == "standardised")
            & tr["significant"]
            & ~tr["low_precision"]
            & tr["kind"].isin(["factor_index", "indicator"])
        ]
        keep = np.array(
            [
                k != "indicator" or (ref in ctx.inds and g in ctx.inds[ref].groups)
                for k, ref, g in zip(std["kind"], std["ref"], std["group"], strict=True)
            ],
            dtype=bool,
        )
        std = std.loc[keep]
        std = std.reindex(std["t"].abs().sort_values(ascending=False).index).head(MAX_CHANGES)
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
                    "comparison": "standardised",
                    "unit": unit,
                },
                lambda lang, f, t, r=r, unit=unit: {
                    "measure": ctx.writer.measure_name(lang, r),
                    "direction": t["words"]["rose" if r["change"] > 0 else "fell"],
                    "previous": f.value(r["estimate_prev"], unit),
                    "value": f.value(r["estimate"], unit),
                    "previous_cycle": ctx.previous_cycle,
                    "cycle": ctx.cycle,
                    "change": f.value(r["change"], "points", signed=True),
                    "ci": format_ci(f, r["ci_low"], r["ci_high"], "points"),
                    "p": f.p(r["p_value"]),
                    "n_prev": f.count(r["n_prev"]),
                    "n": f.count(r["n"]),
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
                    lambda lang, f, t, r=r, cell=cell, raw=raw: {
                        "measure": ctx.writer.measure_name(lang, r),
                        "raw": f.value(r["total"], "points", signed=True),
                        "composition": f.value(r["composition"], "points", signed=True),
                        "ci": format_ci(f, cell["ci_low"], cell["ci_high"], "points"),
                        "within": f.value(r["within"], "points", signed=True),
                        "n_prev": f.count(raw["n_prev"]),
                        "n": f.count(raw["n"]),
                        "by": ctx.cb.variables[r["by"]].labels.get(lang, r["by"]).lower()
                        if r["by"] in ctx.cb.variables
                        else r["by"],
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


def _factors(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
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
                lambda lang, f, t, r=r, g=g: {
                    "factor": ctx.cb.factor_name(int(r["factor"]), lang),
                    "group": t["groups"][g],
                    "value": f.value(r["index"], "index"),
                    "ci": format_ci(f, r["ci_low"], r["ci_high"], "index"),
                    "n": f.count(r["n"]),
                },
            )


def _alignment(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """How many factors officials and the private sector agree on, and where they differ most."""
    al = ctx.tables["alignment"]
    if al.empty or al["suppressed"].all():
        return
    shown = al[~al["suppressed"]]
    aligned = shown[shown["aligned"]]
    if len(aligned):
        yield (
            "aligned",
            {
                "count": int(len(aligned)),
                "total": int(len(shown)),
                "factors": [int(k) for k in aligned["factor"]],
            },
            lambda lang, f, t: {
                "count": len(aligned),
                "total": len(shown),
                "factors": ", ".join(ctx.cb.factor_name(int(k), lang) for k in aligned["factor"])
                or t["words"]["none"],
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
                "official": r["official"],
                "private": r["private"],
                "difference": r["difference"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "p_value": r["p_value"],
                "n_official": r["n_official"],
                "n_private": r["n_private"],
                "unit": "index",
            },
            lambda lang, f, t, r=r: {
                "factor": ctx.cb.factor_name(int(r["factor"]), lang),
                "official": f.value(r["official"], "index"),
                "private": f.value(r["private"], "index"),
                "difference": f.value(r["difference"], "points", signed=True),
                "ci": format_ci(f, r["ci_low"], r["ci_high"], "points"),
                "p": f.p(r["p_value"]),
                "n_official": f.count(r["n_official"]),
                "n_private": f.count(r["n_private"]),
            },
        )


def _reliability(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Factors whose items do not form a reliable scale."""
    rel = ctx.tables["reliability"]
    for _, r in rel[rel["low"]].iterrows():
        yield (
            "low_reliability",
            {"group": r["group"], "factor": int(r["factor"]), "alpha": r["alpha"], "n": r["n"]},
            lambda lang, f, t, r=r: {
                "factor": ctx.cb.factor_name(int(r["factor"]), lang),
                "group": t["groups"][r["group"]],
                "alpha": f.number(r["alpha"], 2),
            },
        )


TOPICS = {
    "experience": _experience,
    "gaps": _gaps,
    "changes": _changes,
    "factors": _factors,
    "alignment": _alignment,
    "reliability": _reliability,
}
"""Key-finding topics in rank order: name -> builder yielding (kind, record, sentence fields)."""


def _certainty(record: Mapping[str, Any]) -> float:
    """How sure a finding is, from 0 to 1: ``|z| / 3.29`` of its two-sided p-value (1 from p =
    0.001); 1 for a level, which reaches the list only with adequate precision."""
    p = record.get("p_value")
    if p is None or pd.isna(p):
        return 1.0
    return float(min(stats.norm.isf(max(float(p), 1e-300) / 2) / Z_CERTAIN, 1.0))


def _size(kind: str, record: Mapping[str, Any]) -> float:
    """How large a finding is, from 0 to 1: a difference over :data:`FULL_SIZE` points (capped at
    1); :data:`LEVEL_SIZE` for a level (an indicator, the weakest or strongest factor)."""
    column = SIZE_COLUMN.get(kind)
    if column is None:
        return LEVEL_SIZE
    return float(min(abs(record[column]) / FULL_SIZE, 1.0))


def _importance(kind: str, record: Mapping[str, Any], inds: Mapping[str, Indicator]) -> float:
    """What a finding matters to integrity: the indicator's own ``importance`` (indicators.yaml),
    else :data:`IMPORTANCE` of its kind."""
    if kind == "indicator":
        return inds[record["indicator"]].importance
    return IMPORTANCE.get(kind, 1.0)


def rank_findings(findings: list[dict[str, Any]], inds: Mapping[str, Indicator]) -> None:
    """Score, rank and pick the summary, in place.

    ``score = importance × size × certainty`` (see :func:`_importance`, :func:`_size`,
    :func:`_certainty`); ``rank`` orders by score (ties keep the topic order); ``summary`` marks
    the first :data:`SUMMARY_MAX` findings taking at most :data:`PER_KIND_MAX` of one kind (3
    indicators) and none with a zero score.
    """
    for f in findings:
        f["score"] = _importance(f["kind"], f, inds) * _size(f["kind"], f) * _certainty(f)
    findings.sort(key=lambda f: -f["score"])
    taken: dict[str, int] = {}
    for rank, f in enumerate(findings, start=1):
        f["rank"] = rank
        cap = PER_KIND_MAX.get(f["kind"], PER_KIND_MAX_DEFAULT)
        pick = (
            f["score"] > 0 and taken.get(f["kind"], 0) < cap and sum(taken.values()) < SUMMARY_MAX
        )
        f["summary"] = bool(pick)
        if pick:
            taken[f["kind"]] = taken.get(f["kind"], 0) + 1


def _story_parts(ctx: _Context, lang: str, mostly: list[dict[str, Any]]) -> list[str]:
    """The sentences of the summary's closing paragraph in one language (see :func:`story`)."""
    t, f = ctx.writer.tpl[lang], ctx.writer.fmt[lang]
    tpl = {k: " ".join(str(v).split()) for k, v in t["story"].items()}
    name = functools.partial(ctx.cb.factor_name, lang=lang)
    parts = []
    for g, (hi, lo) in _strongest_and_weakest_by_group(ctx).items():
        parts.append(
            tpl["factors"].format(
                group=t["groups"][g],
                strongest=name(int(hi["factor"])),
                high=f.value(hi["index"], "index"),
                weakest=name(int(lo["factor"])),
                low=f.value(lo["index"], "index"),
            )
        )
    al = ctx.tables["alignment"]
    shown = al[~al["suppressed"]] if not al.empty else al
    if len(shown):
        apart = shown[shown["significant"]]
        if len(apart):
            r = apart.loc[apart["difference"].abs().idxmax()]
            parts.append(
                tpl["differ"].format(
                    count=len(apart),
                    total=len(shown),
                    factor=name(int(r["factor"])),
                    difference=f.value(r["difference"], "points", signed=True),
                )
            )
        else:
            parts.append(tpl["differ_none"].format(total=len(shown)))
    gaps = ctx.tables["gaps"]
    if not gaps.empty and (gaps["significant"] & ~gaps["suppressed"]).any():
        r = gaps[gaps["significant"] & ~gaps["suppressed"]].sort_values("gap").iloc[-1]
        parts.append(
            tpl["gap"].format(
                factor=name(int(r["factor"])),
                group=t["groups"][r["group"]],
                gap=f.value(r["gap"], "points"),
            )
        )
    parts += _story_of_change(ctx, lang, tpl, mostly)
    return parts


def _story_of_change(
    ctx: _Context, lang: str, tpl: dict[str, str], mostly: list[dict[str, Any]]
) -> list[str]:
    """The change since the previous cycle net of composition, and where a raw change is mostly
    who answered (``mostly``: the composition findings)."""
    tr = ctx.tables.get("trends")
    if tr is None or tr.empty:
        return []
    t, f = ctx.writer.tpl[lang], ctx.writer.fmt[lang]
    std = tr[(tr["comparison"] == "standardised") & (tr["kind"] == "factor_index")]
    groups = [
        tpl["change_group"].format(
            group=t["groups"][g],
            total=len(part),
            up=int((part["significant"] & (part["change"] > 0)).sum()),
            down=int((part["significant"] & (part["change"] < 0)).sum()),
        )
        for g, part in std.groupby("group", sort=False)
    ]
    parts = [tpl["changes"].format(previous_cycle=ctx.previous_cycle, changes="; ".join(groups))]
    dec = ctx.tables.get("decomposition", pd.DataFrame())
    for rec in mostly:
        wide = dec[(dec["group"] == rec["group"]) & (dec["kind"] == "factor_index")].pivot_table(
            index="measure", columns="part", values="estimate", observed=True
        )
        count = int(
            ((wide["total"].abs() >= 1) & (wide["composition"].abs() > wide["within"].abs())).sum()
        )
        by = rec["by"]
        parts.append(
            tpl["composition"].format(
                group=t["groups"][rec["group"]],
                count=count,
                measure=ctx.writer.measure_name(
                    lang, pd.Series({**rec, "kind": "factor_index", "factor": _factor_of(rec)})
                ),
                raw=f.value(rec["change"], "points", signed=True),
                composition=f.value(rec["composition"], "points", signed=True),
                by=ctx.cb.variables[by].labels.get(lang, by).lower()
                if by in ctx.cb.variables
                else by,
            )
        )
    if not mostly:
        parts.append(tpl["no_composition"])
    return parts


def _factor_of(record: Mapping[str, Any]) -> int:
    return int(str(record["measure"]).split(".")[1])


def story(
    tables: Mapping[str, pd.DataFrame],
    cycle: int,
    previous_cycle: int | None,
    cb: Codebook,
    inds: dict[str, Indicator],
) -> dict[str, str]:
    """The paragraph that closes the executive summary, in every catalogue language: each group's
    strongest and weakest factor, how many factors officials and the private sector differ on,
    the widest words-vs-action gap, the significant changes since the previous cycle with both
    cycles weighted to the same population, and where an unweighted change is mostly who answered.
    Built from the (disclosure-controlled) findings tables only; templates are the catalogue's
    ``story`` section."""
    writer = SentenceWriter(cb, inds)
    ctx = _Context(tables, cycle, previous_cycle, cb, inds, writer)
    mostly = [record for kind, record, _ in _changes(ctx) if kind == "composition"]
    return {lang: " ".join(_story_parts(ctx, lang, mostly)) for lang in writer.langs}


def key_findings(
    tables: Mapping[str, pd.DataFrame],
    cycle: int,
    previous_cycle: int | None,
    cb: Codebook,
    inds: dict[str, Indicator],
) -> list[dict[str, Any]]:
    """The key findings of a cycle from its findings tables, ranked: every topic of :data:`TOPICS`
    yields its candidates, low-precision estimates are left out, and :func:`rank_findings` scores
    them and marks the at most eight of the summary. Each finding has a rank, a kind, a score, its
    numbers and a sentence in every catalogue language."""
    writer = SentenceWriter(cb, inds)
    ctx = _Context(tables, cycle, previous_cycle, cb, inds, writer)
    out: list[dict[str, Any]] = []
    low = _low_precision(tables)
    for topic in TOPICS.values():
        for kind, record, build in topic(ctx):
            if (record.get("measure"), record.get("group")) in low:
                continue  # a low-precision estimate is never a key finding
            out.append({"kind": kind, **record, "text": writer.sentence(kind, build)})
    rank_findings(out, inds)
    return [{"rank": f.pop("rank"), **f} for f in out]
