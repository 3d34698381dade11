"""The national report's change tables: each factor's index in both cycles with its n beside the
change with its CI and significance, captioned with the group; one weighted row when standardising
changes nothing; the decomposition says why a within-group change can be significant when the
standardised change is not."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cipslib.inputs.codebook import load_codebook
from cipslib.report.blocks import Report
from cipslib.text.catalogue import load_catalogue

from .tables import tables


@pytest.fixture(scope="module")
def cycles(prepared_2024, prepared_2025):
    return prepared_2024, prepared_2025


@pytest.fixture(scope="module")
def findings(findings_2025):
    """The 2025 findings with their trends since 2024 (analyse: compute_findings of the 2025 demo
    with the 2024 demo as its previous cycle)."""
    return findings_2025


def _report(cycles, findings, language="en"):
    prev, cur = cycles
    return Report(cur.params, cur, prev, findings, language)


def _text(language, key, **kw):
    return " ".join(str(load_catalogue(language)["report"][key]).split()).format(**kw)


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("group", ["official", "private"])
def test_the_trend_table_shows_both_levels_with_their_n_beside_the_change(
    cycles, findings, group, language
):
    report = _report(cycles, findings, language)
    (table,) = tables(report.trends.table(group))
    col = load_catalogue(language)["report"]["col"]
    assert table["header"] == [
        col["factor"],
        col["comparison"],
        "2024",
        col["n"],
        "2025",
        col["n"],
        f"{col['change']} ({col['ci']})",
    ]
    tr = findings["trends"]
    tr = tr[(tr["group"] == group) & (tr["kind"] == "factor_index")]
    # the same population figures in both cycles: raw and weighted (= standardised) per factor
    assert len(table["rows"]) == 2 * tr["factor"].nunique()
    fmt = report.fmt
    for i, (k, part) in enumerate(tr.groupby("factor")):
        for j, comparison in enumerate(("raw", "weighted")):
            row = table["rows"][2 * i + j]
            r = part[part["comparison"] == comparison].iloc[0]
            name = report.cb.factor_name(int(k), language)
            assert row[0] == (name if j == 0 else "")
            assert row[2] == fmt.number(r["estimate_prev"], 1)
            assert row[4] == fmt.number(r["estimate"], 1)
            # the n is the same in every comparison: given on the factor's first row
            assert row[3] == (fmt.count(r["n_prev"]) if j == 0 else "")
            assert row[5] == (fmt.count(r["n"]) if j == 0 else "")
            change = fmt.number(r["change"], 1, signed=True)
            assert row[6].startswith(f"{change} ({fmt.interval(r['ci_low'], r['ci_high'], 1)})")
            assert ("*" in row[6]) == bool(r["significant"])
            assert ("†" in row[6]) == bool(r["low_precision"])
        assert [x[1] for x in table["rows"][2 * i : 2 * i + 2]] == [
            _text(language, "comparison_raw"),
            _text(language, "comparison_weighted_same"),
        ]
    group_name = load_codebook().group_label(group, language)
    assert table["caption"].startswith(f"{group_name}: ")
    same = _text(language, "trend_same_population", previous=2024, current=2025)
    assert same in table["caption"]


def test_three_comparisons_when_the_population_figures_differ(cycles, findings):
    meta = {**findings.meta, "trend_same_population": False}
    report = _report(cycles, dataclasses.replace(findings, meta=meta))
    (table,) = tables(report.trends.table("official"))
    assert len(table["rows"]) == 30
    assert [r[1] for r in table["rows"][:3]] == ["raw", "weighted", "standardised"]
    assert _text("en", "trend_comparisons", current=2025) in table["caption"]
    assert "shown once" not in table["caption"]


def _unexplained(findings, group):
    """Factors whose within-group change is significant but whose standardised change is not."""
    d = findings["decomposition"]
    d = d[(d["group"] == group) & (d["kind"] == "factor_index") & (d["part"] == "within")]
    t = findings["trends"]
    t = t[(t["group"] == group) & (t["kind"] == "factor_index")]
    t = t[t["comparison"] == "standardised"]
    both = d.merge(t, on="factor", suffixes=("_within", ""))
    return set(both.loc[both["significant_within"] & ~both["significant"], "factor"])


def test_the_decomposition_says_why_a_within_group_change_is_significant_alone(cycles, findings):
    report = _report(cycles, findings)
    odd = _unexplained(findings, "official")
    assert odd  # in the demo: officials, within position groups (the 2024 sample: 85% managers)
    (table,) = tables(report.trends.decomposition_table("official"))
    caption = table["caption"]
    assert caption.startswith("Officials: ")
    note = caption[caption.index("the change within position groups is significant") - 50 :]
    for k in range(1, 11):
        assert (report.cb.factor_name(k, "en") in note.split(" the change within")[0]) == (k in odd)
    # the within part's cells are marked significant where they are
    d = findings["decomposition"]
    d = d[(d["group"] == "official") & (d["kind"] == "factor_index") & (d["part"] == "within")]
    assert [row[3].endswith("*") for row in table["rows"]] == d.sort_values("factor")[
        "significant"
    ].tolist()
    assert "effective n 92 of 443 in 2024" in caption
    # the mix: the within part counts managers at their average share of the two samples
    prev, cur = cycles
    share = np.mean(
        [(c.data.loc[c.data["group"] == "official", "role"] == "manager").mean() for c in cycles]
    )
    w = cur.design.weights.to_numpy()
    off = (cur.data["group"] == "official").to_numpy()
    managers = (cur.data["role"] == "manager").to_numpy()
    weighted = w[off & managers].sum() / w[off].sum()
    fmt = report.fmt
    within_part, standardised = caption.split("; the standardised change weights")
    assert f"(manager {fmt.value(100 * share, '%')}, non-manager" in within_part
    assert f"(manager {fmt.value(100 * weighted, '%')}, non-manager" in standardised


def test_no_explanation_where_none_is_needed(cycles, findings):
    assert not _unexplained(findings, "private")
    report = _report(cycles, findings)
    (table,) = tables(report.trends.decomposition_table("private"))
    assert table["caption"].startswith("Private sector: ")
    assert "is significant but the standardised change is not" not in table["caption"]
    assert report.trends.within_not_standardised("private") == ""
