"""The fieldwork monitor against figures computed here: response rates as counts over the
population files, the R-indicator and CV of response propensities (Schouten et al.) from the
population margins (closed form for one margin, iterative proportional fitting written here for
two), the units' counts under disclosure control with the projected CI half-width 1.96 SD / sqrt(n),
and the daily submissions from the export's own submission times."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
import yaml

from cipslib.analysis.fieldwork import fieldwork_status, r_indicator, representativeness
from cipslib.cli import main
from cipslib.inputs.codebook import load_codebook
from cipslib.inputs.population import load_population

from ..any_codebook import ItemSpec, Questionnaire, ScaleSpec, write_cycle

AGREE5 = ScaleSpec("ordinal", 5, neutral=True, dont_know=True, refusal=True, favourable=2)


def _r_from_rates(counts: dict, sizes: dict) -> tuple[float, float]:
    """R-indicator and CV with one margin: each level's propensity is its response rate."""
    n, N = sum(counts.values()), sum(sizes.values())
    mean = n / N
    s2 = sum(sizes[k] * (counts[k] / sizes[k] - mean) ** 2 for k in sizes) / (N - 1)
    return 1 - 2 * np.sqrt(s2), np.sqrt(s2) / mean


def test_the_r_indicator_of_one_margin_is_the_spread_of_its_response_rates():
    counts, sizes = {"a": 50, "b": 30, "c": 12}, {"a": 100, "b": 300, "c": 60}
    weights = np.concatenate([np.full(counts[k], sizes[k] / counts[k]) for k in counts])
    r, cv, mean = r_indicator(weights, sum(sizes.values()))
    expect_r, expect_cv = _r_from_rates(counts, sizes)
    assert (r, cv, mean) == pytest.approx((expect_r, expect_cv, 92 / 460), abs=1e-12)
    # every level answering at the same rate: R = 1, CV = 0
    r, cv, _ = r_indicator(np.full(46, 10.0), 460)
    assert (r, cv) == pytest.approx((1.0, 0.0), abs=1e-12)


def _ipf(data: pd.DataFrame, margins: dict[str, dict[str, float]]) -> np.ndarray:
    """Raking weights written out: scale to each margin in turn until they all hold."""
    w = np.ones(len(data))
    for _ in range(1000):
        for var, target in margins.items():
            for level, total in target.items():
                at = (data[var] == level).to_numpy()
                w[at] *= total / w[at].sum()
        if all(
            abs(w[(data[v] == lv).to_numpy()].sum() - t) < 1e-10
            for v, target in margins.items()
            for lv, t in target.items()
        ):
            break
    return w


def test_two_margins_take_the_propensities_of_the_raking_weights(tmp_path):
    rng = np.random.default_rng(4)
    n = 400
    data = pd.DataFrame(
        {
            "group": "official",
            "region": rng.choice(["west", "north", "east"], n, p=[0.5, 0.3, 0.2]),
            "role": rng.choice(["manager", "non_manager"], n, p=[0.6, 0.4]),
        }
    )
    margins = {
        "region": {"west": 1500.0, "north": 1200.0, "east": 1300.0},
        "role": {"manager": 600.0, "non_manager": 3400.0},
    }
    cb = load_codebook()
    spec = {"group": "official", "total": 4000, "illustrative": True, "margins": margins}
    (tmp_path / "pop.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    pop = load_population(tmp_path / "pop.yaml", cb)
    data["tenure"] = "lt5"  # not a margin: every respondent has it
    table, notes = representativeness(data, {"official": pop}, "official")
    assert notes == []
    w = _ipf(data, margins)
    rho = 1 / w
    mean = n / 4000
    s = np.sqrt(np.sum(w * (rho - mean) ** 2) / 3999)
    row = table.iloc[0]
    assert row["r_indicator"] == pytest.approx(1 - 2 * s, abs=1e-8)
    assert row["cv"] == pytest.approx(s / mean, abs=1e-8)
    assert row["propensity"] == pytest.approx(mean)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """A cycle in the field: 60 officials and 60 private-sector respondents, the western
    region's officials down to 6, submission times over five days, one of them with 3."""
    folder = tmp_path_factory.mktemp("field")
    q = Questionnaire(
        scales=(AGREE5,),
        items=tuple(ItemSpec("perception", 0, k % 3 + 1) for k in range(9)),
        n=60,
    )
    params = write_cycle(q, folder, units={"by": "region", "pool": True})
    export = pd.read_csv(folder / "export_2025.csv")
    west = export.index[(export["group"] == "official") & (export["region"] == "west")]
    export = export.drop(west[6:]).reset_index(drop=True)
    days = np.repeat(
        ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05"],
        [30, 3, 40, 20, len(export) - 93],
    )
    export["_submission_time"] = [f"{d}T10:00:00" for d in days]
    export.to_csv(folder / "so_far.csv", index=False)
    return params, folder / "so_far.csv", export


def test_units_days_and_rates_are_disclosure_controlled(cycle):
    params, data, export = cycle
    fw = fieldwork_status(params, data)
    # response: respondents over the population file's total
    pops = yaml.safe_load((params.parent / "population_official_2025.yaml").read_text())
    official = fw.tables["response"]
    row = official[(official["group"] == "official") & official["variable"].isna()].iloc[0]
    n_off = int((export["group"] == "official").sum())
    assert row["rate"] == pytest.approx(100 * n_off / pops["total"])
    units = fw.tables["units"].set_index(["unit", "group"])
    # the western officials (6) are hidden as small, and one more official cell with them
    assert np.isnan(units.loc[("west", "official"), "respondents"])
    assert units.loc[("west", "official"), "hidden"] == "small"
    off = units.xs("official", level="group")
    assert off["respondents"].isna().sum() >= 2
    assert not units.loc[("west", "official"), "report"]
    assert units.loc[("north", "official"), "report"]
    # the precision at today's n: 1.96 SD / sqrt(n), the same SD for every unit of a group
    for g, part in units.groupby(level="group"):
        shown = part[part["report"]]
        counts = export[export["group"] == g]["region"].value_counts()
        sd = [
            hw * np.sqrt(counts[u]) / 1.959963984540054
            for (u, _), hw in shown["half_width"].items()
        ]
        assert np.allclose(sd, sd[0])
    # days: counted from the export's submission times, the day of 3 hidden with a partner
    daily = fw.tables["daily"].set_index("date")
    assert daily.loc["2025-09-01", "submissions"] == 30 or np.isnan(
        daily.loc["2025-09-01", "submissions"]
    )
    assert np.isnan(daily.loc["2025-09-02", "submissions"])
    assert daily["submissions"].isna().sum() >= 2
    shown = daily["submissions"].dropna()
    assert all(
        shown.loc[d] == (export["_submission_time"].str[:10] == d).sum() for d in shown.index
    )


def test_cips_fieldwork_writes_the_page_and_the_tables_in_seconds(cycle, tmp_path):
    params, data, _ = cycle
    start = time.perf_counter()
    assert main(["fieldwork", str(params), "--data", str(data), "--out", str(tmp_path)]) == 0
    assert time.perf_counter() - start < 20
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "fieldwork.html" in files and "fieldwork.json" in files
    assert "fieldwork_units.csv" in files and "fieldwork_daily.csv" in files
    doc = json.loads((tmp_path / "fieldwork.json").read_text(encoding="utf-8"))
    hidden = [u for u in doc["tables"]["units"] if u["hidden"]]
    assert hidden and all(u["respondents"] is None for u in hidden)
    page = (tmp_path / "fieldwork.html").read_text(encoding="utf-8")
    assert "R-indicator" in page and "<10" in page.replace("&lt;", "<")
