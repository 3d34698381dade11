from __future__ import annotations

import numpy as np
import pandas as pd

import cipslib
from cipslib.analysis.quality import screen

from ..conftest import write_csv


def test_planted_dirt_is_found(demo2025):
    q = screen(demo2025.data)
    s = q.summary
    # the generator plants 12 duplicates, 40 speeders, 35 straight-liners (+ half the speeders), 90
    # partials; a later defect can overwrite an earlier one, so the counts are close to, not
    # exactly, those
    assert 8 <= s.loc["duplicate", "all"] <= 12
    assert 38 <= s.loc["speeder", "all"] <= 45
    assert 45 <= s.loc["straightliner", "all"] <= 60
    assert 85 <= s.loc["incomplete", "all"] <= 92
    excluded = q.flags["exclude"]
    assert s.loc["excluded", "all"] == excluded.sum()
    assert (
        s.loc["retained", "all"] + s.loc["excluded", "all"]
        == s.loc["respondents", "all"]
        == len(demo2025.data)
    )
    assert len(q.retained(demo2025.data)) == s.loc["retained", "all"]


def test_screens_on_constructed_cases(tmp_path, raw2024):
    raw = raw2024.head(40).copy()
    officials = np.flatnonzero((raw["group"] == 1).to_numpy())
    a, b, c, d = (int(i) for i in officials[:4])
    items = [
        i
        for i in cipslib.load_codebook().items_for(
            "official", 2024, construct=("perception", "mechanism_exists", "mechanism_effective")
        )["id"]
    ]
    raw.loc[b, items] = raw.loc[a, items].to_numpy()  # same answers...
    for col in ("region", "role", "tenure", "respondent_type", "group"):
        raw.loc[b, col] = raw.loc[a, col]  # ...and same person
    exp = [
        i
        for i in raw.columns
        if i
        in (
            "bribe_offer_response",
            "safe_reporting",
            "investigation_involved",
            "investigation_experience",
            "bribe_helps",
            "corruption_level",
            "oc_pressure",
            "overall_integrity",
        )
    ]
    raw.loc[b, exp] = raw.loc[a, exp].to_numpy()
    raw.loc[c, items] = 4.0  # straight-liner
    raw.loc[d, items[5:]] = np.nan  # stopped early
    raw["mode"] = 2
    raw["duration_s"] = 800.0
    raw.loc[a, "duration_s"] = 100.0  # speeder
    data = cipslib.load_responses(write_csv(raw, tmp_path / "x.csv"), cycle=2024)
    flags = screen(data).flags
    assert flags.loc[b, "duplicate"] and not flags.loc[a, "duplicate"]
    assert flags.loc[c, "straightliner"]
    assert flags.loc[d, "incomplete"]
    assert flags.loc[a, "speeder"] and flags["speeder"].sum() == 1
    assert flags.loc[[a, b, d], "exclude"].all() and not flags.loc[c, "exclude"]


def test_thresholds_come_from_params(demo2025):
    strict = screen(demo2025.data, thresholds={"speeder_ratio": 0.6, "exclude": ["speeder"]})
    loose = screen(demo2025.data, thresholds={"speeder_ratio": 0.1, "exclude": ["speeder"]})
    assert strict.flags["speeder"].sum() > loose.flags["speeder"].sum()
    assert strict.flags["exclude"].equals(strict.flags["speeder"])
    assert isinstance(strict.summary, pd.DataFrame)
