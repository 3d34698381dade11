"""The levels beside the changes: the trends table's previous and current values of the demo cycles
2024 -> 2025, checked against values computed here from the prepared cycles' answers and weights."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def cycles(prepared_2024, prepared_2025):
    return prepared_2024, prepared_2025


@pytest.fixture(scope="module")
def findings(findings_2025):
    """The 2025 findings with their trends since 2024 (analyse: compute_findings of the 2025 demo
    with the 2024 demo as its previous cycle)."""
    return findings_2025


@pytest.fixture(scope="module")
def trends(findings):
    return findings.tables["trends"]


def _favourable(prepared, item: str, group: str, weighted: bool):
    """% favourable of an agree/disagree item among a group's valid answers, computed directly:
    the codes on the item's scale, agree and strongly agree favourable, weighted by the design's
    weights (or unweighted)."""
    scale = prepared.codebook.scale_of(item)
    codes = prepared.data[item].astype(float).to_numpy()
    valid = np.isin(codes, list(scale.codes)) & (prepared.data["group"] == group).to_numpy()
    w = prepared.design.weights.to_numpy() if weighted else np.ones(len(codes))
    fav = np.isin(codes, list(scale.favourable)).astype(float)
    return 100 * np.sum(w[valid] * fav[valid]) / np.sum(w[valid]), int(valid.sum())


@pytest.mark.parametrize("group", ["official", "private"])
@pytest.mark.parametrize("comparison", ["raw", "weighted"])
def test_the_levels_of_an_item_equal_its_weighted_share_in_each_cycle(
    cycles, trends, group, comparison
):
    prev, cur = cycles
    item = "lead_01"  # key LEAD_COMMITMENT; not reverse-worded
    assert not prev.codebook.item(item)["reverse"]
    row = trends[
        (trends["measure"] == "item_fav.LEAD_COMMITMENT")
        & (trends["group"] == group)
        & (trends["comparison"] == comparison)
    ]
    assert len(row) == 1
    row = row.iloc[0]
    expect_prev, n_prev = _favourable(prev, item, group, comparison == "weighted")
    expect_cur, n_cur = _favourable(cur, item, group, comparison == "weighted")
    assert row["estimate_prev"] == pytest.approx(expect_prev, abs=1e-9)
    assert row["estimate"] == pytest.approx(expect_cur, abs=1e-9)
    assert (row["n_prev"], row["n"]) == (n_prev, n_cur)
    assert row["change"] == pytest.approx(expect_cur - expect_prev, abs=1e-9)


def test_every_change_is_the_current_level_minus_the_previous_one(trends):
    assert np.allclose(trends["change"], trends["estimate"] - trends["estimate_prev"], atol=1e-9)
    assert ((trends["ci_low"] <= trends["change"]) & (trends["change"] <= trends["ci_high"])).all()


def test_same_population_figures_make_the_weighted_and_standardised_rows_one(findings, trends):
    """The demo cycles are weighted to the same population figures: standardising changes
    nothing, row for row."""
    assert findings.meta["trend_same_population"] is True
    key = ["measure", "group"]
    w = trends[trends["comparison"] == "weighted"].set_index(key).sort_index()
    s = trends[trends["comparison"] == "standardised"].set_index(key).sort_index()
    assert w.index.equals(s.index)
    for column in ("estimate_prev", "estimate", "change", "ci_low", "ci_high", "n", "n_prev"):
        assert np.allclose(w[column], s[column], equal_nan=True), column
