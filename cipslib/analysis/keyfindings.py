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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.codebook import Codebook
from ..text.numbers import format_ci
from ..text.sentences import SentenceWriter
from .scoring import Indicator

MAX_GAPS = 3
MAX_CHANGES = 4


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
                },
            )
        dec = ctx.tables.get("decomposition", pd.DataFrame())
        if not dec.empty:
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
                ]
                yield (
                    "composition",
                    {
                        "measure": r["measure"],
                        "group": g,
                        "by": r["by"],
                        "change": r["total"],
                        "composition": r["composition"],
                        "within": r["within"],
                        "p_value": float(cell["p_value"].iloc[0]),
                        "unit": "points",
                    },
                    lambda lang, f, t, r=r, g=g: {
                        "measure": ctx.writer.measure_name(lang, r),
                        "raw": f.value(r["total"], "points", signed=True),
                        "composition": f.value(r["composition"], "points", signed=True),
                        "within": f.value(r["within"], "points", signed=True),
                        "by": ctx.cb.variables[r["by"]].labels.get(lang, r["by"]).lower()
                        if r["by"] in ctx.cb.variables
                        else r["by"],
                    },
                )


def _factors(ctx: _Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """The weakest and the strongest factor of each group."""
    fac = ctx.tables["factors"]
    for g, part in fac[~fac["suppressed"]].groupby("group", sort=True):
        part = part.dropna(subset=["index"])
        if len(part) < 2:
            continue
        for kind, r in (
            ("weakest", part.loc[part["index"].idxmin()]),
            ("strongest", part.loc[part["index"].idxmax()]),
        ):
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
    if not al.empty and not al["suppressed"].all():
        shown = al[~al["suppressed"]]
        aligned = shown[shown["aligned"]]
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
        if not apart.empty:
            r = apart.loc[apart["difference"].abs().idxmax()]
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


def key_findings(
    tables: Mapping[str, pd.DataFrame],
    cycle: int,
    previous_cycle: int | None,
    cb: Codebook,
    inds: dict[str, Indicator],
) -> list[dict[str, Any]]:
    """The ranked key findings of a cycle from its findings tables: every topic of :data:`TOPICS`
    in turn (see the module docstring for the order); each finding has a rank, a kind, its numbers
    and a sentence in every catalogue language."""
    writer = SentenceWriter(cb, inds)
    ctx = _Context(tables, cycle, previous_cycle, cb, inds, writer)
    out: list[dict[str, Any]] = []
    low = _low_precision(tables)
    for topic in TOPICS.values():
        for kind, record, build in topic(ctx):
            if (record.get("measure"), record.get("group")) in low:
                continue  # a low-precision estimate is never a key finding
            text = writer.sentence(kind, build)
            out.append({"rank": len(out) + 1, "kind": kind, **record, "text": text})
    return out
