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


def test_the_driver_section_quotes_the_codebooks_outcome_question(report_2025_en):
    report = report_2025_en
    cb = copy.copy(report.cb)
    cb.items = cb.items.copy()
    outcome = cb.items["construct"] == "outcome"
    cb.items.loc[outcome, "text_en"] = "All in all, our Customs service acts with integrity."
    changed = dataclasses.replace(report, current=dataclasses.replace(report.current, codebook=cb))
    text = _text(changed.drivers.intro())
    assert 'rated the statement "All in all, our Customs service acts with integrity".' in text
    assert "organisation of integrity" not in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            "This section could not be built: the overall integrity rating (“Overall, the "
            "Customs Service is an organisation of integrity”) was not asked in the 2024 "
            "questionnaire.",
        ),
        (
            "uk",
            "Цей розділ неможливо побудувати: питання про загальну оцінку доброчесності "
            "(«Загалом митна служба є доброчесною організацією») не ставили в анкеті 2024 р.",
        ),
        (
            "fr",
            "Cette section n’a pas pu être établie : la question de la note globale "
            "d’intégrité (« Dans l’ensemble, l’administration des douanes est une organisation "
            "intègre ») n’était pas posée dans le questionnaire de 2024.",
        ),
    ],
)
def test_the_2024_driver_section_says_the_overall_rating_was_not_asked(report, lang, words):
    """The overall rating is new in 2025: the 2024 report's driver section says so in its
    language, and the method section lists it among what was left out."""
    local = dataclasses.replace(report, language=lang)
    assert (
        _text(local.heading("drivers"))
        .replace("\u00a0", " ")
        .strip()
        .endswith(words.replace("\u00a0", " "))
    )
    assert _text(local.drivers.intro()) == ""
    assert "2024" in _text(local.method.omitted_list())
