"""The report says what was done to a user's survey: weighting stated per group (unweighted where
no population figures were given) and the outcome question in its own words."""

from __future__ import annotations

import copy
import dataclasses
import html
import re

import pytest


@pytest.fixture(scope="module")
def report(report_2024_en):
    return report_2024_en


def _text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(page))))


def _without_population(report, groups):
    current = dataclasses.replace(
        report.current,
        populations={g: p for g, p in report.current.populations.items() if g not in groups},
    )
    return dataclasses.replace(report, current=current)


def test_weighted_groups_are_said_to_be_weighted(report):
    assert "weighted to the staff population" in _text(report.method.about())
    assert "no population figures" not in _text(report.method.about()) + _text(report.method.body())
    assert "by raking (iterative proportional fitting)" in _text(report.method.body())


def test_a_group_without_population_figures_is_said_to_be_unweighted(report):
    partly = _without_population(report, {"private"})
    about = _text(partly.method.about())
    assert "Officials: weighted to the population figures." in about
    assert "Private sector: unweighted (no population figures were given)" in about
    method = _text(partly.method.body())
    assert "by raking" in method and "Private sector: no population figures" in method
    none = _without_population(report, {"official", "private"})
    assert "weighted to" not in _text(none.method.about()).replace("unweighted", "")
    assert "by raking" not in _text(none.method.body())
    assert "Officials and Private sector: no population figures" in _text(none.method.body())


def test_the_driver_section_quotes_the_codebooks_outcome_question(report):
    cb = copy.copy(report.cb)
    cb.items = cb.items.copy()
    outcome = cb.items["construct"] == "outcome"
    cb.items.loc[outcome, "text_en"] = "All in all, our Customs service acts with integrity."
    changed = dataclasses.replace(report, current=dataclasses.replace(report.current, codebook=cb))
    text = _text(changed.drivers.intro())
    assert 'rated the statement "All in all, our Customs service acts with integrity".' in text
    assert "organisation of integrity" not in text
