"""Design-based estimation agrees with R's survey package; weighting hits its targets; bad input is
clear."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cipslib
from cipslib import DesignError, SurveyDesign, compare_independent
from cipslib.analysis.weighting import weight_cycle

from ..conftest import ROOT

REF = Path(__file__).parents[1] / "reference"
REFERENCE = json.loads((REF / "r_survey_reference.json").read_text())
POP = REFERENCE["designs"]


@pytest.fixture(scope="module")
def api():
    return {
        name: pd.read_csv(REF / "api" / f"{name}.csv")
        for name in ("apistrat", "apiclus1", "apisrs")
    }


@pytest.fixture(scope="module")
def designs(api):
    dclus1 = SurveyDesign(api["apiclus1"], weights="pw", psu="dnum", fpc="fpc")
    return {
        "dstrat": SurveyDesign(api["apistrat"], weights="pw", strata="stype", fpc="fpc"),
        "dclus1": dclus1,
        "dsrs": SurveyDesign(api["apisrs"], fpc="fpc"),
        "ps": dclus1.poststratify("stype", POP["pop.types"]),
        "rake": dclus1.rake({"stype": POP["pop.types"], "sch.wide": POP["pop.schwide"]}),
        "cal": dclus1.calibrate({"api99": 3914069}, population_size=6194),
    }


CALLS = {
    "strat_mean_api00": ("dstrat", "mean", "api00"),
    "strat_total_enroll": ("dstrat", "total", "enroll"),
    "clus1_mean_api00": ("dclus1", "mean", "api00"),
    "clus1_total_enroll": ("dclus1", "total", "enroll"),
    "srs_mean_api00": ("dsrs", "mean", "api00"),
    "ps_clus1_mean_api00": ("ps", "mean", "api00"),
    "ps_clus1_total_enroll": ("ps", "total", "enroll"),
    "rake_clus1_mean_api00": ("rake", "mean", "api00"),
    "rake_clus1_total_enroll": ("rake", "total", "enroll"),
    "cal_clus1_api99_mean_api00": ("cal", "mean", "api00"),
    "cal_clus1_api99_total_enroll": ("cal", "total", "enroll"),
    "strat_ci_t": ("dstrat", "mean", "api00"),
}


@pytest.mark.parametrize("check", REFERENCE["checks"], ids=lambda c: c["id"])
def test_agrees_with_r_survey(designs, check):
    design, method, var = CALLS[check["id"]]
    row = getattr(designs[design], method)(var).iloc[0]
    if "est" in check:
        assert row["estimate"] == pytest.approx(check["est"], rel=1e-6)
        assert row["se"] == pytest.approx(check["se"], rel=1e-6)
    if "lci" in check:
        assert row["df"] == 197
        assert row["ci_low"] == pytest.approx(check["lci"], rel=1e-6)
        assert row["ci_high"] == pytest.approx(check["uci"], rel=1e-6)


def test_every_reference_check_is_covered():
    assert {c["id"] for c in REFERENCE["checks"]} <= set(CALLS)


def test_tidy_columns(designs):
    cols = ["variable", "estimate", "se", "ci_low", "ci_high", "df", "n", "deff"]
    assert list(designs["dstrat"].mean("api00").columns) == cols
    assert list(designs["dstrat"].mean("api00", by="stype").columns) == [
        "variable",
        "stype",
        *cols[1:],
    ]
    prop = designs["dstrat"].proportion("sch.wide", by="stype")
    assert list(prop.columns) == ["variable", "level", "stype", *cols[1:]]
    assert prop.groupby("stype")["estimate"].sum().to_numpy() == pytest.approx(1.0)


def test_domains_use_the_full_design(designs, api):
    full = designs["dclus1"].mean("api00", by="stype").set_index("stype")
    data = api["apiclus1"]
    for level, row in full.iterrows():
        sub = data[data["stype"] == level]
        assert row["estimate"] == pytest.approx(np.average(sub["api00"], weights=sub["pw"]))
        assert row["n"] == len(sub)
    # a domain estimate's variance keeps every PSU, so it differs from re-designing the subset
    sub = SurveyDesign(
        data[data["stype"] == "H"].reset_index(drop=True), weights="pw", psu="dnum", fpc="fpc"
    )
    assert full.loc["H", "df"] == designs["dclus1"].df == 14
    assert sub.df < 14


def test_missing_values_leave_the_base_but_stay_in_the_design(api):
    data = api["apistrat"].copy()
    data.loc[::7, "api00"] = np.nan
    d = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc")
    row = d.mean("api00").iloc[0]
    keep = data["api00"].notna()
    assert row["n"] == keep.sum()
    assert row["estimate"] == pytest.approx(
        np.average(data.loc[keep, "api00"], weights=data.loc[keep, "pw"])
    )
    assert row["df"] == 197  # all 200 schools still in the design


def test_difference_within_a_design(designs):
    d = designs["dstrat"]
    diff = d.difference("api00", "stype", "E", "H")
    means = d.mean("api00", by="stype").set_index("stype")["estimate"]
    assert diff["difference"] == pytest.approx(means["E"] - means["H"])
    # strata are independent, so the joint variance is the sum of the two
    ses = d.mean("api00", by="stype").set_index("stype")["se"]
    assert diff["se"] == pytest.approx(np.hypot(ses["E"], ses["H"]), rel=1e-9)
    assert 0 <= diff["p_value"] <= 1 and diff["ci_low"] < diff["difference"] < diff["ci_high"]


def test_difference_between_independent_cycles(designs):
    a = designs["dstrat"].mean("api00").iloc[0]
    b = designs["dsrs"].mean("api00").iloc[0]
    out = compare_independent(a, b)
    assert out["difference"] == pytest.approx(a["estimate"] - b["estimate"])
    assert out["se"] == pytest.approx(np.hypot(a["se"], b["se"]))
    assert min(a["df"], b["df"]) <= out["df"] <= a["df"] + b["df"]


def test_logit_interval_is_asymmetric_and_inside_0_1(designs):
    row = designs["dstrat"].proportion("awards").set_index("level").loc["No"]
    assert 0 < row["ci_low"] < row["estimate"] < row["ci_high"] < 1
    lg = np.log(row["estimate"] / (1 - row["estimate"]))
    from scipy import stats

    half = stats.t.ppf(0.975, 197) * row["se"] / (row["estimate"] * (1 - row["estimate"]))
    assert row["ci_low"] == pytest.approx(1 / (1 + np.exp(-(lg - half))))


def test_raking_hits_margins_and_reports(designs):
    summary = designs["rake"].weight_summary()
    m = summary["margins"]
    assert np.allclose(m["achieved"], m["target"], rtol=1e-9)
    assert summary["iterations"] >= 2
    assert summary["n_effective"] < len(designs["rake"])
    assert summary["deff_weighting"] == pytest.approx(1 + summary["cv"] ** 2)


def test_poststratify_on_cells(designs, api):
    data = api["apiclus1"]
    cells = data.groupby(["stype", "sch.wide"]).size()
    counts = {k: float(v) * 6194 / len(data) for k, v in cells.items()}
    ps = designs["dclus1"].poststratify(["stype", "sch.wide"], counts)
    achieved = ps.weights.groupby([data["stype"], data["sch.wide"]]).sum()
    for key, target in counts.items():
        assert achieved[key] == pytest.approx(target)


def test_trim_keeps_the_total_and_the_bounds(designs):
    d = designs["rake"]
    total = d.weights.sum()
    t = d.trim(lower=20, upper=45)
    assert t.weights.sum() == pytest.approx(total)
    assert t.weights.min() >= 20 - 1e-9 and t.weights.max() <= 45 + 1e-9


# -- the CIPS demo cycles ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def populations():
    cb = cipslib.load_codebook()
    return {
        g: cipslib.load_population(ROOT / "params" / "population" / f"{f}.yaml", cb)
        for g, f in (("official", "scs_staff"), ("private", "private_frame"))
    }


@pytest.mark.parametrize("cycle", [2024, 2025])
def test_demo_cycles_rake_to_the_population(cycle, populations):
    data = cipslib.demo_data(cycle)
    design = weight_cycle(data, populations)
    w = design.weights
    off = data["group"] == "official"
    staff = populations["official"]
    assert w[off].sum() == pytest.approx(staff.total, rel=1e-9)
    for var, counts in staff.margins.items():
        achieved = w[off].groupby(data.loc[off, var].astype(str)).sum()
        for level, target in counts.items():
            assert achieved[level] == pytest.approx(target, rel=1e-8)
    frame = populations["private"]
    business = data["respondent_type"] == "business"
    achieved = w[business].groupby(data.loc[business, "business_type"].astype(str)).sum()
    for level, target in frame.margins["business_type"].items():
        assert achieved[level] == pytest.approx(target, rel=1e-8)
    # raked on role, so the weighted manager share is the population's, with no sampling error
    share = (
        design.proportion("role", by="group")
        .query("group == 'official' and level == 'manager'")
        .iloc[0]
    )
    assert share["estimate"] == pytest.approx(staff.shares("role")["manager"])
    assert share["se"] < 1e-8


def test_weighting_removes_the_composition_effect(populations):
    """Raw officials' favourability falls from 2024 to 2025 because fewer managers answered;
    weighted, the change is small."""
    out = {}
    for cycle in (2024, 2025):
        data = cipslib.demo_data(cycle)
        data = data.assign(
            fav=data["lead_01"]
            .astype("Float64")
            .isin([4, 5])
            .astype(float)
            .where(data["lead_01"].notna())
        )
        design = weight_cycle(data, populations)
        off = data["group"] == "official"
        out[cycle] = (
            data.loc[off, "fav"].mean(),
            design.mean("fav", by="group").set_index("group").loc["official"],
        )
    raw_change = out[2025][0] - out[2024][0]
    weighted = compare_independent(out[2025][1], out[2024][1])
    assert raw_change < -0.1
    assert abs(weighted["difference"]) < abs(raw_change) / 2


# -- bad input -----------------------------------------------------------------------------------
def test_margins_that_disagree(designs):
    with pytest.raises(DesignError, match="margins disagree.*'sch.wide'"):
        designs["dclus1"].rake({"stype": POP["pop.types"], "sch.wide": {"No": 1000, "Yes": 5000}})


def test_level_without_population_count(designs):
    with pytest.raises(
        DesignError, match="level 'H' of 'stype' is in the data but has no population count"
    ):
        designs["dclus1"].rake({"stype": {"E": 4421, "M": 1773}})


def test_population_level_with_nobody_in_the_data(designs):
    with pytest.raises(DesignError, match="level 'X' of 'stype' has a population count but nobody"):
        designs["dclus1"].poststratify("stype", {**POP["pop.types"], "X": 10})


@pytest.mark.parametrize("count", [0, -5])
def test_zero_or_negative_counts(designs, count):
    with pytest.raises(DesignError, match="'stype' = 'H' must be positive"):
        designs["dclus1"].rake({"stype": {**POP["pop.types"], "H": count}})


def test_zero_or_negative_weights(api):
    data = api["apistrat"].copy()
    data.loc[3, "pw"] = 0
    with pytest.raises(DesignError, match="row 4, column 'pw': weights must be positive"):
        SurveyDesign(data, weights="pw", strata="stype")


def test_lonely_psu(api):
    data = api["apistrat"].copy()
    data.loc[0, "stype"] = "X"
    with pytest.raises(DesignError, match="stratum 'X' has a single PSU"):
        SurveyDesign(data, weights="pw", strata="stype")


def test_raking_that_cannot_converge():
    data = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "p", "q", "q"]})
    # a and b are the same split in the sample, but the targets disagree about it
    with pytest.raises(DesignError, match="did not converge.*still"):
        SurveyDesign(data).rake({"a": {"x": 50, "y": 50}, "b": {"p": 20, "q": 80}}, max_iter=30)


def test_mean_of_text(designs):
    with pytest.raises(DesignError, match="'sch.wide' is not numeric"):
        designs["dstrat"].mean("sch.wide")


def test_missing_margin_values(api):
    data = api["apistrat"].copy()
    data.loc[5, "stype"] = None
    with pytest.raises(DesignError, match="no value for the margin variable 'stype'"):
        SurveyDesign(data, weights="pw").rake({"stype": POP["pop.types"]})


def test_proportion_of_zero_gets_an_exact_upper_bound():
    data = pd.DataFrame({"answer": pd.Categorical(["yes"] * 30, categories=["yes", "no"])})
    row = SurveyDesign(data).proportion("answer").set_index("level").loc["no"]
    assert row["estimate"] == 0 and row["ci_low"] == 0
    assert row["ci_high"] == pytest.approx(1 - 0.025 ** (1 / 30))


def test_trim_bounds_that_cannot_keep_the_total(designs):
    with pytest.raises(DesignError, match="cannot keep the weight total"):
        designs["rake"].trim(upper=1)


def test_poststratification_cells_without_counts_or_respondents(designs):
    cells = {
        ("E", "No"): 620,
        ("E", "Yes"): 3801,
        ("H", "No"): 221,
        ("H", "Yes"): 534,
        ("M", "No"): 231,
    }
    with pytest.raises(
        DesignError, match=r"the cell \('M', 'Yes'\) of \(stype, sch.wide\) is in the data"
    ):
        designs["dclus1"].poststratify(["stype", "sch.wide"], cells)
    with pytest.raises(
        DesignError, match=r"the cell \('X', 'No'\) .* has a population count but nobody"
    ):
        designs["dclus1"].poststratify(
            ["stype", "sch.wide"], {**cells, ("M", "Yes"): 787, ("X", "No"): 5}
        )
