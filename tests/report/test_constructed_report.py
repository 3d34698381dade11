"""A constructed cycle rendered end to end and checked against figures computed here, by hand.

Two cycles of a made-up questionnaire (factor 1 holds one statement worded positively and two
reverse-worded; an experience question has an indicator), answered by 80 officials (half of them
managers, who answer one step more favourably) and 80 private-sector respondents, with population
figures on one variable per group that differ between the cycles. Weighting to one margin is
post-stratification, so the weights are written down here directly: a respondent of level ``l``
weighs ``population[l] / respondents[l]``. From them, and from the export files read as plain CSV:

* the response rates: respondents over the population, per group and per level, as the findings and
  the report's first page give them;
* the segment geometry of the diverging bars: each answer's weighted share in the scale's order
  (turned for a reverse-worded statement), the neutral answer centred on zero, as the chart draws
  it;
* the trend levels: last cycle's and this cycle's weighted % favourable of each statement, and last
  cycle's weighted to this cycle's population (the standardised change), as the findings hold them
  and the report prints them.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from cipslib.cli import main
from cipslib.report import Report
from cipslib.report.charts import likert_pair

from ..any_codebook import (
    ItemSpec,
    Questionnaire,
    ScaleSpec,
    codebook,
    export_rows,
    indicators,
    write_csv,
)

pytestmark = pytest.mark.slow  # the constructed cycles are rendered end to end

CYCLES = (2024, 2025)
N = 80
# population figures: one margin per group, other shares than the sample's, other in each cycle
POPULATION = {
    2024: {
        "official": ("role", {"manager": 400, "non_manager": 1600}),
        "private": (
            "respondent_type",
            {"business": 600, "association": 100, "civil_society": 150, "citizen": 150},
        ),
    },
    2025: {
        "official": ("role", {"manager": 250, "non_manager": 2750}),
        "private": (
            "respondent_type",
            {"business": 900, "association": 60, "civil_society": 20, "citizen": 20},
        ),
    },
}
STATEMENTS = ("q01", "q02", "q03")  # factor 1: q02 and q03 are reverse-worded
REVERSED = {"q02", "q03"}
CODES = [1, 2, 3, 4, 5]  # the scale's listed order, least to most agreeing; 3 is the neutral
AGREEING = {4, 5}


def _questionnaire() -> Questionnaire:
    return Questionnaire(
        group_section=True,
        variables=frozenset({"role", "business_type"}),
        scales=(ScaleSpec("ordinal", 5, neutral=True, dont_know=True, refusal=True, favourable=2),),
        items=(
            ItemSpec("perception", 0, 1),
            ItemSpec("perception", 0, 1, reverse=True),
            ItemSpec("perception", 0, 1, reverse=True),
            ItemSpec("perception", 0, 2),
            ItemSpec("experience", 0, instruments=("official", "private")),
        ),
        n=N,
        seed=11,
    )


def _rows(q: Questionnaire, cb: dict, cycle: int) -> list[dict]:
    """The export's rows; managers answer each question one step more agreeing."""
    rows = export_rows(q, cb, cycle)
    for row in rows:
        if row.get("role") == "manager":
            for item in cb["items"]:
                if row.get(item["id"]) in (1, 2, 3, 4):
                    row[item["id"]] += 1
    return rows


@pytest.fixture(scope="module")
def constructed(tmp_path_factory):
    """The folder of the constructed cycles and the folder of the rendered 2025 report."""
    folder = tmp_path_factory.mktemp("constructed")
    q = _questionnaire()
    cb = codebook(q)
    (folder / "codebook.yaml").write_text(yaml.safe_dump(cb, allow_unicode=True), "utf-8")
    (folder / "indicators.yaml").write_text(
        yaml.safe_dump(indicators(cb), allow_unicode=True), "utf-8"
    )
    for cycle in CYCLES:
        write_csv(_rows(q, cb, cycle), folder / f"export_{cycle}.csv")
        files = {}
        for group, (variable, margin) in POPULATION[cycle].items():
            population = {
                "group": group,
                "total": sum(margin.values()),
                "illustrative": True,
                "margins": {variable: margin},
            }
            files[group] = f"population_{group}_{cycle}.yaml"
            (folder / files[group]).write_text(yaml.safe_dump(population), "utf-8")
        params = {
            "cycle": cycle,
            "title": f"Constructed cycle {cycle}",
            "data": f"export_{cycle}.csv",
            "codebook": "codebook.yaml",
            "indicators": "indicators.yaml",
            "population": files,
            "fieldwork": {"start": f"{cycle}-09-01", "end": f"{cycle}-09-30", "mode": "online"},
            "quality": {"exclude": []},  # every respondent is kept: the counts below are the file's
            "drivers": {"min_n_effective": 1000.0},
            "kpis": None,
            "output": "reports",
        }
        if cycle == CYCLES[1]:
            params["previous"] = f"{CYCLES[0]}.yaml"
        (folder / f"{cycle}.yaml").write_text(yaml.safe_dump(params), "utf-8")
    out = folder / "reports"
    code = main(
        ["render", str(folder / "2025.yaml"), "--out", str(out), "--format", "html", "--quiet"]
    )
    assert code == 0
    return folder, out / "2025"


# -- independent figures ---------------------------------------------------------------------------
def _export(folder, cycle: int) -> pd.DataFrame:
    return pd.read_csv(folder / f"export_{cycle}.csv")


def _weights(data: pd.DataFrame, group: str, population_cycle: int) -> pd.Series:
    """Post-stratification weights of a group's respondents to a cycle's population margin."""
    variable, margin = POPULATION[population_cycle][group]
    members = data[data["group"] == group]
    counts = members[variable].value_counts()
    return members[variable].map(lambda level: margin[level] / counts[level])


def _shares(data: pd.DataFrame, item: str, group: str, population_cycle: int) -> dict[int, float]:
    """Weighted % of each answer among the group's valid answers (don't know, refusal and no
    answer left out)."""
    w = _weights(data, group, population_cycle)
    answers = data.loc[w.index, item]
    valid = answers.isin(CODES)
    total = w[valid].sum()
    return {c: 100 * w[valid & (answers == c)].sum() / total for c in CODES}


def _favourable(shares: dict[int, float], item: str) -> float:
    """% favourable: agreeing, or disagreeing with a reverse-worded statement."""
    good = {1, 2} if item in REVERSED else AGREEING
    return sum(shares[c] for c in good)


def _segments(shares: dict[int, float], item: str) -> list[tuple[float, float]]:
    """(left, width) of each answer's segment, left to right: the scale's order, turned for a
    reverse-worded statement so that favourable answers lie right; the neutral centred on 0."""
    order = CODES[::-1] if item in REVERSED else CODES
    widths = [shares[c] for c in order]
    start = -sum(widths[:2]) - widths[2] / 2
    lefts = list(np.cumsum([start, *widths[:-1]]))
    return list(zip(lefts, widths, strict=True))


def _findings(rendered) -> dict:
    return json.loads((rendered / "findings.json").read_text(encoding="utf-8"))


def _table(rendered, name: str) -> pd.DataFrame:
    return pd.DataFrame(_findings(rendered)["tables"][name])


def _text(rendered) -> str:
    page = next(rendered.glob("*.html")).read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# -- response rates --------------------------------------------------------------------------------
def test_response_rates_are_respondents_over_the_population(constructed):
    folder, rendered = constructed
    data = _export(folder, 2025)
    table = _table(rendered, "response")
    text = _text(rendered)
    for group, (variable, margin) in POPULATION[2025].items():
        members = data[data["group"] == group]
        row = table[(table["group"] == group) & table["variable"].isna()].iloc[0]
        rate = 100 * len(members) / sum(margin.values())
        assert row["respondents"] == len(members) == N
        assert row["population"] == sum(margin.values())
        assert row["rate"] == pytest.approx(rate, abs=1e-9)
        label = "Officials" if group == "official" else "Private sector"
        assert f"{label} {N} (response rate {rate:.1f}%)" in text
        for level, count in margin.items():
            level_row = table[(table["group"] == group) & (table["level"] == level)].iloc[0]
            n = int((members[variable] == level).sum())
            assert level_row["respondents"] == n
            assert level_row["rate"] == pytest.approx(100 * n / count, abs=1e-9)


# -- the diverging bars ----------------------------------------------------------------------------
def test_answer_shares_are_the_weighted_shares(constructed):
    folder, rendered = constructed
    data = _export(folder, 2025)
    dist = _table(rendered, "distributions")
    for group in POPULATION[2025]:
        for item in STATEMENTS:
            shares = _shares(data, item, group, 2025)
            rows = dist[(dist["item"] == item) & (dist["group"] == group)].set_index("code")
            for code in CODES:
                assert rows.loc[code, "share"] == pytest.approx(shares[code], abs=1e-9)


def test_the_chart_draws_each_answer_where_the_scale_puts_it(constructed):
    folder, _ = constructed
    data = _export(folder, 2025)
    report = Report.build(folder / "2025.yaml", "en")
    fig = likert_pair(report.findings, report.cb, 1, report.labels)
    panels = [ax for ax in fig.axes if ax.patches]
    assert len(panels) == 2
    for ax, group in zip(panels, ("official", "private"), strict=True):
        rows = list(ax.get_yticks())
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert len(rows) == len(STATEMENTS)
        for item, y, label in zip(STATEMENTS, rows, labels, strict=True):
            assert ("⇄" in label) == (item in REVERSED), label
            drawn = sorted(
                (p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - y) < 1e-9),
                key=lambda p: p.get_x(),
            )
            expected = _segments(_shares(data, item, group, 2025), item)
            got = [(p.get_x(), p.get_width()) for p in drawn]
            assert np.allclose(got, expected, atol=1e-9), (item, group, got, expected)
            neutral = drawn[2]
            assert neutral.get_x() + neutral.get_width() / 2 == pytest.approx(0.0, abs=1e-9)
            # the favourable answers lie right of the neutral one
            favourable = sum(p.get_width() for p in drawn[3:])
            assert favourable == pytest.approx(_favourable(_shares(data, item, group, 2025), item))


# -- trend levels ----------------------------------------------------------------------------------
@pytest.mark.parametrize("group", ["official", "private"])
def test_trend_levels_are_each_cycles_weighted_shares(constructed, group):
    folder, rendered = constructed
    before, now = _export(folder, 2024), _export(folder, 2025)
    trends = _table(rendered, "trends")
    for index, item in enumerate(STATEMENTS, start=1):
        measure = f"item_fav.K_Q{index:02d}"
        current = _favourable(_shares(now, item, group, 2025), item)
        expected_prev = {
            "weighted": _favourable(_shares(before, item, group, 2024), item),
            "standardised": _favourable(_shares(before, item, group, 2025), item),
        }
        for comparison, previous in expected_prev.items():
            row = trends[
                (trends["measure"] == measure)
                & (trends["group"] == group)
                & (trends["comparison"] == comparison)
            ]
            assert len(row) == 1, (measure, comparison)
            row = row.iloc[0]
            assert row["estimate_prev"] == pytest.approx(previous, abs=1e-9), comparison
            assert row["estimate"] == pytest.approx(current, abs=1e-9), comparison
            assert row["change"] == pytest.approx(current - previous, abs=1e-9), comparison
    assert _findings(rendered)["meta"]["trend_same_population"] is False


def test_the_report_prints_the_indicator_levels_and_standardised_change(constructed):
    """The headline indicator (the experience question answered agreeing): this cycle's level and
    the change since last cycle with both cycles weighted to this cycle's population."""
    folder, rendered = constructed
    before, now = _export(folder, 2024), _export(folder, 2025)
    text = _text(rendered)
    assert "both cycles weighted to the same population" in text
    cells = []
    for group in ("official", "private"):
        level = sum(_shares(now, "q05", group, 2025)[c] for c in AGREEING)
        previous = sum(_shares(before, "q05", group, 2025)[c] for c in AGREEING)
        change = f"{level - previous:+.1f}".replace("-", "\u2212")
        n = int(now.loc[now["group"] == group, "q05"].isin(CODES).sum())
        cells.append(rf"{round(level)}% \(\d+–\d+\)( †)? {n} {re.escape(change)}")
    # the row of the headline indicators table: officials' cells, then the private sector's
    assert re.search(r"Answer q05 favourably " + r"( †)? ".join(cells), text)
