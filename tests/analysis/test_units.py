"""Unit reports: unit figures are domain estimates of the national design equal to R's survey
(svyby, svycontrast / svyglm on a raked design), the anonymity plan withholds small units and the
units that would reveal them by subtraction, the per-measure and subgroup tables keep at least two
hidden cells wherever one is hidden, and the national subgroups table can be made to hide what the
unit reports withhold.

The R reference is made by tests/reference/make_r_units.R from units_synthetic.csv, which
write_reference_csv() below writes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cipslib.analysis.findings import Options, compute_findings
from cipslib.analysis.measures import build_measures
from cipslib.analysis.scoring import load_indicators
from cipslib.analysis.units import (
    NO_UNIT,
    OTHER_UNITS,
    UNDER_MIN_CELL,
    compute_units,
    hide_national_cells,
    national_cells_to_hide,
    plan_units,
    unit_counts,
    unit_differences,
    unit_estimates,
    unit_subgroups,
)
from cipslib.analysis.weighting import weight_cycle
from cipslib.errors import CipsDataError
from cipslib.survey.design import SurveyDesign

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"
UNITS = ["u1", "u2", "u3", "u4", "u5"]
R_UNITS = json.loads((REF / "r_units.json").read_text())
CHECKS = {c["id"]: c for c in R_UNITS["checks"]}


def synthetic_units(seed: int = 2025) -> pd.DataFrame:
    """600 respondents in five units with a role, a tenure band, a 0-100 score and a 0/1
    indicator (both with missing values)."""
    rng = np.random.default_rng(seed)
    n = 600
    unit = rng.choice(UNITS, size=n, p=[0.34, 0.26, 0.2, 0.12, 0.08])
    p_manager = pd.Series([0.15, 0.25, 0.2, 0.35, 0.3], index=UNITS)[unit].to_numpy()
    manager = rng.random(n) < p_manager
    tenure = rng.choice(["lt5", "5to10", "gt10"], size=n, p=[0.3, 0.25, 0.45])
    level = pd.Series([62.0, 55.0, 58.0, 48.0, 66.0], index=UNITS)[unit].to_numpy()
    score = np.clip(level + 9 * manager - 5 * (tenure == "lt5") + rng.normal(0, 18, n), 0, 100)
    score = np.round(score / 2.5) * 2.5
    score[rng.random(n) < 0.08] = np.nan
    p = 1 / (1 + np.exp(-((level - 57) / 10 + 0.6 * manager - 0.4)))
    ind = (rng.random(n) < p).astype(float)
    ind[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "unit": unit,
            "role": np.where(manager, "manager", "non_manager"),
            "tenure": tenure,
            "score": score,
            "ind": ind,
        }
    )


def write_reference_csv(path: Path = REF / "units_synthetic.csv") -> Path:
    """Write the CSV that make_r_units.R reads (run once; the file is stored)."""
    synthetic_units().to_csv(path, index=False)
    return path


# -- agreement with R ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference_designs():
    data = pd.read_csv(REF / "units_synthetic.csv")
    pop = R_UNITS["populations"]
    base = SurveyDesign(data)
    return data, {
        "rake_unit_role": base.rake({"unit": pop["unit"], "role": pop["role"]}, tol=1e-12),
        "rake_role_tenure": base.rake({"role": pop["role"], "tenure": pop["tenure"]}, tol=1e-12),
    }


def _close(actual, expected, rtol):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert np.allclose(actual, expected, rtol=rtol, atol=0), np.max(abs(actual / expected - 1))


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_unit_estimates_equal_r_svyby(reference_designs, check):
    data, designs = reference_designs
    ref = CHECKS[check]
    y = ref["variable"]
    out = unit_estimates(
        designs[ref["design"]], data[[y]], data["unit"], proportion=[y] if y == "ind" else []
    )
    assert out["unit"].tolist() == ref["levels"]
    assert out["n"].tolist() == ref["n"] and (out["df"] == ref["df"]).all()
    _close(out["estimate"], ref["est"], 1e-8)
    _close(out["se"], ref["se"], 1e-6)
    if y == "ind":  # logit intervals, svyciprop(method = "logit") on the design's df
        _close(out["ci_low"], ref["ci_low"], 1e-6)
        _close(out["ci_high"], ref["ci_high"], 1e-6)


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_unit_minus_rest_equals_r_joint_linearisation(reference_designs, check):
    data, designs = reference_designs
    ref = CHECKS[check]
    rest = pd.DataFrame(ref["rest"])
    out = unit_differences(designs[ref["design"]], data[[ref["variable"]]], data["unit"])
    assert out["unit"].tolist() == rest["unit"].tolist()
    _close(out["estimate_unit"], rest["est_unit"], 1e-8)
    _close(out["estimate_rest"], rest["est_rest"], 1e-8)
    assert np.allclose(out["difference"], rest["est"], rtol=1e-8, atol=1e-10)
    _close(out["se"], rest["se"], 1e-6)
    assert np.allclose(out["difference"], rest["glm_est"], rtol=1e-8, atol=1e-10)
    _close(out["se"], rest["glm_se"], 1e-6)


# -- the plan --------------------------------------------------------------------------------------
def test_plan_publishes_big_units_and_withholds_small_ones_with_a_partner():
    plan = plan_units({"official": {"a": 40, "b": 25, "c": 6, "d": 18, "e": 0}}, 10)
    status = plan.table.set_index("unit")["status"].to_dict()
    assert status == {"a": "published", "b": "published", "c": "withheld", "d": "withheld"} | {
        "e": "empty"
    }
    reasons = plan.withheld.set_index("unit")["reason"].to_dict()
    assert reasons == {"c": UNDER_MIN_CELL, "d": "would reveal c by subtraction"}
    assert plan.pooled == {"official": ("c", "d")}
    assert list(plan.reports) == ["a", "b", OTHER_UNITS]
    assert OTHER_UNITS not in plan_units({"g": {"a": 40, "c": 6, "d": 18}}, 10, pool=False).reports
    with pytest.raises(CipsDataError, match="min_cell"):
        plan_units({"g": {"a": 40}}, 0)


def test_plan_withholds_until_the_remainder_reaches_min_cell():
    # two small units of 3 and 4: their sum (7) is still a small group, so a third is withheld
    plan = plan_units({"g": {"a": 50, "b": 30, "c": 3, "d": 4}}, 10)
    assert set(plan.withheld["unit"]) == {"b", "c", "d"}
    assert plan.reports == {"a": ("g",), OTHER_UNITS: ("g",)}


def test_plan_counts_respondents_without_a_unit_in_the_remainder():
    # 4 respondents without a unit: national minus the units would show them, so two units go
    plan = plan_units(pd.DataFrame({"g": [50, 30, 20, 4]}, index=["a", "b", "c", NO_UNIT]), 10)
    assert set(plan.withheld["unit"]) == {"b", "c"} and plan.published == {"g": ("a",)}
    assert plan.withheld["reason"].eq(f"would reveal {NO_UNIT} by subtraction").all()
    # 15 of them and one small unit: the small unit alone would be the rest, so a partner goes
    plan = plan_units(pd.DataFrame({"g": [50, 30, 6, 15]}, index=["a", "b", "c", NO_UNIT]), 10)
    assert set(plan.withheld["unit"]) == {"b", "c"}


def test_unit_counts_and_assignment_follow_the_groups():
    d = pd.DataFrame(
        {
            "group": ["official"] * 14 + ["private"] * 3,
            "region": ["a"] * 12 + ["b", None] + ["a", "b", "b"],
        }
    )
    counts = unit_counts(d, "region", ["b", "a"])
    assert counts.index.tolist() == ["b", "a", NO_UNIT]
    assert counts.to_dict() == {
        "official": {"b": 1, "a": 12, NO_UNIT: 1},
        "private": {"b": 2, "a": 1, NO_UNIT: 0},
    }
    # one official without a region: the two units of the group are withheld to protect them
    assert plan_units(counts, 10).reports == {}
    d = pd.DataFrame({"group": ["official"] * 24 + ["private"] * 2, "region": list("ab" * 13)})
    plan = plan_units(unit_counts(d, "region"), 10)
    assert plan.reports == {"a": ("official",), "b": ("official",)}
    cells = plan.assign(d["region"], d["group"])
    assert cells[:24].tolist() == list("ab" * 12) and cells[24:].tolist() == [None, None]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=9),
    unassigned=st.integers(0, 14),
    min_cell=st.integers(2, 15),
    pool=st.booleans(),
)
def test_no_withheld_unit_is_national_minus_the_published_units(sizes, unassigned, min_cell, pool):
    counts = pd.DataFrame(
        {"g": [*sizes, unassigned]}, index=[*map(str, range(len(sizes))), NO_UNIT]
    )
    plan = plan_units(counts, min_cell, pool=pool)
    t = plan.table.set_index("unit")
    published = t.loc[t["status"] == "published", "n"]
    withheld = t.loc[t["status"] == "withheld", "n"]
    national = sum(sizes) + unassigned
    remainder = national - published.sum()
    assert (published >= min_cell).all()
    assert all(
        t.loc[str(i), "status"] == "withheld" for i, n in enumerate(sizes) if 0 < n < min_cell
    )
    if len(published):
        # withheld units: none, or at least two with at least min_cell respondents in the remainder
        assert len(withheld) != 1
        assert remainder == 0 or remainder >= min_cell
        if pool and len(withheld):
            assert set(plan.pooled["g"]) == set(withheld.index) and remainder >= min_cell
    for n in withheld:
        # a withheld unit equals the remainder only when nothing is published and the group is
        # itself under min_cell (hidden in the national report)
        assert remainder != n or (published.empty and national < min_cell)


# -- a constructed cycle: one region of 6 officials ------------------------------------------------
def _shrink(cycle, keep: dict[str, int]):
    """The cycle with only ``keep[region]`` officials left in some regions, weighted again."""
    data = cycle.data
    official = (data["group"].astype(object) == "official").to_numpy()
    drop = np.concatenate(
        [np.flatnonzero(official & (data["region"] == r).to_numpy())[n:] for r, n in keep.items()]
    )
    kept = data.drop(index=data.index[drop]).reset_index(drop=True)
    kept = kept[[c for c in kept.columns if not c.startswith("_margin_")]]
    design = weight_cycle(kept, cycle.populations)
    reasons = cycle.reasons.drop(index=cycle.reasons.index[drop]).reset_index(drop=True)
    raw = SurveyDesign(design.data, strata="group")
    return dataclasses.replace(cycle, data=design.data, design=design, raw=raw, reasons=reasons)


@pytest.fixture(scope="module")
def six_officials(prepared_2025):
    """The 2025 demo with only 6 officials left in the central office."""
    return _shrink(prepared_2025, {"central_office": 6})


@pytest.fixture(scope="module")
def six_figures(six_officials):
    return compute_units(six_officials)


@pytest.mark.slow
def test_a_region_of_six_gets_no_report_and_the_next_smallest_is_pooled(six_officials, six_figures):
    plan = six_figures.plan
    counts = unit_counts(six_officials.data, "region")["official"]
    partner = counts.drop("central_office").idxmin()
    w = plan.withheld.set_index(["group", "unit"])
    assert w.loc[("official", "central_office"), "reason"] == UNDER_MIN_CELL
    assert w.loc[("official", partner), "reason"] == "would reveal central_office by subtraction"
    assert len(w.loc["official"]) == 2 and plan.pooled == {"official": ("central_office", partner)}
    assert "central_office" not in six_figures.units
    # the partner keeps its private-sector report; the pool is the officials' "other units"
    assert plan.reports[partner] == ("private",) and plan.reports[OTHER_UNITS] == ("official",)
    est = six_figures.estimates
    shown = set(zip(est["group"], est["unit"], strict=True))
    assert ("official", "central_office") not in shown and ("official", partner) not in shown
    for name in ("differences", "subgroups"):
        t = getattr(six_figures, name)
        assert not ((t["group"] == "official") & t["unit"].isin(["central_office", partner])).any()


@pytest.mark.slow
def test_the_pool_is_national_minus_the_published_units(six_officials, six_figures):
    data, design = six_officials.data, six_officials.design
    values = build_measures(data, six_officials.codebook, load_indicators(six_officials.codebook))
    values = values.values[["factor_index.1"]]
    official = (data["group"].astype(object) == "official").to_numpy()
    published = data["region"].isin(six_figures.plan.published["official"]).to_numpy()
    rest = design.summarise(values, {"rest": official & ~published})
    alone = design.summarise(values, {"co": official & (data["region"] == "central_office")})
    row = six_figures.report(OTHER_UNITS)["estimates"].set_index("measure").loc["factor_index.1"]
    assert row["estimate"] == pytest.approx(rest["estimate"].iloc[0], rel=1e-12)
    assert row["estimate"] != pytest.approx(alone["estimate"].iloc[0], rel=1e-3)


def _national_hides_the_withheld(prepared, figures):
    fnd = compute_findings(prepared)
    cells = national_cells_to_hide(figures, fnd["subgroups"])
    sub, tests = hide_national_cells(fnd["subgroups"], fnd["subgroup_tests"], cells)
    region = sub[(sub["variable"] == "region") & (sub["group"] == "official")]
    withheld = figures.plan.withheld.query("group == 'official'")["unit"]
    for level in withheld:
        rows = region[region["level"] == level]
        assert rows["suppressed"].all() and rows[["estimate", "n"]].isna().all().all()
        official = tests.query("group == 'official' and variable == 'region'")
        assert not (official["level"] == level).any()
    # every measure's region line hides at least two cells
    assert region.groupby("measure")["suppressed"].sum().ge(2).all()
    return cells


@pytest.mark.slow
def test_the_national_table_hides_what_the_unit_reports_withhold(six_officials, six_figures):
    # the national secondary suppression already hides the partner here (smallest region)
    cells = _national_hides_the_withheld(six_officials, six_figures)
    assert cells.query("group == 'official'").empty


@pytest.mark.slow
def test_the_national_table_hides_a_unit_withheld_for_a_small_remainder(prepared_2025):
    # 3 + 4 officials: the national table hides both (two hidden cells) but their sum, 7, is a
    # small group, so the unit plan withholds a third region, which the national table showed
    shrunk = _shrink(prepared_2025, {"central_office": 3, "east": 4})
    figures = compute_units(shrunk)
    withheld = figures.plan.withheld.query("group == 'official'").set_index("unit")["reason"]
    third = withheld.index.difference(["central_office", "east"])
    assert (
        len(third) == 1 and withheld[third[0]] == "would reveal central_office, east by subtraction"
    )
    cells = _national_hides_the_withheld(shrunk, figures)
    assert set(cells["level"]) == set(third) and set(cells["reason"]) == {"unit withheld"}


def _hidden_per_line_ok(figures, prepared):
    """In every group and measure, the cells never shown (withheld units, respondents without a
    unit, suppressed cells) are none or at least two, or the withheld units are pooled."""
    data = prepared.data
    m = build_measures(data, prepared.codebook, load_indicators(prepared.codebook)).values
    groups = {g: (data["group"].astype(object) == g).to_numpy() for g in ("official", "private")}
    units = data["region"].astype(object).where(data["region"].notna(), NO_UNIT)
    n = unit_estimates(prepared.design, m[figures.estimates["measure"].unique()], units, groups)
    n = n.set_index(["group", "unit", "measure"])["n"]
    est = figures.estimates
    for (g, measure), line in est.groupby(["group", "measure"]):
        hidden = int(line["suppressed"].sum())
        if g not in figures.plan.pooled:
            others = figures.plan.table.query(
                "group == @g and status in ['withheld', 'unassigned']"
            )
            hidden += sum(n.get((g, u, measure), 0) > 0 for u in others["unit"])
        assert hidden != 1, (g, measure)


@pytest.mark.slow
def test_every_measure_line_hides_none_or_two(six_officials, six_figures, prepared_2025):
    _hidden_per_line_ok(six_figures, six_officials)
    strict = dataclasses.replace(Options.from_params(prepared_2025.params), min_cell=160)
    _hidden_per_line_ok(compute_units(prepared_2025, options=strict, pool=False), prepared_2025)


# -- the 2025 demo ---------------------------------------------------------------------------------
def test_every_region_gets_its_unit_figures(prepared_2025, units_2025):
    counts = unit_counts(prepared_2025.data, "region")
    assert units_2025.units == [u for u in counts.index if counts.loc[u].sum() > 0]
    for unit in units_2025.units:
        report = units_2025.report(unit)
        groups = [g for g in ("official", "private") if counts.loc[unit, g] > 0]
        assert sorted(report["estimates"]["group"].unique()) == groups
        kinds = set(report["estimates"]["kind"])
        assert kinds == {"factor_index", "factor_fav", "indicator"}
        assert set(report["differences"]["group"]) == set(groups)
    assert units_2025.plan.reports["central_office"] == ("official",)


def test_unit_estimates_equal_the_national_region_rows(units_2025, findings_2025_alone):
    sub = findings_2025_alone["subgroups"]
    nat = sub[sub["variable"] == "region"].rename(columns={"level": "unit"})
    cols = ["estimate", "se", "ci_low", "ci_high", "n", "effective_sample_size", "half_width"]
    both = units_2025.estimates.merge(nat, on=["group", "unit", "measure"], suffixes=("", "_n"))
    assert len(both) == len(nat) > 100
    assert (both["suppressed"] == both["suppressed_n"]).all()
    shown = both[~both["suppressed"]]
    for c in cols:
        assert np.allclose(shown[c], shown[f"{c}_n"], rtol=1e-10, atol=1e-12), c
    assert (shown["low_precision"] == shown["low_precision_n"]).all()
    assert national_cells_to_hide(units_2025, sub).empty


def test_unit_minus_rest_equals_the_national_region_tests(units_2025, findings_2025_alone):
    tests = findings_2025_alone["subgroup_tests"]
    nat = tests[tests["variable"] == "region"].rename(columns={"level": "unit"})
    both = units_2025.differences.merge(nat, on=["group", "unit", "measure"], suffixes=("", "_n"))
    assert len(both) == len(nat) > 50 and (both["versus"] == "rest").all()
    pairs = {"estimate_unit": "estimate_a", "estimate_rest": "estimate_b", "n_rest": "n_b"}
    pairs |= {c: f"{c}_n" for c in ("difference", "se", "ci_low", "ci_high", "p_value")}
    for ours, theirs in pairs.items():
        assert np.allclose(both[ours], both[theirs], rtol=1e-10, atol=1e-12), ours


def test_holm_is_applied_within_each_unit_report(units_2025):
    from cipslib.survey.inference import holm

    for unit in units_2025.units:
        d = units_2025.report(unit)["differences"]
        assert np.allclose(d["p_holm"], holm(d["p_value"].to_numpy()))
        assert (d["significant"] == (d["p_holm"] < 0.05)).all()


@pytest.mark.slow
def test_changes_compare_each_unit_with_its_previous_cycle(units_2025, prepared_2024):
    before = compute_units(prepared_2024).estimates.set_index(["unit", "group", "measure"])
    now = units_2025.estimates.set_index(["unit", "group", "measure"])
    ch = units_2025.changes.set_index(["unit", "group", "measure"])
    assert len(ch) > 100 and OTHER_UNITS not in ch.index.get_level_values("unit")
    key = ("west", "official", "factor_index.1")
    assert ch.loc[key, "estimate_prev"] == pytest.approx(before.loc[key, "estimate"], rel=1e-12)
    assert ch.loc[key, "change"] == pytest.approx(
        now.loc[key, "estimate"] - before.loc[key, "estimate"], rel=1e-12
    )
    se = np.hypot(now.loc[key, "se"], before.loc[key, "se"])
    assert ch.loc[key, "se"] == pytest.approx(se, rel=1e-12)


@pytest.mark.slow
def test_subgroup_tables_inside_units_hide_none_or_two_per_line(prepared_2025):
    strict = dataclasses.replace(Options.from_params(prepared_2025.params), min_cell=40)
    fig = compute_units(prepared_2025, options=strict)
    sub = fig.subgroups
    assert sub["suppressed"].any() and not sub["suppressed"].all()
    assert sub.loc[sub["suppressed"], ["estimate", "n"]].isna().all().all()
    for line in (
        ["unit", "group", "variable", "measure"],
        ["group", "variable", "level", "measure"],
    ):
        counts = sub.groupby(line)["suppressed"].sum()
        assert not (counts == 1).any(), counts[counts == 1].head()
    west = unit_subgroups(fig, "west")
    assert (west["unit"] == "west").all() and set(west["variable"]) >= {"role", "tenure"}
