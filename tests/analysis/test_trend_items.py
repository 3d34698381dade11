"""Trends compare like with like: a factor question asked in one cycle only is left out of the
factor's change (and the report says so), and the factor's levels in the trend table are its index
over the questions both cycles asked, computed here from the item codes and the design weights."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from cipslib import analyse
from cipslib.report import Report

from ..any_codebook import ItemSpec, Questionnaire, ScaleSpec, write_cycle

AGREE5 = ScaleSpec("ordinal", 5, neutral=True, dont_know=True, refusal=True, favourable=2)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    q = Questionnaire(
        scales=(AGREE5,),
        items=(
            *(ItemSpec("perception", 0, 1) for _ in range(3)),
            ItemSpec("perception", 0, 1, cycles=(2025,)),  # new in 2025: q04
            *(ItemSpec("perception", 0, 2) for _ in range(3)),
        ),
        n=80,
        seed=3,
    )
    params = write_cycle(q, tmp_path_factory.mktemp("items"), previous=True)
    return params, analyse(params)


def _index(prepared, items: list[str], group: str) -> float:
    """A factor index computed directly: each respondent's mean 0-100 score over the items they
    answered (at least half of them), the weighted mean of those."""
    data = prepared.data
    codes = data[items].apply(lambda c: c.astype(float)).to_numpy()
    scores = np.where(np.isin(codes, [1, 2, 3, 4, 5]), (codes - 1) * 25.0, np.nan)
    answered = (~np.isnan(scores)).sum(axis=1)
    member = (data["group"].astype(str) == group).to_numpy() & (answered * 2 >= len(items))
    person = np.nanmean(scores[member], axis=1)  # every member answered at least half
    w = prepared.design.weights.to_numpy()[member]
    return float(np.sum(w * person) / np.sum(w))


def test_a_question_of_one_cycle_is_left_out_of_the_factor_change(cycle):
    _, f = cycle
    assert f.meta["trend_items_left_out"] == [
        {"key": "K_Q04", "item": "q04", "factor": 1, "cycle": 2025}
    ]
    cur, prev = f.inputs.current, f.inputs.previous
    t = f.tables["trends"]
    for group in ("official", "private"):
        row = t[
            (t["measure"] == "factor_index.1")
            & (t["group"] == group)
            & (t["comparison"] == "weighted")
        ].iloc[0]
        common = ["q01", "q02", "q03"]
        assert row["estimate"] == pytest.approx(_index(cur, common, group), abs=1e-9)
        assert row["estimate_prev"] == pytest.approx(_index(prev, common, group), abs=1e-9)
        # this cycle's own index counts the new question too
        level = f.tables["factors"]
        own = level[(level["factor"] == 1) & (level["group"] == group)]["index"].item()
        assert own == pytest.approx(_index(cur, [*common, "q04"], group), abs=1e-9)
        assert abs(own - row["estimate"]) > 1e-6
        # factor 2 asks the same questions in both cycles: its change is over all of them
        row2 = t[
            (t["measure"] == "factor_index.2")
            & (t["group"] == group)
            & (t["comparison"] == "weighted")
        ].iloc[0]
        assert row2["estimate"] == pytest.approx(_index(cur, ["q05", "q06", "q07"], group))


def test_the_report_says_which_questions_the_change_leaves_out(cycle):
    params, _ = cycle
    for lang, words in (("en", "asked in 2025 only"), ("uk", "лише 2025 р.")):
        text = str(Report.build(params, lang).heading("trend"))
        assert words in text and ("Statement number 4." in text or "Твердження номер 4." in text)


def test_the_demo_overall_rating_new_in_2025_is_left_out_of_the_comparison(
    findings_2025, report_2025_en
):
    """The shipped codebook asks the overall rating in 2025 only: 2024's export has no column for
    it, the 2024 -> 2025 comparison lists it among the questions one cycle asked, and the report's
    trend section says so; the factors' questions are the same in both cycles (TRA_INFO reworded
    under one key), so no factor change leaves a question out."""
    assert "overall_integrity" not in findings_2025.inputs.previous.data
    assert findings_2025.meta["trend_items_left_out"] == [
        {"key": "OVERALL_INTEGRITY", "item": "overall_integrity", "factor": None, "cycle": 2025}
    ]
    trends = findings_2025["trends"]
    assert not trends["ref"].astype(str).str.contains("OVERALL").any()
    text = re.sub(r"\s+", " ", html.unescape(str(report_2025_en.heading("trend"))))
    assert (
        "Left out of the comparison, as only one cycle asked them: “Overall, the Customs Service "
        "is an organisation of integrity.” (asked in 2025 only)." in text
    )
