"""A third cycle: the factor indices over every cycle of the previous chain (raw and standardised
to the latest population), and the KPI table over all cycles, in findings and in the rendered
report. The shipped demo stays 2024 and 2025; the test builds 2026 from the 2025 generator with
officials one category more favourable on one factor."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml

from cipslib.analysis.pipeline import analyse
from cipslib.inputs.params import load_params, previous_chain
from cipslib.report.render import render

from ..conftest import ROOT, write_csv

RAISED_FACTOR = 3


@pytest.fixture(scope="module")
def third_cycle(codebook, raw2025, tmp_path_factory):
    """params of a 2026 cycle whose previous cycle is the shipped 2025 demo."""
    tmp = tmp_path_factory.mktemp("third")
    frame = raw2025.copy()
    frame["cycle"] = 2026
    frame["respondent_id"] = frame["respondent_id"].str.replace("R2025", "R2026")
    raised = codebook.items_for("official", 2025, factor=RAISED_FACTOR)["id"]
    official = frame["group"] == 1
    for item in raised:
        answered = official & frame[item].between(1, 4)
        frame.loc[answered, item] += 1
    only_2025 = [
        i
        for i in codebook.items_for(cycle=2025)["id"]
        if i not in set(codebook.items_for(cycle=2026)["id"])
    ]
    write_csv(frame.drop(columns=only_2025), tmp / "cips_2026.csv")
    params = yaml.safe_load((ROOT / "params" / "2025.yaml").read_text(encoding="utf-8"))
    params.update(
        cycle=2026,
        title={"en": "CIPS 2026 (test cycle)", "uk": "CIPS 2026 (тестовий цикл)"},
        data="cips_2026.csv",
        previous=str(ROOT / "params" / "2025.yaml"),
        population={g: str(ROOT / "params" / p) for g, p in params["population"].items()},
        fieldwork={"start": "2026-09-14", "end": "2026-09-30", "mode": "online"},
    )
    params["kpis"] = str(ROOT / "params" / "pmm_kpis.yaml")
    path = tmp / "2026.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def test_the_chain_goes_back_to_the_first_cycle(third_cycle):
    assert [p.cycle for p in previous_chain(load_params(third_cycle))] == [2025, 2024]


@pytest.mark.slow
def test_series_of_every_factor_over_all_cycles(third_cycle):
    fnd = analyse(third_cycle)
    s = fnd.tables["series"]
    assert set(s["cycle"]) == {2024, 2025, 2026} and set(s["comparison"]) == {"raw", "standardised"}
    per = s.groupby(["group", "comparison", "cycle"])["factor"].nunique()
    assert (per == 10).all()
    # the standardised 2025 index equals the trend table's 2025 estimate reweighted to 2026, but
    # for a factor whose questions changed: the trend compares the questions both cycles asked,
    # the series each cycle's own
    left_out = fnd.meta["trend_items_left_out"]
    changed = {d["factor"] for d in left_out if d["factor"] is not None}
    assert changed == {3}  # the 2026 test cycle has no answers to tra_01, asked in 2025 only
    # nor to the overall rating (cycles: [2025]), which is in no factor
    assert [d["item"] for d in left_out if d["factor"] is None] == ["overall_integrity"]
    tr = fnd.tables["trends"]
    std = tr[(tr["comparison"] == "standardised") & (tr["kind"] == "factor_index")]
    merged = std.merge(
        s[(s["cycle"] == 2025) & (s["comparison"] == "standardised")],
        on=["measure", "group"],
        suffixes=("", "_series"),
    )
    assert len(merged) == 20
    same = merged[~merged["factor"].isin(changed)]
    assert len(same) == 18 and np.allclose(same["estimate_prev"], same["estimate_series"])
    # the raised factor climbs in 2026 among officials, on both readings
    raised = s[(s["group"] == "official") & (s["factor"] == RAISED_FACTOR)]
    for _, part in raised.groupby("comparison"):
        by_cycle = part.set_index("cycle")["estimate"]
        assert by_cycle[2026] > by_cycle[2025] + 10
    # raw and standardised differ where the composition differs (2024: 85% managers)
    off = s[(s["group"] == "official") & (s["cycle"] == 2024)].pivot_table(
        index="factor", columns="comparison", values="estimate"
    )
    assert (off["raw"] - off["standardised"]).abs().max() > 2


def test_the_two_cycle_demo_has_no_series(findings_2025):
    assert "series" not in findings_2025.tables


@pytest.mark.slow
def test_report_of_the_third_cycle_shows_the_series_and_kpis_of_all_cycles(third_cycle, tmp_path):
    folder = render(third_cycle, formats=["html"], out=tmp_path, progress=False)
    page = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert "Officials: index over all cycles" in page
    start = page.index('id="trend"')
    trend = page[start : page.index('id="kpis"')]
    for cycle in ("2024", "2025", "2026"):
        assert f"{cycle}: " in trend, cycle
    kpis = page[page.index('id="kpis"') : page.index('id="method"')]
    for cycle in ("2024", "2025", "2026"):  # a column group per cycle, its value under it
        assert re.search(rf'<th[^>]*scope="colgroup"[^>]*>{cycle}</th>', kpis), cycle
    assert len(re.findall(r'<th[^>]*scope="col"[^>]*>Value \(95% CI\)</th>', kpis)) == 3
