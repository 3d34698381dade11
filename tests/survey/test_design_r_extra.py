"""Further agreement with R's survey: domains, differences, proportions with logit CIs, design
effects, missing values, post-stratification on cells, and the CIPS demo officials raked to the
staff margins.

The reference file is made by tests/reference/make_r_reference.R (R 4.2.2, survey 4.1.1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cipslib import SurveyDesign

REF = Path(__file__).parents[1] / "reference"
EXTRA = {c["id"]: c for c in json.loads((REF / "r_survey_extra.json").read_text())["checks"]}
TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


def flat(value) -> np.ndarray:
    return np.ravel(np.asarray(value, dtype=float))


def close(actual, expected):
    assert np.allclose(flat(actual), flat(expected), rtol=1e-6, atol=0), (actual, expected)


@pytest.fixture(scope="module")
def d():
    strat = pd.read_csv(REF / "api" / "apistrat.csv")
    clus = pd.read_csv(REF / "api" / "apiclus1.csv")
    dclus1 = SurveyDesign(clus, weights="pw", psu="dnum", fpc="fpc")
    return {
        "strat_data": strat,
        "dstrat": SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc"),
        "dclus1": dclus1,
        "rake": dclus1.rake({"stype": TYPES, "sch.wide": SCHWIDE}),
    }


def test_domain_means(d):
    ref = EXTRA["clus1_by_stype_mean_api00"]
    out = d["dclus1"].mean("api00", by="stype").set_index("stype").loc[ref["levels"]]
    close(out["estimate"], ref["est"])
    close(out["se"], ref["se"])


def test_domain_means_after_raking(d):
    ref = EXTRA["rake_clus1_by_compimp_mean_api00"]
    out = d["rake"].mean("api00", by="comp.imp").set_index("comp.imp").loc[ref["levels"]]
    close(out["estimate"], ref["est"])
    close(out["se"], ref["se"])


def test_difference_of_domains_with_joint_linearisation(d):
    ref = EXTRA["clus1_by_stype_diff_E_H"]
    out = d["dclus1"].difference("api00", "stype", "E", "H")
    close(out["difference"], ref["est"])
    close(out["se"], ref["se"])


def test_logit_proportion_interval(d):
    ref = EXTRA["strat_ciprop_logit_schwide"]
    row = d["dstrat"].proportion("sch.wide").set_index("level").loc["Yes"]
    close(row["estimate"], ref["est"])
    close(row["se"], ref["se"])
    close([row["ci_low"], row["ci_high"]], [ref["lci"], ref["uci"]])


def test_proportion_of_a_raked_variable_has_no_sampling_error(d):
    ref = EXTRA["rake_clus1_ciprop_logit_schwide"]
    row = d["rake"].proportion("sch.wide").set_index("level").loc["Yes"]
    close(row["estimate"], ref["est"])
    assert row["se"] < 1e-9
    assert row["ci_low"] == pytest.approx(ref["lci"], rel=1e-6)
    assert row["ci_high"] == pytest.approx(ref["uci"], rel=1e-6)


@pytest.mark.parametrize(
    "design,ref_id", [("dstrat", "strat_mean_api00_deff"), ("dclus1", "clus1_mean_api00_deff")]
)
def test_design_effect(d, design, ref_id):
    row = d[design].mean("api00").iloc[0]
    close(row["deff"], EXTRA[ref_id]["deff"])


def test_proportions_of_a_category(d):
    ref = EXTRA["clus1_mean_stype"]
    out = d["dclus1"].proportion("stype").set_index("level").loc[ref["levels"]]
    close(out["estimate"], ref["est"])
    close(out["se"], ref["se"])


def test_missing_values_na_rm(d):
    data = d["strat_data"].copy()
    data.loc[np.arange(0, 200, 7), "api00"] = np.nan
    row = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc").mean("api00").iloc[0]
    close(row["estimate"], EXTRA["strat_mean_api00_na"]["est"])
    close(row["se"], EXTRA["strat_mean_api00_na"]["se"])


def test_poststratification_on_cells(d):
    ref = EXTRA["ps_cells_clus1_mean_api00"]
    counts = {(c["stype"], c["sch_wide"]): c["Freq"] for c in ref["cells"]}
    row = d["dclus1"].poststratify(["stype", "sch.wide"], counts).mean("api00").iloc[0]
    close(row["estimate"], ref["est"])
    close(row["se"], ref["se"])


@pytest.fixture(scope="module")
def cips():
    data = pd.read_csv(REF / "cips2025_officials.csv")
    data["fav"] = data["lead_01"].isin([4, 5]).astype(float).where(data["lead_01"].notna())
    margins = {
        "region": {
            "central_office": 668,
            "west": 2611,
            "north": 1694,
            "centre": 1473,
            "south": 1752,
            "east": 1714,
        },
        "role": {"manager": 2031, "non_manager": 7881},
        "tenure": {"lt5": 2874, "5to10": 2279, "gt10": 4759},
    }
    return SurveyDesign(data).rake(margins)


def test_cips_officials_raked_like_r(cips):
    for ref_id, var in (
        ("cips2025_officials_rake_fav_lead01", "fav"),
        ("cips2025_officials_rake_mean_hrm02", "hrm_02"),
    ):
        row = cips.mean(var).iloc[0]
        close(row["estimate"], EXTRA[ref_id]["est"])
        close(row["se"], EXTRA[ref_id]["se"])
    ref = EXTRA["cips2025_officials_rake_fav_by_tenure"]
    out = cips.mean("fav", by="tenure").set_index("tenure").loc[ref["levels"]]
    close(out["estimate"], ref["est"])
    close(out["se"], ref["se"])
