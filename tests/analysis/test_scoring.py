"""Respondent-level scoring: % favourable, 0-100 scores, factor scores, words-vs-action,
indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cipslib
from cipslib.analysis.scoring import (
    factor_scores,
    gap_scores,
    indicator_values,
    item_scores,
    load_indicators,
)


def _frame(codebook, answers: dict[str, list], group="official"):
    n = len(next(iter(answers.values())))
    data = pd.DataFrame({"group": [group] * n})
    for iid, values in answers.items():
        data[iid] = pd.Categorical(
            values, categories=list(codebook.scale_of(iid).labels), ordered=True
        )
    return data


def test_favourable_and_score_with_reverse_coding(codebook):
    data = _frame(codebook, {"reg_01": [1, 3, 5, None], "reg_02": [1, 3, 5, 4]})
    fav, score = item_scores(data, codebook)
    assert fav["reg_01"].tolist()[:3] == [0, 0, 1] and np.isnan(fav["reg_01"].iloc[3])
    assert score["reg_01"].tolist()[:3] == [0, 50, 100]
    # reg_02 is reverse-coded: strongly disagree is the favourable end
    assert fav["reg_02"].tolist() == [1, 0, 0, 0]
    assert score["reg_02"].tolist() == [100, 50, 0, 25]


def test_factor_score_needs_half_of_the_items(codebook):
    ids = list(
        codebook.items_for(
            "official",
            2025,
            factor=1,
            construct=("perception", "mechanism_exists", "mechanism_effective"),
        )["id"]
    )
    assert len(ids) == 5
    answers = {i: [5, 5, None] for i in ids}
    answers[ids[0]] = [5, 1, 4]
    answers[ids[1]] = [5, 1, 4]
    answers[ids[2]] = [5, None, 4]
    data = _frame(codebook, answers)
    fav, score = item_scores(data, codebook)
    idx, share = factor_scores(data, codebook, fav, score)
    assert idx[1].iloc[0] == 100 and share[1].iloc[0] == 1
    assert idx[1].iloc[1] == pytest.approx((0 + 0 + 100 + 100) / 4) and share[1].iloc[1] == 0.5
    # 3 of 5 answered is at least half: kept; the index is the mean of the answered items
    assert idx[1].iloc[2] == 75 and share[1].iloc[2] == 1


def test_factor_score_missing_when_fewer_than_half_answered(codebook):
    ids = list(
        codebook.items_for(
            "official",
            2025,
            factor=1,
            construct=("perception", "mechanism_exists", "mechanism_effective"),
        )["id"]
    )
    answers = {i: [None] for i in ids}
    answers[ids[0]] = [5]
    answers[ids[1]] = [5]
    data = _frame(codebook, answers)
    idx, share = factor_scores(data, codebook, *item_scores(data, codebook))
    assert np.isnan(idx[1].iloc[0]) and np.isnan(share[1].iloc[0])


def test_words_vs_action_is_respondent_level(codebook):
    data = _frame(codebook, {"lead_05": [5, 5, 2, None], "lead_06": [2, 5, 5, 5]})
    fav, _ = item_scores(data, codebook)
    gaps = gap_scores(codebook, fav)
    assert gaps["lead_05"].iloc[:3].tolist() == [1, 0, -1] and np.isnan(gaps["lead_05"].iloc[3])


def test_indicators_use_the_answer_codes(codebook):
    data = _frame(codebook, {"oc_pressure": [1, 2, 3, None]})
    inds = load_indicators(codebook)
    v = indicator_values(data, codebook, inds)
    assert v["oc_pressure_any"].tolist()[:3] == [0, 1, 1]
    assert v["oc_pressure_physical"].tolist()[:3] == [0, 0, 1]
    assert np.isnan(v["oc_pressure_any"].iloc[3])


def test_bad_indicator_definitions_are_reported_together(codebook, tmp_path):
    path = tmp_path / "ind.yaml"
    path.write_text(
        "indicators:\n"
        "  a: {item: NOT_AN_ITEM, codes: [1], text: {en: x, uk: y}}\n"
        "  b: {item: EXP_SAFE_REPORTING, codes: [7], text: {en: x, uk: y}}\n"
        "  c: {item: EXP_SAFE_REPORTING, codes: [1], text: {en: x}}\n"
        "  d: {item: EXP_SAFE_REPORTING, codes: [1], colour: red, text: {en: x, uk: y}}\n",
        encoding="utf-8",
    )
    with pytest.raises(cipslib.CipsDataError) as err:
        load_indicators(codebook, path)
    text = str(err.value)
    assert (
        "NOT_AN_ITEM" in text
        and "code 7" in text
        and "'uk' text is missing" in text
        and "colour" in text
    )
