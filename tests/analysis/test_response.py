"""Response rate and coverage: the findings' ``response`` table against counts made here from the
prepared data and the population files read as plain YAML; disclosure control of its counts; the
response rate of every unit report."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml

from cipslib.analysis.response import response_table
from cipslib.analysis.units import compute_units

from ..conftest import ROOT

POPULATION = ROOT / "params" / "population"


def _yaml(name: str) -> dict:
    return yaml.safe_load((POPULATION / name).read_text(encoding="utf-8"))


def _group_row(table: pd.DataFrame, group: str) -> pd.Series:
    rows = table[(table["group"] == group) & table["variable"].isna()]
    assert len(rows) == 1
    return rows.iloc[0]


def test_response_rates_equal_counts_over_the_population_files(findings_2025_alone, prepared_2025):
    t = findings_2025_alone.tables["response"]
    data = prepared_2025.data
    staff, frame = _yaml("scs_staff.yaml"), _yaml("private_frame.yaml")
    officials = int((data["group"] == "official").sum())
    private = data[data["group"] == "private"]
    # businesses are the private-sector respondents the frame covers (they have a business type);
    # associations, civil society and citizens are outside it
    businesses = int(private["business_type"].notna().sum())
    assert 0 < businesses < len(private)

    off = _group_row(t, "official")
    assert off["respondents"] == officials == off["in_scope"]
    assert off["population"] == staff["total"]
    assert off["rate"] == pytest.approx(100 * officials / staff["total"])
    assert round(off["rate"], 1) == 41.3

    priv = _group_row(t, "private")
    assert priv["respondents"] == len(private) and priv["in_scope"] == businesses
    assert priv["rate"] == pytest.approx(100 * businesses / frame["total"])
    assert not t["suppressed"].any()

    # coverage: each margin level of the population files
    for group, pop in (("official", staff), ("private", frame)):
        members = data[(data["group"] == group)]
        for variable, levels in pop["margins"].items():
            for level, count in levels.items():
                row = t[(t["group"] == group) & (t["variable"] == variable) & (t["level"] == level)]
                n = int((members[variable].astype(object) == level).sum())
                assert row["respondents"].item() == n
                assert row["population"].item() == count
                assert row["rate"].item() == pytest.approx(100 * n / count)
    # the respondents read are the quality table's
    q = findings_2025_alone.tables["quality"].set_index("screen")
    assert off["read"] == q.loc["respondents", "official"]


def test_a_group_without_population_figures_has_no_rate(prepared_2025):
    only_staff = {"official": prepared_2025.populations["official"]}
    t = response_table(dataclasses.replace(prepared_2025, populations=only_staff))
    priv = _group_row(t, "private")
    assert np.isnan(priv["population"]) and np.isnan(priv["rate"]) and not priv["suppressed"]
    assert priv["respondents"] == (prepared_2025.data["group"] == "private").sum()
    assert set(t.loc[t["group"] == "private", "variable"].dropna()) == set()


def test_a_small_level_hides_two_cells_of_its_margin_and_their_rates(prepared_2025):
    data = prepared_2025.data
    central = data.index[(data["group"] == "official") & (data["region"] == "central_office")]
    small = dataclasses.replace(prepared_2025, data=data.drop(central[4:]).reset_index(drop=True))
    t = response_table(small, 10)
    region = t[(t["group"] == "official") & (t["variable"] == "region")].set_index("level")
    hidden = region[region["suppressed"]]
    assert "central_office" in hidden.index and len(hidden) >= 2
    assert hidden[["respondents", "in_scope", "rate"]].isna().all().all()
    assert hidden["population"].notna().all()  # the population figures are public
    # the shown levels do not give the hidden one away: the group total minus the shown levels
    # is the sum of at least two hidden counts
    total = _group_row(t, "official")["in_scope"]
    assert total - region["respondents"].sum() > 4
    # the other margins are untouched
    role = t[(t["group"] == "official") & (t["variable"] == "role")]
    assert not role["suppressed"].any()


def test_few_respondents_outside_the_frame_hide_the_in_scope_count(prepared_2025):
    data = prepared_2025.data
    outside = data.index[(data["group"] == "private") & data["business_type"].isna()]
    few = dataclasses.replace(prepared_2025, data=data.drop(outside[3:]).reset_index(drop=True))
    t = response_table(few, 10)
    priv = _group_row(t, "private")
    # respondents - in scope would be 3: the in-scope count and the rate are hidden, and so are
    # the levels of the frame's margin, which add up to it
    assert priv["suppressed"] and np.isnan(priv["in_scope"]) and np.isnan(priv["rate"])
    assert priv["respondents"] == (few.data["group"] == "private").sum()
    levels = t[(t["group"] == "private") & t["variable"].notna()]
    assert levels["suppressed"].all() and levels["respondents"].isna().all()


@pytest.mark.slow
def test_every_unit_report_has_its_response_rate(prepared_2025):
    figures = compute_units(prepared_2025, "region")
    staff = _yaml("scs_staff.yaml")["margins"]["region"]
    r = figures.response
    assert set(zip(r["unit"], r["group"], strict=True)) == {
        (u, g) for u, groups in figures.plan.reports.items() for g in groups
    }
    data = prepared_2025.data
    for _, row in r.iterrows():
        n = int(((data["region"] == row["unit"]) & (data["group"] == row["group"])).sum())
        assert row["respondents"] == n
        if row["group"] == "official":
            assert row["rate"] == pytest.approx(100 * n / staff[row["unit"]])
        else:  # the private frame has no regions
            assert np.isnan(row["population"]) and np.isnan(row["rate"])
    assert figures.report("west")["response"]["unit"].eq("west").all()
