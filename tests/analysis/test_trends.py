"""Trends between cycles: raw, weighted and composition-standardised changes and their
decomposition, shown to separate a change of who answered from a change of attitudes on constructed
data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cipslib.analysis.findings import Options, compute_findings
from cipslib.analysis.trends import decompose_change
from cipslib.survey import SurveyDesign, compare_independent

from ..findings_helpers import constructed_cycle


@pytest.fixture(scope="module")
def composition_only(codebook, tmp_path_factory):
    """Within-role attitudes identical; the manager share falls from 85% to 23% (as in CIPS 2024 ->
    2025)."""
    tmp = tmp_path_factory.mktemp("composition")
    prev = constructed_cycle(tmp, codebook, 2024, 450, 0.85, 0.0, seed=1)
    cur = constructed_cycle(tmp, codebook, 2025, 4200, 0.23, 0.0, seed=2)
    return compute_findings(cur, prev, Options(subgroups={}, decompose_by={"official": "role"}))


@pytest.fixture(scope="module")
def real_change(codebook, tmp_path_factory):
    """Same composition in both cycles (50% managers); everyone's answers rise by half a
    category."""
    tmp = tmp_path_factory.mktemp("real")
    prev = constructed_cycle(tmp, codebook, 2024, 800, 0.5, 0.0, seed=3)
    cur = constructed_cycle(tmp, codebook, 2025, 800, 0.5, 0.5, seed=4)
    return compute_findings(cur, prev, Options(subgroups={}, decompose_by={"official": "role"}))


def _factor_changes(fnd, comparison):
    t = fnd.tables["trends"]
    return t[(t["comparison"] == comparison) & (t["kind"] == "factor_index")].set_index("factor")


def test_composition_change_is_not_read_as_attitude_change(composition_only):
    raw = _factor_changes(composition_only, "raw")
    std = _factor_changes(composition_only, "standardised")
    assert len(raw) == 10 and len(std) == 10
    # managers answer one category higher (25 index points; a reverse-coded item pulls the other
    # way): 62 points fewer managers -> about -8 to -16 points
    assert (raw["change"] < -5).all() and raw["significant"].all()
    covers = (std["ci_low"] < 0) & (std["ci_high"] > 0)
    assert covers.sum() >= 9  # a 95% CI misses a true zero 1 time in 20
    assert (std["change"].abs() < 3).all()


def test_decomposition_attributes_the_raw_change_to_composition(composition_only):
    dec = composition_only.tables["decomposition"]
    fac = dec[dec["kind"] == "factor_index"].pivot_table(
        index="factor", columns="part", values="estimate"
    )
    assert np.allclose(fac["composition"] + fac["within"], fac["total"])
    assert (fac["composition"] < -5).all()
    assert (fac["within"].abs() < 3).all()
    raw = _factor_changes(composition_only, "raw")["change"]
    assert np.allclose(fac["total"].sort_index(), raw.sort_index())


def test_real_change_with_stable_composition_is_detected(real_change):
    std = _factor_changes(real_change, "standardised")
    assert std["significant"].all() and (std["change"] > 5).all()
    dec = real_change.tables["decomposition"]
    fac = dec[dec["kind"] == "factor_index"].pivot_table(
        index="factor", columns="part", values="estimate"
    )
    assert (fac["within"] > 5).all()
    assert (fac["composition"].abs() < 2).all()


def test_composition_finding_is_written(composition_only):
    kinds = [k["kind"] for k in composition_only.key_findings]
    assert "composition" in kinds
    assert "change" not in [
        k["kind"]
        for k in composition_only.key_findings
        if k.get("measure", "").startswith("factor_index")
    ]


def test_decomposition_total_matches_independent_comparison_of_means():
    """The total of the decomposition is the difference of the two means, with the SE and Welch df
    of two independent samples."""
    rng = np.random.default_rng(7)
    frames = []
    for n, share, shift in ((300, 0.8, 0.0), (500, 0.3, 0.4)):
        cell = np.where(rng.random(n) < share, "a", "b")
        y = rng.normal(2.0, 1.0, n) + (cell == "a") * 1.5 + shift
        y[rng.random(n) < 0.05] = np.nan
        frames.append(pd.DataFrame({"cell": cell, "y": y}))
    d1, d2 = (SurveyDesign(f) for f in frames)
    out = decompose_change(
        d1,
        d2,
        frames[0]["y"].to_numpy(),
        frames[1]["y"].to_numpy(),
        np.ones(300, bool),
        np.ones(500, bool),
        frames[0]["cell"].to_numpy(),
        frames[1]["cell"].to_numpy(),
    ).set_index("part")
    m1, m2 = d1.mean("y").iloc[0], d2.mean("y").iloc[0]
    ref = compare_independent(m2, m1)
    assert out.loc["total", "estimate"] == pytest.approx(ref["difference"], rel=1e-10)
    assert out.loc["total", "se"] == pytest.approx(ref["se"], rel=1e-8)
    assert out.loc["total", "df"] == pytest.approx(ref["df"], rel=1e-8)
    assert out.loc["composition", "estimate"] + out.loc["within", "estimate"] == pytest.approx(
        out.loc["total", "estimate"]
    )
    # composition by hand (Kitagawa): shares of cell a 0.8 -> 0.3
    s = [f.loc[f["y"].notna(), "cell"].eq("a").mean() for f in frames]
    m = [[f.loc[(f["cell"] == c) & f["y"].notna(), "y"].mean() for c in ("a", "b")] for f in frames]
    comp = (s[1] - s[0]) * (m[0][0] + m[1][0]) / 2 + ((1 - s[1]) - (1 - s[0])) * (
        m[0][1] + m[1][1]
    ) / 2
    assert out.loc["composition", "estimate"] == pytest.approx(comp, rel=1e-10)
    assert out.loc["composition", "se"] > 0 and out.loc["within", "se"] > 0
